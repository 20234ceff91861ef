"""Read a parameters.csv-format table (docs/scenario-format.md) into a ParameterSet.

The scenario loader (sim/loader.py) does this for whole scenarios; this small reader lets the
population model and its tests use scenarios/tongdao/demography.csv on its own.
"""

from __future__ import annotations

import csv
from pathlib import Path

from ..errors import InputError
from ..parameters import DISTRIBUTIONS, ParameterSet, ParamSpec


def _num(s: str | None) -> float | None:
    s = (s or "").strip()
    return float(s) if s else None


def read_parameters(*paths: str | Path) -> ParameterSet:
    specs: dict[str, ParamSpec] = {}
    for path in paths:
        with open(path, encoding="utf-8-sig", newline="") as f:
            for line, row in enumerate(csv.DictReader(f), start=2):
                try:
                    dist = (row.get("distribution") or "fixed").strip()
                    if dist not in DISTRIBUTIONS:
                        raise ValueError(f"unknown distribution {dist!r}")
                    vf, vt = _num(row.get("valid_from")), _num(row.get("valid_to"))
                    specs[row["id"].strip()] = ParamSpec(
                        id=row["id"].strip(), value=float(row["value"]), unit=row.get("unit") or "",
                        distribution=dist, low=_num(row.get("low")), high=_num(row.get("high")),
                        valid_from=int(vf) if vf is not None else None, valid_to=int(vt) if vt is not None else None,
                        confidence=row.get("confidence") or "", source=row.get("source") or "",
                        note=row.get("note") or "")
                except (ValueError, KeyError) as e:
                    raise InputError(str(path), "value", str(e), row=line) from None
    return ParameterSet(specs)
