"""The Chuxiong scenario matches the plan it was built from (seed 004_9176aec6d26fd934.txt) and the
official codes (geodata/), validates and runs at small N (issue 13 items 2, 4, 5)."""

from __future__ import annotations

import csv
import json
import math
import re
from collections import Counter
from pathlib import Path

import pytest

from sim.cli import main
from sim.loader import load_scenario

from conftest import REPO

SCENARIO = REPO / "scenarios" / "chuxiong.yaml"
DATA = REPO / "scenarios" / "chuxiong"
SEED_NAME = "004_9176aec6d26fd934.txt"
SEED = next((p / SEED_NAME for p in (REPO.parent / "shared" / "seeds", REPO.parent.parent / "shared" / "seeds")
             if (p / SEED_NAME).exists()), None)
CITE = re.compile(r"(\d{3}_[0-9a-f]{16}\.txt):(\d+)")
REGION = "532300"


def read(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f))


def seed_lines() -> list[str]:
    if SEED is None:
        pytest.skip(f"seed plan {SEED_NAME} not found next to the repository")
    return SEED.read_text(encoding="utf-8").splitlines()


def cited(text: str, lines: list[str]) -> list[str]:
    return [lines[int(n) - 1].strip() for f, n in CITE.findall(text or "") if f == SEED_NAME]


def figure_texts(v: float) -> set[str]:
    """How a number may be printed: as is, or in 万 (22.18万 = 221800)."""
    out = {f"{v:g}"}
    if v >= 10000:
        out.add(f"{v / 1e4:g}")
    return out


@pytest.fixture(scope="module")
def chuxiong():
    return load_scenario(SCENARIO)


# ---- the official units ------------------------------------------------------------------------

def test_counties_are_the_ten_with_2023_codes():
    units = read("units.csv")
    counties = {u["id"]: u["name_zh"] for u in units if u["level"] == "county"}
    geo = json.loads((REPO / "geodata" / "counties_532300_chuxiong.geojson").read_text(encoding="utf-8"))
    official = {f["properties"]["stats_code"]: f["properties"]["name_zh"] for f in geo["features"]}
    assert counties == official
    assert counties["532302"] == "禄丰市"                        # 2023 code, not cnmaps' 532331
    joins = read("../../geodata/code_joins.csv")
    assert any(j["stats_2023_code"] == "532302" and j["cnmaps_adcode"] == "532331" for j in joins)
    assert all(u["parent"] == REGION for u in units if u["level"] == "county")


def test_townships_are_the_103_official_codes_with_the_published_counts():
    units = read("units.csv")
    towns = [u for u in units if u["level"] == "township"]
    official = {r["code"]: r for r in read("../../geodata/townships_532300.csv")}
    assert {t["id"] for t in towns} == set(official)
    for t in towns:
        assert t["parent"] == official[t["id"]]["county_code"] and t["name_zh"] == official[t["id"]]["name_zh"]
        assert len(t["id"]) == 9 and t["id"].startswith(t["parent"])
    per_county = Counter(t["parent"] for t in towns)
    assert sorted(per_county.values(), reverse=True) == [15, 14, 12, 11, 10, 10, 9, 8, 7, 7]
    assert len(towns) == 103                                            # 103个乡镇 (seed line 10, 342)


def test_published_township_shares_add_to_one_per_county():
    units = read("units.csv")
    shares: dict[str, float] = {}
    for u in units:
        if u["level"] == "township" and u["pop_share"]:
            shares[u["parent"]] = shares.get(u["parent"], 0.0) + float(u["pop_share"])
    assert set(shares) == {"532324", "532325", "532327"}               # 南华, 姚安, 永仁 bulletins
    for county, s in shares.items():
        assert s == pytest.approx(1.0, abs=1e-5), county


# ---- population ------------------------------------------------------------------------------------

