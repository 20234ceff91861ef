"""Speed rewrites give the same results as the formulas they replaced (issue 14 item 2).

The reference implementations are kept here, verbatim in substance, so the fast ones are checked
against something independent on random inputs."""

from __future__ import annotations

import numpy as np
import pytest

from sim.capacity import CapacityItems
from sim.services.context import ServiceContext


def _items(rng, n_items=60, units=("a", "b", "c", "d"), R=7, Y=6, y0=2020):
    unit = rng.choice(list(units) + ["REGION"], n_items)
    online = rng.uniform(y0 - 2, y0 + Y + 2, (R, n_items))
    online[rng.random((R, n_items)) < 0.1] = np.inf
    online[:, rng.random(n_items) < 0.2] = -np.inf      # existing facilities
    measures = {"beds": rng.integers(0, 50, n_items).astype(float),
                "area": rng.uniform(0, 1000, n_items) * (rng.random(n_items) < 0.7)}
    count = rng.integers(1, 4, n_items).astype(float)
    count[rng.random(n_items) < 0.3] = np.nan
    measures["count_raw"] = count
    items = CapacityItems(
        facility_type=rng.choice(["x", "y"], n_items).astype(object), unit=unit.astype(object),
        ownership=np.array(["public"] * n_items, dtype=object), functions=[frozenset()] * n_items,
        measures=measures, source_id=rng.choice([f"s{k}" for k in range(n_items // 3)], n_items).astype(object),
        project=np.array([""] * n_items, dtype=object), online=online)
    return items


def _ctx(items, units, R, Y, seat=None):
    ctx = ServiceContext(years=np.arange(2020, 2020 + Y), units=list(units), region_unit="REGION",
                         pop=np.ones((R, len(units), Y, 2, 3)), deaths=np.zeros((R, len(units), Y)),
                         disabled=np.zeros((R, len(units), Y)), semi_disabled=np.zeros((R, len(units), Y)),
                         items=items, params=None, base_facts={}, seat_unit=seat)
    ctx._cache["items"] = items        # measures already clean (no parameters needed)
    return ctx


# ---- the replaced implementations ------------------------------------------------------------
def old_facility_count(ctx, mask):
    it = ctx.clean_items
    idx = np.nonzero(mask)[0]
    out = np.zeros((ctx.R, ctx.Y))
    active = it.active(ctx.years)
    raw = it.measures["count_raw"]
    n = np.where(np.isfinite(raw) & (raw > 0), raw, 1.0)
    groups = {}
    for i in idx:
        groups.setdefault((str(it.source_id[i]), str(it.unit[i]), str(it.facility_type[i])), []).append(i)
    for members in groups.values():
        m = np.array(members)
        out += np.max(np.where(active[:, :, m], n[m], 0.0), axis=2)
    return out


def old_unit_coverage(ctx, mask, measure=None):
    it = ctx.clean_items
    m = mask.copy()
    if measure is not None:
        m &= it.measures[measure] > 0
    active = it.active(ctx.years)
    onehot = (np.asarray(it.unit, dtype=str)[:, None] == np.asarray(ctx.units, dtype=str)[None, :])
    covered = np.moveaxis(active.astype(float) @ (m[:, None] & onehot).astype(float), 2, 1) > 0
    region_count = old_facility_count(ctx, m & ~onehot.any(axis=1))
    if ctx.seat_unit is not None and ctx.seat_unit in ctx.units:
        s = ctx.units.index(ctx.seat_unit)
        covered[:, s, :] |= region_count > 0
        extra = np.maximum(region_count - 1, 0)
    else:
        extra = region_count
    share = np.minimum(covered.sum(axis=1) + extra, ctx.U) / ctx.U
    return covered, share


def old_total(items, measure, mask, years):
    amounts = np.where(mask, items.measures[measure], 0.0)
    return items.active(years).astype(float) @ amounts


def old_by_unit(items, measure, mask, years, units):
    amounts = np.where(mask, items.measures[measure], 0.0)
    onehot = (items.unit[:, None] == np.asarray(units, dtype=object)[None, :]).astype(float)
    return items.active(years).astype(float) @ (amounts[:, None] * onehot)


@pytest.mark.parametrize("seed", range(6))
def test_capacity_sums_and_coverage_equal_the_replaced_formulas(seed):
    rng = np.random.default_rng(seed)
    units = ["a", "b", "c", "d"]
    R, Y = 7, 6
    items = _items(rng, units=units, R=R, Y=Y)
    years = np.arange(2020, 2020 + Y)
    for _ in range(5):
        mask = rng.random(items.n) < 0.6
        for meas in ("beds", "area"):
            np.testing.assert_allclose(items.total(meas, mask, years), old_total(items, meas, mask, years),
                                       rtol=1e-12, atol=1e-9)
            np.testing.assert_allclose(items.by_unit(meas, mask, years, units),
                                       old_by_unit(items, meas, mask, years, units), rtol=1e-12, atol=1e-9)
        # whole-number amounts are summed exactly
        assert np.array_equal(items.total("beds", mask, years), old_total(items, "beds", mask, years))
        for seat in (None, "b"):
            ctx = _ctx(items, units, R, Y, seat)
            assert np.array_equal(ctx.facility_count(mask), old_facility_count(ctx, mask))
            for meas in (None, "beds"):
                cov, share = ctx.unit_coverage(mask, meas)
                ocov, oshare = old_unit_coverage(ctx, mask, meas)
                assert cov.dtype == bool and np.array_equal(cov, ocov)
                assert np.array_equal(share, oshare)


# ---- capacity table and township tables: per-cell loops of before, against the vectorised ones ----
import math  # noqa: E402
from types import SimpleNamespace  # noqa: E402

import pandas as pd  # noqa: E402

from sim import output_tables as T  # noqa: E402
from sim.geo import townships as TW  # noqa: E402
from sim.indicators import percentile, wilson  # noqa: E402
from sim.services.common import Record  # noqa: E402


def old_capacity_rows(ctx, rec, unit, demand, cap):
    rows = []
    count = rec.measure in T.COUNT_MEASURES
    for j, year in enumerate(ctx.years):
        c = np.asarray(cap[:, j], dtype=float)
        if count:
            c = np.round(c, 6)
        d = np.asarray(demand[:, j], dtype=float) if demand is not None else None
        mc = float(np.mean(c))
        row = {"unit": unit, "year": int(year), "service": rec.service, "measure": rec.measure,
               "measure_unit": T.MEASURE_UNITS.get(rec.measure, ""),
               "demand_mean": math.nan, "demand_p10": math.nan, "demand_p50": math.nan, "demand_p90": math.nan,
               "capacity_mean": mc, "capacity_p10": float(percentile(c, 10)), "capacity_p50": float(percentile(c, 50)),
               "capacity_p90": float(percentile(c, 90)), "utilisation": math.nan, "utilisation_note": "",
               "gap_mean": math.nan, "gap_p10": math.nan, "gap_p90": math.nan}
        if d is None:
            row["utilisation_note"] = "no demand model"
        else:
            md = float(np.mean(d))
            gap = d - c
            row.update({"demand_mean": md, "demand_p10": float(percentile(d, 10)),
                        "demand_p50": float(percentile(d, 50)), "demand_p90": float(percentile(d, 90)),
                        "gap_mean": float(np.mean(gap)), "gap_p10": float(percentile(gap, 10)),
                        "gap_p90": float(percentile(gap, 90))})
            if mc > 0:
                row["utilisation"] = md / mc
            else:
                row["utilisation_note"] = "no capacity" + (" (demand > 0)" if md > 0 else "")
        row["note"] = rec.note
        rows.append(row)
    return rows


def old_capacity_table(ctx, records, scenario):
    names = T.unit_names(scenario)
    rows = []
    for rec in records:
        if rec.demand is not None and rec.capacity is not None:
            for u, unit in enumerate(ctx.units):
                rows += old_capacity_rows(ctx, rec, unit, rec.demand[:, u, :], rec.capacity[:, u, :])
        rows += old_capacity_rows(ctx, rec, ctx.region_unit, rec.demand_region, rec.capacity_region)
    df = pd.DataFrame(rows)
    df.insert(0, "scenario", scenario.id)
    df.insert(2, "name_zh", [names.get(str(u), "") for u in df["unit"]])
    return df


def _scenario(units, targets=()):
    rows = {"units": [SimpleNamespace(id=u, name_zh=f"名{u}") for u in units + ["REGION"]], "targets": list(targets)}
    return SimpleNamespace(id="s", region_unit="REGION", region={}, rows=lambda k: rows[k])


def _frames_equal(a: pd.DataFrame, b: pd.DataFrame) -> None:
    assert list(a.columns) == list(b.columns)
    assert a.to_csv(index=False) == b.to_csv(index=False)      # the bytes the results folder gets


@pytest.mark.parametrize("seed", range(3))
def test_capacity_table_equals_the_per_row_loop(seed):
    rng = np.random.default_rng(seed)
    R, U, Y = 9, 4, 5
    units = [f"u{k}" for k in range(U)]
    ctx = SimpleNamespace(years=np.arange(2020, 2020 + Y), units=units, region_unit="REGION")
    recs = []
    for k, meas in enumerate(("beds", "area_m2", "cases_per_year", "count")):
        cap = rng.integers(0, 5, (R, U, Y)).astype(float) * (rng.random((1, U, 1)) < 0.7)
        if meas == "area_m2":
            cap = cap * 1.1 + 1e-9
        dem = None if k == 3 else rng.gamma(2.0, 2.0, (R, U, Y)) * (rng.random((1, U, 1)) < 0.8)
        recs.append(Record("svc", meas, dem, cap, None if dem is None else dem.sum(axis=1), cap.sum(axis=1), f"n{k}"))
    recs.append(Record("svc", "staff", None, None, rng.random((R, Y)), rng.random((R, Y))))
    _frames_equal(T.capacity_table(ctx, recs, _scenario(units)), old_capacity_table(ctx, recs, _scenario(units)))


def old_township_table(scenario, tq, years, units):
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


def old_indicator_rows(scenario, tq, years, units, randomness=True):
    names = {u.id: u.name_zh for u in scenario.rows("units")}
    rows = []
    for t in scenario.rows("targets"):
        key = TW.COVERAGE_QUANTITY.get(t.quantity or "")
        if t.kind != "computed" or key is None:
            continue
        cov = tq[f"cover_{key}"]
        R = cov.shape[0]
        for u, unit in enumerate(units):
            for j, year in enumerate(years):
                v = cov[:, u, j]
                p = float(v.mean())
                lo, hi = wilson(float(v.sum()), R) if randomness and R > 1 else (math.nan, math.nan)
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


@pytest.mark.parametrize("seed", range(3))
def test_township_tables_equal_the_per_cell_loops(seed):
    rng = np.random.default_rng(seed)
    R, U, Y = 11, 5, 4
    units = [f"u{k}" for k in range(U)]
    years = np.arange(2020, 2020 + Y)
    ratio = rng.gamma(2.0, 30.0, (R, U, Y))
    ratio[rng.random((R, U, Y)) < 0.3] = np.nan
    ratio[:, 0, :] = np.nan                                         # a township with no older people
    ratio[0, 1, 0] = np.inf
    cover = np.where(rng.random((R, U, Y)) < 0.5, 1.0, rng.random((R, U, Y)) * 0.3)
    tq = {"cover_social_work": cover, "older": rng.gamma(5.0, 100.0, (R, U, Y)), "beds_per_1000_older": ratio,
          "nursing_beds_per_100_disabled": ratio[::-1].copy()}
    targets = [SimpleNamespace(id="S1", name_zh="社工站", quantity="social_work_station_coverage", kind="computed",
                               year=2025, binding="indicative"),
               SimpleNamespace(id="S2", name_zh="x", quantity="other", kind="computed", year=2025, binding="")]
    sc = _scenario(units, targets)
    for block in (256, 2):                      # summarised in blocks of townships: the same figures
        TW.BLOCK, saved = block, TW.BLOCK
        try:
            _frames_equal(TW.township_table(sc, tq, years, units), old_township_table(sc, tq, years, units))
            _frames_equal(TW.township_indicator_rows(sc, tq, years, units), old_indicator_rows(sc, tq, years, units))
        finally:
            TW.BLOCK = saved


# ---- memory: chunked projection, banded population ---------------------------------------------
def _tongdao_inputs():
    from pathlib import Path

    from sim.loader import load_scenario
    from sim.population import build_inputs

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "tongdao.yaml")
    units = pd.DataFrame([u.model_dump() for u in sc.rows("units")])
    return build_inputs(units, sc.parameters(), sc.base_year, sc.horizon, sc.region_unit)


def test_projection_in_chunks_equals_one_chunk_and_bands_add_up():
    from sim.population.projection import project
    from sim.run import AGE_BANDS

    inputs = _tongdao_inputs()
    whole = project(inputs, 6, seed=5, chunk=6)
    for chunk in (1, 4):
        part = project(inputs, 6, seed=5, chunk=chunk)
        for k in ("pop", "births", "deaths", "net_migration", "total", "age60", "disabled", "migration_shortfall"):
            assert np.array_equal(getattr(part, k), getattr(whole, k)), (chunk, k)
    banded = project(inputs, 6, seed=5, chunk=4, store="bands", age_edges=AGE_BANDS)
    assert banded.pop.shape == whole.pop.shape[:-1] + (len(AGE_BANDS),)
    assert np.array_equal(banded.total, whole.total) and np.array_equal(banded.deaths, whole.deaths)
    expect = np.add.reduceat(whole.pop, AGE_BANDS, axis=-1)
    assert banded.pop.dtype == np.float32                                     # kept in float32: half-ulp 6e-8
    np.testing.assert_allclose(banded.pop, expect, rtol=6e-8)
    with pytest.raises(ValueError):
        project(inputs, 2, seed=5, store="bands", age_edges=(5, 60))


def test_services_read_age_groups_from_bands():
    R, U, Y = 3, 4, 2
    rng = np.random.default_rng(0)
    single = rng.random((R, U, Y, 2, 101))
    edges = (0, 15, 18, 60, 65, 80)
    kw = dict(years=np.arange(2020, 2022), units=list("abcd"), region_unit="r", deaths=np.zeros((R, U, Y)),
              disabled=np.zeros((R, U, Y)), semi_disabled=np.zeros((R, U, Y)),
              items=_items(rng, units=list("abcd"), R=R, Y=Y), params=None, base_facts={})
    a = ServiceContext(pop=single, **kw)
    b = ServiceContext(pop=np.add.reduceat(single, edges, axis=-1), age_edges=edges, **kw)
    for lo, hi in ((0, 18), (60, None), (65, None), (0, None)):
        np.testing.assert_allclose(b.pop_age(lo, hi), a.pop_age(lo, hi), rtol=1e-12)
    np.testing.assert_allclose(b.total_pop, a.total_pop, rtol=1e-12)
    with pytest.raises(ValueError, match="age bands"):
        b.pop_age(0, 20)


# ---- Dask: serial and 2 local workers write the same files ---------------------------------------
@pytest.mark.parametrize("scenario, n, draws", [("tongdao", 24, 6), ("hunan", 6, 3)])
def test_serial_and_two_dask_workers_write_identical_files(tmp_path, scenario, n, draws):
    """Tongdao (townships) and Hunan (122 counties: per-county arrays and county_indicators.csv too)."""
    pytest.importorskip("distributed")
    from pathlib import Path

    from sim.loader import load_scenario
    from sim.run import RunOptions, simulate, write_results

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / f"{scenario}.yaml")
    folders = {}
    for name, workers in (("serial", None), ("dask", 2)):
        opt = RunOptions(replications=n, seed=7, population_draws=draws, workers=workers)   # 4 or 2 tasks
        folders[name] = write_results(simulate(sc, opt), tmp_path / name, False, None)
    files = sorted(p.name for p in folders["serial"].iterdir())
    assert files == sorted(p.name for p in folders["dask"].iterdir()) and "indicators.csv" in files
    assert scenario == "tongdao" or "county_indicators.csv" in files
    for f in files:
        assert (folders["serial"] / f).read_bytes() == (folders["dask"] / f).read_bytes(), f


def test_joining_an_existing_cluster_by_address_writes_the_same_files(tmp_path):
    """``--scheduler ADDRESS``: a run on a Dask cluster started outside the run (here a LocalCluster of
    two worker processes, reached only by its tcp:// address) writes the serial run's files."""
    distributed = pytest.importorskip("distributed")
    import logging
    from pathlib import Path

    from sim.loader import load_scenario
    from sim.run import RunOptions, simulate, write_results

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "tongdao.yaml")
    serial = write_results(simulate(sc, RunOptions(replications=12, seed=3, population_draws=4)), tmp_path / "serial",
                           False, None)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                                       silence_logs=logging.ERROR)
    try:
        assert cluster.scheduler_address.startswith("tcp://")
        opt = RunOptions(replications=12, seed=3, population_draws=4, scheduler=cluster.scheduler_address)
        joined = write_results(simulate(sc, opt), tmp_path / "joined", False, None)
        with distributed.Client(cluster.scheduler_address) as client:   # the cluster outlives the run
            assert len(client.scheduler_info()["workers"]) == 2
    finally:
        cluster.close()
    for f in sorted(p.name for p in serial.iterdir()):
        assert (serial / f).read_bytes() == (joined / f).read_bytes(), f


