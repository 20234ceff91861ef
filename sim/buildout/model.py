"""Data model of the build-out: projects, funding envelopes, and readers for the scenario tables.

Time is measured in fractional calendar years: ``2022.0`` is 1 January 2022, ``2022.5`` is
1 July 2022.  A planned start ``YYYY-MM`` is the first instant of that month; a planned end
``YYYY-MM`` is the last instant of that month (so ``2021-01`` .. ``2025-12`` is exactly five years,
``2021.0`` .. ``2026.0``).  Money is in yuan (元) as floats.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np

from sim.errors import InputError
from sim.money import MoneyError, parse_money
from sim.parameters import DISTRIBUTIONS, ParameterSet, ParamSpec

_YM = re.compile(r"^\s*(\d{4})(?:-(\d{1,2}))?\s*$")


def month_to_year(text: object, end: bool = False) -> float:
    """``"2022-07"`` -> 2022.5 (start of July); with ``end=True`` -> 2022.5833 (end of July).

    A bare year ``"2022"`` means January as a start and December as an end.
    """
    if isinstance(text, (int, float)) and not isinstance(text, bool):
        if isinstance(text, float) and math.isnan(text):
            raise ValueError("missing date")
        text = str(int(text))
    m = _YM.match(str(text))
    if not m:
        raise ValueError(f"not a YYYY-MM date: {text!r}")
    year = int(m.group(1))
    if m.group(2) is None:
        month = 12 if end else 1
    else:
        month = int(m.group(2))
    if not 1 <= month <= 12:
        raise ValueError(f"month out of range in {text!r}")
    return year + (month if end else month - 1) / 12.0


def parse_shares(text: object) -> dict[str, float]:
    """``"central:0.5;county:0.5"`` -> {"central": 0.5, "county": 0.5}; shares must sum to 1."""
    if text is None or (isinstance(text, float) and math.isnan(text)) or not str(text).strip():
        return {}
    shares: dict[str, float] = {}
    for part in str(text).split(";"):
        part = part.strip()
        if not part:
            continue
        if ":" not in part:
            raise ValueError(f"funding share {part!r} is not source:share")
        name, value = part.split(":", 1)
        name = name.strip()
        if not name:
            raise ValueError(f"funding share {part!r} has no source name")
        try:
            share = float(value)
        except ValueError:
            raise ValueError(f"funding share {part!r}: {value!r} is not a number") from None
        if share < 0:
            raise ValueError(f"funding share {part!r} is negative")
        shares[name] = shares.get(name, 0.0) + share
    total = sum(shares.values())
    if abs(total - 1.0) > 1e-6:
        raise ValueError(f"funding shares sum to {total:g}, not 1: {text!r}")
    return {k: v / total for k, v in shares.items() if v > 0}


@dataclass(frozen=True)
class Project:
    """One capital project.

    ``planned_start`` / ``planned_end`` are the works (construction) window in fractional years;
    preparation (approval, design, land) is planned to be finished by ``planned_start``.
    ``priority``: smaller is served first under the ``priority`` policy (ties in plan order).
    ``order``: position in the plan's project table (the ``plan_order`` policy).
    """

    id: str
    cost_yuan: float
    planned_start: float
    planned_end: float
    funding_shares: dict[str, float]
    priority: float = 0.0
    order: int = 0
    name: str = ""

    def __post_init__(self):
        if not self.id:
            raise ValueError("project without id")
        if not (self.cost_yuan >= 0 and math.isfinite(self.cost_yuan)):
            raise ValueError(f"project {self.id}: cost must be a finite amount >= 0, got {self.cost_yuan!r}")
        if not self.planned_end > self.planned_start:
            raise ValueError(f"project {self.id}: planned end {self.planned_end} is not after start {self.planned_start}")
        if self.cost_yuan > 0 and not self.funding_shares:
            raise ValueError(f"project {self.id}: no funding shares")

    @property
    def planned_years(self) -> float:
        return self.planned_end - self.planned_start


@dataclass
class Funding:
    """Yearly envelopes: ``envelopes[source][year]`` = yuan that arrive at the start of ``year``."""

    envelopes: dict[str, dict[int, float]] = field(default_factory=dict)

    @property
    def sources(self) -> list[str]:
        return sorted(self.envelopes)

    @property
    def years(self) -> list[int]:
        ys = {y for env in self.envelopes.values() for y in env}
        return sorted(ys)

    def amount(self, source: str, year: int) -> float:
        return float(self.envelopes.get(source, {}).get(year, 0.0))

    def total(self) -> float:
        return float(sum(sum(v.values()) for v in self.envelopes.values()))

    def matrix(self, sources: list[str], years: list[int] | np.ndarray) -> np.ndarray:
        """(S, Y) yuan; zero where no envelope is given."""
        return np.array([[self.amount(s, int(y)) for y in years] for s in sources], dtype=float).reshape(len(sources), len(years))

    # --- what-ifs ---------------------------------------------------------------------------
    def scaled(self, factor: float, sources: list[str] | None = None) -> "Funding":
        """Every envelope (or only those of ``sources``) multiplied by ``factor``."""
        return Funding({s: {y: a * (factor if sources is None or s in sources else 1.0) for y, a in env.items()}
                        for s, env in self.envelopes.items()})

    def shifted(self, years: int, sources: list[str] | None = None) -> "Funding":
        """Money that arrives ``years`` later (or earlier if negative)."""
        return Funding({s: {y + (years if sources is None or s in sources else 0): a for y, a in env.items()}
                        for s, env in self.envelopes.items()})

    def shares(self) -> dict[str, float]:
        """Each source's share of all money (used as the default funding split of a project)."""
        tot = self.total()
        if tot <= 0:
            return {}
        return {s: sum(env.values()) / tot for s, env in sorted(self.envelopes.items()) if sum(env.values()) > 0}


