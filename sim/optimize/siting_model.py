"""Facility siting models on a cost matrix: MCLP, LSCP and p-median through PySAL ``spopt`` (PuLP,
its bundled CBC solver), and a capacitated MCLP of our own on HiGHS (``scipy.optimize.milp``).

An instance (``SitingInstance``) is plain arrays, so small cases can be written by hand in tests and
checked against ``brute_force``.  N demand points, M candidate sites; a site is open or closed (one
facility of the service per site); sites already holding a facility (``existing``) are open in every
solution and count toward coverage and toward the number of open sites.

Formulations (docs/optimise.md has them in words and symbols):

* MCLP (Church & ReVelle 1974): maximise the demand weight within ``radius`` of an open site,
  ``sum_j x_j = E + P`` (E existing, P new), ``y_i <= sum_{j: d_ij <= r} x_j``;
* LSCP (Toregas et al. 1971): minimise the number of open sites with every demand point within
  ``radius`` of one (P is not an input: the model finds it);
* p-median (Hakimi 1964; ReVelle & Swain 1970): minimise the total weighted distance from each
  demand point to its nearest open site, ``sum_j x_j = E + P``;
* capacitated MCLP (after Current & Storbeck 1988, demand may be split): maximise the demand served
  within ``radius``, ``sum_j z_ij <= 1``, ``z_ij <= x_j``, ``sum_i q_i z_ij <= C_j x_j``,
  ``sum_j x_j = E + P``; ``z_ij`` in [0, 1] only where ``d_ij <= r``.

MCLP and LSCP often have several optimal sets; ``solve(..., tie_break=True)`` adds a second stage on
HiGHS that keeps the optimum and minimises the demand-weighted distance to the nearest open site
(``tie_break_distance``).

``spopt`` sets the predefined (existing) sites to 1 and counts them in ``p_facilities``; we do the same
in the capacitated model, so the two agree when capacities are large (tested).
"""

from __future__ import annotations

import itertools
import math
import time
import warnings
from dataclasses import dataclass, field

import numpy as np

MODELS = ("mclp", "lscp", "pmedian", "cmclp")
MODEL_NAMES = {"mclp": "maximal covering (MCLP, spopt)", "lscp": "set covering (LSCP, spopt)",
               "pmedian": "p-median (spopt)", "cmclp": "capacitated maximal covering (HiGHS via scipy.optimize.milp)"}
SENSE = {"mclp": "max", "lscp": "min", "pmedian": "min", "cmclp": "max"}


@dataclass
class SitingInstance:
    """One siting problem.

    ``cost`` (N, M) distance from demand point i to site j (km, any unit consistent with ``radius``);
    ``weights`` (N,) demand weight of each point (people); ``existing`` (M,) bool, sites already open;
    ``radius`` coverage distance (same unit as ``cost``, >= 0); ``new`` P, sites to open besides the
    existing ones (ignored by LSCP); ``demand`` (N,) demand in capacity units for the capacitated
    model (default ``weights``); ``capacity`` (M,) capacity of a facility at each site in those
    units (inf = unlimited; default unlimited).
    Raises ValueError on inconsistent shapes, negative weights, a negative radius or P < 0.
    """

    cost: np.ndarray
    weights: np.ndarray
    existing: np.ndarray
    radius: float
    new: int = 1
    demand: np.ndarray | None = None
    capacity: np.ndarray | None = None

    def __post_init__(self):
        self.cost = np.asarray(self.cost, dtype=float)
        N, M = self.cost.shape
        self.weights = np.asarray(self.weights, dtype=float)
        self.existing = np.asarray(self.existing, dtype=bool)
        if self.weights.shape != (N,) or self.existing.shape != (M,):
            raise ValueError(f"weights {self.weights.shape} / existing {self.existing.shape} do not match cost {self.cost.shape}")
        if (self.weights < 0).any() or not np.isfinite(self.weights).all():
            raise ValueError("weights must be finite and >= 0")
        if not self.radius >= 0:
            raise ValueError(f"radius must be >= 0, got {self.radius}")
        if self.new < 0:
            raise ValueError(f"new sites must be >= 0, got {self.new}")
        self.demand = self.weights.copy() if self.demand is None else np.asarray(self.demand, dtype=float)
        self.capacity = np.full(M, np.inf) if self.capacity is None else np.asarray(self.capacity, dtype=float)
        if self.demand.shape != (N,) or self.capacity.shape != (M,):
            raise ValueError("demand must be (N,) and capacity (M,)")

    @property
    def reach(self) -> np.ndarray:
        """(N, M) bool: site j covers point i (``d_ij <= radius``)."""
        return self.cost <= self.radius + 1e-9

    @property
    def open_total(self) -> int:
        return int(self.existing.sum()) + int(self.new)


