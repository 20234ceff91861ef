"""Row models of the scenario tables, validated with pydantic.

One model per table; the loader turns each CSV row into one of these and reports the first
problem as ``file:row: field: message``.  Money is normalised to yuan here, so nothing
downstream ever sees 万元 or 亿元.
"""

from __future__ import annotations

import math
import re
from typing import Literal

from pydantic import BaseModel, ConfigDict, PrivateAttr, field_validator, model_validator

from .money import MoneyError, parse_money
from .parameters import DISTRIBUTIONS
from .quantities import QUANTITIES, SHARE_LEVELS, count_type, known as known_quantity, share_key

FACILITY_TYPES = (
    "care_home", "community_care_center", "day_care_center", "home_retrofit", "funeral_home",
    "public_cemetery", "funeral_service_station", "custom_reform_center", "relief_station",
    "minor_protection_center", "minor_protection_station", "social_work_station",
    "community_service_center", "mental_rehab_center", "severe_disability_care", "childrens_home",
    "info_platform", "charity_supermarket", "eldercare_service_point", "cremation_point",
)
LEVELS = ("country", "province", "prefecture", "city", "county", "district", "township")
CAPACITY_COLUMNS = ("beds", "beds_nursing", "plots", "area_m2", "households", "staff", "count")
COMPARATORS = (">=", ">", "<=", "<", "==")
_MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and v.strip() == "")


class Row(BaseModel):
    """Common behaviour: blank cells become None, unknown columns are kept but ignored."""

    model_config = ConfigDict(extra="ignore", str_strip_whitespace=True, coerce_numbers_to_str=True,
                              allow_inf_nan=False)

    id: str
    source: str
    note: str | None = None
    _file: str = PrivateAttr("")           # where the row came from, for error messages
    _line: int | None = PrivateAttr(None)
    _origin: dict = PrivateAttr(default_factory=dict)   # column -> (variant YAML, key) for patched cells

    @model_validator(mode="before")
    @classmethod
    def _blanks_to_none(cls, data: dict) -> dict:
        return {k: v for k, v in data.items() if not _blank(v)}  # blank = absent: defaults apply

    @field_validator("id")
    @classmethod
    def _id_ok(cls, v: str) -> str:
        if not v:
            raise ValueError("empty id")
        return v


def _non_negative(v: float | None) -> float | None:
    if v is not None and v < 0:
        raise ValueError(f"negative value {v}")
    return v


def month_to_year(text: str, end: bool = False) -> float:
    """``'2022-07'`` -> 2022.5, the first instant of July; with ``end`` -> 2022.5833, its last.

    A project planned ``2022-01`` to ``2025-12`` runs from 2022.0 to 2026.0: four whole years,
    finished by the end of 2025.
    """
    m = _MONTH.match(str(text).strip())
    if not m or not 1 <= int(m.group(2)) <= 12:
        raise ValueError(f"not a month {text!r} (write YYYY-MM)")
    return int(m.group(1)) + (int(m.group(2)) - (0 if end else 1)) / 12.0


def year_to_month_text(t: float, end: bool = True) -> str:
    """Inverse of ``month_to_year``: 2026.0 -> ``'2025-12'`` (an end), 2022.5 -> ``'2022-07'`` (a start)."""
    months = round(t * 12) - (1 if end else 0)
    return f"{months // 12:04d}-{months % 12 + 1:02d}"


class Unit(Row):
    name_zh: str
    level: Literal[LEVELS]  # type: ignore[valid-type]
    kind_zh: str | None = None
    parent: str | None = None
    villages: int | None = None
    communities: int | None = None
    lon: float | None = None
    lat: float | None = None
    pop_share: float | None = None
    seat: str | None = None     # optional: the township holding this unit's seat (where its county-wide items stand)

    _nn = field_validator("villages", "communities", "pop_share")(_non_negative)

    @field_validator("id", "parent", "seat", mode="before")
    @classmethod
    def _code_as_text(cls, v: object) -> object:
        return str(int(v)) if isinstance(v, float) and v.is_integer() else (str(v) if isinstance(v, int) else v)


