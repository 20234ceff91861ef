"""The Changsha scenario (seed 002_f9e241319357bd39.txt) matches its plan, its census sources and the official codes.

Quick: one validate and one run at -n 20 without maps or reports; the rest reads the tables.
"""

from __future__ import annotations

import csv
import json
import re
from pathlib import Path

import pytest

from sim.cli import main
from sim.loader import load_scenario

from conftest import REPO
from test_tongdao_scenario import CITE

SCENARIO = REPO / "scenarios" / "changsha.yaml"
TABLES = REPO / "scenarios" / "changsha"
# ../shared from the main checkout, ../../shared from a worktree under /work/wt/
SEED = next((p for p in (REPO.parent / "shared" / "seeds" / "002_f9e241319357bd39.txt",
                         REPO.parent.parent / "shared" / "seeds" / "002_f9e241319357bd39.txt") if p.exists()),
            REPO.parent / "shared" / "seeds" / "002_f9e241319357bd39.txt")
GEO = REPO / "geodata" / "counties_430100_changsha.geojson"
COUNTIES = {"430102": "芙蓉区", "430103": "天心区", "430104": "岳麓区", "430105": "开福区", "430111": "雨花区",
            "430112": "望城区", "430121": "长沙县", "430181": "浏阳市", "430182": "宁乡市"}
# Words the plan uses for "every unit" / "full coverage": the figure of a 100% target.
ALL_WORDS = ("全覆盖", "全部", "全面", "每个", "各")