def test_unreachable_scheduler_and_both_options_are_one_clear_error(tmp_path, monkeypatch, capsys):
    """An address nobody answers at: one line naming --scheduler, exit 2, no folder (not distributed's
    67-line traceback); --workers with --scheduler: one line, before anything runs."""
    pytest.importorskip("distributed")
    from pathlib import Path

    import sim.distributed as dist
    from sim.cli import main

    monkeypatch.setattr(dist, "CONNECT_TIMEOUT", 2)
    scenario = str(Path(__file__).resolve().parents[1] / "scenarios" / "tongdao.yaml")
    for extra, option in ((["--scheduler", "tcp://127.0.0.1:1"], "--scheduler"),
                          (["--workers", "2", "--scheduler", "tcp://127.0.0.1:1"], "--workers")):
        out = tmp_path / option.strip("-")
        assert main(["run", scenario, "-n", "4", "--no-maps", "--no-report", "--out", str(out)] + extra) == 2
        err = capsys.readouterr().err.strip().splitlines()
        assert len(err) == 1 and err[0].startswith(f"error: command line: {option}:"), err
        assert "Traceback" not in err[0] and not out.exists()


def test_bad_worker_count_is_one_clear_error():
    from sim.errors import InputError
    from sim.run import RunOptions, _check_options

    with pytest.raises(InputError, match="--workers"):
        _check_options(RunOptions(workers=0))


