"""The default planned schedule: a budget officer's start and completion for every project, fitted
into the yearly funding envelopes.  Run ``python -m sim.buildout.schedule <scenario.yaml>`` to print
it and ``--write`` to put it into projects.csv (rows whose dates the plan states keep them).

The rule (docs/buildout.md, "Planned schedules"; scenarios/tongdao/DATA_NOTES.md):

1. **Works duration** of a project, from the scenario parameters:
   ``stages x schedule.stage_years`` for a staged programme; otherwise
   ``schedule.works_years_large`` when its plan-period cost is at least
   ``schedule.large_project_yuan``, else ``schedule.works_years_small``.
2. **Dates the plan states are kept**: the ``fixed`` column names them (``start``, ``end`` or
   ``start;end``); a fixed start gives ``end = start + duration``, a fixed end ``start = end - duration``.
3. **Earliest works start**: the period start plus ``schedule.first_works_offset_years`` (the plan
   is adopted and the projects prepared first), or the row's ``earliest_start`` if later.
4. **Latest completion**: the row's ``deadline`` (blank: the end of the plan period).
5. **Money**: the planned spend of a project is its cost spread evenly over its works window (a
   staged programme: each stage's cost share over the stage's window), split by its funding shares.
   Projects are placed one at a time, fully fixed rows first, then by deadline and plan order, each
   at the earliest month at which, for every source and year, the cumulative planned spend stays
   within the cumulative envelopes of funding.csv (unspent money is carried over; the contingency
   is kept for overruns and not used by the plan) *counting the projects not yet placed at their
   latest windows* (ending at their deadlines): a project starts as early as the money allows
   without leaving a later project unable to finish by its deadline.  The latest windows need the
   least money by every year, so this look-ahead is exact.
6. If even the latest windows do not fit the money, or a window cannot end by its deadline, it is
   an input error: the plan's money cannot pay for its works in time under these durations.

``check_schedule`` re-checks any schedule (the rule's or a user's): planned end after a deadline,
or cumulative planned spend above cumulative money, each reported as one line.
"""

from __future__ import annotations

import argparse
import csv
import math
import sys
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from ..errors import InputError
from ..schema import year_to_month_text
from .from_scenario import scenario_funding
from .model import Funding
from .phases import phase_windows, project_phases

PARAMS = {  # id -> default when the scenario does not set it (the Tongdao values; see buildout_parameters.csv)
    "schedule.works_years_large": 2.0,
    "schedule.works_years_small": 1.5,
    "schedule.large_project_yuan": 5e7,
    "schedule.stage_years": 1.0,
    "schedule.first_works_offset_years": 1.0,
}
_TOL = 1e-6  # yuan


@dataclass
class Planned:
    id: str
    start: float
    end: float
    deadline: float
    earliest: float
    duration: float
    basis: str          # "fixed: start;end" | "fixed: start" | "fixed: end" | "rule"

    @property
    def slack_months(self) -> int:
        return int(round((self.deadline - self.end) * 12))


def _param(params, pid: str) -> float:
    return float(params.value(pid, PARAMS[pid])) if params is not None else PARAMS[pid]


def works_years(row, params=None) -> float:
    """Planned works duration of one projects.csv row (rule 1), in years."""
    if row.delivery == "staged":
        return int(row.stages) * _param(params, "schedule.stage_years")
    large = row.investment_plan >= _param(params, "schedule.large_project_yuan")
    return _param(params, "schedule.works_years_large" if large else "schedule.works_years_small")


def spend_profile(scenario, row, start: float, end: float, shares: dict[str, float], sources: list[str],
                  years: np.ndarray) -> np.ndarray:
    """(S, Y) planned spend in yuan of one project worked from ``start`` to ``end``."""
    phases = project_phases(scenario, row.model_copy(update={"start": start, "end": end}))
    out = np.zeros((len(sources), len(years)))
    for ph, (a, b) in zip(phases, phase_windows(start, end, len(phases))):
        cost = row.investment_plan * ph.cost_share
        over = np.clip(np.minimum(years + 1.0, b) - np.maximum(years, a), 0.0, None) / (b - a)
        for i, s in enumerate(sources):
            out[i] += cost * shares.get(s, 0.0) * over
    return out