class Capacity(Row):
    facility_type: Literal[FACILITY_TYPES]  # type: ignore[valid-type]
    name_zh: str | None = None
    unit: str
    ownership: Literal["public", "private"] = "public"
    functions: str | None = None
    beds: float | None = None
    beds_nursing: float | None = None
    plots: float | None = None
    area_m2: float | None = None
    households: float | None = None
    staff: float | None = None
    count: float | None = None

    _nn = field_validator(*CAPACITY_COLUMNS)(_non_negative)

    @field_validator("unit", mode="before")
    @classmethod
    def _code_as_text(cls, v: object) -> object:
        return Unit._code_as_text(v)

    @model_validator(mode="after")
    def _nursing_within_beds(self) -> "Capacity":
        if self.beds is not None and self.beds_nursing is not None and self.beds_nursing > self.beds:
            raise ValueError(f"beds_nursing: {self.beds_nursing} nursing beds exceed the {self.beds} beds")
        return self

    @property
    def tags(self) -> frozenset[str]:
        return frozenset(t.strip() for t in (self.functions or "").split(";") if t.strip())


class Facility(Capacity):
    name_zh: str
    opened: str | None = None

    @field_validator("opened", mode="before")
    @classmethod
    def _opened_text(cls, v: object) -> object:
        text = str(int(v)) if isinstance(v, float) and v.is_integer() else str(v)
        if not (text.isdigit() and len(text) == 4):
            month_to_year(text)  # raises "not a month" for anything but YYYY or YYYY-MM
        return text

    def opened_year(self) -> float:
        """Fractional year the facility opened (-inf when unknown: it predates the base year).

        ``2021-01`` means during January 2021 (counted from its end, 2021.083); a bare year means
        during that year (counted from mid-year): either way it counts for that year, not the one before.
        """
        if self.opened is None:
            return -math.inf
        text = self.opened.strip()
        return float(text) + 0.5 if text.isdigit() else month_to_year(text, end=True)


class ProjectOutput(Capacity):
    project: str
    facility: str | None = None
    spread: Literal["each", "by_villages"] | None = None


class Project(Row):
    name_zh: str
    category_zh: str | None = None
    facility_type: Literal[FACILITY_TYPES]  # type: ignore[valid-type]
    unit: str
    site_zh: str | None = None
    action: Literal["新建", "改扩建", "续建"] | None = None
    content_zh: str | None = None
    money_unit: str | None = None
    investment_total: float
    investment_plan: float
    start: float
    end: float
    status_zh: str | None = None
    funding: dict[str, float] | None = None
    priority: int | None = None
    # the planned schedule (docs/buildout.md, "Planned schedules"): the latest completion the plan allows,
    # which dates the plan itself states (kept by the schedule rule), the earliest works start, and
    # whether the output arrives at the end or in stages (one stage per group of sites)
    deadline: float | None = None
    fixed: str | None = None
    earliest_start: float | None = None
    delivery: Literal["at_end", "staged"] = "at_end"
    stages: int | None = None
    schedule_source: str | None = None   # where start, end and deadline come from (plan line, rule, assumption)

    @model_validator(mode="before")
    @classmethod
    def _money(cls, data: dict) -> dict:
        for col in ("investment_total", "investment_plan"):
            if col not in data or data[col] is None:
                continue
            try:
                data[col] = parse_money(data[col], data.get("money_unit"))
            except MoneyError as exc:
                raise ValueError(f"{col}: {exc}") from None
        return data

    @field_validator("unit", mode="before")
    @classmethod
    def _code_as_text(cls, v: object) -> object:
        return Unit._code_as_text(v)

    @field_validator("start", mode="before")
    @classmethod
    def _start_month(cls, v: object) -> float:
        return month_to_year(str(v))

    @field_validator("end", "deadline", mode="before")
    @classmethod
    def _end_month(cls, v: object) -> float:
        return month_to_year(str(v), end=True)

    @field_validator("earliest_start", mode="before")
    @classmethod
    def _earliest_month(cls, v: object) -> float:
        return month_to_year(str(v))

    @field_validator("fixed")
    @classmethod
    def _fixed_dates(cls, v: str | None) -> str | None:
        if v is None:
            return v
        parts = [x.strip() for x in v.split(";") if x.strip()]
        if not parts or any(x not in ("start", "end") for x in parts):
            raise ValueError(f"write start, end or start;end, got {v!r}")
        return ";".join(sorted(set(parts), reverse=True))

    @field_validator("funding", mode="before")
    @classmethod
    def _shares(cls, v: object) -> dict[str, float] | None:
        if v is None or isinstance(v, dict):
            return v
        shares: dict[str, float] = {}
        for part in str(v).split(";"):
            if not part.strip():
                continue
            name, sep, share = part.partition(":")
            if not sep:
                raise ValueError(f"write source:share, got {part!r}")
            shares[name.strip()] = float(share)
        if any(s < 0 for s in shares.values()) or abs(sum(shares.values()) - 1.0) > 1e-6:
            raise ValueError(f"shares must be non-negative and sum to 1, got {v!r}")
        return shares

    @model_validator(mode="after")
    def _dates(self) -> "Project":
        if self.end <= self.start:
            raise ValueError("end: the project ends before it starts")
        if self.deadline is not None and self.end > self.deadline + 1e-9:
            raise ValueError(f"end: the planned end {year_to_month_text(self.end)} is after the deadline "
                             f"{year_to_month_text(self.deadline)}")
        if self.earliest_start is not None and self.start < self.earliest_start - 1e-9:
            raise ValueError(f"start: the planned start {year_to_month_text(self.start, end=False)} is before the "
                             f"earliest start {year_to_month_text(self.earliest_start, end=False)}")
        if self.delivery == "staged" and (self.stages is None or self.stages < 2):
            raise ValueError("stages: a staged project needs stages >= 2")
        if self.delivery == "at_end" and self.stages not in (None, 1):
            raise ValueError("stages: only a staged project has stages (set delivery to staged)")
        if self.investment_plan > self.investment_total + 1e-6:
            raise ValueError("investment_plan: the plan-period investment exceeds the total investment")
        return self


