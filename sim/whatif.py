"""Budget-officer what-ifs as a few lines of YAML instead of edited tables.

``what_if`` in a scenario (usually a variant that ``extends`` the base) scales or delays the money
and shifts projects' planned dates:

    what_if:
      funding_scale: {all: 0.7}            # every envelope x 0.7; or per source: {county: 0.5}
      funding_delay_years: {county: 1}     # that source's tranches arrive one year later
      project_delay_months: {P02_01: 12}   # planned start and end 12 months later; {all: 6} for every project

Applied after patches, so the result is an ordinary scenario: tables in yuan and fractional years.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .errors import InputError

KEYS = ("funding_scale", "funding_delay_years", "project_delay_months")


def _mapping(path: Path, key: str, value: Any, known: set[str], what: str) -> dict[str, float]:
    if not isinstance(value, dict) or not value:
        raise InputError(path, f"what_if.{key}", "give a mapping like {all: 0.7} or {county: 0.5}")
    out: dict[str, float] = {}
    for name, v in value.items():
        name = str(name)
        if name != "all" and name not in known:
            raise InputError(path, f"what_if.{key}.{name}", f"unknown {what} {name!r} (known: all, {', '.join(sorted(known))})")
        if isinstance(v, bool) or not isinstance(v, (int, float)):
            raise InputError(path, f"what_if.{key}.{name}", f"must be a number, got {v!r}")
        out[name] = float(v)
    return out


def apply_what_if(tables: dict[str, list], what_if: Any, path: Path) -> dict[str, list]:
    if what_if is None:
        return tables
    if not isinstance(what_if, dict):
        raise InputError(path, "what_if", f"must be a mapping with keys {', '.join(KEYS)}")
    unknown = set(what_if) - set(KEYS)
    if unknown:
        raise InputError(path, f"what_if.{sorted(unknown)[0]}", f"unknown what-if (known: {', '.join(KEYS)})")
    tables = dict(tables)
    funding = tables.get("funding", [])
    sources = {f.funding_source for f in funding}
    if "funding_scale" in what_if:
        scale = _mapping(path, "funding_scale", what_if["funding_scale"], sources, "funding source")
        if any(v < 0 for v in scale.values()):
            raise InputError(path, "what_if.funding_scale", "a scale factor must be >= 0")
        funding = [f.model_copy(update={"amount": f.amount * scale.get(f.funding_source, scale.get("all", 1.0))})
                   for f in funding]
    if "funding_delay_years" in what_if:
        delay = _mapping(path, "funding_delay_years", what_if["funding_delay_years"], sources, "funding source")
        if any(v != int(v) for v in delay.values()):
            raise InputError(path, "what_if.funding_delay_years", "delays are whole years")
        funding = [f.model_copy(update={"year": f.year + int(delay.get(f.funding_source, delay.get("all", 0)))})
                   for f in funding]
    tables["funding"] = funding
    if "project_delay_months" in what_if:
        projects = tables["projects"]
        shift = _mapping(path, "project_delay_months", what_if["project_delay_months"], {p.id for p in projects}, "project")
        tables["projects"] = [p.model_copy(update={"start": p.start + d / 12.0, "end": p.end + d / 12.0})
                              for p in projects for d in [shift.get(p.id, shift.get("all", 0.0))]]
    return tables
