"""The published tables of a results folder: columns that say what they hold, in stated units.

Every column of every file is listed with its unit in the README ("Output files and columns"); a
test checks the table against the files in both directions.  Conventions:

* dates are ``YYYY-MM`` (the month in which an instant falls; an end at 2026.0, the last instant of
  December 2025, is ``2025-12``); a date beyond the horizon reads ``after <horizon>``;
* money in yuan (``_yuan``) and in 万元 (``_wan``, 1 万元 = 10,000 yuan);
* p10 / p50 / p90 are order statistics (``numpy.percentile(..., method="inverted_cdf")``): the value
  of an actual replication, so a count is a count that can occur;
* no ``inf`` or ``NaN`` where a number is expected: an undefined figure is a blank cell, with a
  column saying why where it is not obvious (``utilisation_note``);
* admin-unit tables carry ``scenario``, ``unit``, ``name_zh`` and a row for the whole region
  (``unit`` = the region's id) beside its townships;
* age bands are written ``05-09岁`` (a bare ``5-9`` becomes a date in Excel).
"""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from .indicators import PERCENTILE_METHOD, percentile

WAN = 10_000.0   # yuan per 万元

# Units of the capacity table's measures
MEASURE_UNITS = {
    "beds": "beds (张)", "beds_nursing": "nursing-type beds (张)", "plots": "cemetery plots (个)",
    "area_m2": "m²", "cremations_per_peak_day": "cremations per day (peak season)",
    "cases_per_year": "cases per year", "households": "households", "staff": "persons", "count": "facilities",
}
# Measures that are counts of whole things: their capacity percentiles are whole numbers
COUNT_MEASURES = ("beds", "beds_nursing", "plots", "households", "staff", "count")


# ----------------------------------------------------------------------------------- dates
def start_month(t: float) -> str:
    """A start instant as ``YYYY-MM`` (2021.0 = 1 January 2021 -> ``2021-01``)."""
    if not math.isfinite(t):
        return ""
    y = math.floor(t + 1e-9)
    m = min(12, int(math.floor((t - y) * 12 + 1e-6)) + 1)
    return f"{y:04d}-{m:02d}"


def end_month(t: float, horizon: int | None = None) -> str:
    """An end instant as ``YYYY-MM``, the month in which it falls (2026.0 = end of ``2025-12``);
    ``after <horizon>`` for +inf (not within the simulated years)."""
    if not math.isfinite(t):
        return f"after {horizon}" if horizon is not None else ""
    y = math.floor(t - 1e-9)
    m = max(1, min(12, math.ceil((t - y) * 12 - 1e-6)))
    return f"{y:04d}-{m:02d}"


# ----------------------------------------------------------------------------------- units
def unit_names(scenario) -> dict[str, str]:
    return {str(u.id): u.name_zh for u in scenario.rows("units")}


def _region(scenario) -> tuple[str, str]:
    rid = str(scenario.region_unit)
    return rid, unit_names(scenario).get(rid) or str(scenario.region.get("name") or rid)


# ----------------------------------------------------------------------------------- projects
def projects_table(scenario, build) -> pd.DataFrame:
    """One row per project (``build``: ``sim.buildout.from_scenario.Portfolio``)."""
    res = build.result
    rows = scenario.rows("projects")
    if [p.id for p in rows] != list(res.project_ids):
        raise ValueError("build-out result does not match the scenario's projects")
    comp = res.completion
    R = comp.shape[0]
    q = percentile(comp, [10, 50, 90], axis=0)
    online50 = percentile(res.online, 50, axis=0)
    planned_end = np.array([p.end for p in rows], dtype=float)
    period_end = float(scenario.period[1]) + 1.0
    eps = 1e-9
    h = scenario.horizon
    cost = np.array([p.investment_plan for p in rows], dtype=float)
    spend_total = res.spend.sum(axis=2).mean(axis=0)
    overrun = res.overrun.mean(axis=0)
    df = pd.DataFrame({
        "scenario": scenario.id,
        "project": [p.id for p in rows],
        "name_zh": [p.name_zh for p in rows],
        "cost_yuan": cost, "cost_wan": cost / WAN,
        "planned_start": [start_month(p.start) for p in rows],
        "planned_end": [end_month(p.end) for p in rows],
        "completion_p10": [end_month(v, h) for v in q[0]],
        "completion_p50": [end_month(v, h) for v in q[1]],
        "completion_p90": [end_month(v, h) for v in q[2]],
        "p_complete_by_own_planned_end": (comp <= planned_end[None, :] + eps).mean(axis=0),
        "p_complete_by_plan_period_end": (comp <= period_end + eps).mean(axis=0),
        "p_not_complete_by_horizon": (~np.isfinite(comp)).mean(axis=0),
        **_schedule_columns(rows, build),
        "full_operation_p50": [end_month(v, h) for v in online50],
        "overrun_mean_yuan": overrun, "overrun_mean_wan": overrun / WAN,
        "spend_total_mean_yuan": spend_total, "spend_total_mean_wan": spend_total / WAN,
        "replications": R,
    })
    return df