@dataclass
class SitingResult:
    """``open`` (M,) bool, every open site (existing and new); ``objective`` in the model's own terms
    (covered weight, number of sites, total weighted distance, served demand); ``status`` the solver's
    word; ``seconds`` wall time of the solve; ``served`` (N, M) demand share served by each site
    (cmclp only)."""

    model: str
    open: np.ndarray
    objective: float
    status: str
    seconds: float
    solver: str
    served: np.ndarray | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def optimal(self) -> bool:
        return self.status.lower() == "optimal"


# ---------------------------------------------------------------------------------------------

class _Rows:
    """Rows lo <= sum_k a_k v_{col_k} <= hi of a MILP, collected one at a time for
    ``scipy.optimize.LinearConstraint`` (a sparse matrix of ``n_vars`` columns)."""

    def __init__(self) -> None:
        self.rows: list[int] = []
        self.cols: list[int] = []
        self.vals: list[float] = []
        self.lo: list[float] = []
        self.hi: list[float] = []

    def add(self, cols, vals, lower: float, upper: float) -> None:
        r = len(self.lo)
        self.rows.extend([r] * len(cols))
        self.cols.extend(cols)
        self.vals.extend(vals)
        self.lo.append(lower)
        self.hi.append(upper)

    def constraint(self, n_vars: int):
        from scipy.optimize import LinearConstraint
        from scipy.sparse import coo_matrix
        A = coo_matrix((self.vals, (self.rows, self.cols)), shape=(len(self.lo), n_vars)).tocsr()
        return LinearConstraint(A, self.lo, self.hi)

def evaluate(inst: SitingInstance, open_sites: np.ndarray, model: str) -> float:
    """Objective of a given set of open sites (M,) bool under ``model`` (the capacitated model
    solves its assignment LP).  LSCP: the number of open sites, or inf if a point is uncovered."""
    o = np.asarray(open_sites, dtype=bool)
    cov = (inst.reach & o[None, :]).any(axis=1)
    if model == "mclp":
        return float(inst.weights[cov].sum())
    if model == "lscp":
        return float(o.sum()) if cov.all() else math.inf
    if model == "pmedian":
        if not o.any():
            return math.inf
        return float((inst.weights * inst.cost[:, o].min(axis=1)).sum())
    if model == "cmclp":
        return _served(inst, o)[0]
    raise ValueError(f"unknown model {model!r}")


def _served(inst: SitingInstance, o: np.ndarray) -> tuple[float, np.ndarray]:
    """Most demand the open sites ``o`` can serve within the radius: a transportation LP (HiGHS)."""
    from scipy.optimize import linprog

    N, M = inst.cost.shape
    ok = inst.reach & o[None, :]
    pairs = np.argwhere(ok)
    z = np.zeros((N, M))
    if not len(pairs):
        return 0.0, z
    K = len(pairs)
    c = -inst.demand[pairs[:, 0]]
    rows, cols, vals, b = [], [], [], []
    r = 0
    for i in range(N):                       # sum_j z_ij <= 1
        k = np.flatnonzero(pairs[:, 0] == i)
        if len(k):
            rows += [r] * len(k)
            cols += list(k)
            vals += [1.0] * len(k)
            b.append(1.0)
            r += 1
    for j in range(M):                       # sum_i q_i z_ij <= C_j
        k = np.flatnonzero(pairs[:, 1] == j)
        if len(k) and np.isfinite(inst.capacity[j]):
            rows += [r] * len(k)
            cols += list(k)
            vals += list(inst.demand[pairs[k, 0]])
            b.append(float(inst.capacity[j]))
            r += 1
    from scipy.sparse import coo_matrix
    A = coo_matrix((vals, (rows, cols)), shape=(r, K))
    res = linprog(c, A_ub=A, b_ub=b, bounds=(0, 1), method="highs")
    if not res.success:
        raise ValueError(f"assignment LP failed: {res.message}")
    z[pairs[:, 0], pairs[:, 1]] = res.x
    return float(-res.fun), z


def brute_force(inst: SitingInstance, model: str) -> tuple[float, np.ndarray]:
    """Best objective and one optimal open set by enumerating every choice of new sites (tiny
    instances only).  LSCP enumerates every number of new sites from 0 up."""
    M = inst.cost.shape[1]
    free = [j for j in range(M) if not inst.existing[j]]
    sizes = range(0, len(free) + 1) if model == "lscp" else [inst.new]
    best, best_set = (math.inf if SENSE[model] == "min" else -math.inf), None
    for k in sizes:
        for combo in itertools.combinations(free, k):
            o = inst.existing.copy()
            o[list(combo)] = True
            v = evaluate(inst, o, model)
            if (SENSE[model] == "min" and v < best - 1e-9) or (SENSE[model] == "max" and v > best + 1e-9):
                best, best_set = v, o
        if model == "lscp" and best_set is not None:
            break
    return best, best_set