def test_run_in_sub_chunks_equals_the_unsplit_run(tmp_path, monkeypatch):
    """Memory bounded whatever N: chunks split into sub-chunks of 7 replications give the same files
    (the capacity table summarises the first sub-chunk, so it is the one file that differs)."""
    from pathlib import Path

    import sim.run as run
    from sim.loader import load_scenario

    sc = load_scenario(Path(__file__).resolve().parents[1] / "scenarios" / "tongdao.yaml")
    opt = run.RunOptions(replications=30, seed=11, population_draws=20)      # chunks of 20 and 10
    whole = run.write_results(run.simulate(sc, opt), tmp_path / "whole", False, None)
    U, Y = len(sc.rows("units")) - 1, sc.horizon - sc.base_year + 1
    monkeypatch.setattr(run, "SUBCHUNK_BYTES", 7 * U * Y * 8)                 # sub-chunks of 7 replications
    import sim.distributed as dist
    seen, real = [], dist.map_tasks
    monkeypatch.setattr(dist, "map_tasks", lambda fn, shared, tasks, **kw: (seen.append(len(tasks)), real(fn, shared, tasks, **kw))[1])
    split = run.write_results(run.simulate(sc, opt), tmp_path / "split", False, None)
    assert seen == [5]                                                        # 7+7+6 and 7+3
    files = sorted(p.name for p in whole.iterdir())
    assert files == sorted(p.name for p in split.iterdir())
    for f in files:
        if f != "capacity.csv":
            assert (whole / f).read_bytes() == (split / f).read_bytes(), f
    cap = __import__("pandas").read_csv(split / "capacity.csv")
    assert len(cap) == len(__import__("pandas").read_csv(whole / "capacity.csv"))


