"""Counted programmes (programmes.csv) allocated to units: one project per chosen unit.

A plan often names a count, not places ("新建14个乡镇火化点").  Each programme row is expanded at
load time into projects (id ``<programme>_<unit>``) and their outputs (id ``<programme>_<unit>_o``),
by its ``allocation`` rules, applied in order until ``count`` units are chosen, at most one facility
per unit (docs/regions.md):

- ``named``    the units of ``named_units`` first, in that order;
- ``lacking``  units of ``level`` with no facility of the type (base stock, projects.csv outputs and
               the programmes above this one), largest population aged 60+ first;
- ``by_older`` every unit of ``level``, largest population aged 60+ first;
- ``every``    one in every unit of ``level`` (``count`` must equal the number of units);
- ``by_older_prop`` (last rule only) the facilities still to place, apportioned over the units of
               ``level`` in proportion to their population aged 60+ by the largest-remainder (Hamilton)
               method: several per unit allowed (a province's 1,000 township cemeteries over its 122
               counties); the unit's project then stands for n facilities (``count`` n, capacity x n,
               cost x n).

A programme with ``within`` (a unit id, e.g. a county) only considers the units of ``level`` under
it ("每个县...的乡镇").  Ties (equal population aged 60+, equal remainders) go to the smaller unit id.  A unit with no population aged 60+ (base year) is never chosen,
and no rule places more than ``count``.  The population aged 60+ is the base-year population of
``sim.population.base`` (each county's unit_demography figures split over its townships by the
township rule).  The allocation is a documented default, not the plan's: ``validate`` prints it, and
writing the programme as named projects (projects.csv) replaces it.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .errors import InputError, Problems
from .regions import Hierarchy


@dataclass(frozen=True)
class Placement:
    programme: str
    unit: str
    rule: str          # the rule that chose the unit
    older: float       # population aged 60+ of the unit in the base year
    n: int = 1         # facilities placed in the unit (more than 1 only by by_older_prop)


def base_older(scenario, hierarchy: Hierarchy) -> dict[str, float]:
    """Persons aged 60+ in the base year per unit of the tree (leaves and every level above)."""
    from .population import base as base_mod
    params = scenario.parameters()
    demog = scenario.rows("unit_demography")
    total = shares = None
    if not demog:
        total = params.value("demography.base_population")
        if params.value("demography.basis_registered", 0.0) >= 0.5:
            total *= params.value("demography.registered_to_resident_ratio")
        shares = {k: params.value(f"demography.share_{k}") for k in base_mod.BANDS
                  if f"demography.share_{k}" in params}
    totals, leaf_shares, _ = base_mod.leaf_bases(hierarchy, scenario.rows("units"), demog, total, shares)
    year = int(params.value("demography.census_year", 2020))
    cache: dict[tuple, float] = {}
    older = np.zeros(len(totals))
    for i, sh in enumerate(leaf_shares):
        key = tuple(sorted(sh.items()))
        if key not in cache:
            cache[key] = float(base_mod.age_structure(sh, shape_year=min(max(year, 1950), 2100))[60:].sum())
        older[i] = totals[i] * cache[key]
    out = {leaf: float(older[i]) for i, leaf in enumerate(hierarchy.leaves)}
    for uid in hierarchy.parents:
        sl = hierarchy.slice_of(uid)
        out[uid] = float(older[sl].sum())
    return out


def _stock(scenario, hierarchy: Hierarchy, level: str) -> dict[str, set[str]]:
    """facility type -> units of ``level`` that have one (facilities and projects.csv outputs)."""
    have: dict[str, set[str]] = {}
    units = set(hierarchy.units_at(level))

    def add(ftype: str, uid: str) -> None:
        if level == "county":
            c = hierarchy.county_of(uid)
            if c is not None:
                have.setdefault(ftype, set()).add(c)
        elif uid in units:   # a county-wide item gives no one township the facility
            have.setdefault(ftype, set()).add(uid)

    for f in scenario.rows("facilities"):
        if (f.count is None or f.count > 0):
            add(f.facility_type, f.unit)
    generated = {f"{pl.programme}_{pl.unit}" for pl in getattr(scenario, "allocations", [])}
    for o in scenario.rows("project_outputs"):
        if o.project in generated:   # a programme's own projects (a scenario already expanded)
            continue
        if o.spread is not None and o.unit in hierarchy:   # spread over the townships under the unit
            sl = hierarchy.slice_of(o.unit)
            for leaf in hierarchy.leaves[sl]:
                add(o.facility_type, leaf)
        else:
            add(o.facility_type, o.unit)
    return have


def allocate(scenario, hierarchy: Hierarchy | None = None, older: dict[str, float] | None = None,
             problems: Problems | None = None) -> list[Placement]:
    """The units chosen for every programme of ``scenario.rows('programmes')``, in table order.

    A programme that cannot be placed adds a problem (file, row, field) to ``problems`` (raised at
    once when ``problems`` is None) and places nothing.
    """
    from .loader import bad
    own = problems is None
    problems = Problems() if own else problems
    programmes = scenario.rows("programmes")
    if not programmes:
        return []
    h = hierarchy or Hierarchy.from_scenario(scenario)
    try:
        older = base_older(scenario, h) if older is None else older
    except (InputError, KeyError, ValueError) as exc:
        msg = exc.line().removeprefix("error: ") if isinstance(exc, InputError) else str(exc)
        problems.extend(bad(programmes[0], "allocation", f"cannot allocate without the base population ({msg})"))
        if own:
            problems.raise_if_any()
        return []
    placed: list[Placement] = []
    stock = {lvl: _stock(scenario, h, lvl) for lvl in ("county", "township")}
    for p in programmes:
        units = h.units_at(p.level)
        if p.within is not None:
            if p.within not in h:
                problems.extend(bad(p, "within", f"unknown unit {p.within!r} (not in units.csv under the region)"))
                continue
            units = [u for u in units if h.contains(p.within, u)]
        if not units:
            problems.extend(bad(p, "level", f"no units of level {p.level!r} in units.csv"
                                + (f" under {p.within}" if p.within is not None else "")))
            continue
        order = {u: i for i, u in enumerate(units)}
        by_older = sorted(units, key=lambda u: (-older.get(u, 0.0), u))   # ties by unit id
        chosen: dict[str, list] = {}          # unit -> [rule, n], in order of choice
        error = None
        placed_n = lambda: sum(v[1] for v in chosen.values())   # noqa: E731
        for rule in p.rules:
            if placed_n() >= p.count:
                break
            if rule == "named":
                for u in p.named:
                    if u not in order:
                        lvl = h.level(u) if u in h else None
                        where = f" under {p.within}" if p.within is not None else ""
                        error = ("named_units", f"unknown {p.level} unit {u!r}{where}" +
                                 (f" (it is a {lvl} unit)" if lvl and lvl != p.level else
                                  "" if lvl else " (not in units.csv under the region)"))
                        break
                    if older.get(u, 0.0) <= 0:
                        error = ("named_units", f"unit {u} ({h.name(u)}) has no population aged 60+: no facility "
                                 "is placed where nobody lives (check unit_demography.csv / pop_share)")
                        break
                    if u in chosen:
                        error = ("named_units", f"unit {u} is named twice")
                        break
                    if placed_n() < p.count:
                        chosen[u] = ["named", 1]
                if error:
                    break
                continue
            if rule == "by_older_prop":
                cands = sorted(u for u in units if older.get(u, 0.0) > 0)   # remainder ties by unit id
                rest = p.count - placed_n()
                if cands and rest > 0:
                    from .capacity import apportion
                    share = apportion(float(rest), np.array([older[u] for u in cands]))
                    for u, k in zip(cands, share):
                        if k > 0:
                            if u in chosen:
                                chosen[u][1] += int(k)
                            else:
                                chosen[u] = ["by_older_prop", int(k)]
                continue
            if rule == "every":
                if p.count != len(units):
                    error = ("count", f"{p.count} with the rule 'every', but the region has {len(units)} "
                             f"{p.level} units" + (f" under {p.within}" if p.within is not None else ""))
                    break
                cands = units
            elif rule == "lacking":
                have = stock[p.level].get(p.facility_type, set())
                cands = [u for u in by_older if u not in have]
            else:   # by_older
                cands = by_older
            for u in cands:
                if placed_n() >= p.count:
                    break
                if u in chosen:
                    continue
                if older.get(u, 0.0) <= 0:
                    if rule == "every":
                        error = ("count", f"the rule 'every' would place one in {u} ({h.name(u)}), which has no "
                                 "population aged 60+")
                        break
                    continue
                chosen[u] = [rule, 1]
            if error:
                break
        if error is None and placed_n() < p.count:
            error = ("count", f"{p.count} facilities, but the rules {p.allocation!r} place only {placed_n()} "
                     f"(at most one per {p.level} unit with people aged 60+ unless by_older_prop); add a rule "
                     "(e.g. by_older or by_older_prop) or lower the count")
        if error:
            problems.extend(bad(p, *error))
            continue
        for u, (rule, n) in chosen.items():
            placed.append(Placement(p.id, u, rule, older.get(u, 0.0), n))
            for lvl in ("county", "township"):   # later programmes see this one's facilities
                target = h.county_of(u) if lvl == "county" else (u if h.level(u) == "township" else None)
                if target is not None:
                    stock[lvl].setdefault(p.facility_type, set()).add(target)
    if own:
        problems.raise_if_any()
    return placed


def expand(scenario, placements: list[Placement]) -> tuple[list, list]:
    """(projects, project_outputs) rows of the placements: validated ``sim.schema`` rows that point
    at the programme's row for error messages."""
    from .schema import Project, ProjectOutput
    progs = scenario.by_id("programmes")
    names = {u.id: u.name_zh for u in scenario.rows("units")}
    projects, outputs = [], []
    for pl in placements:
        p = progs[pl.programme]
        pid = f"{p.id}_{pl.unit}"
        note = (f"allocated by programme {p.id} (rule {pl.rule}; sim/allocation.py): "
                f"{pl.older:,.0f} people aged 60+ in the base year" + (f"; {pl.n} facilities" if pl.n > 1 else ""))
        scale = lambda v: None if v is None else v * pl.n   # noqa: E731
        proj = Project.model_validate({
            "id": pid, "name_zh": f"{p.name_zh}（{names.get(pl.unit, pl.unit)}）", "facility_type": p.facility_type,
            "unit": pl.unit, "action": "新建", "investment_total": p.cost_each() * pl.n, "investment_plan": p.cost_each() * pl.n,
            "money_unit": "元", "start": _month(p.start), "end": _month(p.end, True),
            "deadline": None if p.deadline is None else _month(p.deadline, True),
            "funding": p.funding, "source": f"{p.source}; cost: {p.cost_source}", "note": note,
            "schedule_source": f"programme {p.id} window (programmes.csv)",
        })
        out = ProjectOutput.model_validate({
            "id": f"{pid}_o", "project": pid, "facility_type": p.facility_type, "unit": pl.unit,
            "name_zh": proj.name_zh, "functions": p.functions, "beds": scale(p.beds),
            "beds_nursing": scale(p.beds_nursing), "plots": scale(p.plots), "area_m2": scale(p.area_m2),
            "staff": scale(p.staff), "count": pl.n, "source": p.source, "note": note,
        })
        for row in (proj, out):
            row._file, row._line = p._file, p._line
            row._origin = dict(p._origin)
        projects.append(proj)
        outputs.append(out)
    return projects, outputs


def _month(t: float, end: bool = False) -> str:
    from .schema import year_to_month_text
    return year_to_month_text(t, end=end)


def allocation_text(scenario, placements: list[Placement]) -> list[str]:
    """Lines for ``validate``: which units each programme's facilities went to, and by which rule."""
    names = {u.id: u.name_zh for u in scenario.rows("units")}
    progs = scenario.by_id("programmes")
    lines = []
    for pid in dict.fromkeys(pl.programme for pl in placements):
        p = progs[pid]
        mine = [pl for pl in placements if pl.programme == pid]
        lines.append(f"  allocation  {pid} {p.name_zh}: {p.count} x {p.facility_type} at {p.level} level"
                     + (f" within {p.within}" if p.within else "") + f", rules {p.allocation}")
        for pl in mine:
            lines.append(f"              {pid}_{pl.unit}  {pl.unit} {names.get(pl.unit, '')}  by {pl.rule}"
                         + (f" x {pl.n}" if pl.n > 1 else "") + f"  ({pl.older:,.0f} aged 60+)")
    if lines:
        lines.append("              (a default rule, not the plan's places: to replace it, write the programme as "
                     "named projects in projects.csv)")
    return lines