# ---------------------------------------------------------------------------------------------
def solve(inst: SitingInstance, model: str, time_limit: float = 60.0, tie_break: bool = False) -> SitingResult:
    """Solve ``inst`` with ``model`` (one of ``MODELS``).  Raises ValueError for an unknown model or
    when P + E exceeds the sites (checked by the caller for user input).

    ``tie_break`` (mclp, lscp): among the sets with the optimal objective, take one with the least
    demand-weighted distance to the nearest open site (a second, lexicographic stage on HiGHS, see
    ``tie_break_distance``); the objective stays the model's own."""
    if model not in MODELS:
        raise ValueError(f"unknown model {model!r} (known: {', '.join(MODELS)})")
    M = inst.cost.shape[1]
    if model != "lscp" and inst.open_total > M:
        raise ValueError(f"{inst.new} new + {int(inst.existing.sum())} existing sites > {M} candidate sites")
    if model == "cmclp":
        return _solve_cmclp(inst, time_limit)
    res = _solve_spopt(inst, model, time_limit)
    if tie_break and model in ("mclp", "lscp") and res.optimal:
        res = tie_break_distance(inst, model, res, time_limit)
    return res


def weighted_km(inst: SitingInstance, open_sites: np.ndarray) -> float:
    """Sum over demand points of weight x distance to the nearest open site."""
    return evaluate(inst, open_sites, "pmedian")


def tie_break_distance(inst: SitingInstance, model: str, first: SitingResult, time_limit: float = 60.0) -> SitingResult:
    """Second stage: the least weighted distance to the nearest open site among the sets that keep the
    first stage's optimum (MCLP: covered weight >= V; LSCP: every point covered with V sites).

        min sum_ij w_i d_ij z_ij   s.t.  sum_j z_ij = 1,  z_ij <= x_j,  x_j = 1 (j existing),
        sum_j x_j = V (lscp) or e + P (mclp),  sum_i w_i sum_{j in N_i} z_ij >= V (mclp)
        or sum_{j in N_i} z_ij = 1 for all i (lscp)

    (the nearest open site is within r whenever any open site is, so the assignment covers as the
    first stage did).  HiGHS via ``scipy.optimize.milp``; the first stage's sites if it fails."""
    from scipy.optimize import Bounds, milp

    N, M = inst.cost.shape
    K = N * M
    nv = M + K
    c = np.concatenate([np.zeros(M), (inst.weights[:, None] * inst.cost).ravel()])
    rows = _Rows()
    add = rows.add

    n_open = int(round(first.objective)) if model == "lscp" else inst.open_total
    add(list(range(M)), [1.0] * M, n_open, n_open)
    reach = inst.reach
    for i in range(N):
        add([M + i * M + j for j in range(M)], [1.0] * M, 1.0, 1.0)
        if model == "lscp":
            js = np.flatnonzero(reach[i])
            add([M + i * M + int(j) for j in js], [1.0] * len(js), 1.0, np.inf)
        for j in range(M):
            add([M + i * M + j, j], [1.0, -1.0], -np.inf, 0.0)
    if model == "mclp":
        idx = np.argwhere(reach)
        add([M + int(i) * M + int(j) for i, j in idx], [float(inst.weights[i]) for i, _ in idx],
            first.objective - 1e-6 * max(1.0, abs(first.objective)), np.inf)
    lb = np.zeros(nv)
    lb[:M] = inst.existing.astype(float)
    t0 = time.perf_counter()
    res = milp(c, constraints=rows.constraint(nv), integrality=np.concatenate([np.ones(M), np.zeros(K)]),
               bounds=Bounds(lb, np.ones(nv)), options={"time_limit": float(time_limit)})
    seconds = time.perf_counter() - t0
    if res.x is None or res.status not in (0, 1):
        first.notes.append(f"distance tie-break failed ({res.message}); the first stage's sites are kept")
        return first
    x = res.x[:M] > 0.5
    prim = evaluate(inst, x, model)
    if (model == "mclp" and prim < first.objective - 1e-6 * max(1.0, abs(first.objective))) or \
            (model == "lscp" and prim > first.objective + 1e-9):
        first.notes.append("distance tie-break lost the first stage's optimum; the first stage's sites are kept")
        return first
    status = first.status if res.status == 0 else "optimal (distance tie-break hit the time limit)"
    out = SitingResult(model, x, first.objective, status, first.seconds + seconds,
                       first.solver + "; distance tie-break on " + _highs(), notes=list(first.notes))
    out.notes.append(f"ties broken by weighted distance: {weighted_km(inst, first.open):,.6g} -> {weighted_km(inst, x):,.6g}")
    return out