def planned_envelopes(projects: list[Project], years: list[int] | None = None, factor: float = 1.0) -> Funding:
    """Envelopes equal to the planned spending profile: each project's cost spread evenly over its
    planned works window, split by its funding shares, summed by source and calendar year.

    This is the funding that exactly supports the plan as printed (every claim met in its year).
    """
    env: dict[str, dict[int, float]] = {}
    for p in projects:
        y0, y1 = int(math.floor(p.planned_start)), int(math.ceil(p.planned_end))
        for y in range(y0, y1):
            overlap = max(0.0, min(p.planned_end, y + 1.0) - max(p.planned_start, float(y)))
            if overlap <= 0:
                continue
            for s, sh in p.funding_shares.items():
                env.setdefault(s, {})
                env[s][y] = env[s].get(y, 0.0) + factor * p.cost_yuan * sh * overlap / p.planned_years
    if years is not None:
        env = {s: {y: a for y, a in e.items() if y in set(years)} for s, e in env.items()}
    return Funding(env)


# --- readers ------------------------------------------------------------------------------------

def _blank(v: object) -> bool:
    return v is None or (isinstance(v, float) and math.isnan(v)) or (isinstance(v, str) and not v.strip())


def projects_from_frame(df, file: str | None = None, default_shares: dict[str, float] | None = None,
                        investment_column: str = "investment_plan") -> list[Project]:
    """Projects from a projects.csv table (pandas DataFrame, one row per project).

    ``investment_column`` holds yuan (a number, as after the scenario loader) or an amount with a
    unit (``0.2亿元``, or a bare number with the row's ``money_unit``).  A blank ``funding`` cell
    takes ``default_shares`` (e.g. ``Funding.shares()``); with none, it is an error.
    An optional ``priority`` column sets the ``priority`` policy's order (blank = 0).
    """
    out: list[Project] = []
    for i, row in enumerate(df.to_dict("records")):
        line = i + 2
        pid = str(row.get("id", "")).strip()

        def err(fld, msg):
            return InputError(file, fld, msg, row=line)

        if not pid:
            raise err("id", "missing project id")
        raw = row.get(investment_column)
        if _blank(raw) and investment_column != "investment_total":
            raw = row.get("investment_total")
        try:
            if isinstance(raw, (int, float)) and not isinstance(raw, bool) and _blank(row.get("money_unit")):
                cost = float(raw)
                if math.isnan(cost) or cost < 0:
                    raise MoneyError(f"bad amount {raw!r}")
            else:
                unit = row.get("money_unit")
                cost = parse_money(raw, None if _blank(unit) else str(unit))
        except MoneyError as e:
            raise err(investment_column, str(e)) from None
        try:
            start = month_to_year(row.get("start"))
        except ValueError as e:
            raise err("start", str(e)) from None
        try:
            end = month_to_year(row.get("end"), end=True)
        except ValueError as e:
            raise err("end", str(e)) from None
        try:
            shares = parse_shares(row.get("funding"))
        except ValueError as e:
            raise err("funding", str(e)) from None
        if not shares:
            if not default_shares:
                raise err("funding", "no funding shares and no default split given")
            shares = dict(default_shares)
        pr = row.get("priority")
        try:
            priority = 0.0 if _blank(pr) else float(pr)
        except (TypeError, ValueError):
            raise err("priority", f"not a number: {pr!r}") from None
        try:
            out.append(Project(pid, cost, start, end, shares, priority, i, str(row.get("name_zh", "") or "")))
        except ValueError as e:
            raise err("end", str(e)) from None
    return out


