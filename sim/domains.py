"""What the models read, declared once: every parameter's domain, need and default, and every base
fact's domain.  ``validate`` and ``run`` check a scenario against this registry before anything runs.

* :data:`PARAMETERS` -- one :class:`ParamDecl` per parameter id a model reads: its domain (e.g. a
  probability in (0, 1]), whether a scenario must give it (``required``), may leave it to a stated
  default (``default``: the default is printed by ``validate`` and written to the manifest) or may
  omit it (``optional``: the model then does without it), and the parameter table that should hold it.
* :data:`BASE_FACTS` -- the domain of each base fact the service models read; which facts they
  read is declared by the models themselves (``sim.services.context.BASE_FACT_IDS``).

``tests/test_domains.py`` scans the source of ``sim/`` for parameter ids and fails when a model reads
an id that is not declared here, so the required list cannot drift from the code.

Draws are truncated to the domain (``sim.parameters.ParamSpec.quantile``); ``validate`` refuses a
central value or a range (low/high, or the 10th/90th percentiles of a normal) outside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

import numpy as np

from .errors import Problems

INF = math.inf


@dataclass(frozen=True)
class Domain:
    """An interval of allowed values; ``lo_open`` / ``hi_open`` exclude the bound itself."""

    lo: float = -INF
    hi: float = INF
    lo_open: bool = False
    hi_open: bool = False
    integer: bool = False

    def contains(self, x: float) -> bool:
        if x is None or not math.isfinite(x):
            return False
        if self.integer and float(x) != int(x):
            return False
        above = x > self.lo if self.lo_open else x >= self.lo
        below = x < self.hi if self.hi_open else x <= self.hi
        return bool(above and below)

    def text(self) -> str:
        if self.lo == -INF and self.hi == INF:
            return "any finite number"
        if self.hi == INF:
            return f"{'>' if self.lo_open else '>='} {self.lo:g}"
        if self.lo == -INF:
            return f"{'<' if self.hi_open else '<='} {self.hi:g}"
        kind = "a whole number in " if self.integer else "in "
        return f"{kind}{'(' if self.lo_open else '['}{self.lo:g}, {self.hi:g}{')' if self.hi_open else ']'}"

    def clip(self, x: np.ndarray) -> np.ndarray:
        """Values moved into the domain (open bounds to the nearest representable inside value)."""
        lo = np.nextafter(self.lo, INF) if self.lo_open else self.lo
        hi = np.nextafter(self.hi, -INF) if self.hi_open else self.hi
        return np.clip(x, lo, hi)


PROBABILITY = Domain(0, 1, lo_open=True)          # (0, 1]: a bound on a probability
SHARE = Domain(0, 1)                              # [0, 1]
PERCENT = Domain(0, 100)                          # [0, 100] %
FLAG = Domain(0, 1, integer=True)                 # 0 or 1
POSITIVE = Domain(0, INF, lo_open=True)
NON_NEGATIVE = Domain(0, INF)
DURATION = Domain(0, 50)                          # years, [0, 50]
POSITIVE_DURATION = Domain(0, 50, lo_open=True)
RATE = Domain(-1, 1, lo_open=True)                # relative change per year, > -100 %


@dataclass(frozen=True)
class ParamDecl:
    id: str
    domain: Domain
    table: str                   # "demography" | "services" | "buildout": the table that should hold it
    what: str                    # meaning and unit, for messages
    need: str = "required"       # "required" | "default" | "optional"
    default: float | None = None
    default_why: str = ""        # the source or assumption behind the default
    hint: Callable[[float], str | None] | None = None   # a likely cause for a value outside the domain
    needed_if: Callable[[dict[str, float], object], bool] | None = None   # (values, scenario): required only then


def _srb_hint(v: float) -> str | None:
    if 80 <= v <= 130:
        return f"per 100 girls? write {v / 100:g} (boys per girl)"
    return None


def _percent_hint(v: float) -> str | None:
    return f"a share, not a percentage? write {v / 100:g}" if 1 < v <= 100 else None


def _fraction_hint(v: float) -> str | None:
    return f"this is in % per year: did you mean {v * 100:g}?" if -1 < v < 1 and v != 0 else None


_D, _S, _B = "demography", "services", "buildout"
_WPP = "UN WPP 2022 / NBS 2020 (see scenarios/tongdao/demography.csv)"

_DECLS = [
    # --- population (sim/population/*)
    ParamDecl("demography.census_year", Domain(1950, 2100, integer=True), _D, "year of the base population (census)",
              "default", 2020, "assumption: the 2020 (7th) census"),
    ParamDecl("demography.base_population", POSITIVE, _D, "base-year population (persons)"),
    ParamDecl("demography.share_0_14", PERCENT, _D, "share of the population aged 0-14 (%)"),
    ParamDecl("demography.share_15_59", PERCENT, _D, "share aged 15-59 (%)"),
    ParamDecl("demography.share_60plus", PERCENT, _D, "share aged 60+ (%)"),
    ParamDecl("demography.share_65plus", PERCENT, _D, "share aged 65+ (%)", "optional"),
    ParamDecl("demography.share_80plus", PERCENT, _D, "share aged 80+ (%)", "optional"),
    ParamDecl("demography.tfr", Domain(0, 10, lo_open=True), _D, "total fertility rate (births per woman)"),
    ParamDecl("demography.e0_male", Domain(30, 95), _D, "male life expectancy at birth (years)"),
    ParamDecl("demography.e0_female", Domain(30, 95), _D, "female life expectancy at birth (years)"),
    ParamDecl("demography.e0_shift", Domain(-15, 15), _D, "uncertainty of life expectancy around its level (years)",
              "default", 0.0, "assumption: no uncertainty in the mortality level"),
    ParamDecl("demography.e0_gain_per_year", Domain(-1, 1), _D, "yearly gain in life expectancy (years per year)",
              "default", 0.0, "assumption: mortality stays at its base level"),
    ParamDecl("demography.imr", Domain(0, 200, lo_open=True), _D, "infant mortality (per 1000 live births)",
              "default", 5.4, "China 2020, NHC statistical bulletin (sim/population/lifetable.py)"),
    ParamDecl("demography.srb", Domain(0.9, 1.25), _D, "sex ratio at birth (boys per girl, near 1.05)",
              "default", 1.11, "China 2020 census, 111.3 boys per 100 girls", hint=_srb_hint),
    ParamDecl("demography.net_migration_rate", Domain(-100, 100, lo_open=True), _D,
              "net migration (% of the population per year, > -100)", "default", 0.0,
              "assumption: no net migration", hint=_fraction_hint),
    ParamDecl("demography.migration_return_weight", Domain(0, 0.5), _D,
              "weight of the retirement-return component of the migration profile",
              "default", 0.1, "assumption (docs/population.md)"),
    ParamDecl("demography.basis_registered", FLAG, _D, "1 when base_population is the registered (户籍) count",
              "default", 0.0, "assumption: base_population is the resident (常住) count"),
    ParamDecl("demography.registered_to_resident_ratio", Domain(0.1, 10), _D,
              "resident / registered population", needed_if=lambda v, s: v.get("demography.basis_registered", 0) >= 0.5),
    ParamDecl("demography.registered_older_ratio", Domain(0.1, 10), _D, "registered / resident older people",
              "default", 1.0, "assumption: registered (户籍) and resident older people are the same"),
    ParamDecl("care.disability_prev_60plus", Domain(0, 100, lo_open=True, hi_open=True), _D,
              "older people 60+ who are 失能 or 半失能 (% of 60+)", "default", 18.3,
              "4th sample survey of older people in urban and rural China, 2015 (sim/population/disability.py)",
              hint=None),
    ParamDecl("care.severe_share", Domain(0, 100, lo_open=True, hi_open=True), _D,
              "older people 60+ who are 失能 (% of 60+)", "default", 2.5,
              "assumption (sim/population/disability.py)"),
    ParamDecl("care.disability_age_gradient", Domain(0, 1, lo_open=True), _D,
              "rise of disability with age (log-odds per year)", "default", 0.128,
              "assumption (sim/population/disability.py)"),
    # --- services (sim/services/*)
    ParamDecl("care.occupancy_base", PROBABILITY, _S, "share of base-year beds occupied", hint=_percent_hint),
    ParamDecl("care.semi_disabled_weight", SHARE, _S, "relative use of beds by the 半失能", hint=_percent_hint),
    ParamDecl("care.institution_propensity", SHARE, _S,
              "residents per disabled older person (used when the base year has no institutional beds)",
              needed_if=lambda v, s: not _has_base_institution_beds(s)),
    ParamDecl("care.nursing_share_new_build", SHARE, _S, "nursing-type share of beds in a new building (norm)",
              hint=_percent_hint),
    ParamDecl("care.nursing_share_rebuild", SHARE, _S, "nursing-type share of beds added to an existing home (norm)",
              hint=_percent_hint),
    ParamDecl("care.base_nursing_share", SHARE, _S, "nursing-type share of base beds", hint=_percent_hint),
    ParamDecl("care.tekun_disabled_share", SHARE, _S, "share of 特困 persons unable to care for themselves",
              hint=_percent_hint),
    ParamDecl("care.tekun_new_bed_share", SHARE, _S, "share of new public beds taken by 特困 persons",
              hint=_percent_hint),
    ParamDecl("care.staff_per_resident_base", Domain(0, 10), _S, "care staff per resident (base)"),
    ParamDecl("care.staff_per_new_resident", Domain(0, 10), _S, "care staff per new resident"),
    ParamDecl("funeral.cremation_rate", SHARE, _S, "share of deaths cremated", hint=_percent_hint),
    ParamDecl("funeral.cremation_rate_trend", Domain(-1, 1), _S, "yearly change of the cremation share"),
    ParamDecl("funeral.winter_peak_factor", Domain(1, 12), _S, "peak-month deaths / average month"),
    ParamDecl("funeral.cremations_per_cremator_day", Domain(0, 1000, lo_open=True), _S,
              "cremations per cremator per day"),
    ParamDecl("funeral.cremators_per_home", Domain(0, 100, lo_open=True), _S, "cremators per funeral home"),
    ParamDecl("funeral.public_cemetery_uptake", SHARE, _S, "plots per death", hint=_percent_hint),
    ParamDecl("relief.mean_stay_days", Domain(0, 365, lo_open=True), _S, "mean stay at the relief station (days, > 0)"),
    ParamDecl("relief.max_blocking", PROBABILITY, _S, "largest acceptable turn-away probability, in (0, 1]",
              hint=_percent_hint),
    ParamDecl("relief.arrival_trend", RATE, _S, "yearly relative change of arrivals (> -1)"),
    ParamDecl("relief.winter_peak_factor", Domain(1, 12), _S, "winter arrival rate / average (>= 1)"),
    ParamDecl("relief.winter_share_of_year", Domain(0, 1, lo_open=True, hi_open=True), _S, "share of the year that is winter"),
    ParamDecl("relief.history_years", Domain(0, 100, lo_open=True), _S, "years of the relief history window"),
    ParamDecl("social.workers_per_station", Domain(0, 1000, lo_open=True), _S, "social workers per station"),
    ParamDecl("social.hiring_per_year", Domain(0, 100000), _S, "social workers hired per year"),
    ParamDecl("social.institution_share", SHARE, _S, "share of other social workers in institutions",
              hint=_percent_hint),
    ParamDecl("social.casework_rate", Domain(0, 100), _S, "cases per eligible person per year"),
    ParamDecl("social.cases_per_worker_year", Domain(0, 100000, lo_open=True), _S, "cases per social worker per year"),
    ParamDecl("social.older_alone_share", SHARE, _S, "share of 60+ living alone", hint=_percent_hint),
    ParamDecl("community.household_size", Domain(1, 20), _S, "persons per household"),
    ParamDecl("community.base_area_m2", NON_NEGATIVE, _S, "community service floor area in the base year (m2)"),
    ParamDecl("community.area_norm_per_100_households", NON_NEGATIVE, _S, "m2 per 100 households"),
    # --- build-out (sim/buildout/*)
    ParamDecl("buildout.prep_years", DURATION, _B, "preparation time (years)"),
    ParamDecl("buildout.delay_probability", SHARE, _B, "probability that a project is delayed", hint=_percent_hint),
    ParamDecl("buildout.delay_years", DURATION, _B, "length of a delay (years)"),
    ParamDecl("buildout.construction_multiplier", Domain(0, 20, lo_open=True), _B, "construction time / planned (ratio)"),
    ParamDecl("buildout.overrun_share", Domain(0, 10), _B, "cost overrun (share of the planned cost)"),
    ParamDecl("buildout.commissioning_years", DURATION, _B, "commissioning time (years)"),
    ParamDecl("buildout.rampup_years", DURATION, _B, "ramp-up time (years)"),
    ParamDecl("buildout.carry_over", FLAG, _B, "1: unspent money carries over to the next year",
              "default", 1.0, "assumption: unspent money carries over (scenarios/tongdao/funding_rules.md)"),
    ParamDecl("buildout.contingency_share", Domain(0, 1), _B, "contingency reserve (share of envelopes)",
              "default", 0.0, "assumption: no contingency reserve"),
    ParamDecl("buildout.post_plan_cap_share", Domain(0, 10), _B,
              "yearly cap on money paid after the last tranche (share of the average yearly envelope)",
              "default", 0.0, "assumption: no money after the plan period"),
    # --- the default planned schedule (sim/buildout/schedule.py; read only when the rule is run)
    ParamDecl("schedule.works_years_large", Domain(0, 50, lo_open=True), _B, "works duration of a large project (years)",
              "default", 2.0, "2 years planned for a 300-bed campus (reference parameters.csv, Dangyang)"),
    ParamDecl("schedule.works_years_small", Domain(0, 50, lo_open=True), _B, "works duration of a small project (years)",
              "default", 1.5, "assumption: three quarters of a large project"),
    ParamDecl("schedule.large_project_yuan", NON_NEGATIVE, _B, "cost from which a project is large (yuan)",
              "default", 5e7, "assumption: 5000万元"),
    ParamDecl("schedule.stage_years", Domain(0, 50, lo_open=True), _B, "works duration of one stage (years)",
              "default", 1.0, "assumption: one stage a year"),
    ParamDecl("schedule.first_works_offset_years", DURATION, _B, "earliest works start after the period start (years)",
              "default", 1.0, "assumption: plan adopted in its first year, then preparation"),
]
PARAMETERS: dict[str, ParamDecl] = {d.id: d for d in _DECLS}


def _has_base_institution_beds(s) -> bool:
    """True when the scenario has existing institutional eldercare beds to calibrate demand against."""
    from .services.eldercare import INSTITUTION_TYPES
    return any(f.facility_type in INSTITUTION_TYPES and (f.beds or 0) > 0 for f in s.rows("facilities"))


def required_parameters(values: dict[str, float] | None = None, scenario=None) -> list[ParamDecl]:
    """The declarations a scenario must give (for a skeleton writer, e.g. ``new-scenario``); the
    conditional ones are included unless ``values`` / ``scenario`` show they are not needed."""
    out = []
    for d in _DECLS:
        if d.need != "required":
            continue
        if d.needed_if is not None and scenario is not None and not d.needed_if(values or {}, scenario):
            continue
        out.append(d)
    return out

# Domains of the base facts the service models read (which ones: sim.services.context.BASE_FACT_IDS).
BASE_FACTS: dict[str, Domain] = {
    "tekun_rural": NON_NEGATIVE,
    "tekun_institutional": NON_NEGATIVE,
    "tekun_disabled_housed_all": PERCENT,
    "vagrant_relief_2016_2020": NON_NEGATIVE,
    "social_workers": NON_NEGATIVE,
    "dibao_persons_all": NON_NEGATIVE,
    "orphans": NON_NEGATIVE,
    "de_facto_unsupported_children": NON_NEGATIVE,
    "villages_communities": POSITIVE,
}

# the table each group of parameters belongs in, and words to find it among a scenario's files
_TABLE_WORDS = {_D: ("demograph", "population"), _S: ("service",), _B: ("buildout", "build")}
_TABLE_NAMES = {_D: "demography.csv", _S: "service_parameters.csv", _B: "buildout_parameters.csv"}


def domain_of(pid: str) -> Domain | None:
    d = PARAMETERS.get(pid)
    return d.domain if d else None


def required_base_facts() -> dict[str, str]:
    """Base fact id -> meaning, as declared by the service models."""
    from .services.context import BASE_FACT_IDS
    return dict(BASE_FACT_IDS)


def defaults_used(present: set[str]) -> dict[str, dict]:
    """The declared defaults a scenario with parameters ``present`` takes: id -> value and why."""
    return {d.id: {"value": d.default, "why": d.default_why, "meaning": d.what}
            for d in _DECLS if d.need == "default" and d.id not in present}


def with_defaults(ps, scenario=None):
    """``ps`` plus a fixed spec for every declared default it lacks (listed in ``scenario.defaults``)."""
    from .parameters import ParamSpec
    used = defaults_used(set(ps.specs))
    for pid, d in used.items():
        ps.specs[pid] = ParamSpec(id=pid, value=float(d["value"]), source=f"default: {d['why']}",
                                  domain=PARAMETERS[pid].domain)
    if scenario is not None:
        scenario.defaults = used
    return ps


def table_for(decl: ParamDecl, files: list[str], rows=()) -> str:
    """The scenario's parameter file that should hold ``decl``: the one holding its neighbours
    (same prefix, e.g. ``relief.``), else one named for its group, else the first."""
    group = decl.table
    prefix = decl.id.split(".")[0] + "."
    near = [r._file for r in rows if r.id.startswith(prefix) and r._file]
    if near:
        return max(set(near), key=near.count)
    for f in files:
        if any(w in Path(f).name.lower() for w in _TABLE_WORDS[group]):
            return f
    if files:
        return files[0]
    return f"parameters table ({_TABLE_NAMES[group]})"


# ---------------------------------------------------------------- the check

def validate_scenario(path) -> "Scenario":  # noqa: F821
    """Load a scenario and check it completely: tables, references, sums, and the model inputs
    (every parameter and base fact a model needs, each in its domain).  All problems found are
    raised together (``InputErrors``); ``validate`` and ``run`` both call this before anything else."""
    from .loader import _load
    problems = Problems()
    scenario = _load(Path(path), problems)
    if scenario is not None:
        check_model_inputs(scenario, problems)
    problems.raise_if_any()
    return scenario


def check_model_inputs(s, problems: Problems) -> None:
    from .loader import bad
    par_files = s.table_files.get("parameters", [])
    known = getattr(s, "known_ids", {})
    present = known.get("parameters", {p.id for p in s.rows("parameters")})
    rows = {p.id: p for p in s.rows("parameters")}
    values = {pid: p.value for pid, p in rows.items()}
    broken = "parameters" in getattr(s, "broken_tables", set())
    if not broken:
        for d in _DECLS:
            if d.id in present:
                continue
            if d.need == "required" and (d.needed_if is None or d.needed_if(values, s)):
                problems.add(table_for(d, par_files, s.rows("parameters")), d.id,
                             f"missing parameter: the models need {d.what}; add a row with id {d.id} "
                             f"(domain {d.domain.text()}) to this table")
    s.defaults = defaults_used(present)
    for pid, p in rows.items():
        decl = PARAMETERS.get(pid)
        if decl is not None:
            _check_param(p, decl, problems, bad)
    _check_cross(rows, s, problems, bad)
    facts = known.get("base_facts", {f.id for f in s.rows("base_facts")})
    fact_rows = s.by_id("base_facts")
    base_file = (s.table_files.get("base_facts") or [None])[0]
    if "base_facts" not in getattr(s, "broken_tables", set()):
        for fid, meaning in required_base_facts().items():
            if fid not in facts:
                if base_file is None:
                    problems.add(s.path, "tables.base_facts", f"no base_facts table, but the service models need "
                                 f"base fact {fid!r} ({meaning})")
                else:
                    problems.add(base_file, fid, f"missing base fact: the service models need {meaning}; "
                                 f"add a row with id {fid}")
    for fid, dom in BASE_FACTS.items():
        f = fact_rows.get(fid)
        if f is not None and not dom.contains(f.value):
            problems.extend(bad(f, "value", f"{f.value:g} is outside the domain of {fid} ({dom.text()})"))


def _check_param(p, decl: ParamDecl, problems: Problems, bad) -> None:
    dom = decl.domain
    if not dom.contains(p.value):
        hint = decl.hint(p.value) if decl.hint else None
        problems.extend(bad(p, "value", f"{p.value:g} is outside the domain of {p.id}, {decl.what} "
                            f"({dom.text()})" + (f": {hint}" if hint else "")))
        return
    if p.distribution == "fixed" or p.low is None or p.high is None:
        return
    what = "10th percentile" if p.distribution == "normal" else "low"
    for col, v, label in (("low", p.low, what), ("high", p.high, "90th percentile" if what != "low" else "high")):
        if not dom.contains(v):
            problems.extend(bad(p, col, f"the {p.distribution} distribution's {label} {v:g} leaves the domain of "
                                f"{p.id} ({dom.text()}); narrow the range or use a triangular or uniform "
                                "distribution inside the domain"))
    if p.distribution in ("uniform", "normal") and not p.low <= p.value <= p.high:
        problems.extend(bad(p, "value", f"the central value {p.value:g} lies outside its own range "
                            f"[{p.low:g}, {p.high:g}]"))


def _rng(p) -> tuple[float, float]:
    """Smallest and largest value a parameter's draws take (normal: its domain-truncated range)."""
    if p is None:
        return 0.0, 0.0
    if p.distribution == "fixed" or p.low is None or p.high is None:
        return p.value, p.value
    if p.distribution == "normal":
        d = domain_of(p.id)
        return (d.lo if d else -INF), (d.hi if d else INF)
    return p.low, p.high


