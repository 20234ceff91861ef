"""Output columns mean what they say (issue 9 item 5): dates, probabilities, money, blanks, counts,
county totals, age bands, intervals, attainment years and percentiles, each checked against the
build-out arrays, hand cases or conservation identities."""

from __future__ import annotations

import json
import math
import re

import numpy as np
import pandas as pd
import pytest

from sim.capacity import apportion
from sim.indicators import attainment, interval_kind, verdict, wilson
from sim.loader import load_scenario
from sim.output_tables import age_band_labels, end_month, start_month
from sim.run import RunOptions, simulate, write_results

from conftest import REPO

TONGDAO = REPO / "scenarios" / "tongdao.yaml"
FILES = ("projects", "spending", "capacity", "population", "components", "aging", "indicators", "townships")


def _read(folder, name):
    return pd.read_csv(folder / f"{name}.csv", encoding="utf-8-sig", keep_default_na=False, na_values=[""])


@pytest.fixture(scope="module")
def tongdao():
    return load_scenario(TONGDAO)


@pytest.fixture(scope="module")
def mc(tongdao, tmp_path_factory):
    res = simulate(tongdao, RunOptions(replications=60, seed=3))
    out = tmp_path_factory.mktemp("mc") / "run"
    write_results(res, out, False, ["run_sim.py"])
    return res, out


@pytest.fixture(scope="module")
def det(tongdao, tmp_path_factory):
    res = simulate(tongdao, RunOptions(replications=1, randomness=False))
    out = tmp_path_factory.mktemp("det") / "run"
    write_results(res, out, False, ["run_sim.py"])
    return res, out


# ----------------------------------------------------------------------------- dates
def test_month_formatting_by_hand():
    assert start_month(2021.0) == "2021-01" and start_month(2021.5) == "2021-07"
    assert end_month(2026.0) == "2025-12"                 # end of December 2025
    assert end_month(2022.0 + 1 / 12) == "2022-01" and end_month(2022.05) == "2022-01"
    assert end_month(math.inf, 2035) == "after 2035"


def test_planned_dates_read_as_written_in_projects_csv(det, tongdao):
    _, out = det
    df = _read(out, "projects").set_index("project")
    raw = pd.read_csv(REPO / "scenarios" / "tongdao" / "projects.csv", dtype=str).set_index("id")
    for pid, row in df.iterrows():
        assert row.planned_start == raw.loc[pid, "start"] and row.planned_end == raw.loc[pid, "end"], pid
        assert row.completion_p50 == row.planned_end                  # deterministic: on plan
    assert all(re.fullmatch(r"\d{4}-\d{2}", v) for v in df.planned_start)


def test_completion_probabilities_by_own_end_and_plan_period(mc, tongdao):
    res, out = mc
    df = _read(out, "projects").set_index("project")
    comp = res.build.result.completion
    period_end = tongdao.period[1] + 1.0
    for j, p in enumerate(tongdao.rows("projects")):
        assert df.loc[p.id, "p_complete_by_own_planned_end"] == pytest.approx((comp[:, j] <= p.end + 1e-9).mean())
        assert df.loc[p.id, "p_complete_by_plan_period_end"] == pytest.approx((comp[:, j] <= period_end + 1e-9).mean())
        assert df.loc[p.id, "p_not_complete_by_horizon"] == pytest.approx((~np.isfinite(comp[:, j])).mean())
    # P01_01 is planned for the end of 2022, inside the period: by the period's end it is at least as likely
    assert df.loc["P01_01", "p_complete_by_plan_period_end"] > df.loc["P01_01", "p_complete_by_own_planned_end"]
    assert "p_complete_by_plan_end" not in df.columns
    late = df[df.p_not_complete_by_horizon >= 0.5]
    assert (late.completion_p50 == f"after {tongdao.horizon}").all()