def funding_from_frame(df, file: str | None = None) -> Funding:
    """Envelopes from a funding.csv table: ``id, funding_source, name_zh, year, amount, money_unit, ...``."""
    env: dict[str, dict[int, float]] = {}
    for i, row in enumerate(df.to_dict("records")):
        line = i + 2
        src = row.get("funding_source")
        if _blank(src):
            raise InputError(file, "funding_source", "missing funding source", row=line)
        src = str(src).strip()
        try:
            year = int(float(row.get("year")))
        except (TypeError, ValueError):
            raise InputError(file, "year", f"not a year: {row.get('year')!r}", row=line) from None
        unit = row.get("money_unit")
        try:
            amount = parse_money(row.get("amount"), None if _blank(unit) else str(unit))
        except MoneyError as e:
            raise InputError(file, "amount", str(e), row=line) from None
        env.setdefault(src, {})
        env[src][year] = env[src].get(year, 0.0) + amount
    return Funding(env)


def read_funding_csv(path: str | Path) -> Funding:
    import pandas as pd

    return funding_from_frame(pd.read_csv(path, dtype={"amount": str}), file=str(path))


def read_parameter_csv(path: str | Path, params: ParameterSet | None = None) -> ParameterSet:
    """A minimal reader of a parameters-format CSV (for the build-out tables and tests)."""
    import pandas as pd

    df = pd.read_csv(path)
    params = params or ParameterSet()
    for i, row in enumerate(df.to_dict("records")):
        line = i + 2
        pid = str(row.get("id", "")).strip()
        if not pid:
            raise InputError(str(path), "id", "missing parameter id", row=line)
        dist = "fixed" if _blank(row.get("distribution")) else str(row["distribution"]).strip()
        if dist not in DISTRIBUTIONS:
            raise InputError(str(path), "distribution", f"unknown distribution {dist!r}", row=line)

        def num(col):
            v = row.get(col)
            if _blank(v):
                return None
            try:
                return float(v)
            except (TypeError, ValueError):
                raise InputError(str(path), col, f"not a number: {v!r}", row=line) from None

        value = num("value")
        if value is None:
            raise InputError(str(path), "value", "missing value", row=line)
        low, high = num("low"), num("high")
        if dist != "fixed" and (low is None or high is None or not low <= value <= high and dist == "triangular"):
            raise InputError(str(path), "low", f"{dist} needs low <= value <= high", row=line)
        params.specs[pid] = ParamSpec(
            id=pid, value=value, unit="" if _blank(row.get("unit")) else str(row["unit"]), distribution=dist,
            low=low, high=high,
            valid_from=None if num("valid_from") is None else int(num("valid_from")),
            valid_to=None if num("valid_to") is None else int(num("valid_to")),
            confidence="" if _blank(row.get("confidence")) else str(row["confidence"]),
            source="" if _blank(row.get("source")) else str(row["source"]),
            note="" if _blank(row.get("note")) else str(row["note"]),
        )
    return params