# ---- county table percentiles, replication bound, national synthetic builder ---------------------
@pytest.mark.parametrize("seed", range(4))
def test_nanpercentile0_equals_numpy_nanpercentile(seed):
    """The vectorised county-table percentile gives numpy's own nanpercentile numbers (columns with no
    NaN, some NaN and all NaN; float64 and float32)."""
    import warnings

    from sim.output_tables import PERCENTILE_METHOD, nanpercentile0

    rng = np.random.default_rng(seed)
    a = rng.normal(size=(int(rng.integers(1, 60)), 9, 5)).astype(rng.choice([np.float64, np.float32]))
    a[rng.random(a.shape) < 0.2] = np.nan
    a[:, 2, :] = np.nan
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        for q in (10, 50, 90):
            ref = np.nanpercentile(a, q, axis=0, method=PERCENTILE_METHOD)
            got = nanpercentile0(a, q)
            assert got.dtype == ref.dtype and np.array_equal(got, ref, equal_nan=True)


def test_replications_beyond_the_stream_key_are_refused():
    from sim.errors import InputError
    from sim.run import MAX_REPLICATIONS, RunOptions, _check_options

    _check_options(RunOptions(replications=MAX_REPLICATIONS))
    with pytest.raises(InputError, match="--replications"):
        _check_options(RunOptions(replications=MAX_REPLICATIONS + 1))