# ----------------------------------------------------------------------------- money
def test_spending_by_year_and_source_adds_up_in_yuan_and_wan(mc):
    res, out = mc
    sp = _read(out, "spending")
    sp["year"] = sp["year"].astype(str)
    assert np.allclose(sp.spend_mean_wan * 10_000, sp.spend_mean_yuan)
    yearly = sp[sp.year != "all"]
    tot = yearly[(yearly.project == "all") & (yearly.funding_source == "all")].set_index("year").spend_mean_yuan
    by_proj = yearly[(yearly.project != "all") & (yearly.funding_source == "all")].groupby("year").spend_mean_yuan.sum()
    by_src = yearly[(yearly.project == "all") & (yearly.funding_source != "all")].groupby("year").spend_mean_yuan.sum()
    assert np.allclose(by_proj.loc[tot.index], tot, rtol=1e-9, atol=1e-3)
    assert np.allclose(by_src.loc[tot.index], tot, rtol=1e-9, atol=1e-3)
    # each project's spend over the years = its receipts from all sources = spend_total in projects.csv
    proj = _read(out, "projects").set_index("project")
    per_proj = yearly[(yearly.project != "all") & (yearly.funding_source == "all")].groupby("project").spend_mean_yuan.sum()
    received = sp[(sp.year == "all")].groupby("project").spend_mean_yuan.sum()
    assert np.allclose(per_proj.loc[proj.index], proj.spend_total_mean_yuan, rtol=1e-9)
    assert np.allclose(received.loc[proj.index], proj.spend_total_mean_yuan, rtol=1e-9)
    assert np.allclose(proj.cost_wan * 10_000, proj.cost_yuan)
    # the Tongdao plan's 14th-plan investment, 17.47亿元 = 174,700 万元 (003_d8a032d88d4cf936.txt:702)
    assert proj.cost_wan.sum() == pytest.approx(174_700)


# ----------------------------------------------------------------------------- blanks, flags, counts
def test_no_inf_or_nan_text_in_any_file(mc, det):
    for _, out in (mc, det):
        for name in FILES:
            text = (out / f"{name}.csv").read_text(encoding="utf-8-sig")
            assert not re.search(r"(^|,)-?(inf|nan|NaN)(,|$)", text, re.M), name
        assert "Infinity" not in (out / "summary.json").read_text() and "NaN" not in (out / "summary.json").read_text()


def test_utilisation_blank_with_flag_when_no_capacity(mc):
    cap = _read(mc[1], "capacity")
    blank = cap.utilisation.isna()
    assert (cap.utilisation_note.notna() == blank).all()
    zero = cap.capacity_mean == 0
    assert blank[zero].all() and cap[zero].utilisation_note.str.startswith("no capacity").all()
    assert zero.any()                                  # the case occurs in Tongdao (townships without beds)
    ok = ~blank
    assert np.allclose(cap[ok].utilisation, cap[ok].demand_mean / cap[ok].capacity_mean)


def test_capacity_table_names_scenario_and_whole_beds(mc, tongdao):
    cap = _read(mc[1], "capacity")
    assert (cap.scenario == "tongdao").all() and cap.name_zh.notna().all()
    names = {u.id: u.name_zh for u in tongdao.rows("units")}
    assert (cap.name_zh == cap.unit.astype(str).map(names)).all()
    # beds and plots are counts; nursing beds are not always (beds of unknown split x a drawn nursing share)
    beds = cap[cap.measure.isin(["beds", "plots"])]
    for col in ("capacity_p10", "capacity_p50", "capacity_p90"):
        assert np.allclose(beds[col], np.round(beds[col])), col


def test_apportion_gives_whole_numbers_that_sum_to_the_total():
    w = np.array([16, 4, 9, 30, 20, 21, 17, 15, 10, 12, 8], dtype=float)
    parts = apportion(8083, w)
    assert parts.sum() == 8083 and np.allclose(parts, np.round(parts))
    assert np.all(np.abs(parts - 8083 * w / w.sum()) < 1)
    assert apportion(10, np.array([1.0, 1.0, 1.0])).tolist() == [4.0, 3.0, 3.0]
    assert np.allclose(apportion(2.5, np.array([1.0, 1.0])), [1.25, 1.25])   # not a count: exact split


