"""Phasing as a mixed-integer programme: each project's start, under yearly envelopes by source.

The instance (``PhasingInstance``) is plain arrays, so small cases can be written by hand in tests
and checked against ``brute_force``.  Time is in fractional calendar years (``2022.0`` = 1 January
2022), money in yuan, as in ``sim.buildout``.

Formulation (docs/optimise.md has it in words and symbols):

* options: project p may start at any start time o in ``options[p]`` (whole years, plus the plan's
  own start), or be deferred (no option chosen; only if ``deferrable[p]``);
  ``x[p, o]`` binary, ``sum_o x[p, o] <= 1`` (``== 1`` when not deferrable);
* money: a project started at t spends ``cost_p * share_{p,s}`` evenly over its planned works window
  ``[t, t + dur_p]`` (the simulator's full-speed claim); with carry-over the cumulative spend of each
  source up to each year is at most its cumulative envelope (x (1 + contingency)); without, each
  year's spend is at most that year's envelope;
* completion for targets at ``t + dur_target_p`` (planned duration or a quantile of the simulated
  span); a target k of year Y_k is met (``y_k <= 1``) only if every project it requires is complete
  by the end of Y_k (completion <= Y_k + 1, the capacity convention of ``sim.capacity``);
* deadlines: an option whose planned completion ``t + dur_p`` is after the project's deadline is
  not offered, and a project with a deadline cannot be deferred;
* precedences (a, b): b may start only at or after a's planned completion (b deferred if a is);
* objective ``targets``: maximise ``sum_k w_k y_k - eps * D`` with binding targets weighted above
  all indicative ones together and ``D`` the total years the starts move from the plan (a deferral
  counts one year more than the farthest start offered); ``eps`` is small enough that ``D`` only
  breaks ties; ``min_cost``: minimise the money committed (deferred projects cost nothing) with
  every reachable binding target met, then the same ``eps * D``.

Solved with HiGHS through ``scipy.optimize.milp``; K alternatives by no-good cuts.
"""

from __future__ import annotations

import itertools
import math
import time
from dataclasses import dataclass, field

import numpy as np
from scipy.optimize import Bounds, LinearConstraint, milp
from scipy.sparse import coo_matrix

_EPS_T = 1e-6   # tolerance on times (years)


