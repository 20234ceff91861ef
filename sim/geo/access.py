"""Accessibility: distances, coverage within a threshold, 2SFCA / E2SFCA, capacitated assignment.

Distances are great-circle (haversine, IUGG mean radius 6,371,008.8 m) times a detour (circuity)
factor for roads, or come from a travel-time / distance matrix the user supplies as CSV
(``read_cost_csv``).  The default detour factor 1.4 is an assumption: road distance over straight
distance is about 1.2-1.4 on average in national road networks (Ballou, Rahardja & Sakai 2002,
"Selected country circuity factors for road travel distance estimation", Transportation Research A
36(9)), and the roads of a mountain county like Tongdao wind more, so the upper end is taken.  It
scales every distance alike, so it moves thresholds, not rankings.

Two-step floating catchment (Luo & Wang 2002), enhanced with distance-decay weights in both steps
(Luo & Qi 2009), exactly as the PySAL ``access`` package defines it (``access.fca.two_stage_fca``;
tests compare with it):

    R_j = S_j / sum_{k : d_kj <= d0} w(d_kj) P_k          (supply-to-demand ratio of facility j)
    A_i = sum_{j : d_ij <= d0} w(d_ij) R_j                 (accessibility of demand point i)

with w = 1 for 2SFCA and a step function for E2SFCA (``access``'s default {10: 1, 20: 0.68, 30: 0.22}
in the cost unit).  A facility no demand reaches has an undefined ratio and adds nothing.

Capacitated nearest-facility assignment: the transportation problem min sum_ij d_ij x_ij subject to
sum_j x_ij + u_i = P_i, sum_i x_ij <= C_j, x, u >= 0, with unserved demand u_i at a penalty larger
than any distance (solved by ``scipy.optimize.linprog``, HiGHS).
"""

from __future__ import annotations

import csv
from pathlib import Path

import numpy as np
from scipy.optimize import linprog

from ..errors import InputError
from .datum import haversine_m

DETOUR_FACTOR = 1.4
DETOUR_SOURCE = ("assumption: 1.4, the upper end of national road circuity factors (Ballou, Rahardja & Sakai "
                 "2002, Transportation Research A 36(9)) for a mountain county")
E2SFCA_STEPS = {10: 1.0, 20: 0.68, 30: 0.22}   # the access package's default weights (cost units)


def road_km(origins: np.ndarray, destinations: np.ndarray, detour: float = DETOUR_FACTOR) -> np.ndarray:
    """(N, M) road distance estimate in km between (N, 2) and (M, 2) arrays of (lon, lat) WGS84.

    Raises ValueError for a detour factor below 1 (a road is never shorter than the great circle)."""
    if detour < 1:
        raise ValueError(f"detour factor must be >= 1, got {detour}")
    o = np.asarray(origins, dtype=float)
    d = np.asarray(destinations, dtype=float)
    return detour * haversine_m(o[:, None, 0], o[:, None, 1], d[None, :, 0], d[None, :, 1]) / 1000.0


def read_cost_csv(path: Path, origins: list[str], destinations: list[str]) -> np.ndarray:
    """(N, M) matrix from a CSV with columns ``origin, destination, cost`` (any unit, e.g. minutes).

    Raises ``InputError`` for a missing column, a non-numeric or negative cost, or a missing pair."""
    want = {(o, d) for o in origins for d in destinations}
    got: dict[tuple[str, str], float] = {}
    with Path(path).open(encoding="utf-8-sig") as f:
        rows = csv.DictReader(f)
        for col in ("origin", "destination", "cost"):
            if col not in (rows.fieldnames or []):
                raise InputError(str(path), col, "missing column (need origin, destination, cost)")
        for i, r in enumerate(rows, start=2):
            try:
                c = float(r["cost"])
            except ValueError:
                raise InputError(str(path), "cost", f"not a number: {r['cost']!r}", row=i) from None
            if not np.isfinite(c) or c < 0:
                raise InputError(str(path), "cost", f"must be >= 0, got {r['cost']!r}", row=i)
            got[(r["origin"], r["destination"])] = c
    missing = sorted(want - set(got))
    if missing:
        raise InputError(str(path), "origin", f"no cost for {missing[0][0]} -> {missing[0][1]} "
                         f"({len(missing)} pairs missing)")
    return np.array([[got[(o, d)] for d in destinations] for o in origins])


