"""From simulated quantities to the plan's indicators: distribution per year, probability each target
is met (with a confidence interval), expected shortfall and year of attainment.

Conventions (stated in the README's column table):

* percentiles p10 / p50 / p90 are order statistics, ``numpy.quantile(..., method="inverted_cdf")``:
  always the value of an actual replication, so a count (beds, homes, stations) is a count that can
  occur, never an interpolation between two replications;
* ``p_met`` carries a 95 % Wilson interval only when it is an estimate from several random
  replications; a deterministic run or a single replication has no interval and its verdict says
  "on plan" / "in 1 replication" instead of a probability word;
* a replication that never attains a target by the horizon counts as attaining it *after* the
  horizon (+inf) in ``attainment_year_p50``; a target whose quantity is undefined (NaN in every
  replication and year) has no attainment figures.
"""

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


PERCENTILE_METHOD = "inverted_cdf"


def percentile(values: np.ndarray, q: float, axis=None):
    """The q-th percentile (0-100) as an order statistic (numpy ``inverted_cdf``): a value that occurred."""
    return np.percentile(values, q, axis=axis, method=PERCENTILE_METHOD)


def wilson(successes: float, n: int, z: float = 1.959964) -> tuple[float, float]:
    """Wilson score 95% interval for a proportion (sensible at p = 0 or 1, unlike the normal one).

    Source: E. B. Wilson (1927), JASA 22:209.  The bounds are exactly 0 when no replication
    succeeds and exactly 1 when all do (the formula gives them up to rounding)."""
    if n == 0:
        return (math.nan, math.nan)
    p = successes / n
    denom = 1 + z * z / n
    centre = (p + z * z / (2 * n)) / denom
    half = z * math.sqrt(p * (1 - p) / n + z * z / (4 * n * n)) / denom
    lo = 0.0 if successes <= 0 else max(0.0, centre - half)
    hi = 1.0 if successes >= n else min(1.0, centre + half)
    return (lo, hi)


def interval_kind(replications: int, randomness: bool) -> str | None:
    """How ``p_met`` was obtained: ``"wilson95"`` for an estimate from several random replications,
    ``"deterministic"`` / ``"single replication"`` when no interval applies."""
    if not randomness:
        return "deterministic"
    if replications <= 1:
        return "single replication"
    return "wilson95"


def verdict(p_met: float, kind: str, estimate: str = "wilson95") -> str:
    """Verdict words.  ``estimate`` (from :func:`interval_kind`) decides whether probability words
    apply: a deterministic run is "met on plan" / "missed on plan", one random replication is
    "met in 1 replication" / "missed in 1 replication"."""
    if kind == "tracked":
        return "tracked (not simulated)"
    if math.isnan(p_met):
        return "undefined"
    if estimate == "deterministic":
        return "met on plan" if p_met >= 1.0 else "missed on plan"
    if estimate == "single replication":
        return "met in 1 replication" if p_met >= 1.0 else "missed in 1 replication"
    if p_met >= 0.9:
        return "likely met"
    if p_met >= 0.5:
        return "at risk"
    if p_met > 0.1:
        return "likely missed"
    return "missed"


def indicator_table(scenario, quantities: dict[str, np.ndarray], years: np.ndarray,
                    randomness: bool = True) -> pd.DataFrame:
    """Long table: one row per target and year (base year to horizon).

    ``quantities``: name -> (R, Y) float.  Percentiles over the replications where the quantity is
    defined (order statistics, see ``PERCENTILE_METHOD``); ``p_met`` over all replications (an
    undefined value is not met); ``p_met_low`` / ``p_met_high`` blank unless ``interval_kind`` is
    ``wilson95``.  ±inf values (e.g. a utilisation with no capacity) are kept out of the mean.
    """
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
                row.update(_stats(quantities[t.quantity][:, j], t.comparator, t.value, randomness))
            rows.append(row)
    return pd.DataFrame(rows)


