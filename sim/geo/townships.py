"""Per-township quantities: which services each township has, and supply against demand.

Arrays are (R, U, Y): replications, townships (``ctx.units``), years.

Coverage.  A township is covered by a service when an item of that service sited in it is online
(``ServiceContext.unit_coverage``, the same rule and the same masks as the county coverage quantities).
Items sited at the county unit cover the seat township and, when they stand for n > 1 facilities,
n - 1 further townships the plan does not name.  Those unnamed facilities are spread evenly over the
townships not otherwise covered (assumption: any of them is equally likely), so a township's coverage
in one replication is 1, 0, or that fraction, and the sum over townships equals the county coverage
indicator times the number of townships in every replication (tested).  P(covered) is the mean over
replications.

Supply against demand, per township (items sited in that township only; county-level items such as
the 7 county-wide day-care centres of Tongdao are not in any township and are reported at county level):
institution beds per 1,000 people aged 60+, nursing beds per 100 older people who are 失能, and the
bed demand of the eldercare model (``sim.services.eldercare.bed_demand``).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ..indicators import interval_kind, percentile, wilson
from ..services.common import ratio
from ..services.context import ServiceContext
from ..services.eldercare import COMPREHENSIVE_TAGS, ELDERCARE_BED_TYPES, INSTITUTION_TYPES, bed_demand

# service key -> (county quantity it adds up to, label, mask builder, measure that must be > 0)
SERVICES = {
    "comprehensive_care": ("township_comprehensive_care_coverage", "具备综合功能的养老服务机构",
                           lambda c: c.mask(INSTITUTION_TYPES, functions=COMPREHENSIVE_TAGS), "beds"),
    "day_care": ("day_care_coverage", "日间照料", lambda c: c.mask(("day_care_center", "community_care_center")), None),
    "funeral_station_or_cemetery": ("township_public_cemetery_coverage", "殡仪服务站或公益性公墓",
                                    lambda c: c.mask(("public_cemetery", "funeral_service_station")), None),
    "minor_protection": ("minor_protection_station_coverage", "未成年人保护工作站",
                         lambda c: c.mask("minor_protection_station"), None),
    "social_work": ("social_work_station_coverage", "社工站", lambda c: c.mask("social_work_station"), None),
}
COVERAGE_QUANTITY = {q: key for key, (q, *_rest) in SERVICES.items()}


def township_coverage(ctx: ServiceContext, mask: np.ndarray, measure: str | None = None) -> np.ndarray:
    """(R, U, Y) coverage in [0, 1]: 1 if an item of the mask is online in the township, else the
    township's even share of the county-level facilities not assigned to a named township."""
    covered, share = ctx.unit_coverage(mask, measure)
    covered = covered.astype(float)
    extra = share * ctx.U - covered.sum(axis=1)                   # (R, Y) unassigned facilities
    free = (covered == 0).sum(axis=1)                             # (R, Y) townships not covered
    per_free = np.divide(extra, free, out=np.zeros_like(extra), where=free > 0)
    return np.where(covered > 0, 1.0, per_free[:, None, :])


def township_quantities(ctx: ServiceContext) -> dict[str, np.ndarray]:
    """Every per-township array, (R, U, Y) float.  Keys: ``cover_<service>`` for each of ``SERVICES``,
    ``older`` (60+), ``disabled`` (失能 older people), ``beds`` (institution beds), ``beds_nursing``,
    ``eldercare_beds`` (institutions + day care sited in the township), ``bed_demand``,
    ``nursing_bed_demand``, ``beds_per_1000_older``, ``nursing_beds_per_100_disabled``."""
    out: dict[str, np.ndarray] = {}
    for key, (_, _, mask, measure) in SERVICES.items():
        out[f"cover_{key}"] = township_coverage(ctx, mask(ctx), measure)
    inst = ctx.mask(INSTITUTION_TYPES)
    out["older"] = ctx.older
    out["disabled"] = ctx.disabled
    out["beds"] = ctx.by_unit("beds", inst)
    out["beds_nursing"] = ctx.by_unit("beds_nursing", inst)
    out["eldercare_beds"] = ctx.by_unit("beds", ctx.mask(ELDERCARE_BED_TYPES))
    demand, nursing_demand = bed_demand(ctx)
    out["bed_demand"] = demand
    out["nursing_bed_demand"] = nursing_demand
    out["beds_per_1000_older"] = ratio(out["beds"], out["older"], 1000.0)
    out["nursing_beds_per_100_disabled"] = ratio(out["beds_nursing"], out["disabled"], 100.0)
    return {k: np.asarray(v, dtype=float) for k, v in out.items()}