class Target(Row):
    name_zh: str
    unit: str | None = None
    year: int
    comparator: Literal[COMPARATORS] | None = None  # type: ignore[valid-type]
    value: float | None = None
    value_text: str | None = None
    binding: Literal["binding", "indicative"]
    kind: Literal["computed", "tracked"]
    quantity: str | None = None
    main_table: Literal["yes", "no"] | None = None
    basis: str | None = None   # what the verdict rests on: plan, a named assumption, a data entry
    # counted over units (docs/regions.md): value = % of counties (townships) whose own quantity >= unit_threshold
    count_over: Literal[SHARE_LEVELS] | None = None  # type: ignore[valid-type]
    unit_threshold: float | None = None
    unit_quantity: str | None = None   # set by the loader: the per-unit quantity of a counted target

    @model_validator(mode="after")
    def _consistent(self) -> "Target":
        if self.kind == "computed":
            if not self.quantity:
                raise ValueError("quantity: a computed target must name a quantity")
            if not known_quantity(self.quantity):
                raise ValueError(f"quantity: unknown quantity {self.quantity!r} (see sim/quantities.py, or "
                                 f"count:<facility_type> with a type of README 'Facility types')")
            if self.value is None or self.comparator is None:
                raise ValueError("value: a computed target needs a comparator and a numeric value")
        elif self.value is None and not self.value_text:
            raise ValueError("value: give a numeric value or the target in words (value_text)")
        if self.count_over is not None:
            if self.kind != "computed":
                raise ValueError("count_over: only a computed target can be counted over units")
            if self.unit_threshold is None:
                raise ValueError("unit_threshold: a target counted over units needs the threshold each unit's "
                                 "quantity must reach")
            if self.count_over == "township" and count_type(self.quantity) is None:
                raise ValueError("count_over: a target counted over townships needs a count:<facility_type> "
                                 "quantity (per-township service models are not run)")
            # the simulated quantity of the target is the share of units meeting the threshold
            self.unit_quantity = self.quantity
            self.quantity = share_key(self.count_over, self.quantity, self.unit_threshold)
        elif self.unit_threshold is not None:
            raise ValueError("unit_threshold: set count_over (county or township) or leave the threshold blank")
        return self


