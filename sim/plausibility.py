"""Plausibility of a scenario's readings: beds per 1000 older people, floor area per bed, cost per bed.

A reading of the plan that gives a physically implausible facility (250 eldercare beds per 1000 older
people, 8000 beds in a county of 200,000) is a defect of the reading, not a finding.  ``validate``
runs these checks and prints one line per problem::

    warning: <file>:<row>: <field>: <what>

and still exits 0 (a warning, not an error: the user may know better).  The published ranges:

- **Beds per 1000 people aged 60+** (all eldercare beds, institutional and community):
  China 19.1 (2011), 30.3 (2015), peak 31.6 (2016), 29.6 (2022) (民政部 社会服务发展统计公报 2015/2016,
  2022年度国家老龄事业发展公报; /work/shared/reference/parameters.csv rows beds_per_1000_elderly);
  the highest of 36 large cities 32.5 (杭州) and several under 10 (36城市养老床位排行,
  https://integerworks.com/city/12393_2.html); provincial 2020 targets 35-40 (https://smesc.cn/news/show.php?itemid=264905).
  Accepted: ``BEDS_PER_1000_OLDER`` = 5-100.  The bounds are an assumption built on those figures:
  100 is about three times the national peak and 2.5 times the highest provincial target; 5 is
  half the lowest city figures.  Tongdao's 2020 figure is 37 (seed 003:108) on the registered base.
- **Floor area per eldercare bed**: 26 m2 (a 60-bed county welfare home, 1561 m2), 42.5 m2
  (Jingzhou, 500 beds, 21250 m2), 43-46 m2 (Jiangxi provincial centre) (/work/shared/reference/
  parameters.csv rows cost_per_bed / area_per_bed; 建标144-2010 itself is not in the corpus); the
  Tongdao plan's own design ranges are 30-40 (seed 003:555) and 42.5-50 (003:564).  Accepted:
  ``AREA_PER_BED_M2`` = 26-50.
- **Investment per residential eldercare bed**: 6.6万元 (small county home), 26.2万元 (Jingzhou public
  disability/dementia centre, about 2023), 33.3万元 (a private upscale campus, Dangyang 2022)
  (/work/shared/reference/parameters.md section 6).  Accepted: ``COST_PER_BED_YUAN`` = 6.6万-33.3万.
  Checked only for projects whose every output is residential beds (care homes, community care
  centres): a project that also builds platforms, halls or other things has no cost per bed.
  Day-care beds are not residential and are not checked.

Beds per 1000 older people is taken at the end of the plan period with every project complete, over
the deterministic population projection (resident base; the registered base of
``demography.registered_older_ratio`` is quoted beside it).  The warning names the output row that
adds the most beds.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

BEDS_PER_1000_OLDER = (5.0, 100.0)
AREA_PER_BED_M2 = (26.0, 50.0)
COST_PER_BED_YUAN = (6.6e4, 33.3e4)

ELDERCARE_BED_TYPES = ("care_home", "community_care_center", "day_care_center")
RESIDENTIAL_TYPES = ("care_home", "community_care_center")


@dataclass(frozen=True)
class PlausibilityWarning:
    file: str
    row: int | None
    field: str
    message: str

    def line(self) -> str:
        where = self.file if self.row is None else f"{self.file}:{self.row}"
        return f"warning: {where}: {self.field}: {self.message}"


def _townships(scenario) -> dict[str, list[str]]:
    """unit id -> township ids under it (a township maps to itself)."""
    units = scenario.rows("units")
    children: dict[str, list] = {}
    for u in units:
        if u.parent is not None:
            children.setdefault(u.parent, []).append(u)

    def under(uid: str) -> list[str]:
        out = []
        for c in children.get(uid, []):
            out += [c.id] if c.level == "township" else under(c.id)
        return out

    return {u.id: ([u.id] if u.level == "township" else under(u.id)) for u in units}


def output_amount(row, measure: str, towns: dict[str, list[str]]) -> float:
    """Total of ``measure`` a project-output row adds over the region (``each`` repeats it per township)."""
    v = getattr(row, measure, None)
    if v is None:
        return 0.0
    if row.spread == "each":
        return float(v) * max(1, len(towns.get(row.unit, [])))
    return float(v)


def _fmt(x: float) -> str:
    return f"{x:,.1f}" if abs(x) < 100 else f"{x:,.0f}"


def older_at(scenario, year: int) -> float | None:
    """People aged 60+ in ``year`` on the deterministic projection (resident base), or None if the
    scenario has no population inputs."""
    import pandas as pd

    from .errors import InputError
    from .population import build_inputs, project

    try:
        units_df = pd.DataFrame([u.model_dump() for u in scenario.rows("units")])
        inputs = build_inputs(units_df, scenario.parameters(), scenario.base_year, scenario.horizon,
                              scenario.region_unit, unit_demography=scenario.rows("unit_demography"))
        pop = project(inputs, replications=1, seed=0, randomness=False)
    except (InputError, KeyError, ValueError):
        return None
    j = int(year) - int(scenario.base_year)
    if j < 0 or j >= pop.pop.shape[2]:
        return None
    return float(pop.pop[0, :, j, :, 60:].sum())


def check(scenario, older: float | None = None) -> list[PlausibilityWarning]:
    """All plausibility warnings of a loaded scenario (``sim.loader.Scenario``).

    ``older``: people aged 60+ at the end of the plan period; projected when None.  Returns a list
    (empty when everything is inside the published ranges); raises nothing for bad data (the loader
    has already refused that).
    """
    out: list[PlausibilityWarning] = []
    towns = _townships(scenario)
    outputs = scenario.rows("project_outputs")
    by_project: dict[str, list] = {}
    for o in outputs:
        by_project.setdefault(o.project, []).append(o)

    # floor area per bed, per output row
    for o in outputs:
        beds = output_amount(o, "beds", towns)
        area = output_amount(o, "area_m2", towns)
        if o.facility_type in ELDERCARE_BED_TYPES and beds > 0 and area > 0:
            per = area / beds
            lo, hi = AREA_PER_BED_M2
            if not lo <= per <= hi:
                out.append(PlausibilityWarning(o._file, o._line, "area_m2",
                    f"{_fmt(per)} m2 per eldercare bed ({_fmt(area)} m2 / {_fmt(beds)} beds) is outside the "
                    f"published {lo:g}-{hi:g} m2 (see sim/plausibility.py)"))

    # investment per residential bed, per project whose outputs are all residential beds
    for p in scenario.rows("projects"):
        rows = by_project.get(p.id, [])
        if not rows or not all(o.facility_type in RESIDENTIAL_TYPES and (o.beds or 0) > 0 for o in rows):
            continue
        beds = sum(output_amount(o, "beds", towns) for o in rows)
        per = p.investment_plan / beds
        lo, hi = COST_PER_BED_YUAN
        if not lo <= per <= hi:
            out.append(PlausibilityWarning(p._file, p._line, "investment_plan",
                f"{per / 1e4:,.1f}万元 per bed ({p.investment_plan / 1e8:g}亿元 / {_fmt(beds)} beds) is outside the "
                f"published {lo / 1e4:g}-{hi / 1e4:g}万元 per residential eldercare bed (see sim/plausibility.py)"))

    # beds per 1000 older people at the end of the plan period, every project complete
    end = int(scenario.period[1])
    if older is None:
        older = older_at(scenario, end)
    if older and older > 0:
        added = [(output_amount(o, "beds", towns), o) for o in outputs if o.facility_type in ELDERCARE_BED_TYPES]
        ratio = beds_per_1000_at_period_end(scenario, older)
        total = ratio * older / 1000.0
        lo, hi = BEDS_PER_1000_OLDER
        if not lo <= ratio <= hi and added:
            beds, row = max(added, key=lambda t: t[0])
            params = scenario.parameters()
            reg = ""
            if "demography.registered_older_ratio" in params:
                k = params.value("demography.registered_older_ratio")
                reg = f", {_fmt(ratio / k)} on the registered base"
            out.append(PlausibilityWarning(row._file, row._line, "beds",
                f"all eldercare beds reach {_fmt(ratio)} per 1000 people aged 60+ in {end} ({_fmt(total)} beds / "
                f"{_fmt(older)} older residents{reg}), outside the published {lo:g}-{hi:g} (China 29.6 in 2022); "
                f"this row adds {_fmt(beds)} of them"))
    return out + echo_check(scenario)


def population_parameters() -> set[str]:
    """Every parameter the population projection reads (the ``demography`` group of sim/domains.py):
    every population-based quantity depends on them, besides those of sim.quantities.QUANTITY_PARAMETERS."""
    from .domains import PARAMETERS
    return {pid for pid, d in PARAMETERS.items() if d.table == "demography"}


_SEED_REF = re.compile(r"(?<!\d)(\d{3})(?:_[0-9a-f]+\.txt)?:(\d+(?:\s*,\s*\d+)*)")


def seed_lines(text: str | None) -> set[tuple[str, int]]:
    """``{(seed number, line)}`` cited in a source text: ``003_d8a0...txt:429`` and ``003:582, 591``."""
    out: set[tuple[str, int]] = set()
    for seed, lines in _SEED_REF.findall(text or ""):
        out |= {(seed, int(x)) for x in re.split(r"\s*,\s*", lines) if x}
    return out


def echo_check(scenario) -> list[PlausibilityWarning]:
    """Parameters whose ``source`` cites the seed line or the id of a target they feed.

    A target's own value must never be an input to its indicator.  For each computed target after
    the base year (base-year targets reproduce the base data by construction), every parameter its
    quantity reads (``sim.quantities.parameters_of`` plus the population parameters) is checked.
    """
    from .quantities import parameters_of

    params = {p.id: p for p in scenario.rows("parameters")}
    out: list[PlausibilityWarning] = []
    for t in scenario.rows("targets"):
        if t.kind != "computed" or t.year <= scenario.base_year:
            continue
        lines = seed_lines(t.source)
        ids = set(parameters_of(t.quantity)) | population_parameters()
        for pid in sorted(ids & set(params)):
            p = params[pid]
            hit = lines & seed_lines(p.source)
            named = re.search(rf"(?<![A-Za-z0-9_]){re.escape(t.id)}(?![A-Za-z0-9_])", p.source or "")
            if hit or named:
                what = ", ".join(f"{s}:{n}" for s, n in sorted(hit)) if hit else t.id
                out.append(PlausibilityWarning(p._file, p._line, "source",
                    f"parameter {pid} feeds target {t.id} ({t.quantity}) but its source cites {what}, the "
                    f"target's own statement: a target's value must not be an input to its indicator"))
    return out


def beds_per_1000_at_period_end(scenario, older: float | None = None) -> float:
    """All eldercare beds (every project complete) per 1000 people aged 60+ at the end of the plan
    period, resident base.  NaN without population inputs."""
    towns = _townships(scenario)
    total = sum(f.beds or 0 for f in scenario.rows("facilities") if f.facility_type in ELDERCARE_BED_TYPES)
    total += sum(output_amount(o, "beds", towns) for o in scenario.rows("project_outputs")
                 if o.facility_type in ELDERCARE_BED_TYPES)
    if older is None:
        older = older_at(scenario, int(scenario.period[1]))
    return float("nan") if not older else 1000.0 * total / older