def test_county_populations_add_up_to_the_prefecture_census():
    demo = read("unit_demography.csv")
    assert len(demo) == 10
    region = {p["id"]: float(p["value"]) for p in read("demography.csv")}
    assert sum(int(d["base_population"]) for d in demo) == region["demography.base_population"] == 2416747
    older = sum(int(d["base_population"]) * float(d["share_60plus"]) / 100 for d in demo)
    assert older == pytest.approx(426309, rel=5e-4)                      # 60+ of the prefecture bulletin
    for d in demo:
        total = float(d["share_0_14"]) + float(d["share_15_59"]) + float(d["share_60plus"])
        assert total == pytest.approx(100, abs=0.1), d["unit"]
        assert d["confidence"] in ("published", "derived")
        if d["confidence"] == "derived":
            assert "derived" in (d["source"] + d["note"])
    # the two largest counties hold 41.30% (prefecture bulletin): a check on the published totals
    top2 = sorted((int(d["base_population"]) for d in demo), reverse=True)[:2]
    assert round(100 * sum(top2) / 2416747, 2) == 41.30


# ---- the plan's main indicator table ---------------------------------------------------------------

def test_main_indicator_table_has_21_rows_with_the_plans_attributes():
    targets = read("targets.csv")
    main_rows = [t for t in targets if t["main_table"] == "yes"]
    assert [t["id"] for t in main_rows] == [f"M{i:02d}" for i in range(1, 22)]
    assert {t["year"] for t in main_rows} == {"2025"}
    assert {t["id"] for t in main_rows if t["binding"] == "binding"} == {"M12", "M13", "M14", "M16"}  # 约束性


def test_main_indicators_match_the_seed_lines():
    lines = seed_lines()
    for t in (t for t in read("targets.csv") if t["main_table"] == "yes"):
        name_line, value_line, attr_line = cited(t["source"], lines)
        assert name_line == t["name_zh"], t["id"]
        assert attr_line == {"binding": "约束性", "indicative": "预期性"}[t["binding"]], t["id"]
        if t["value"]:
            assert f"{float(t['value']):g}" in value_line, (t["id"], value_line)
        else:
            assert t["value_text"] == value_line, t["id"]


def test_every_seed_citation_exists_and_cited_figures_are_printed_there(chuxiong):
    lines = seed_lines()
    for name, rows in chuxiong.tables.items():
        for r in rows:
            text = (r.source or "") if name != "conflicts" else r.source_a + " " + r.source_b
            assert text.strip(), f"{name} row {r.id} has no source"
            for fname, n in CITE.findall(text):
                if fname == SEED_NAME:
                    assert 1 <= int(n) <= len(lines), f"{name} row {r.id} cites line {n} beyond the seed"
    # a figure cited to the seed alone (not derived, not an assumption) is printed on a cited line
    checks = [(b["id"], float(b["value"]), b["source"]) for b in read("base_facts.csv")]
    checks += [(m["id"], float(m["value"]), m["source"]) for m in read("monitoring.csv")]
    checks += [(p["id"], float(p["count"]), p["source"]) for p in read("programmes.csv")]
    checks = [(rid, v, src, "") for rid, v, src in checks]
    checks += [(t["id"], float(t["value"]), t["source"], t["value_text"]) for t in read("targets.csv") if t["value"]]
    n_checked = 0
    for rid, value, source, words in checks:
        if "derived" in source or "assumption" in source or SEED_NAME not in source or "published" in source:
            continue
        on_lines = " ".join(cited(source, lines))
        # the figure is printed, or the words the target stands for ("全覆盖" = 100%) are
        assert any(f in on_lines for f in figure_texts(value)) or (words and words in on_lines), \
            (rid, value, on_lines[:200])
        n_checked += 1
    assert n_checked > 80


# ---- stock, programmes, money ----------------------------------------------------------------------

def test_base_stock_reproduces_the_plans_totals():
    fac = read("facilities.csv")
    elder = [f for f in fac if f["id"].startswith("F_ELDER_")]
    assert sum(int(f["beds"]) for f in elder) == 15986                 # seed line 9
    assert sum(int(f["count"]) for f in elder) == 350                  # seed line 9
    nursing = sum(int(f["beds_nursing"]) for f in elder) / 15986
    assert nursing == pytest.approx(0.264, abs=0.001)                  # seed line 55
    homes = Counter(f["unit"] for f in fac if f["facility_type"] == "funeral_home")
    assert len(homes) == 10 and set(homes.values()) == {1}             # 县市殡仪馆全覆盖 (line 12)