class Parameter(Row):
    value: float
    unit: str | None = None
    valid_from: int | None = None
    valid_to: int | None = None
    distribution: Literal[DISTRIBUTIONS] = "fixed"  # type: ignore[valid-type]
    low: float | None = None
    high: float | None = None
    confidence: str | None = None

    @model_validator(mode="after")
    def _range(self) -> "Parameter":
        if self.distribution != "fixed":
            if self.low is None or self.high is None:
                raise ValueError(f"low: a {self.distribution} parameter needs low and high")
            if self.low > self.high:
                raise ValueError("low: low is above high")
            if self.distribution == "triangular" and not self.low <= self.value <= self.high:
                raise ValueError("value: the mode of a triangular parameter must lie in [low, high]")
        if self.valid_from is not None and self.valid_to is not None and self.valid_to < self.valid_from:
            raise ValueError("valid_to: validity ends before it starts")
        return self


class BaseFact(Row):
    name_zh: str
    year: int | None = None
    value: float
    unit: str | None = None
    unit_id: str | None = None

    @field_validator("unit_id", mode="before")
    @classmethod
    def _code_as_text(cls, v: object) -> object:
        return Unit._code_as_text(v)


class Conflict(Row):
    source: str | None = None  # conflicts cite their two sources in source_a / source_b
    topic: str
    value_a: str
    source_a: str
    value_b: str
    source_b: str
    chosen: Literal["a", "b"]
    why: str

    @field_validator("value_a", "value_b", mode="before")
    @classmethod
    def _text(cls, v: object) -> object:
        return None if v is None else str(v)


class Monitoring(Row):
    target: str
    year: int
    value: float


class FundingRow(Row):
    funding_source: str
    name_zh: str | None = None
    year: int
    money_unit: str | None = None
    amount: float

    @model_validator(mode="before")
    @classmethod
    def _money(cls, data: dict) -> dict:
        if data.get("amount") is not None:
            try:
                data["amount"] = parse_money(data["amount"], data.get("money_unit"))
            except MoneyError as exc:
                raise ValueError(f"amount: {exc}") from None
        return data


class UnitDemography(Row):
    """One county-level unit's census figures (unit_demography.csv, docs/regions.md)."""

    id: str = ""          # the table has no id column: the unit is the key
    unit: str
    base_population: float
    share_0_14: float
    share_15_59: float
    share_60plus: float
    share_65plus: float | None = None
    share_80plus: float | None = None
    confidence: Literal["published", "derived"]

    _nn = field_validator("base_population")(_non_negative)

    @field_validator("unit", mode="before")
    @classmethod
    def _code_as_text(cls, v: object) -> object:
        return Unit._code_as_text(v)

    @model_validator(mode="after")
    def _shares(self) -> "UnitDemography":
        self.id = self.unit
        for col in ("share_0_14", "share_15_59", "share_60plus", "share_65plus", "share_80plus"):
            v = getattr(self, col)
            if v is not None and not 0 <= v <= 100:
                raise ValueError(f"{col}: a share in % must be in 0..100, got {v:g}")
        total = self.share_0_14 + self.share_15_59 + self.share_60plus
        if abs(total - 100.0) > 0.1:
            raise ValueError(f"share_60plus: share_0_14 + share_15_59 + share_60plus = {total:.2f}, not 100 (±0.1)")
        if self.share_65plus is not None and self.share_65plus > self.share_60plus:
            raise ValueError("share_65plus: above share_60plus")
        older = self.share_65plus if self.share_65plus is not None else self.share_60plus
        if self.share_80plus is not None and self.share_80plus > older:
            raise ValueError("share_80plus: above the share aged 65+ (60+)")
        return self

    def shares(self) -> dict[str, float]:
        """Band shares in % keyed as ``sim.population.base.BANDS``."""
        out = {"0_14": self.share_0_14, "15_59": self.share_15_59, "60plus": self.share_60plus}
        if self.share_65plus is not None:
            out["65plus"] = self.share_65plus
        if self.share_80plus is not None:
            out["80plus"] = self.share_80plus
        return out


ALLOCATION_RULES = ("named", "lacking", "by_older", "every", "by_older_prop")