def rows(name: str) -> list[dict]:
    with open(TABLES / name, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def seed_lines() -> list[str]:
    if not SEED.exists():
        pytest.skip(f"seed plan not found at {SEED}")
    return SEED.read_text(encoding="utf-8").splitlines()


def test_validates():
    assert main(["validate", str(SCENARIO)]) == 0


def test_runs_at_small_n(tmp_path):
    out = tmp_path / "run"
    assert main(["run", str(SCENARIO), "-n", "10", "--seed", "1", "--out", str(out), "--no-maps", "--no-report"]) == 0
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    by_id = {t["id"]: t for t in summary["targets"]}
    assert len(by_id) == 54
    for t in by_id.values():
        if t["kind"] == "computed":
            assert 0.0 <= t["p_met"] <= 1.0, t["id"]
    # S19 持证社工 in 2025 = 6300 (line 16) + 5 years x social.hiring_per_year, triangular(400, 824, 1200):
    # closed-form mean 6300 + 5 x 808 = 10340, sd of the mean over 10 replications 5 x 163.4 / sqrt(10) = 258
    s19 = by_id["S19"]
    assert s19["mean"] == pytest.approx(6300 + 5 * (400 + 824 + 1200) / 3, abs=4 * 258)


def test_county_list_matches_official_codes():
    """The 9 county-level units are those of the committed boundary layer (2023 statistical codes)."""
    geo = json.loads(GEO.read_text(encoding="utf-8"))
    official = {f["properties"]["stats_code"]: f["properties"]["name_zh"] for f in geo["features"]}
    units = rows("units.csv")
    counties = {u["id"]: u["name_zh"] for u in units if u["parent"] == "430100"}
    assert counties == official == COUNTIES
    region = [u for u in units if not u["parent"]]
    assert [(u["id"], u["level"]) for u in region] == [("430100", "city")]


def test_townships_sit_under_their_county():
    units = rows("units.csv")
    towns = [u for u in units if u["level"] == "township"]
    assert len(towns) == 172
    assert all(len(u["id"]) == 9 and u["id"][:6] == u["parent"] and u["parent"] in COUNTIES for u in towns)
    kinds = [u["kind_zh"] for u in towns]
    assert (kinds.count("街道"), kinds.count("镇") + kinds.count("乡")) == (96, 74)
    # 66.22% of the 镇乡 covered in 2020 (line 20) is 49 of these 74: the denominator the plan used (conflicts C05)
    assert round(49 / 74 * 100, 2) == 66.22
    region = next(u for u in units if u["id"] == "430100")
    for col in ("villages", "communities"):
        assert int(region[col]) == sum(int(u[col]) for u in towns)


def test_county_populations_add_up_to_the_census_total():
    dem = rows("unit_demography.csv")
    assert {d["unit"] for d in dem} == set(COUNTIES)
    params = {r["id"]: float(r["value"]) for r in rows("demography.csv")}
    total = params["demography.base_population"]
    assert total == 10047914                                          # 湖南省七普公报第二号
    assert sum(int(d["base_population"]) for d in dem) == total
    older = sum(int(d["base_population"]) * float(d["share_60plus"]) / 100 for d in dem)
    assert older == pytest.approx(total * params["demography.share_60plus"] / 100, rel=0.005)
    for d in dem:
        assert abs(float(d["share_0_14"]) + float(d["share_15_59"]) + float(d["share_60plus"]) - 100) <= 0.1
        assert d["confidence"] in ("published", "derived")
        if d["confidence"] == "derived":
            assert "derived" in d["source"] + d["note"]
        else:
            assert "http" in d["source"]
    assert sum(d["confidence"] == "published" for d in dem) == 3


def test_every_stated_target_is_counted():
    """Every box item that prints a figure, and every prose line the targets come from, is cited by a target or a
    programme; the targets are all prose/box targets (no main table survives)."""
    lines = seed_lines()
    targets = rows("targets.csv")
    assert len(targets) == 54 and len({t["id"] for t in targets}) == 54
    cited = {int(n) for r in targets + rows("programmes.csv") for f, n in CITE.findall(r["source"]) if f == SEED.name}
    box_items = [i + 1 for i, s in enumerate(lines)
                 if re.match(r"^\d\.", s) and re.search(r"\d", s[2:]) and 90 <= i + 1 <= 240]
    assert len(box_items) >= 6
    assert set(box_items) <= cited, set(box_items) - cited
    # every box item is a target or programme, except three that state no figure and no building
    # (92 下放审核确认权限, 108 联动调整养育标准, 116 适时提高两项补贴标准)
    all_items = {i + 1 for i, s in enumerate(lines) if re.match(r"^\d\.", s) and 90 <= i + 1 <= 240}
    assert all_items - cited == {92, 108, 116}
    prose = {80, 84, 112, 124, 140, 150, 156, 160, 168, 172, 176, 198, 206, 212, 216, 218, 220}
    assert prose <= cited, prose - cited
    for t in targets:
        assert t["main_table"] == "no" and t["binding"] == "indicative"
        assert (t["kind"] == "computed") == bool(t["quantity"])
        if t["count_over"]:
            assert t["count_over"] in ("county", "township") and float(t["unit_threshold"]) >= 1


def _forms(value: float) -> set[str]:
    out = {f"{value:g}"}
    if value >= 1e4:
        out.add(f"{value / 1e4:g}")                                   # printed in 万
    return out


def test_seed_citations_point_at_lines_with_the_figure():
    """A row whose source cites the seed (and says nothing is derived or assumed) has its figure on a cited line."""
    lines = seed_lines()
    checks = [("targets.csv", "value"), ("base_facts.csv", "value"), ("monitoring.csv", "value"),
              ("programmes.csv", "count"), ("facilities.csv", "count")]
    n = 0
    for table, col in checks:
        for r in rows(table):
            src = r["source"]
            cites = [int(k) for f, k in CITE.findall(src) if f == SEED.name]
            assert all(1 <= k <= len(lines) for k in cites), (table, r["id"])
            if not cites or "derived" in src or "assumption" in src or not r[col]:
                continue
            if table == "targets.csv" and r["unit"] == "milestone":
                continue
            text = " ".join(lines[k - 1] for k in cites)
            v = float(r[col])
            ok = any(f in text for f in _forms(v)) or (v == 100 and any(w in text for w in ALL_WORDS))
            assert ok, f"{table} {r['id']}: {r[col]} not on lines {cites}"
            n += 1
    assert n >= 60


def test_every_row_has_a_source():
    for name in ("units.csv", "unit_demography.csv", "facilities.csv", "programmes.csv", "targets.csv",
                 "base_facts.csv", "monitoring.csv", "funding.csv", "demography.csv", "service_parameters.csv",
                 "buildout_parameters.csv"):
        for r in rows(name):
            assert r["source"].strip(), (name, r.get("id") or r.get("unit"))
    for c in rows("conflicts.csv"):
        assert c["source_a"].strip() and c["source_b"].strip() and c["chosen"] in ("a", "b")


def test_programmes_follow_the_allocation_contract():
    units = {u["id"]: u for u in rows("units.csv")}
    for p in rows("programmes.csv"):
        rules = p["allocation"].split(";")
        assert set(rules) <= {"named", "lacking", "by_older", "every"}
        named = [u for u in p["named_units"].split(";") if u]
        assert all(units[u]["level"] in (p["level"], "district" if p["level"] == "county" else p["level"]) for u in named)
        if rules == ["named"]:
            assert int(p["count"]) <= len(named)
        if "every" in rules:
            assert int(p["count"]) == sum(u["level"] in ("county", "district") for u in units.values())
        assert p["unit_cost"] and p["cost_source"]
    pg02 = next(p for p in rows("programmes.csv") if p["id"] == "PG02")
    assert {units[u]["kind_zh"] for u in pg02["named_units"].split(";")} == {"街道"}
    pg05 = next(p for p in rows("programmes.csv") if p["id"] == "PG05")
    assert {units[u]["kind_zh"] for u in pg05["named_units"].split(";")} <= {"镇", "乡"}


def test_the_scenario_says_its_main_table_is_missing():
    head = SCENARIO.read_text(encoding="utf-8").split("\nid:")[0]
    assert "MAIN-INDICATOR TABLE IS MISSING" in head and "lost" in head
    notes = (TABLES / "DATA_NOTES.md").read_text(encoding="utf-8")
    assert "main-indicator table" in notes.lower() and "lost" in notes
    readme = (REPO / "README.md").read_text(encoding="utf-8")
    plans = readme.split("## Plans", 1)[1]
    row = next(line for line in plans.splitlines() if "changsha" in line.lower() and "|" in line)
    assert "main-indicator table" in row and "lost" in row


def test_loads_with_the_engine():
    s = load_scenario(SCENARIO)
    assert len(s.rows("targets")) == 54