@dataclass
class PhasingInstance:
    """One phasing problem.  P projects, S sources, Y envelope years.

    ``cost`` (P,) yuan; ``shares`` (P, S) each row sums to 1 (or 0 for a free project);
    ``duration`` (P,) planned works years; ``target_duration`` (P,) years from start to completion
    used for targets (>= 0); ``planned_start`` (P,); ``options`` list of P sorted lists of start
    times; ``deferrable`` (P,) bool; ``deadline`` (P,) fractional year or nan; ``years`` (Y,) ints;
    ``envelope`` (S, Y) yuan available in each year (contingency included); ``carry_over`` bool;
    ``targets``: list of ``(target id, year, binding, [required project indices])``;
    ``precedences``: list of (a, b) project indices.
    """

    ids: list[str]
    cost: np.ndarray
    shares: np.ndarray
    duration: np.ndarray
    target_duration: np.ndarray
    planned_start: np.ndarray
    options: list[list[float]]
    deferrable: np.ndarray
    deadline: np.ndarray
    years: np.ndarray
    envelope: np.ndarray
    carry_over: bool = True
    sources: list[str] = field(default_factory=list)
    targets: list[tuple[str, int, bool, list[int]]] = field(default_factory=list)
    precedences: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self):
        P = len(self.ids)
        for name in ("cost", "duration", "target_duration", "planned_start", "deferrable", "deadline"):
            if len(getattr(self, name)) != P:
                raise ValueError(f"{name} has {len(getattr(self, name))} entries for {P} projects")
        if self.shares.shape[0] != P or self.envelope.shape != (self.shares.shape[1], len(self.years)):
            raise ValueError(f"shares {self.shares.shape} / envelope {self.envelope.shape} do not match "
                             f"{P} projects and {len(self.years)} years")
        if np.any(self.duration <= 0):
            raise ValueError("every planned duration must be > 0 years")
        # options that break a deadline are never offered
        self.options = [[t for t in sorted(set(float(o) for o in opts))
                         if math.isnan(self.deadline[p]) or t + self.duration[p] <= self.deadline[p] + _EPS_T]
                        for p, opts in enumerate(self.options)]

    @property
    def weights(self) -> np.ndarray:
        """Binding targets weigh more than all indicative targets together."""
        n_ind = sum(1 for t in self.targets if not t[2])
        return np.array([float(n_ind + 1) if b else 1.0 for _, _, b, _ in self.targets])

    def spend(self, p: int, t: float) -> np.ndarray:
        """(S, Y) yuan project p spends in each envelope year if it starts at t (even over its window)."""
        a, b = t, t + self.duration[p]
        y = self.years.astype(float)
        overlap = np.clip(np.minimum(b, y + 1) - np.maximum(a, y), 0.0, None) / self.duration[p]
        return self.cost[p] * self.shares[p][:, None] * overlap[None, :]

    def outside_years(self, p: int, t: float) -> bool:
        """The window reaches outside the envelope years (money there is zero: only with cost 0)."""
        return t < self.years[0] - _EPS_T or t + self.duration[p] > self.years[-1] + 1 + _EPS_T

    def done_by(self, p: int, t: float | None, year: int) -> bool:
        return t is not None and t + self.target_duration[p] <= year + 1 + _EPS_T


@dataclass
class Phasing:
    """One solution: ``start[p]`` or None (deferred); objective value; targets met."""

    start: list[float | None]
    objective: float
    met: list[str]
    moved: int
    cost: float


@dataclass
class SolveReport:
    status: str          # optimal | time_limit | infeasible | ...
    message: str
    gap: float | None
    seconds: float
    hit_limit: bool
    solutions: list[Phasing]   # best first, then the alternatives in order


def evaluate(inst: PhasingInstance, start: list[float | None], objective: str = "targets"):
    """(feasible, objective value, targets met) of a phasing; the MILP's objective, computed directly."""
    P = len(inst.ids)
    spend = np.zeros_like(inst.envelope)
    for p in range(P):
        t = start[p]
        if t is None:
            if not inst.deferrable[p]:
                return False, None, []
            continue
        if all(abs(t - o) > _EPS_T for o in inst.options[p]):
            return False, None, []
        spend += inst.spend(p, t)
    cap = inst.envelope * (1 + 1e-9) + 1e-6
    if inst.carry_over:
        if np.any(np.cumsum(spend, axis=1) > np.cumsum(cap, axis=1)):
            return False, None, []
    elif np.any(spend > cap):
        return False, None, []
    for a, b in inst.precedences:
        if start[b] is not None and (start[a] is None or start[b] < start[a] + inst.duration[a] - _EPS_T):
            return False, None, []
    met = [k for k, (tid, year, _, req) in enumerate(inst.targets) if all(inst.done_by(p, start[p], year) for p in req)]
    moved = _deviation(inst, start)
    eps = _eps(inst, objective)
    if objective == "targets":
        w = inst.weights
        value = float(sum(w[k] for k in met)) - eps * moved
    else:
        if any(inst.targets[k][2] and k not in met for k in range(len(inst.targets))):
            return False, None, []
        value = _committed(inst, start) / _cost_scale(inst) + eps * moved
    return True, value, [inst.targets[k][0] for k in met]


def _committed(inst, start) -> float:
    return float(sum(inst.cost[p] for p in range(len(inst.ids)) if start[p] is not None))


def _cost_scale(inst) -> float:
    return float(max(inst.cost.sum(), 1.0))