def _schedule_columns(rows, build) -> dict:
    """Deadline, stages, P(complete by the deadline) and the money still unpaid at the horizon
    (``sim.buildout.montecarlo.projects_table``; docs/buildout.md)."""
    t = build.table.set_index("project").loc[[p.id for p in rows]]
    gap = t["unfunded_mean_yuan"].to_numpy(dtype=float)
    return {
        "deadline": [end_month(p.deadline) if p.deadline is not None else "" for p in rows],
        "stages": t["stages"].to_numpy() if "stages" in t else 1,
        "p_complete_by_deadline": t["p_complete_by_deadline"].to_numpy(dtype=float),
        "p_unfunded": t["p_unfunded"].to_numpy(dtype=float),
        "unfunded_mean_yuan": gap, "unfunded_mean_wan": gap / WAN,
    }


def spending_table(scenario, build) -> pd.DataFrame:
    """Mean spend by year and by funding source, in yuan and 万元 (long table).

    Rows: each project by calendar year (``funding_source`` = ``all``); each funding source by year
    (``project`` = ``all``); everything by year (both ``all``); and each project by funding source
    over the whole run (``year`` = ``all``), from the receipts.
    """
    res = build.result
    rows = scenario.rows("projects")
    names = {p.id: p.name_zh for p in rows}
    years = [int(y) for y in res.years]
    out = []

    def add(project, source, year, yuan):
        out.append({"scenario": scenario.id, "project": project, "name_zh": names.get(project, ""),
                    "funding_source": source, "year": year, "spend_mean_yuan": float(yuan),
                    "spend_mean_wan": float(yuan) / WAN})

    spend = res.spend.mean(axis=0)                      # (P, Y)
    for i, pid in enumerate(res.project_ids):
        for k, y in enumerate(years):
            add(pid, "all", str(y), spend[i, k])
    by_source = res.source_spend.mean(axis=0)           # (S, Y)
    for s, src in enumerate(res.sources):
        for k, y in enumerate(years):
            add("all", src, str(y), by_source[s, k])
    total = res.spend.sum(axis=1).mean(axis=0)          # (Y,)
    for k, y in enumerate(years):
        add("all", "all", str(y), total[k])
    received = res.received.mean(axis=0)                # (P, S)
    for i, pid in enumerate(res.project_ids):
        for s, src in enumerate(res.sources):
            if received[i, s] > 0 or any(p.id == pid and (p.funding or {}).get(src) for p in rows):
                add(pid, src, "all", received[i, s])
    return pd.DataFrame(out)


# ----------------------------------------------------------------------------------- capacity
def capacity_table(ctx, records_by_model, scenario) -> pd.DataFrame:
    """Demand and capacity per unit (and the region), year, service and measure.

    ``records_by_model``: iterable of ``sim.services.common.Record``.  Means over the replications of
    the chunk with p10 / p50 / p90 (order statistics).  ``utilisation`` = mean demand / mean capacity,
    blank with ``utilisation_note`` when there is no capacity or no demand model.  Vectorised over
    units and years: one mean and one ``percentile`` call per record and array.
    """
    names = unit_names(scenario)
    parts: list[pd.DataFrame] = []
    for rec in records_by_model:
        if rec.demand is not None and rec.capacity is not None:
            parts.append(_capacity_frame(ctx, rec, list(ctx.units), rec.demand, rec.capacity))
        dr = rec.demand_region
        parts.append(_capacity_frame(ctx, rec, [ctx.region_unit], None if dr is None else np.asarray(dr)[:, None, :],
                                     np.asarray(rec.capacity_region)[:, None, :]))
    df = pd.concat(parts, ignore_index=True) if parts else pd.DataFrame()
    df.insert(0, "scenario", scenario.id)
    df.insert(2, "name_zh", [names.get(str(u), "") for u in df["unit"]])
    return df