def _grid(scenario, funding: Funding, rows) -> np.ndarray:
    p0 = int(scenario.period[0])
    last = max([int(math.ceil(r.deadline if r.deadline is not None else scenario.period[1] + 1.0)) for r in rows]
               + [int(math.ceil(r.end)) for r in rows] + funding.years + [scenario.period[1] + 1])
    first = min([p0] + funding.years + [int(math.floor(r.start)) for r in rows])
    return np.arange(first, last + 1)


def fit_schedule(scenario, params=None) -> list[Planned]:
    """The default planned schedule of the scenario's projects (rules 1-6), in table order."""
    params = params if params is not None else scenario.parameters()
    funding = scenario_funding(scenario)
    rows = scenario.rows("projects")
    sources = funding.sources
    years = _grid(scenario, funding, rows)
    money = np.cumsum(funding.matrix(sources, years), axis=1)
    committed = np.zeros_like(money)
    default_shares = funding.shares()
    period_end = scenario.period[1] + 1.0
    earliest0 = scenario.period[0] + _param(params, "schedule.first_works_offset_years")
    plans: dict[str, Planned] = {}

    def fixed(r) -> set[str]:
        return set((r.fixed or "").split(";")) - {""}

    order = sorted(range(len(rows)), key=lambda i: (fixed(rows[i]) != {"start", "end"},
                                                    rows[i].deadline if rows[i].deadline is not None else period_end, i))
    windows: dict[str, tuple[list[float], float, str]] = {}   # id -> (candidate starts, duration, basis)
    for i in order:
        r = rows[i]
        deadline = r.deadline if r.deadline is not None else period_end
        f = fixed(r)
        if f == {"start", "end"}:
            windows[r.id] = ([r.start], r.end - r.start, "fixed: start;end")
            continue
        d = works_years(r, params)
        if "start" in f:
            cand, basis = [r.start], "fixed: start"
        elif "end" in f:
            cand, basis = [r.end - d], "fixed: end"
        else:
            lo = max(earliest0, r.earliest_start if r.earliest_start is not None else -math.inf)
            lo = math.ceil(round(lo * 12, 6)) / 12.0
            n = int(math.floor(round((deadline - d - lo) * 12, 6)))
            cand, basis = [lo + m / 12.0 for m in range(max(n + 1, 0))], "rule"
        cand = [t for t in cand if t + d <= deadline + 1e-9]
        if not cand:
            raise InputError(getattr(r, "_file", None), "start",
                             f"row {r.id}: a works window of {d:g} years ({basis}) cannot end by the deadline "
                             f"{year_to_month_text(deadline)}", row=getattr(r, "_line", None))
        windows[r.id] = (cand, d, basis)

    def profile(r, t):
        return spend_profile(scenario, r, t, t + windows[r.id][1], r.funding or default_shares, sources, years)

    # the latest window of every project: the least money needed by each year (cumulative spend of a
    # linear profile is nonincreasing in its start), so "the rest still fits" <=> their latest windows fit
    latest = {rows[i].id: profile(rows[i], windows[rows[i].id][0][-1]) for i in order}
    rest = sum(latest.values(), np.zeros_like(money))
    if not np.all(np.cumsum(rest, axis=1) <= money * (1 + 1e-12) + _TOL):
        r = rows[order[-1]]
        raise InputError(getattr(r, "_file", None), "start",
                         "the projects cannot all be paid by their deadlines from funding.csv even when each is "
                         "worked as late as its deadline allows; change the durations (schedule.* parameters), "
                         "the money or the deadlines", row=getattr(r, "_line", None))
    for i in order:
        r = rows[i]
        cand, d, basis = windows[r.id]
        rest -= latest[r.id]
        for t in cand:
            prof = profile(r, t)
            if np.all(np.cumsum(committed + prof + rest, axis=1) <= money * (1 + 1e-12) + _TOL):
                break
        committed += prof
        deadline = r.deadline if r.deadline is not None else period_end
        plans[r.id] = Planned(r.id, t, t + d, deadline, cand[0], d, basis)
    return [plans[r.id] for r in rows]