def _defer_penalty(inst) -> np.ndarray:
    """(P,) years of deviation charged for a deferral: one more than the farthest offered start."""
    return np.array([max([abs(t - inst.planned_start[p]) for t in opts] + [0.0]) + 1.0
                     for p, opts in enumerate(inst.options)])


def _deviation(inst, start) -> float:
    """Tie-break: total years the starts move from the plan (a deferral: ``_defer_penalty``)."""
    pen = _defer_penalty(inst)
    return float(sum(pen[p] if t is None else abs(t - inst.planned_start[p]) for p, t in enumerate(start)))


def _eps(inst, objective: str) -> float:
    """Weight of one year of deviation from the plan: the largest possible total deviation weighs
    less than one indicative target (targets) or than the cheapest project (min_cost), so staying
    close to the plan only breaks ties."""
    total = 1.0 + float(_defer_penalty(inst).sum())
    if objective == "targets":
        return 1.0 / total
    pos = inst.cost[inst.cost > 0]
    smallest = float(pos.min()) / _cost_scale(inst) if pos.size else 1.0
    return smallest / total


def brute_force(inst: PhasingInstance, objective: str = "targets", k: int = 1) -> list[tuple[float, list]]:
    """Every combination of options (and deferral) enumerated: the ``k`` best (value, starts).

    Exponential: for tests on small instances only (a few projects and years).
    """
    choices = [list(opts) + ([None] if inst.deferrable[p] else []) for p, opts in enumerate(inst.options)]
    found = []
    for combo in itertools.product(*choices):
        ok, val, _ = evaluate(inst, list(combo), objective)
        if ok:
            found.append((val, list(combo)))
    sign = -1 if objective == "targets" else 1
    found.sort(key=lambda v: sign * v[0])
    return found[:k]