def replication_stats(a: np.ndarray, q=(10, 50, 90)) -> tuple[np.ndarray, np.ndarray]:
    """Mean and order-statistic percentiles over the first (replication) axis of ``a`` (R, ...).

    Returns ``(mean (...), percentiles (len(q), ...))``.  The replication axis is moved last and made
    contiguous, so each mean is the same pairwise sum as ``np.mean`` of that cell's 1-D vector:
    bit-for-bit the figures of a per-cell loop, in one call."""
    t = np.ascontiguousarray(np.moveaxis(np.asarray(a, dtype=float), 0, -1))
    return t.mean(axis=-1), percentile(t, list(q), axis=-1)


def _capacity_frame(ctx, rec, units: list[str], demand, cap) -> pd.DataFrame:
    """Rows of one record for ``units`` x years; ``demand`` / ``cap`` are (R, U, Y) (demand may be None)."""
    c = np.asarray(cap, dtype=float)
    if rec.measure in COUNT_MEASURES:
        c = np.round(c, 6)
    U, Y = c.shape[1], c.shape[2]
    n = U * Y
    mc, pc = replication_stats(c)
    nan = np.full(n, math.nan)
    cols = {"unit": np.repeat(np.asarray([str(u) for u in units], dtype=object), Y),
            "year": np.tile(np.asarray(ctx.years, dtype=np.int64), U),
            "service": rec.service, "measure": rec.measure, "measure_unit": MEASURE_UNITS.get(rec.measure, ""),
            "demand_mean": nan, "demand_p10": nan, "demand_p50": nan, "demand_p90": nan,
            "capacity_mean": mc.ravel(), "capacity_p10": pc[0].ravel(), "capacity_p50": pc[1].ravel(),
            "capacity_p90": pc[2].ravel(), "utilisation": nan, "utilisation_note": "no demand model",
            "gap_mean": nan, "gap_p10": nan, "gap_p90": nan}
    if demand is not None:
        d = np.asarray(demand, dtype=float)
        md, pd_ = replication_stats(d)
        mg, pg = replication_stats(d - c, (10, 90))
        md, mcr = md.ravel(), mc.ravel()
        with np.errstate(invalid="ignore", divide="ignore"):
            util = np.where(mcr > 0, md / np.where(mcr > 0, mcr, 1.0), math.nan)
        note = np.where(mcr > 0, "", np.where(md > 0, "no capacity (demand > 0)", "no capacity")).astype(object)
        cols.update({"demand_mean": md, "demand_p10": pd_[0].ravel(), "demand_p50": pd_[1].ravel(),
                     "demand_p90": pd_[2].ravel(), "utilisation": util, "utilisation_note": note,
                     "gap_mean": mg.ravel(), "gap_p10": pg[0].ravel(), "gap_p90": pg[1].ravel()})
    cols["note"] = rec.note
    return pd.DataFrame(cols, index=pd.RangeIndex(n))


# ----------------------------------------------------------------------------------- population
def age_band_labels() -> list[str]:
    """``00-04岁`` ... ``95-99岁``, ``100岁及以上`` (Excel keeps them as text)."""
    return [f"{a:02d}-{a + 4:02d}岁" for a in range(0, 100, 5)] + ["100岁及以上"]


BROAD_GROUPS = ((0, 15), (15, 60), (60, 65), (65, 80), (80, None))   # 0-14, 15-59, 60-64, 65-79, 80+