# ----------------------------------------------------------------------------- population tables
def test_county_totals_and_renamed_columns(mc, tongdao):
    out = mc[1]
    region = tongdao.region_unit
    towns = [u.id for u in tongdao.rows("units") if u.level == "township"]
    aging = _read(out, "aging")
    aging["unit"] = aging["unit"].astype(str)
    assert {"age60plus_mean", "age65plus_mean", "age80plus_mean", "share60plus_pct_mean",
            "disabled_60plus_mean", "semi_disabled_60plus_mean"} <= set(aging.columns)
    assert not any(re.fullmatch(r"(age|share)(60|65|80)(_.*)?", c) for c in aging.columns)
    county = aging[aging.unit == region].set_index("year")
    summed = aging[aging.unit.isin(towns)].groupby("year")[["population_mean", "age60plus_mean"]].sum()
    assert np.allclose(county.population_mean, summed.population_mean, rtol=1e-9)
    assert np.allclose(county.age60plus_mean, summed.age60plus_mean, rtol=1e-9)
    # Tongdao's census 60+ (通道县七普公报第三号: 39,945), within one person of the county row for 2020
    assert county.loc[2020, "age60plus_mean"] == pytest.approx(39945, abs=1.5)
    assert county.loc[2020, "name_zh"] == "通道侗族自治县"
    pop = _read(out, "population")
    pop["unit"] = pop["unit"].astype(str)
    p_c = pop[(pop.unit == region) & (pop.year == 2030)].population_mean.sum()
    p_t = pop[pop.unit.isin(towns) & (pop.year == 2030)].population_mean.sum()
    assert p_c == pytest.approx(p_t, rel=1e-9)
    comp = _read(out, "components")
    comp["unit"] = comp["unit"].astype(str)
    cc = comp[comp.unit == region].set_index("interval")
    ct = comp[comp.unit.isin(towns)].groupby("interval").births_mean.sum()
    assert np.allclose(cc.births_mean, ct.loc[cc.index], rtol=1e-9)
    # population identity on the county rows: P(y+1) = P(y) + births - deaths + net migration
    cp = county.population_mean
    for iv, r in cc.iterrows():
        y0, y1 = map(int, iv.split("-"))
        assert cp.loc[y1] == pytest.approx(cp.loc[y0] + r.births_mean - r.deaths_mean + r.net_migration_mean, rel=1e-9)


def test_components_labelled_by_interval_through_the_last_year(mc, tongdao):
    comp = _read(mc[1], "components")
    labels = sorted(set(comp.interval))
    assert labels[0] == f"{tongdao.base_year}-{tongdao.base_year + 1}"
    assert labels[-1] == f"{tongdao.horizon - 1}-{tongdao.horizon}"
    assert len(labels) == tongdao.horizon - tongdao.base_year
    assert "year" not in comp.columns


def test_age_bands_are_not_excel_dates(mc):
    labels = age_band_labels()
    assert labels[1] == "05-09岁" and labels[-1] == "100岁及以上" and len(labels) == 21
    excel_date = re.compile(r"^\d{1,2}[-/]\d{1,2}$|^\d{1,2}[-/][A-Za-z]{3}$")
    assert not any(excel_date.match(b) for b in labels)
    pop = _read(mc[1], "population")
    assert set(pop.age_band) == set(labels)
    assert (pop[pop.age_band == "05-09岁"].age_from == 5).all()


# ----------------------------------------------------------------------------- intervals and verdicts
def test_deterministic_run_has_no_interval_and_no_probability_words(det):
    res, out = det
    ind = _read(out, "indicators")
    assert ind.p_met_low.isna().all() and ind.p_met_high.isna().all()
    summ = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert summ["p_met_estimate"] == "deterministic"
    words = {t["verdict"] for t in summ["targets"]}
    assert not any(w in {"likely met", "at risk", "likely missed", "missed"} for w in words)
    assert {"met on plan", "missed on plan"} <= words
    assert all(t.get("p_met_interval") is None for t in summ["targets"])


def test_single_random_replication_has_no_interval(tongdao):
    res = simulate(tongdao, RunOptions(replications=1, seed=2))
    assert res.indicators.p_met_low.isna().all()
    assert all(t["verdict"].endswith("in 1 replication") or t["kind"] == "tracked" or t["verdict"] == "undefined"
               for t in res.summary)
    assert interval_kind(1, True) == "single replication" and verdict(1.0, "computed", "single replication") == "met in 1 replication"