def test_programmes_match_the_boxes_and_the_money_covers_them():
    pg = {p["id"]: p for p in read("programmes.csv")}
    towns = Counter(u["parent"] for u in read("units.csv") if u["level"] == "township")
    assert int(pg["PG01"]["count"]) == 10 and pg["PG01"]["deadline"] == "2022-12"   # line 338
    assert int(pg["PG04"]["count"]) == 14 and pg["PG04"]["facility_type"] == "cremation_point"   # line 342
    assert int(pg["PG05"]["count"]) == 103 and int(pg["PG03"]["count"]) == 103      # lines 342, 327
    for county, n in towns.items():                                                 # >= 60% per county (line 339)
        p = pg[f"PG02_{county}"]
        assert int(p["count"]) == math.ceil(0.6 * n) and p["within"] == county and p["level"] == "township"
    cost = sum(int(p["count"]) * float(p["unit_cost"]) for p in pg.values())
    money = sum(float(f["amount"]) for f in read("funding.csv"))
    assert 0 < money - cost < 0.02 * len(read("funding.csv"))          # 82222万元, + at most 0.02万元 a row (rounding margin)
    for p in pg.values():
        assert p["cost_source"].startswith(("borrowed:", "published:", "assumption:")), p["id"]


def test_conflicts_keep_both_figures():
    text = " ".join(c["value_a"] + " " + c["value_b"] for c in read("conflicts.csv"))
    for figure in ("60%", "57.4%", "1.3", "1.20", "93.2%", "100%", "70%", "60%", "75%", "35.5"):
        assert figure in text


# ---- the engine ------------------------------------------------------------------------------------

def test_validates_and_has_the_plan_structure(chuxiong):
    units = chuxiong.rows("units")
    assert sum(u.level == "county" for u in units) == 10
    assert sum(u.level == "township" for u in units) == 103
    targets = chuxiong.rows("targets")
    assert sum(t.main_table == "yes" for t in targets) == 21
    assert main(["validate", str(SCENARIO)]) == 0


def test_runs_at_small_n(tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(SCENARIO), "-n", "20", "--out", str(out), "--no-maps", "--no-report"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    res = {t["id"]: t for t in summary["targets"]}
    assert {f"M{i:02d}" for i in range(1, 22)} <= set(res)
    # county funeral homes and township cemeteries are complete in the 2020 stock (lines 12, 70, 207)
    # and nothing removes them: 100% in every replication
    for tid in ("M13", "M14"):
        assert res[tid]["p10"] == res[tid]["p90"] == 100.0 and res[tid]["p_met"] == 1.0
    # PG02's regional centres stay inside their county and number ceil(60%) of its townships
    with open(out / "projects.csv", encoding="utf-8-sig") as f:
        placed = [r["project"] for r in csv.DictReader(f) if r["project"].startswith("PG02_")]
    per_county = Counter(pid.split("_")[1] for pid in placed)
    towns = Counter(u["parent"] for u in read("units.csv") if u["level"] == "township")
    assert per_county == {c: math.ceil(0.6 * n) for c, n in towns.items()}
    assert all(pid.split("_")[2].startswith(pid.split("_")[1]) for pid in placed)
    # no comprehensive institution exists in 2020; PG02 builds 66 in 103 townships: never more
    assert 0.0 <= res["M17"]["p10"] <= res["M17"]["p90"] <= 100 * 66 / 103 + 1e-9
    # base year: every county's population is its census figure, its townships add up to it
    pop: dict[str, float] = {}
    with open(out / "population.csv", encoding="utf-8-sig") as f:
        for r in csv.DictReader(f):
            if r["year"] == "2020":
                pop[r["unit"]] = pop.get(r["unit"], 0.0) + float(r["population_mean"])
    demo = {d["unit"]: int(d["base_population"]) for d in read("unit_demography.csv")}
    for county, n in demo.items():
        assert pop[county] == pytest.approx(n, abs=1.0)
        towns = sum(v for u, v in pop.items() if len(u) == 9 and u.startswith(county))
        assert towns == pytest.approx(n, abs=1.0)
    assert pop[REGION] == pytest.approx(2416747, abs=1.0)
