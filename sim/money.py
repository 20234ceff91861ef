"""Money with explicit units.  Internally every amount is in yuan (元) as a float.

Plans mix 元, 万元 (1e4) and 亿元 (1e8); a number without its unit is ambiguous by a factor of
ten thousand, so the loader refuses it.
"""

from __future__ import annotations

import re

UNIT_FACTORS: dict[str, float] = {
    "元": 1.0,
    "yuan": 1.0,
    "万元": 1e4,
    "wan": 1e4,
    "万": 1e4,
    "亿元": 1e8,
    "yi": 1e8,
    "亿": 1e8,
}

_AMOUNT = re.compile(r"^\s*(-?[0-9]+(?:\.[0-9]+)?(?:[eE][-+]?[0-9]+)?)\s*([^\s0-9.\-+]*)\s*$")


class MoneyError(ValueError):
    """A money cell that cannot be read; the loader adds file, row and field."""


def unit_factor(unit: str) -> float:
    """Yuan per one of ``unit``; raises MoneyError for an unknown unit."""
    key = unit.strip()
    if key not in UNIT_FACTORS:
        known = ", ".join(sorted(UNIT_FACTORS))
        raise MoneyError(f"unknown money unit {unit!r} (use one of: {known})")
    return UNIT_FACTORS[key]


def parse_money(value: object, default_unit: str | None = None) -> float:
    """Return the amount in yuan.

    ``value`` is a number or a string such as ``"0.2亿元"`` or ``"960 万元"``.  A bare number takes
    ``default_unit`` (e.g. the row's ``money_unit`` column); with neither, it is an error.  A string
    whose own unit differs from ``default_unit`` is an error too (mixed units in one row).
    Negative amounts are refused: investment and envelopes are never negative.
    """
    if value is None or (isinstance(value, float) and value != value):
        raise MoneyError("missing amount")
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        number, unit = float(value), ""
    else:
        m = _AMOUNT.match(str(value))
        if not m:
            raise MoneyError(f"not an amount of money: {value!r}")
        number, unit = float(m.group(1)), m.group(2)
    if unit and default_unit and unit_factor(unit) != unit_factor(default_unit):
        raise MoneyError(f"mixed money units: {value!r} in a row whose money_unit is {default_unit!r}")
    unit = unit or default_unit or ""
    if not unit:
        raise MoneyError(f"money without a unit: {value!r} (write e.g. 0.2亿元 or set money_unit)")
    if number < 0:
        raise MoneyError(f"negative amount: {value!r}")
    return number * unit_factor(unit)


def format_yi(yuan: float) -> str:
    """Yuan as 亿元 with two decimals, the way the plans print totals."""
    return f"{yuan / 1e8:.2f}亿元"