def test_synthetic_nation_repeats_hunan_under_one_country(tmp_path):
    """The national benchmark region: copies x Hunan's counties, every copy's programmes placed within
    its own province exactly as Hunan's are, and the census adding up to copies x Hunan's."""
    import importlib.util
    from pathlib import Path

    from sim.allocation import allocate
    from sim.loader import load_scenario
    from sim.regions import Hierarchy

    root = Path(__file__).resolve().parents[1]
    spec = importlib.util.spec_from_file_location("synthetic_nation", root / "benchmarks" / "synthetic_nation.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    nation = load_scenario(mod.build(tmp_path, copies=2))
    hunan = load_scenario(root / "scenarios" / "hunan.yaml")
    h, hn = Hierarchy.from_scenario(nation), Hierarchy.from_scenario(hunan)
    assert len(h.counties()) == 2 * len(hn.counties()) == 244
    assert h.level(nation.region_unit) == "country"
    pop = {d.unit: d.base_population for d in nation.rows("unit_demography")}
    assert sum(pop.values()) == 2 * sum(d.base_population for d in hunan.rows("unit_demography"))
    placed = {(p.programme, p.unit) for p in allocate(nation)}
    for p in allocate(hunan):
        assert (p.programme, p.unit) in placed
        assert (f"{p.programme}_c01", f"{p.unit}_c01") in placed
    assert len(placed) == 2 * len(allocate(hunan))