def solve(inst: PhasingInstance, objective: str = "targets", alternatives: int = 0,
          time_limit: float = 60.0, mip_rel_gap: float = 1e-6) -> SolveReport:
    """Best phasing and ``alternatives`` next-best ones (no-good cuts), with HiGHS via scipy.

    Raises ValueError for an unknown objective.  Infeasibility is reported in the status, not raised.
    """
    if objective not in ("targets", "min_cost"):
        raise ValueError(f"unknown objective {objective!r} (targets or min_cost)")
    P, K = len(inst.ids), len(inst.targets)
    # variables: x[p, o] for every offered option, then y[k]
    xs = [(p, t) for p in range(P) for t in inst.options[p] if inst.cost[p] == 0 or not inst.outside_years(p, t)]
    nx = len(xs)
    n = nx + K
    by_p: dict[int, list[int]] = {}
    for i, (p, _) in enumerate(xs):
        by_p.setdefault(p, []).append(i)
    rows_lo, rows_hi, A_rows = [], [], []

    def add(coefs: dict[int, float], lo: float, hi: float):
        A_rows.append(coefs)
        rows_lo.append(lo)
        rows_hi.append(hi)

    for p in range(P):
        add({i: 1.0 for i in by_p.get(p, [])}, 0.0 if inst.deferrable[p] else 1.0, 1.0)
    # money
    S, Y = inst.envelope.shape
    spend = {i: inst.spend(p, t) for i, (p, t) in enumerate(xs)}
    cap = np.cumsum(inst.envelope, axis=1) if inst.carry_over else inst.envelope
    for s in range(S):
        for y in range(Y):
            coefs = {}
            for i in range(nx):
                v = spend[i][s, : y + 1].sum() if inst.carry_over else spend[i][s, y]
                if v > 0:
                    coefs[i] = v
            if coefs:
                add(coefs, -np.inf, float(cap[s, y]) * (1 + 1e-9) + 1e-6)
    # precedences: x[b, t] <= sum of a's options finishing by t
    for a, b in inst.precedences:
        for i in by_p.get(b, []):
            t = xs[i][1]
            coefs = {i: 1.0}
            for j in by_p.get(a, []):
                if xs[j][1] + inst.duration[a] <= t + _EPS_T:
                    coefs[j] = coefs.get(j, 0.0) - 1.0
            add(coefs, -np.inf, 0.0)
    # targets: y_k <= done_by(p, Y_k) for every required project
    for k, (_, year, binding, req) in enumerate(inst.targets):
        for p in req:
            coefs = {nx + k: 1.0}
            for i in by_p.get(p, []):
                if inst.done_by(p, xs[i][1], year):
                    coefs[i] = -1.0
            add(coefs, -np.inf, 0.0)
    lo = np.zeros(n)
    hi = np.ones(n)
    # tie-break: eps * (sum dev * x + pen * (1 - sum x)) = eps * sum (dev - pen) * x + constant
    pen = _defer_penalty(inst)
    dev = np.array([abs(t - inst.planned_start[p]) - pen[p] for p, t in xs])
    eps = _eps(inst, objective)
    c = np.zeros(n)
    if objective == "targets":
        c[:nx] = eps * dev                # minimise  -sum w y + eps * deviation
        c[nx:] = -inst.weights
    else:
        c[:nx] = np.array([inst.cost[p] for p, _ in xs]) / _cost_scale(inst) + eps * dev
        for k, (_, _, binding, _) in enumerate(inst.targets):
            if binding:
                lo[nx + k] = 1.0
    integrality = np.concatenate([np.ones(nx), np.zeros(K)])
    report = SolveReport("optimal", "", 0.0, 0.0, False, [])
    t0 = time.perf_counter()
    for _ in range(alternatives + 1):
        r_idx = [r for r, coefs in enumerate(A_rows) for _ in coefs]
        c_idx = [i for coefs in A_rows for i in coefs]
        vals = [v for coefs in A_rows for v in coefs.values()]
        A = coo_matrix((vals, (r_idx, c_idx)), shape=(len(A_rows), n))
        left = max(time_limit - (time.perf_counter() - t0), 0.1)
        cons = [LinearConstraint(A.tocsr(), np.array(rows_lo), np.array(rows_hi))] if A_rows else []
        res = milp(c, constraints=cons, integrality=integrality, bounds=Bounds(lo, hi),
                   options={"time_limit": left, "mip_rel_gap": mip_rel_gap, "disp": False})
        status = {0: "optimal", 1: "time_limit", 2: "infeasible", 3: "unbounded", 4: "other"}.get(res.status, "other")
        if res.x is None:
            if not report.solutions:
                report.status, report.message = status, res.message
                report.hit_limit = status == "time_limit"
            elif status != "infeasible":   # no more alternatives found because of a limit
                report.hit_limit = report.hit_limit or status == "time_limit"
                report.message = f"alternatives stopped: {res.message}"
            break
        if not report.solutions:
            report.status, report.message = status, res.message
            report.gap = None if getattr(res, "mip_gap", None) is None else float(res.mip_gap)
        report.hit_limit = report.hit_limit or status == "time_limit"
        chosen = [i for i in range(nx) if res.x[i] > 0.5]
        start: list[float | None] = [None] * P
        for i in chosen:
            start[xs[i][0]] = xs[i][1]
        ok, val, met = evaluate(inst, start, objective)
        if not ok:   # the solver's point broke a constraint beyond tolerance: never expected
            raise RuntimeError("HiGHS returned a phasing that fails the direct check")
        report.solutions.append(Phasing(start, val, met, _moved(inst, start), _committed(inst, start)))
        # no-good cut: at least one x changes
        add({i: (1.0 if i in chosen else -1.0) for i in range(nx)}, -np.inf, len(chosen) - 1.0)
    report.seconds = time.perf_counter() - t0
    return report


def _moved(inst, start) -> int:
    return sum(1 for p in range(len(inst.ids)) if start[p] is None or abs(start[p] - inst.planned_start[p]) > _EPS_T)