def _broad_groups(banded: np.ndarray, edges) -> tuple[np.ndarray, list, list, list[str]]:
    """(..., G) persons in ``BROAD_GROUPS`` from a banded array (..., B) whose bands start at ``edges``;
    with the groups' first ages, last ages (None = open) and labels (``15-59岁``, ``80岁及以上``)."""
    edges = list(edges)
    out, lo, hi, labels = [], [], [], []
    for a, b in BROAD_GROUPS:
        i, j = edges.index(a), (len(edges) if b is None else edges.index(b))
        out.append(banded[..., i:j].sum(axis=-1, dtype=np.float64))
        lo.append(a)
        hi.append(None if b is None else b - 1)
        labels.append(f"{a}岁及以上" if b is None else f"{a:02d}-{b - 1:02d}岁")
    return np.stack(out, axis=-1), lo, hi, labels


def _broad_group_stats(pop, rid: str, scenario=None, block: int = 128):
    """Mean, p10 and p90 over draws of ``BROAD_GROUPS`` per simulated unit (blocks of ``block``
    units), then for every unit above them and the region as in ``_with_region`` (sums accumulated
    block by block), so no second population-sized array is made; ``(mean, p10, p90, units, lo, hi,
    labels)`` with the statistics (U + parents + 1, Y, 2, G)."""
    U = pop.pop.shape[1]
    units = list(pop.units)

    def stats_of(g):
        return g.mean(0), percentile(g, 10, axis=0), percentile(g, 90, axis=0)

    def total(sl: slice):
        acc = None
        for a in range(sl.start, sl.stop, block):
            part = _broad_groups(pop.pop[:, a:min(a + block, sl.stop)], pop.age_edges)[0].sum(axis=1, keepdims=True)
            acc = part if acc is None else acc + part
        return acc

    stats = []
    for a in range(0, U, block):
        g, lo, hi, labels = _broad_groups(pop.pop[:, a:a + block], pop.age_edges)
        stats.append(stats_of(g))
    if units != [rid]:
        parents, h = [], None
        if scenario is not None:
            from .regions import Hierarchy
            h = Hierarchy.from_scenario(scenario)
            if list(h.leaves) == units:
                parents = [p for p in h.parents if p != rid]
        for p in parents:
            sl = h.slice_of(p)
            stats.append(stats_of(total(slice(sl.start or 0, U if sl.stop is None else sl.stop))))
        stats.append(stats_of(total(slice(0, U))))
        units = units + parents + [rid]
    mean, p10, p90 = (np.concatenate([s[k] for s in stats], axis=0) for k in range(3))
    return mean, p10, p90, units, lo, hi, labels


def _with_region(arr: np.ndarray, units: list[str], region: str, axis: int = 1,
                 scenario=None) -> tuple[np.ndarray, list[str]]:
    """Append every unit above the simulated ones along the unit axis, each the sum of the units
    under it (sim/regions.py): counties and prefectures of a multi-county region, then the region;
    nothing when the only unit is the region itself."""
    if list(units) == [region]:
        return arr, list(units)
    parents: list[str] = []
    if scenario is not None:
        from .regions import Hierarchy
        h = Hierarchy.from_scenario(scenario)
        if list(h.leaves) == list(units):
            parents = [p for p in h.parents if p != region]
    sums = []
    for p in parents:
        sl = h.slice_of(p)
        sums.append(arr[(slice(None),) * axis + (sl,)].sum(axis=axis, keepdims=True))
    sums.append(arr.sum(axis=axis, keepdims=True))
    return np.concatenate([arr, *sums], axis=axis), list(units) + parents + [region]


def _names(pop, units: list[str], scenario) -> list[str]:
    names = unit_names(scenario)
    own = dict(zip(pop.units, pop.names))
    return [own.get(u, names.get(u, u)) for u in units]