def test_p_zero_interval_starts_at_exactly_zero(mc):
    ind = _read(mc[1], "indicators")
    zero = ind[ind.p_met == 0]
    assert len(zero) and (zero.p_met_low == 0.0).all() and (zero.p_met_high > 0).all()
    one = ind[ind.p_met == 1]
    assert len(one) and (one.p_met_high == 1.0).all()
    for n in range(1, 200, 7):
        assert wilson(0, n)[0] == 0.0 and wilson(n, n)[1] == 1.0


def test_attainment_counts_never_as_after_the_horizon():
    years = np.arange(2020, 2036)
    v = np.zeros((10, len(years)))
    v[0, 3:] = 1.0                                       # one replication in ten attains, from 2023
    a = attainment(v, ">=", 1.0, years)
    assert a["p_attained_by_horizon"] == pytest.approx(0.1)
    assert a["attainment_year_p50"] is None and a["attained_p50_after_horizon"] is True
    v[:6, 5:] = 1.0                                      # six of ten from 2025 (one from 2023)
    a = attainment(v, ">=", 1.0, years)
    assert a["attainment_year_p50"] == 2025 and a["attained_p50_after_horizon"] is False
    nan = attainment(np.full((10, len(years)), np.nan), ">=", 1.0, years)
    assert nan == {"attainment_year_p50": None, "attained_p50_after_horizon": None, "p_attained_by_horizon": None}


def test_summary_attainment_consistent_with_probability(mc):
    summ = json.loads((mc[1] / "summary.json").read_text(encoding="utf-8"))
    for t in summ["targets"]:
        if t["kind"] != "computed":
            continue
        if t["verdict"] == "undefined":
            assert t["attainment_year_p50"] is None and t["p_attained_by_horizon"] is None, t["id"]
            continue
        if t["p_attained_by_horizon"] < 0.5:
            assert t["attainment_year_p50"] is None and t["attained_p50_after_horizon"], t["id"]
        else:
            assert t["attainment_year_p50"] is not None, t["id"]


def test_percentiles_are_values_that_occurred(mc, tongdao):
    res, _ = mc
    ind = res.indicators
    years = list(res.years)
    for t in tongdao.rows("targets"):
        if t.kind != "computed":
            continue
        row = ind[(ind.indicator_id == t.id) & (ind.year == t.year)].iloc[0]
        vals = res.quantities[t.quantity][:, years.index(t.year)]
        vals = vals[~np.isnan(vals)]
        for col in ("p10", "p50", "p90"):
            if not math.isnan(row[col]):
                assert np.isclose(vals, row[col]).any(), (t.id, col)


# ----------------------------------------------------------------------------- the README's column table
def _readme_columns() -> dict[str, set[str]]:
    text = (REPO / "README.md").read_text(encoding="utf-8")
    section = text.split("#### Output files and columns", 1)[1]
    table = [l for l in section.split("\n\n")[2].splitlines() if l.startswith("| ") and not l.startswith("| file")]
    cols: dict[str, set[str]] = {}
    for line in table:
        cells = [c.strip() for c in line.strip("|").split("|")]
        where = cells[0].replace("`", "")
        names = set(re.findall(r"`([^`]+)`", cells[1]))
        cols.setdefault(where, set()).update(names)
    shared = cols.pop("all CSV", set())
    for k in list(cols):
        if k.endswith(".csv"):
            cols[k] |= shared
    return cols


def test_readme_column_table_matches_every_output_file(mc):
    """Both directions: every column of every file is documented, and nothing documented is missing."""
    cols = _readme_columns()
    out = mc[1]
    for name in FILES:
        header = list(pd.read_csv(out / f"{name}.csv", encoding="utf-8-sig", nrows=0).columns)
        doc = cols.get(f"{name}.csv", set())
        assert set(header) - doc == set(), f"{name}.csv: columns not in the README's column table"
        assert doc - set(header) == set(), f"{name}.csv: README documents columns the file does not have"
    summ = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert set(summ) == cols["summary.json"]
    keys = set().union(*(t.keys() for t in summ["targets"]))
    assert keys == cols["summary.json target"]
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(man) == cols["manifest.json"]
    assert sorted(p.name for p in out.iterdir()) == sorted([f"{n}.csv" for n in FILES] + ["summary.json", "manifest.json"])
