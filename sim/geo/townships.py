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
import warnings

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
    groups = getattr(ctx, "groups", None)
    if groups:   # a county's unsited facilities stay in its own townships (docs/regions.md)
        return _grouped_coverage(ctx, mask, measure, covered, extra, groups)
    free = (covered == 0).sum(axis=1)                             # (R, Y) townships not covered
    per_free = np.divide(extra, free, out=np.zeros_like(extra), where=free > 0)
    return np.where(covered > 0, 1.0, per_free[:, None, :])


def _grouped_coverage(ctx, mask, measure, covered, extra, groups) -> np.ndarray:
    """Coverage of a region of several counties: the facilities sited at a county id (beyond its seat)
    are an even share of that county's uncovered townships; those sited at the region id an even share
    of the region's uncovered townships (capped at 1).  Sums to the region coverage when nothing caps."""
    m = mask.copy()
    if measure is not None:
        m &= ctx.clean_items.measures[measure] > 0
    unit_of = np.asarray(ctx.clean_items.unit, dtype=str)
    out = np.where(covered > 0, 1.0, 0.0)
    free = covered == 0                                            # (R, U, Y)
    for g, (a, b, seat) in groups.items():
        gm = m & (unit_of == g)
        if not gm.any():
            continue
        n = ctx.facility_count(gm)
        if seat is not None:
            n = np.maximum(n - 1, 0)
        free_g = free[:, a:b].sum(axis=1)
        e = np.minimum(n, free_g)
        per = np.divide(e, free_g, out=np.zeros_like(e, dtype=float), where=free_g > 0)
        out[:, a:b] = np.where(free[:, a:b], out[:, a:b] + per[:, None, :], out[:, a:b])
        extra = extra - e
    n_free = free.sum(axis=1)
    per_free = np.divide(extra, n_free, out=np.zeros_like(extra), where=n_free > 0)
    return np.minimum(np.where(free, out + np.maximum(per_free, 0.0)[:, None, :], out), 1.0)


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
    from ..output_tables import replication_stats

    names = {u.id: u.name_zh for u in scenario.rows("units")}
    parts = []
    U, Y = len(units), len(years)
    unit_col = np.repeat(np.asarray(units, dtype=object), Y)
    tname = np.asarray([names.get(u, u) for u in unit_col], dtype=object)
    for t in scenario.rows("targets"):
        key = COVERAGE_QUANTITY.get(t.quantity or "")
        if t.kind != "computed" or key is None:
            continue
        cov = tq[f"cover_{key}"]                                  # (R, U, Y)
        R = cov.shape[0]
        est = interval_kind(R, randomness)
        blocks = [(replication_stats(cov[:, b:b + BLOCK]), replication_stats(1.0 - cov[:, b:b + BLOCK], ())[0],
                   np.ascontiguousarray(np.moveaxis(cov[:, b:b + BLOCK], 0, -1)).sum(axis=-1))
                  for b in range(0, U, BLOCK)]                    # per township and year, a block at a time
        mean = np.concatenate([m for (m, _), _, _ in blocks])
        pc = np.concatenate([p for (_, p), _, _ in blocks], axis=1)
        shortfall = np.concatenate([x for _, x, _ in blocks])
        sums = np.concatenate([x for _, _, x in blocks]).ravel()
        del blocks
        ci = [wilson(float(x), R) if est == "wilson95" else (math.nan, math.nan) for x in sums]
        p = mean.ravel()
        parts.append(pd.DataFrame({
            "scenario": scenario.id, "indicator_id": [f"{t.id}:{u}" for u in unit_col],
            "name": [f"{t.name_zh}｜{n}（乡镇是否覆盖）" for n in tname], "unit": "share of replications",
            "year": np.tile(np.asarray(years, dtype=np.int64), U), "target_year": t.year, "target": 1.0,
            "target_text": None, "comparator": ">=", "binding": t.binding, "simulated": True,
            "quantity": f"cover_{key}", "observed": None, "mean": p, "p10": pc[0].ravel(), "p50": pc[1].ravel(),
            "p90": pc[2].ravel(), "p_met": p, "p_met_low": [c[0] for c in ci], "p_met_high": [c[1] for c in ci],
            "expected_shortfall": shortfall.ravel(), "level": "township", "township": unit_col,
            "township_name": tname, "parent_indicator": t.id,
        }))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()


def township_table(scenario, tq: dict[str, np.ndarray], years: np.ndarray, units: list[str]) -> pd.DataFrame:
    """``townships.csv``: per township and year, means over replications of every per-township
    quantity (``p_cover_<service>`` = P(covered)), with p10/p90 (order statistics) of the ratios; a
    ratio whose denominator is 0 in every replication is blank."""
    names = {u.id: u.name_zh for u in scenario.rows("units")}
    U, Y = len(units), len(years)
    unit_col = np.repeat(np.asarray(units, dtype=object), Y)
    cols = {"scenario": scenario.id, "unit": unit_col,
            "name_zh": np.asarray([names.get(u, u) for u in unit_col], dtype=object),
            "year": np.tile(np.asarray(years, dtype=np.int64), U)}
    for k, arr in tq.items():
        parts = [_township_stats(arr[:, b:b + BLOCK], k) for b in range(0, U, BLOCK)]   # bounded memory
        for name in parts[0]:
            cols[name] = np.concatenate([p[name] for p in parts])
    return pd.DataFrame(cols, index=pd.RangeIndex(U * Y))


BLOCK = 256   # townships summarised at a time: a province's (R, U, Y) float64 copy would be 256 MB


def _township_stats(arr: np.ndarray, k: str) -> dict[str, np.ndarray]:
    """The ``townships.csv`` columns of quantity ``k`` for the townships of ``arr`` (R, u, Y)."""
    t = np.ascontiguousarray(np.moveaxis(np.asarray(arr, dtype=float), 0, -1))     # (u, Y, R)
    fin = np.isfinite(t)
    with warnings.catch_warnings(), np.errstate(invalid="ignore", divide="ignore"):
        warnings.simplefilter("ignore", RuntimeWarning)      # all-NaN cells: blank below
        m = np.nanmean(t, axis=-1)
    out = {f"p_{k}" if k.startswith("cover_") else k: np.where(fin.any(axis=-1), m, math.nan).ravel()}
    if k in ("beds_per_1000_older", "nursing_beds_per_100_disabled"):
        p10, p90 = _finite_percentiles(t, fin)
        out[f"{k}_p10"], out[f"{k}_p90"] = p10.ravel(), p90.ravel()
    return out


def _finite_percentiles(t: np.ndarray, fin: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """p10 and p90 (order statistics) over the last axis of ``t`` of its finite values only (NaN
    where none): cells are grouped by their number of finite values n, the finite values sorted
    first, and each group's first n values passed to one ``percentile`` call."""
    flat = t.reshape(-1, t.shape[-1])
    ok = fin.reshape(flat.shape)
    n = ok.sum(axis=1)
    srt = np.sort(np.where(ok, flat, np.inf), axis=1)
    out = np.full((2, flat.shape[0]), math.nan)
    for k in np.unique(n[n > 0]):
        rows = np.nonzero(n == k)[0]
        out[:, rows] = percentile(srt[rows, :k], [10, 90], axis=1)
    return out[0].reshape(t.shape[:2]), out[1].reshape(t.shape[:2])