def population_table(pop, scenario) -> pd.DataFrame:
    """unit, name_zh, year, sex, age band: population on 1 July, mean and p10 / p90 over demographic draws."""
    if pop.pop is None:
        raise ValueError("population_table needs project(..., store='ages')")
    rid, rname = _region(scenario)
    if getattr(pop, "age_edges", None) is None:
        b = np.concatenate([pop.pop[..., :100].reshape(pop.pop.shape[:-1] + (20, 5)).sum(-1), pop.pop[..., 100:]], axis=-1)
        labels = age_band_labels()
        lo = [5 * g for g in range(20)] + [100]
        hi = [5 * g + 4 for g in range(20)] + [None]
        b, units = _with_region(b, pop.units, rid, scenario=scenario)
        mean, p10, p90 = b.mean(0), percentile(b, 10, axis=0), percentile(b, 90, axis=0)
    else:   # a banded population (large runs, sim/run.py AGE_BANDS): the plans' broad age groups,
        # summarised a block of units at a time so no second population-sized array is made
        mean, p10, p90, units, lo, hi, labels = _broad_group_stats(pop, rid, scenario)
    names = _names(pop, units, scenario)
    U, Y, S, G = mean.shape
    idx = pd.MultiIndex.from_product([range(U), range(Y), range(S), range(G)], names=["u", "y", "s", "g"])
    g = idx.get_level_values("g")
    return pd.DataFrame({
        "scenario": scenario.id,
        "unit": np.asarray(units, dtype=object)[idx.get_level_values("u")],
        "name_zh": np.asarray(names, dtype=object)[idx.get_level_values("u")],
        "year": pop.years[idx.get_level_values("y")],
        "sex": np.asarray(("male", "female"), dtype=object)[idx.get_level_values("s")],
        "age_band": np.asarray(labels, dtype=object)[g],
        "age_from": np.asarray(lo)[g], "age_to": pd.array(np.asarray(hi, dtype=object)[g], dtype="Int64"),
        "population_mean": mean.ravel(), "population_p10": p10.ravel(), "population_p90": p90.ravel(),
    })


def _long(scenario, units, names, years, arrays: dict[str, np.ndarray], pct: bool, first: dict) -> pd.DataFrame:
    U, Y = len(units), len(years)
    df = pd.DataFrame({"scenario": scenario.id, "unit": np.repeat(np.asarray(units, dtype=object), Y),
                       "name_zh": np.repeat(np.asarray(names, dtype=object), Y)})
    for k, v in first.items():
        df[k] = np.tile(np.asarray(v, dtype=object), U)
    for k, a in arrays.items():
        df[f"{k}_mean"] = a.mean(0).ravel()
        if pct:
            df[f"{k}_p10"] = percentile(a, 10, axis=0).ravel()
            df[f"{k}_p90"] = percentile(a, 90, axis=0).ravel()
    return df


def components_table(pop, scenario) -> pd.DataFrame:
    """Births, deaths and net migration per unit (and the region) and interval 1 July y -> 1 July y+1,
    from the base year to the horizon; means with p10 / p90."""
    rid, rname = _region(scenario)
    arrays = {}
    for k in ("births", "deaths", "net_migration"):
        arrays[k], units = _with_region(getattr(pop, k), pop.units, rid, scenario=scenario)
    names = _names(pop, units, scenario)
    fy = [int(y) for y in pop.flow_years]
    first = {"interval": [f"{y}-{y + 1}" for y in fy], "from": [f"{y}-07" for y in fy],
             "to": [f"{y + 1}-07" for y in fy]}
    return _long(scenario, units, names, fy, arrays, True, first)


def aging_table(pop, scenario) -> pd.DataFrame:
    """Population, people aged 60+, 65+, 80+ and their shares (%), 失能 and 半失能 people aged 60+,
    per unit (and the region) and year (1 July); means with p10 / p90."""
    rid, rname = _region(scenario)
    raw = {"population": pop.total, "age60plus": pop.age60, "age65plus": pop.age65, "age80plus": pop.age80,
           "disabled_60plus": pop.disabled, "semi_disabled_60plus": pop.semi_disabled}
    arrays = {}
    for k, a in raw.items():
        arrays[k], units = _with_region(a, pop.units, rid, scenario=scenario)
    tot = arrays["population"]
    with np.errstate(invalid="ignore", divide="ignore"):
        for a in ("60", "65", "80"):
            arrays[f"share{a}plus_pct"] = np.where(tot > 0, 100 * arrays[f"age{a}plus"] / np.where(tot > 0, tot, 1), np.nan)
    order = ["population", "age60plus", "age65plus", "age80plus", "share60plus_pct", "share65plus_pct",
             "share80plus_pct", "disabled_60plus", "semi_disabled_60plus"]
    names = _names(pop, units, scenario)
    return _long(scenario, units, names, [int(y) for y in pop.years], {k: arrays[k] for k in order}, True,
                 {"year": [int(y) for y in pop.years]})


