"""From simulated quantities to the plan's indicators: distribution per year, probability each target
is met (with a confidence interval), expected shortfall and year of attainment."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

OPS = {
    ">=": np.greater_equal, ">": np.greater, "<=": np.less_equal, "<": np.less,
    "==": lambda a, b: np.isclose(a, b),
}
# Relative tolerance when comparing with the target: a share computed as 54.9999999 is 55.
_TOL = 1e-9


def met(values: np.ndarray, comparator: str, target: float) -> np.ndarray:
    """Bool array: the target holds.  NaN values (quantity undefined) are not met."""
    slack = _TOL * max(1.0, abs(target))
    if comparator in (">=", ">"):
        shifted = values + slack if comparator == ">=" else values
    elif comparator in ("<=", "<"):
        shifted = values - slack if comparator == "<=" else values
    else:
        shifted = values
    with np.errstate(invalid="ignore"):
        return OPS[comparator](shifted, target) & ~np.isnan(values)


def shortfall(values: np.ndarray, comparator: str, target: float) -> np.ndarray:
    """How far each value falls short of the target (0 when met), in the target's unit."""
    if comparator in (">=", ">"):
        return np.maximum(0.0, target - values)
    if comparator in ("<=", "<"):
        return np.maximum(0.0, values - target)
    return np.abs(values - target)


def wilson(successes: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score 95% interval for a proportion (sensible at p = 0 or 1, unlike the normal one)."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    return (max(0.0, centre - half), min(1.0, centre + half))


def verdict(p_met: float, kind: str) -> str:
    if kind == "tracked":
        return "tracked (not simulated)"
    if math.isnan(p_met):
        return "undefined"
    if p_met >= 0.9:
        return "likely met"
    if p_met >= 0.5:
        return "at risk"
    if p_met > 0.1:
        return "likely missed"
    return "missed"


def indicator_table(scenario, quantities: dict[str, np.ndarray], years: np.ndarray) -> pd.DataFrame:
    """Long table: one row per target and year (base year to horizon)."""
    monitoring = {(m.target, m.year): m.value for m in scenario.rows("monitoring")}
    rows = []
    for t in scenario.rows("targets"):
        for j, year in enumerate(years):
            row = {"scenario": scenario.id, "indicator_id": t.id, "name": t.name_zh, "unit": t.unit,
                   "year": int(year), "target_year": t.year, "target": t.value,
                   "target_text": t.value_text, "comparator": t.comparator, "binding": t.binding,
                   "simulated": t.kind == "computed", "quantity": t.quantity,
                   "observed": monitoring.get((t.id, int(year)))}
            if t.kind == "computed":
                v = quantities[t.quantity][:, j]
                finite = v[~np.isnan(v)]
                n = len(v)
                ok = met(v, t.comparator, t.value)
                lo, hi = wilson(float(ok.sum()), n)
                row.update({
                    "mean": float(finite.mean()) if len(finite) else math.nan,
                    "p10": float(np.percentile(finite, 10)) if len(finite) else math.nan,
                    "p50": float(np.percentile(finite, 50)) if len(finite) else math.nan,
                    "p90": float(np.percentile(finite, 90)) if len(finite) else math.nan,
                    "p_met": float(ok.mean()) if len(finite) else math.nan,
                    "p_met_low": lo if len(finite) else math.nan,
                    "p_met_high": hi if len(finite) else math.nan,
                    "expected_shortfall": float(np.nanmean(shortfall(v, t.comparator, t.value))) if len(finite) else math.nan,
                })
            rows.append(row)
    return pd.DataFrame(rows)


def attainment_years(values: np.ndarray, comparator: str, target: float, years: np.ndarray) -> np.ndarray:
    """(R,) first year from which the target holds in every later year; NaN if not by the horizon."""
    ok = met(values, comparator, target)                      # (R, Y)
    holds_after = np.flip(np.logical_and.accumulate(np.flip(ok, axis=1), axis=1), axis=1)
    first = np.argmax(holds_after, axis=1)
    return np.where(holds_after.any(axis=1), np.asarray(years, dtype=float)[first], np.nan)


def target_summary(scenario, quantities: dict[str, np.ndarray], years: np.ndarray, table: pd.DataFrame) -> list[dict]:
    """One record per target, judged in its own year: what a planner reads first."""
    out = []
    for t in scenario.rows("targets"):
        rec = {"id": t.id, "name": t.name_zh, "unit": t.unit, "year": t.year, "comparator": t.comparator,
               "target": t.value, "target_text": t.value_text, "binding": t.binding, "kind": t.kind,
               "quantity": t.quantity, "source": t.source}
        at = table[(table.indicator_id == t.id) & (table.year == t.year)].iloc[0]
        if t.kind == "computed":
            v = quantities[t.quantity]
            att = attainment_years(v, t.comparator, t.value, years)
            rec.update({k: _num(at[k]) for k in ("mean", "p10", "p50", "p90", "p_met", "p_met_low", "p_met_high",
                                                 "expected_shortfall")})
            rec["attainment_year_p50"] = _num(np.nanmedian(att)) if np.isfinite(att).any() else None
            rec["p_attained_by_horizon"] = float(np.isfinite(att).mean())
        else:
            rec["observed"] = _num(at["observed"])
        rec["verdict"] = verdict(rec.get("p_met", math.nan) if rec.get("p_met") is not None else math.nan, t.kind)
        out.append(rec)
    return out


def _num(x) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x
