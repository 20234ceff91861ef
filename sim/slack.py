"""Schedule slack: how late can the projects feeding a target be planned to finish before the target
is at risk?  The budget officer's lead-time table.

For each computed target, the projects that feed it are found from the target quantity's own response
(``sim.experiment.feeding_map``).  Their planned start and end are shifted together by ``s`` months
(``what_if.project_delay_months``; negative = planned earlier) and the scenario is re-run with common
random numbers; ``P(met)`` in the target's year is recorded for every shift on the grid.  The latest
safe shift is the largest ``s`` with ``P(met) >= level``: found on the grid, then refined to the month
by bisection between the last safe and the first unsafe grid point (exact when the curve is monotone
there; ``monotone`` says whether it is on the grid).  The latest safe planned completion is the latest
planned end among the feeding projects moved by that shift.

Money is not moved: a project planned earlier still waits for its tranches (``funding.csv``), which is
why planning earlier may not make a target safe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Callable, Iterable

import numpy as np
import pandas as pd

from .buildout.montecarlo import year_to_month
from .experiment import Experiment, feeding_map, with_what_if
from .indicators import met, wilson
from .loader import Scenario


@dataclass
class Slack:
    curves: pd.DataFrame    # one row per target and shift
    summary: pd.DataFrame   # one row per target


def latest_safe(p_at: Callable[[int], float], grid: list[int], level: float,
                known: dict[int, float] | None = None) -> int | None:
    """Largest month shift with ``p_at(shift) >= level``: on ``grid`` (sorted ascending), then to the
    month between the last safe and the next grid point by bisection.  None if no grid point is safe.
    ``known`` caches values already computed (it is filled in)."""
    known = {} if known is None else known

    def p(s: int) -> float:
        if s not in known:
            known[s] = p_at(s)
        return known[s]

    safe = [s for s in grid if p(s) >= level]
    if not safe:
        return None
    lo = max(safe)
    later = [s for s in grid if s > lo]
    if not later:
        return lo
    hi = later[0]
    while hi - lo > 1:
        mid = (lo + hi) // 2
        if p(mid) >= level:
            lo = mid
        else:
            hi = mid
    return lo


def slack_analysis(exp: Experiment, scenario: Scenario, level: float = 0.8,
                   shifts: Iterable[int] = range(-24, 13, 6), base_result=None,
                   only: Iterable[str] | None = None) -> Slack:
    """Slack curves and the latest safe planned completion of every computed target.

    ``shifts``: months, must include 0 (the plan as written); ``level``: the P(met) a safe schedule
    must reach.  ``base_result`` (a RunResult of ``scenario`` under ``exp``'s options) saves the
    shift-0 run.  Raises ValueError for a level outside (0, 1].
    """
    if not 0.0 < level <= 1.0:
        raise ValueError(f"slack level must be in (0, 1], got {level}")
    grid = sorted(set(int(s) for s in shifts) | {0})
    years = np.arange(scenario.base_year, scenario.horizon + 1)
    targets = [t for t in scenario.rows("targets") if t.kind == "computed" and t.value is not None
               and scenario.base_year <= t.year <= scenario.horizon and (only is None or t.id in set(only))]
    feeds = feeding_map(exp, scenario, {t.quantity for t in targets})
    planned_end = {p.id: p.end for p in scenario.rows("projects")}
    cache: dict[tuple, dict[str, np.ndarray]] = {}

    def quantities(group: tuple[str, ...], names: set[str], s: int) -> dict[str, np.ndarray]:
        if s == 0 and base_result is not None:
            return base_result.quantities
        key = (group, s)
        if key not in cache:
            shifted = with_what_if(scenario, {"project_delay_months": {pid: float(s) for pid in group}})
            cache[key] = exp.quantities(shifted, names)
        return cache[key]

    groups: dict[tuple[str, ...], set[str]] = {}
    for t in targets:
        groups.setdefault(tuple(feeds[t.quantity]), set()).add(t.quantity)

    curve_rows, summary_rows = [], []
    for t in targets:
        group = tuple(feeds[t.quantity])
        j = int(np.nonzero(years == t.year)[0][0])
        end0 = max((planned_end[g] for g in group), default=math.nan)
        base_row = {"indicator_id": t.id, "name": t.name_zh, "year": t.year, "target": t.value,
                    "comparator": t.comparator, "binding": t.binding, "feeding_projects": ";".join(group)}
        if not group:
            summary_rows.append({**base_row, "level": level, "p_met_as_planned": _p(base_result, exp, scenario, t, j),
                                 "planned_end": "", "latest_safe_shift_months": math.nan, "latest_safe_end": "",
                                 "monotone": True, "status": "no project feeds it: the schedule cannot change it"})
            continue
        names = groups[group]
        known: dict[int, float] = {}

        def p_at(s: int, t=t, j=j, group=group, names=names) -> float:
            v = quantities(group, names, s)[t.quantity][:, j]
            return float(met(v, t.comparator, t.value).mean())

        for s in grid:
            known[s] = p_at(s)
        best = latest_safe(p_at, grid, level, known)
        for s in sorted(known):
            n = exp.opt.replications
            lo, hi = wilson(known[s] * n, n)
            curve_rows.append({**base_row, "shift_months": s, "planned_end": year_to_month(end0 + s / 12.0),
                               "p_met": known[s], "p_met_low": lo, "p_met_high": hi, "on_grid": s in grid})
        ps = [known[s] for s in grid]
        monotone = all(a >= b - 1e-12 for a, b in zip(ps, ps[1:]))
        if best is None:
            status = f"P(met) < {level:g} even {-grid[0]} months earlier"
        elif best >= 0:
            status = f"safe as planned ({best} months of slack)" if best < grid[-1] else \
                     f"safe as planned (at least {best} months of slack)"
        else:
            status = f"plan {-best} months earlier"
        summary_rows.append({**base_row, "level": level, "p_met_as_planned": known[0],
                             "planned_end": year_to_month(end0),
                             "latest_safe_shift_months": math.nan if best is None else best,
                             "latest_safe_end": "" if best is None else year_to_month(end0 + best / 12.0),
                             "monotone": monotone, "status": status})
    return Slack(pd.DataFrame(curve_rows), pd.DataFrame(summary_rows))


def _p(base_result, exp, scenario, t, j) -> float:
    q = base_result.quantities if base_result is not None else exp.quantities(scenario, {t.quantity})
    return float(met(q[t.quantity][:, j], t.comparator, t.value).mean())