def township_indicator_rows(scenario, tq: dict[str, np.ndarray], years: np.ndarray, units: list[str],
                            randomness: bool = True) -> pd.DataFrame:
    """Per-township rows for ``indicators.csv``: for every target whose quantity is a township
    coverage, one row per township and year with P(township covered by the end of that year).

    Columns are those of the county rows plus ``level`` ('township'), ``township``, ``township_name``
    and ``parent_indicator``; ``indicator_id`` = ``<target id>:<township id>``; ``unit`` = 'share of
    replications'; ``target`` = 1 (covered) with comparator '>='; ``mean`` = ``p_met`` = P(covered)
    (a replication whose coverage is an even-share fraction counts that fraction); p10/p50/p90 are
    those of the per-replication coverage; the Wilson interval only where ``interval_kind`` says
    'wilson95' (several random replications), as for the county rows.
    """
    names = {u.id: u.name_zh for u in scenario.rows("units")}
    rows = []
    for t in scenario.rows("targets"):
        key = COVERAGE_QUANTITY.get(t.quantity or "")
        if t.kind != "computed" or key is None:
            continue
        cov = tq[f"cover_{key}"]                                  # (R, U, Y)
        R = cov.shape[0]
        est = interval_kind(R, randomness)
        for u, unit in enumerate(units):
            for j, year in enumerate(years):
                v = cov[:, u, j]
                p = float(v.mean())
                lo, hi = wilson(float(v.sum()), R) if est == "wilson95" else (math.nan, math.nan)
                rows.append({
                    "scenario": scenario.id, "indicator_id": f"{t.id}:{unit}",
                    "name": f"{t.name_zh}｜{names.get(unit, unit)}（乡镇是否覆盖）", "unit": "share of replications",
                    "year": int(year), "target_year": t.year, "target": 1.0, "target_text": None,
                    "comparator": ">=", "binding": t.binding, "simulated": True, "quantity": f"cover_{key}",
                    "observed": None, "mean": p, "p10": float(percentile(v, 10)),
                    "p50": float(percentile(v, 50)), "p90": float(percentile(v, 90)),
                    "p_met": p, "p_met_low": lo, "p_met_high": hi, "expected_shortfall": float(np.mean(1.0 - v)),
                    "level": "township", "township": unit, "township_name": names.get(unit, unit),
                    "parent_indicator": t.id,
                })
    return pd.DataFrame(rows)


def township_table(scenario, tq: dict[str, np.ndarray], years: np.ndarray, units: list[str]) -> pd.DataFrame:
    """``townships.csv``: per township and year, means over replications of every per-township
    quantity (``p_cover_<service>`` = P(covered)), with p10/p90 (order statistics) of the ratios; a
    ratio whose denominator is 0 in every replication is blank."""
    names = {u.id: u.name_zh for u in scenario.rows("units")}
    rows = []
    for u, unit in enumerate(units):
        for j, year in enumerate(years):
            row = {"scenario": scenario.id, "unit": unit, "name_zh": names.get(unit, unit), "year": int(year)}
            for k, arr in tq.items():
                v = arr[:, u, j]
                col = f"p_{k}" if k.startswith("cover_") else k
                row[col] = float(np.nanmean(v)) if np.isfinite(v).any() else math.nan
                if k in ("beds_per_1000_older", "nursing_beds_per_100_disabled"):
                    f = v[np.isfinite(v)]
                    row[f"{k}_p10"] = float(percentile(f, 10)) if len(f) else math.nan
                    row[f"{k}_p90"] = float(percentile(f, 90)) if len(f) else math.nan
            rows.append(row)
    return pd.DataFrame(rows)