def _stats(v: np.ndarray, comparator: str, target: float, randomness: bool) -> dict:
    defined = v[~np.isnan(v)]
    finite = defined[np.isfinite(defined)]
    n = len(v)
    if not len(defined):
        return {k: math.nan for k in ("mean", "p10", "p50", "p90", "p_met", "p_met_low", "p_met_high",
                                      "expected_shortfall")}
    ok = met(v, comparator, target)
    est = interval_kind(n, randomness)
    lo, hi = wilson(float(ok.sum()), n) if est == "wilson95" else (math.nan, math.nan)
    return {
        "mean": float(finite.mean()) if len(finite) == len(defined) else math.nan,
        "p10": _finite(percentile(defined, 10)), "p50": _finite(percentile(defined, 50)),
        "p90": _finite(percentile(defined, 90)),
        "p_met": float(ok.mean()), "p_met_low": lo, "p_met_high": hi,
        "expected_shortfall": _finite(np.nanmean(shortfall(v, comparator, target))),
    }


def _finite(x) -> float:
    x = float(x)
    return x if math.isfinite(x) else math.nan


def attainment_years(values: np.ndarray, comparator: str, target: float, years: np.ndarray) -> np.ndarray:
    """(R,) first year from which the target holds in every later year; NaN if not by the horizon."""
    ok = met(values, comparator, target)                      # (R, Y)
    holds_after = np.flip(np.logical_and.accumulate(np.flip(ok, axis=1), axis=1), axis=1)
    first = np.argmax(holds_after, axis=1)
    return np.where(holds_after.any(axis=1), np.asarray(years, dtype=float)[first], np.nan)


def target_summary(scenario, quantities: dict[str, np.ndarray], years: np.ndarray, table: pd.DataFrame,
                   randomness: bool = True) -> list[dict]:
    """One record per target, judged in its own year: what a planner reads first.

    ``attainment_year_p50``: the median (order statistic) over *all* replications of the first year
    from which the target keeps holding, a replication that never attains it counting as later than
    the horizon; None when that median replication has not attained it by the horizon
    (``attained_p50_after_horizon`` is then true).  Undefined targets have no attainment figures.
    """
    out = []
    for t in scenario.rows("targets"):
        rec = {"id": t.id, "name": t.name_zh, "unit": t.unit, "year": t.year, "comparator": t.comparator,
               "target": t.value, "target_text": t.value_text, "binding": t.binding, "kind": t.kind,
               "quantity": t.quantity, "source": t.source, "basis": getattr(t, "basis", None)}
        at = table[(table.indicator_id == t.id) & (table.year == t.year)].iloc[0]
        est = None
        if t.kind == "computed":
            v = quantities[t.quantity]
            est = interval_kind(v.shape[0], randomness)
            rec.update({k: _num(at[k]) for k in ("mean", "p10", "p50", "p90", "p_met", "p_met_low", "p_met_high",
                                                 "expected_shortfall")})
            rec["p_met_interval"] = est if est == "wilson95" else None
            rec.update(attainment(v, t.comparator, t.value, years))
        else:
            rec["observed"] = _num(at["observed"])
        p = rec.get("p_met")
        rec["verdict"] = verdict(math.nan if p is None else p, t.kind, est or "wilson95")
        out.append(rec)
    return out


def attainment(values: np.ndarray, comparator: str, target: float, years: np.ndarray) -> dict:
    """``attainment_year_p50``, ``attained_p50_after_horizon``, ``p_attained_by_horizon`` for (R, Y) values;
    all None when the quantity is undefined in every replication and year."""
    if np.isnan(values).all():
        return {"attainment_year_p50": None, "attained_p50_after_horizon": None, "p_attained_by_horizon": None}
    att = attainment_years(values, comparator, target, years)
    att = np.where(np.isnan(att), np.inf, att)               # never attained: later than the horizon
    med = float(percentile(att, 50))
    return {"attainment_year_p50": int(med) if math.isfinite(med) else None,
            "attained_p50_after_horizon": not math.isfinite(med),
            "p_attained_by_horizon": float(np.isfinite(att).mean())}


def _num(x) -> float | None:
    try:
        x = float(x)
    except (TypeError, ValueError):
        return None
    return None if math.isnan(x) else x