class Programme(Row):
    """A programme naming a count of facilities, not places (programmes.csv); ``sim.allocation``
    expands it into one project per chosen unit at load time."""

    name_zh: str
    facility_type: Literal[FACILITY_TYPES]  # type: ignore[valid-type]
    count: int
    level: Literal["county", "township"]
    allocation: str
    named_units: str | None = None
    functions: str | None = None
    beds: float | None = None
    beds_nursing: float | None = None
    plots: float | None = None
    area_m2: float | None = None
    staff: float | None = None
    unit_cost: float | None = None
    investment_total: float | None = None
    money_unit: str | None = None
    cost_source: str | None = None
    start: float
    end: float
    deadline: float | None = None
    funding: dict[str, float] | None = None
    within: str | None = None   # only units under this one (a county id): "每个县...的乡镇"

    _nn = field_validator("beds", "beds_nursing", "plots", "area_m2", "staff")(_non_negative)
    _within_text = field_validator("within", mode="before")(lambda cls, v: Unit._code_as_text(v))
    _money = model_validator(mode="before")(lambda cls, data: _programme_money(data))
    _start_month = field_validator("start", mode="before")(lambda cls, v: month_to_year(str(v)))
    _end_month = field_validator("end", "deadline", mode="before")(lambda cls, v: month_to_year(str(v), end=True))
    _shares = field_validator("funding", mode="before")(lambda cls, v: Project._shares(v))

    @field_validator("count")
    @classmethod
    def _count(cls, v: int) -> int:
        if v < 1:
            raise ValueError(f"must be a whole number >= 1, got {v}")
        return v

    @property
    def rules(self) -> list[str]:
        return [r.strip() for r in self.allocation.split(";") if r.strip()]

    @property
    def named(self) -> list[str]:
        return [u.strip() for u in (self.named_units or "").split(";") if u.strip()]

    @model_validator(mode="after")
    def _check(self) -> "Programme":
        rules = self.rules
        if not rules:
            raise ValueError("allocation: give one or more rules separated by ; (named, lacking, by_older, every)")
        for r in rules:
            if r not in ALLOCATION_RULES:
                raise ValueError(f"allocation: unknown rule {r!r} (known: {', '.join(ALLOCATION_RULES)})")
        if "named" in rules and not self.named:
            raise ValueError("named_units: the rule 'named' needs the units' ids (;-separated)")
        if "by_older_prop" in rules and rules[-1] != "by_older_prop":
            raise ValueError("allocation: by_older_prop places every remaining facility, so it must be the last rule")
        if self.named and "named" not in rules:
            raise ValueError("allocation: named_units are given but the rules do not include 'named'")
        if (self.unit_cost is None) == (self.investment_total is None):
            raise ValueError("unit_cost: give the cost per facility (unit_cost) or the programme's money "
                             "(investment_total), exactly one of them")
        if not self.cost_source:
            raise ValueError("cost_source: cite the plan line, a published unit cost or 'assumption: ...'")
        if self.end <= self.start:
            raise ValueError("end: the programme ends before it starts")
        if self.deadline is not None and self.end > self.deadline + 1e-9:
            raise ValueError("end: the planned end is after the deadline")
        if self.beds is not None and self.beds_nursing is not None and self.beds_nursing > self.beds:
            raise ValueError(f"beds_nursing: {self.beds_nursing} nursing beds exceed the {self.beds} beds")
        return self

    def cost_each(self) -> float:
        """Yuan per facility."""
        return self.unit_cost if self.unit_cost is not None else self.investment_total / self.count


def _programme_money(data: dict) -> dict:
    for col in ("unit_cost", "investment_total"):
        if data.get(col) is None:
            continue
        try:
            data[col] = parse_money(data[col], data.get("money_unit"))
        except MoneyError as exc:
            raise ValueError(f"{col}: {exc}") from None
    return data


TABLE_MODELS: dict[str, type[Row]] = {
    "units": Unit,
    "facilities": Facility,
    "projects": Project,
    "project_outputs": ProjectOutput,
    "targets": Target,
    "parameters": Parameter,
    "base_facts": BaseFact,
    "conflicts": Conflict,
    "monitoring": Monitoring,
    "funding": FundingRow,
    "unit_demography": UnitDemography,
    "programmes": Programme,
}
REQUIRED_TABLES = ("units", "facilities", "projects", "project_outputs", "targets", "parameters")