def step_weights(cost: np.ndarray, steps: dict[float, float]) -> np.ndarray:
    """Weights of a step function (as ``access.weights.step_fn``): w = steps[k] for the smallest
    threshold k >= cost, 0 beyond the largest."""
    out = np.zeros_like(np.asarray(cost, dtype=float))
    for k in sorted(steps, reverse=True):
        out = np.where(cost <= k, steps[k], out)
    return out


def two_sfca(demand: np.ndarray, supply: np.ndarray, cost: np.ndarray, max_cost: float | None = None,
             weights: np.ndarray | None = None) -> np.ndarray:
    """Two-step floating catchment accessibility, vectorised over leading axes.

    ``demand`` (..., N), ``supply`` (..., M), ``cost`` (N, M); ``weights`` (N, M) (default 1).
    Returns (..., N) accessibility in supply units per demand unit."""
    cost = np.asarray(cost, dtype=float)
    w = np.ones_like(cost) if weights is None else np.asarray(weights, dtype=float)
    if max_cost is not None:
        w = np.where(cost <= max_cost, w, 0.0)
    demand = np.asarray(demand, dtype=float)
    supply = np.asarray(supply, dtype=float)
    reach = demand @ w                                               # (..., M) weighted demand per facility
    ratio = np.divide(supply, reach, out=np.zeros_like(reach), where=reach > 0)
    return ratio @ w.T                                               # (..., N)


def e2sfca(demand, supply, cost, steps: dict[float, float] = E2SFCA_STEPS) -> np.ndarray:
    """Enhanced 2SFCA with step weights (Luo & Qi 2009; ``access``'s ``enhanced_two_stage_fca``)."""
    return two_sfca(demand, supply, cost, max_cost=max(steps), weights=step_weights(np.asarray(cost), steps))


def coverage_within(demand: np.ndarray, has_facility: np.ndarray, cost: np.ndarray, threshold: float) -> np.ndarray:
    """Share (0..1) of demand within ``threshold`` of a facility.

    ``demand`` (..., N), ``has_facility`` (..., M) bool, ``cost`` (N, M).  Returns (...)."""
    near = np.asarray(cost) <= threshold                             # (N, M)
    reached = (np.asarray(has_facility, dtype=float) @ near.T.astype(float)) > 0   # (..., N)
    total = np.asarray(demand, dtype=float).sum(axis=-1)
    return np.divide((demand * reached).sum(axis=-1), total, out=np.full(np.shape(total), np.nan), where=total > 0)


def nearest_distance(has_facility: np.ndarray, cost: np.ndarray) -> np.ndarray:
    """(..., N) cost to the nearest facility; ``has_facility`` (..., M) bool, ``cost`` (N, M); inf where none."""
    hf = np.asarray(has_facility, dtype=bool)[..., None, :]
    return np.where(hf, np.asarray(cost, dtype=float), np.inf).min(axis=-1)


def capacitated_assignment(demand: np.ndarray, capacity: np.ndarray, cost: np.ndarray,
                           penalty: float | None = None) -> tuple[np.ndarray, np.ndarray]:
    """Assign demand (N,) to facilities of capacity (M,) at least total cost (N, M).

    Returns ``(flows (N, M), unserved (N,))``.  Demand beyond total capacity stays unserved; each
    unit of unserved demand costs ``penalty`` (default: 10 x the largest finite cost + 1), so every
    unit that can be served is.  Solved as a linear programme (HiGHS); ValueError if it fails."""
    demand = np.asarray(demand, dtype=float)
    capacity = np.asarray(capacity, dtype=float)
    cost = np.asarray(cost, dtype=float)
    N, M = cost.shape
    big = penalty if penalty is not None else 10.0 * float(np.max(cost[np.isfinite(cost)], initial=0.0)) + 1.0
    c = np.concatenate([np.where(np.isfinite(cost), cost, big * 10).ravel(), np.full(N, big)])
    a_eq = np.zeros((N, N * M + N))
    for i in range(N):
        a_eq[i, i * M:(i + 1) * M] = 1.0
        a_eq[i, N * M + i] = 1.0
    a_ub = np.zeros((M, N * M + N))
    for j in range(M):
        a_ub[j, j:N * M:M] = 1.0
    res = linprog(c, A_ub=a_ub, b_ub=capacity, A_eq=a_eq, b_eq=demand, bounds=(0, None), method="highs")
    if not res.success:
        raise ValueError(f"capacitated assignment failed: {res.message}")
    return res.x[:N * M].reshape(N, M), res.x[N * M:]