# ----------------------------------------------------------------------------------- guard
def assert_no_inf(df: pd.DataFrame, name: str) -> None:
    """Raise if a numeric column holds ±inf (a reader expects a number or a blank)."""
    num = df.select_dtypes(include=[np.number])
    bad = [c for c in num.columns if np.isinf(num[c].to_numpy(dtype=float)).any()]
    if bad:
        raise RuntimeError(f"{name}: columns {bad} hold inf")


__all__ = ["PERCENTILE_METHOD", "WAN", "projects_table", "spending_table", "capacity_table", "population_table",
           "components_table", "aging_table", "age_band_labels", "start_month", "end_month", "assert_no_inf"]


# ----------------------------------------------------------------------------------- county_indicators
def nanpercentile0(a: np.ndarray, q: float) -> np.ndarray:
    """``numpy.nanpercentile(a, q, axis=0, method=PERCENTILE_METHOD)``, the same numbers, without its
    Python loop over every column: columns with no NaN go through one vectorised ``numpy.percentile``
    (the same sort and interpolation of the same values), all-NaN columns are NaN, and only columns
    with some NaN take ``nanpercentile``.  ``a``: (R, ...) float; returns shape ``a.shape[1:]``.
    (numpy's nanpercentile loops over columns: 673,000 calls, 40 s, for a country's county table.)"""
    nan = np.isnan(a)
    some = nan.any(axis=0)
    out = np.percentile(np.where(some, 0.0, a), q, axis=0, method=PERCENTILE_METHOD)
    if some.any():
        allnan = nan.all(axis=0)
        out = np.where(allnan, np.nan, out)
        part = some & ~allnan
        if part.any():
            out[part] = np.nanpercentile(a[:, part], q, axis=0, method=PERCENTILE_METHOD)
    return out


def county_indicator_table(scenario, unit_values: dict, regional, years) -> pd.DataFrame:
    """``county_indicators.csv``: for every target counted over units (targets.csv ``count_over``),
    one row per unit (county or township) and year: P(the unit's own quantity >= unit_threshold)
    and the percentiles of that quantity over the replications.  Empty when no target is counted
    over units.  Built from the (R, K, Y) arrays of ``sim.regions.RegionalQuantities`` with one
    percentile call per target (no loop over units and years)."""
    from .indicators import met
    from .regions import Hierarchy
    if regional is None or not unit_values:
        return pd.DataFrame()
    h = Hierarchy.from_scenario(scenario)
    years = np.asarray(years, dtype=int)
    frames = []
    for t in scenario.rows("targets"):
        if t.kind != "computed" or t.count_over is None:
            continue
        arr = unit_values.get((t.count_over, t.unit_quantity))
        if arr is None:
            continue
        units = regional.units_of(t.count_over)
        K, Y = arr.shape[1], arr.shape[2]
        ok = met(arr, ">=", t.unit_threshold)                                    # (R, K, Y)
        import warnings
        with warnings.catch_warnings():   # a unit whose quantity is undefined in every replication: blank
            warnings.simplefilter("ignore", RuntimeWarning)
            finite = np.where(np.isfinite(arr), arr, np.nan)
            pct = {q: nanpercentile0(finite, q) for q in (10, 50, 90)}
            mean = np.nanmean(finite, axis=0)
        frames.append(pd.DataFrame({
            "scenario": scenario.id, "indicator_id": t.id, "name": t.name_zh, "level": t.count_over,
            "unit": np.repeat(np.asarray(units, dtype=object), Y),
            "name_zh": np.repeat(np.asarray([h.name(u) for u in units], dtype=object), Y),
            "county": np.repeat(np.asarray([h.county_of(u) or "" for u in units], dtype=object), Y),
            "year": np.tile(years, K), "target_year": t.year, "quantity": t.unit_quantity,
            "unit_threshold": t.unit_threshold, "p_met": ok.mean(axis=0).ravel(),
            "mean": mean.ravel(), "p10": pct[10].ravel(), "p50": pct[50].ravel(), "p90": pct[90].ravel(),
        }))
    return pd.concat(frames, ignore_index=True) if frames else pd.DataFrame()
