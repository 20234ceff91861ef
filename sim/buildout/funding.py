"""Money: yearly tranches by source under yearly caps, and how they are shared among projects.

The rules (the same in the simpy engine and the vectorised engine; both call these functions):

* At the start of each calendar year ``y`` every source ``s`` has ``L = envelope[s, y] * (1 +
  contingency) + carry[s, y]`` yuan (``carry`` is last year's unspent money if
  ``buildout.carry_over`` is 1, else 0).
* Project ``p`` needs ``N[p, s] = cost_p * (1 + overrun_p) * share[p, s]`` from source ``s`` in total.
  Its claim on ``s`` for year ``y`` is the money it would use that year working at full speed::

      claim = min(N - received, N * active_y / construction_years)

  where ``active_y`` is the part of year ``y`` after its works start (``works_start`` is fixed by
  preparation and delay draws, not by money).  The claim depends only on the project's own
  cumulative receipts from ``s`` and on draws that money does not change.
* Allocation of ``L`` among the claims:
  - ``plan_order`` / ``priority``: a fixed order (plan table order, or ``priority`` then plan
    order); each project gets ``min(claim, L - claims of those before it)``.
  - ``pro_rata``: every claim is cut by the same factor ``min(1, L / sum of claims)``.
* Each source's receipts are tracked separately; a project works only as far as its scarcest
  source allows: funded fraction ``E = min_s received[p, s] / N[p, s]``.

Why more money never delays a project (the monotonicity theorem, argued in docs/buildout.md):
every step is a nondecreasing function of (money available, own receipts) and a nonincreasing
function of the other projects' claims, and claims shrink as receipts grow.  By induction over the
years, receipts, the funded fraction, progress and hence the completion time move the right way.
"""

from __future__ import annotations

import numpy as np

POLICIES = ("plan_order", "priority", "pro_rata")

# a receipt within this relative distance of the need counts as the need (float dust only)
_SNAP = 1e-9


def service_order(projects, policy: str) -> np.ndarray:
    """Column order in which claims are served; fixed before the run, never money-dependent."""
    if policy not in POLICIES:
        raise ValueError(f"unknown allocation policy {policy!r} (use one of: {', '.join(POLICIES)})")
    idx = list(range(len(projects)))
    if policy == "priority":
        idx.sort(key=lambda j: (projects[j].priority, projects[j].order, j))
    else:
        idx.sort(key=lambda j: (projects[j].order, j))
    return np.asarray(idx, dtype=int)


def claims(need: np.ndarray, received: np.ndarray, rate_share: np.ndarray) -> np.ndarray:
    """Claim for the year: ``min(need - received, need * rate_share)``, never negative.

    ``rate_share`` = active part of the year / construction years (the share of the work that
    full speed would do this year).
    """
    return np.maximum(np.minimum(need - received, need * rate_share), 0.0)


def allocate(policy: str, available: np.ndarray, claim: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Share ``available`` (R,) among ``claim`` (R, P) whose columns are in service order.

    Returns (granted (R, P), unspent (R,)).  Sequential service is written as an exclusive cumulative
    sum: the money left for column j is ``max(available - sum of claims before j, 0)``.
    """
    cum = np.cumsum(claim, axis=1)
    total = cum[:, -1] if claim.shape[1] else np.zeros(claim.shape[0])
    unspent = np.maximum(available - total, 0.0)
    if policy == "pro_rata":
        safe = np.where(total > 0, total, 1.0)
        theta = np.where(total > available, available / safe, 1.0)
        granted = claim * theta[:, None]
    else:
        before = np.concatenate([np.zeros((claim.shape[0], 1)), cum[:, :-1]], axis=1)
        left = np.maximum(available[:, None] - before, 0.0)
        granted = np.minimum(claim, left)
    return granted, unspent


def receive(need: np.ndarray, received: np.ndarray, granted: np.ndarray) -> np.ndarray:
    """New cumulative receipts, capped at the need and snapped to it when within float dust."""
    new = np.minimum(need, received + granted)
    return np.where(need - new <= _SNAP * need, need, np.maximum(new, received))


def funded_fraction(needs: list[np.ndarray], receiveds: list[np.ndarray], shape) -> np.ndarray:
    """``min_s received / need`` over the sources a project uses; 1 for a project that needs nothing."""
    frac = np.ones(shape)
    for need, got in zip(needs, receiveds):
        f = np.where(need > 0, got / np.where(need > 0, need, 1.0), 1.0)
        frac = np.minimum(frac, f)
    return frac


def year_progress(year: float, works_start: np.ndarray, cyears: np.ndarray, x_prev: np.ndarray,
                  funded: np.ndarray):
    """Progress of construction during calendar year ``year``.

    ``x_prev``: share of the work done at the start of the year; ``funded``: funded fraction after
    this year's tranche.  Work runs at full speed (1/cyears per year) from ``max(year, works_start)``
    until the money runs out or the work is done.

    Returns (x_new, completion time this year or inf, start time this year or inf).
    """
    a = np.maximum(float(year), works_start)
    rate_share = np.maximum(float(year) + 1.0 - a, 0.0) / cyears
    x_try = x_prev + rate_share
    done = (x_prev < 1.0) & (funded >= 1.0) & (x_try >= 1.0 - 1e-12)
    t_done = np.where(done, np.minimum(a + (1.0 - x_prev) * cyears, float(year) + 1.0), np.inf)
    x_new = np.where(done, 1.0, np.maximum(x_prev, np.minimum(funded, x_try)))
    started = (x_prev <= 0.0) & (x_new > 0.0)
    t_start = np.where(started, a, np.inf)
    return x_new, t_done, t_start


def rate_share_of_year(year: float, works_start: np.ndarray, cyears: np.ndarray) -> np.ndarray:
    a = np.maximum(float(year), works_start)
    return np.maximum(float(year) + 1.0 - a, 0.0) / cyears