def _check_cross(rows: dict, s, problems: Problems, bad) -> None:
    """Checks that involve several parameters."""
    sh = {k: rows.get(f"demography.share_{k}") for k in ("0_14", "15_59", "60plus", "65plus", "80plus")}
    if all(sh[k] is not None for k in ("0_14", "15_59", "60plus")):
        total = sh["0_14"].value + sh["15_59"].value + sh["60plus"].value
        if abs(total - 100) > 1.0:
            problems.extend(bad(sh["60plus"], "value", f"demography.share_0_14 + share_15_59 + share_60plus = "
                                f"{total:g}%, not 100%"))
        elif abs(total - 100) > 1e-9:
            s.notices.append(f"age shares 0-14, 15-59, 60+ add up to {total:g}%: rescaled to 100%")
    for older, younger in (("65plus", "60plus"), ("80plus", "65plus")):
        if sh[older] is not None and sh[younger] is not None and sh[older].value > sh[younger].value:
            problems.extend(bad(sh[older], "value", f"demography.share_{older} ({sh[older].value:g}%) exceeds "
                                f"demography.share_{younger} ({sh[younger].value:g}%)"))
    sev, prev = rows.get("care.severe_share"), rows.get("care.disability_prev_60plus")
    if sev is not None and prev is not None and _rng(sev)[1] > _rng(prev)[0]:
        problems.extend(bad(sev, "value", f"care.severe_share (up to {_rng(sev)[1]:g}% of 60+) can exceed "
                            f"care.disability_prev_60plus (from {_rng(prev)[0]:g}%): the severe are part of all"))
    # life expectancy over the whole run must stay inside what the life tables can represent
    shift_lo, shift_hi = _rng(rows.get("demography.e0_shift"))
    gain = rows.get("demography.e0_gain_per_year")
    g_lo, g_hi = _rng(gain)
    census = rows.get("demography.census_year")
    t = s.horizon - (census.value if census is not None else 2020) + 0.5
    imr = rows.get("demography.imr")
    e0_min, e0_max = e0_range((imr.value if imr is not None and PARAMETERS[imr.id].domain.contains(imr.value)
                               else PARAMETERS["demography.imr"].default) / 1000.0)
    for sex in ("male", "female"):
        p = rows.get(f"demography.e0_{sex}")
        if p is None or not PARAMETERS[p.id].domain.contains(p.value):
            continue
        hi = p.value + shift_hi + max(g_hi * t, 0.0)
        lo = p.value + shift_lo + min(g_lo * t, 0.0)
        if hi > e0_max or lo < e0_min:
            problems.extend(bad(p, "value", f"life expectancy {p.value:g} with e0_shift {shift_lo:g}..{shift_hi:g} "
                                f"and e0_gain_per_year up to {g_hi:g} reaches {lo:.1f}..{hi:.1f} by {s.horizon}; "
                                f"the life tables cover {e0_min:.1f}..{e0_max:.1f}"))


def e0_range(imr: float) -> tuple[float, float]:
    """Lowest and highest life expectancy the Brass-logit life tables represent (sim/population/lifetable.py)."""
    from .population import lifetable
    grid = lifetable.e0_of(lifetable.brass(lifetable.standard_lx(imr), lifetable._GRID))
    return float(grid.min()) + 0.01, float(grid.max()) - 0.01


def defaults_text(s) -> list[str]:
    """Lines for the validate summary: each default a run will use, and each notice."""
    out = []
    for pid, d in sorted(s.defaults.items()):
        out.append(f"  default     {pid} = {d['value']:g} ({d['meaning']}; {d['why']})")
    for n in s.notices:
        out.append(f"  note        {n}")
    return out