def _solve_spopt(inst: SitingInstance, model: str, time_limit: float) -> SitingResult:
    import pulp
    from spopt.locate import LSCP, MCLP, PMedian

    pre = inst.existing.astype(int) if inst.existing.any() else None
    t0 = time.perf_counter()
    with warnings.catch_warnings():   # PuLP 3 announces its version-4 API changes on every call spopt makes
        warnings.simplefilter("ignore", DeprecationWarning)
        if model == "mclp":
            m = MCLP.from_cost_matrix(inst.cost, inst.weights, float(inst.radius) + 1e-9, p_facilities=inst.open_total,
                                      predefined_facilities_arr=pre)
        elif model == "lscp":
            m = LSCP.from_cost_matrix(inst.cost, float(inst.radius) + 1e-9, predefined_facilities_arr=pre)
        else:
            m = PMedian.from_cost_matrix(inst.cost, inst.weights, p_facilities=inst.open_total,
                                         predefined_facilities_arr=pre)
        m = m.solve(pulp.PULP_CBC_CMD(msg=False, timeLimit=time_limit), results=False)   # pyproject pins PuLP < 4
    seconds = time.perf_counter() - t0
    status = pulp.LpStatus[m.problem.status]
    opened = np.array([(v.value() or 0) > 0.5 for v in m.fac_vars])
    obj = pulp.value(m.problem.objective)
    obj = math.nan if obj is None else float(obj)
    sol = {1: "optimal", 2: "not solved", 0: "not solved", -1: "infeasible", -2: "unbounded"}.get(m.problem.status, status)
    if getattr(m.problem, "sol_status", 1) != 1 and sol == "optimal":   # PuLP: 1 = optimal, 2 = feasible (time limit)
        sol = "time limit (feasible, not proven optimal)"
    return SitingResult(model, opened, obj, sol, seconds, f"spopt {_version('spopt')} {type(m).__name__} + PuLP "
                        f"{_version('pulp')} CBC (PULP_CBC_CMD, bundled binary)")


def _solve_cmclp(inst: SitingInstance, time_limit: float) -> SitingResult:
    from scipy.optimize import Bounds, milp

    N, M = inst.cost.shape
    pairs = np.argwhere(inst.reach)                         # z variables only where d_ij <= r
    K = len(pairs)
    nv = M + K                                              # [x_0..x_{M-1}, z_k ...]
    c = np.concatenate([np.zeros(M), -inst.demand[pairs[:, 0]]])
    rows = _Rows()
    add = rows.add

    add(list(range(M)), [1.0] * M, inst.open_total, inst.open_total)           # sum_j x_j = E + P
    for i in range(N):                                                          # sum_j z_ij <= 1
        k = np.flatnonzero(pairs[:, 0] == i)
        if len(k):
            add(list(M + k), [1.0] * len(k), -np.inf, 1.0)
    for k, (i, j) in enumerate(pairs):                                          # z_ij <= x_j
        add([M + k, int(j)], [1.0, -1.0], -np.inf, 0.0)
    for j in range(M):                                                          # sum_i q_i z_ij <= C_j x_j
        if np.isfinite(inst.capacity[j]):
            k = np.flatnonzero(pairs[:, 1] == j)
            add([*(M + k), j], [*inst.demand[pairs[k, 0]], -float(inst.capacity[j])], -np.inf, 0.0)
    lb = np.zeros(nv)
    lb[:M] = inst.existing.astype(float)                                        # existing sites stay open
    integrality = np.concatenate([np.ones(M), np.zeros(K)])
    t0 = time.perf_counter()
    res = milp(c, constraints=rows.constraint(nv), integrality=integrality, bounds=Bounds(lb, np.ones(nv)),
               options={"time_limit": float(time_limit)})
    seconds = time.perf_counter() - t0
    status = {0: "optimal", 1: "time limit (feasible, not proven optimal)", 2: "infeasible", 3: "unbounded"}.get(res.status, "not solved")
    if res.x is None:
        return SitingResult("cmclp", inst.existing.copy(), math.nan, status, seconds, _highs())
    x = res.x[:M] > 0.5
    z = np.zeros((N, M))
    z[pairs[:, 0], pairs[:, 1]] = res.x[M:]
    return SitingResult("cmclp", x, float(-res.fun), status, seconds, _highs(), served=z)


def _highs() -> str:
    return f"HiGHS via scipy.optimize.milp (SciPy {_version('scipy')})"


def _version(pkg: str) -> str:
    from importlib.metadata import version

    try:
        return version(pkg)
    except Exception:  # pragma: no cover - metadata missing
        return "?"