def check_schedule(scenario) -> list[str]:
    """Problems of the scenario's planned schedule as written (empty list = none): planned ends
    after deadlines, and cumulative planned spend above cumulative money (by source and year)."""
    funding = scenario_funding(scenario)
    rows = scenario.rows("projects")
    out = []
    for r in rows:
        if r.deadline is not None and r.end > r.deadline + 1e-9:
            out.append(f"{r.id}: planned end {year_to_month_text(r.end)} is after the deadline "
                       f"{year_to_month_text(r.deadline)}")
    spent, money, sources, years = planned_spend(scenario, funding)
    cs, cm = np.cumsum(spent, axis=1), np.cumsum(money, axis=1)
    over = cs > cm * (1 + 1e-12) + _TOL
    for i in range(len(sources)):   # one line per source: the first year it is short
        if over[i].any():
            j = int(np.argmax(over[i]))
            out.append(f"{sources[i]}: planned spend to the end of {years[j]} ({cs[i, j] / 1e4:,.0f}万元) is above "
                       f"the money to then ({cm[i, j] / 1e4:,.0f}万元), in {int(over[i].sum())} year(s)")
    return out


def planned_spend(scenario, funding: Funding | None = None):
    """(spend (S, Y), envelopes (S, Y), sources, years) of the schedule written in projects.csv."""
    funding = funding or scenario_funding(scenario)
    rows = scenario.rows("projects")
    sources = funding.sources
    years = _grid(scenario, funding, rows)
    default_shares = funding.shares()
    spent = np.zeros((len(sources), len(years)))
    for r in rows:
        spent += spend_profile(scenario, r, r.start, r.end, r.funding or default_shares, sources, years)
    return spent, funding.matrix(sources, years), sources, years


def write_schedule(scenario, plans: list[Planned]) -> Path:
    """Write the planned start/end into the projects.csv the rows came from (other cells untouched)."""
    rows = scenario.rows("projects")
    path = Path(rows[0]._file)
    by_id = {p.id: p for p in plans}
    with open(path, encoding="utf-8-sig", newline="") as fh:
        reader = csv.DictReader(fh)
        fields = list(reader.fieldnames or [])
        table = list(reader)
    for rec in table:
        p = by_id.get(rec.get("id"))
        if p is not None:
            rec["start"] = year_to_month_text(p.start, end=False)
            rec["end"] = year_to_month_text(p.end)
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=fields, lineterminator="\n")
        w.writeheader()
        w.writerows(table)
    return path


def main(argv: list[str] | None = None) -> int:
    from ..loader import load_scenario

    ap = argparse.ArgumentParser(prog="python -m sim.buildout.schedule",
                                 description="Fit the default planned schedule into the funding envelopes.")
    ap.add_argument("scenario")
    ap.add_argument("--write", action="store_true", help="write the dates into projects.csv")
    a = ap.parse_args(argv)
    try:
        scenario = load_scenario(Path(a.scenario))
        plans = fit_schedule(scenario)
    except InputError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 2
    print(f"{'project':10} {'start':8} {'end':8} {'deadline':9} {'slack':>5}  basis")
    for p in plans:
        print(f"{p.id:10} {year_to_month_text(p.start, end=False):8} {year_to_month_text(p.end):8} "
              f"{year_to_month_text(p.deadline):9} {p.slack_months:>4}m  {p.basis}")
    if a.write:
        print(f"written: {write_schedule(scenario, plans)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
