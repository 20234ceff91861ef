"""The Hunan scenario matches the plan it was built from (seed 000_df0e2ee655117bc1.txt) and the official units.

Data checks read the CSV files directly (independent of the engine); ``test_validates`` loads the scenario
with the engine. Seed-line checks skip when ../shared/seeds is absent, as in test_tongdao_scenario.py.
"""

from __future__ import annotations

import csv
import json
import re
from collections import defaultdict
from pathlib import Path

import pytest

from conftest import REPO

SCENARIO = REPO / "scenarios" / "hunan.yaml"
DIR = REPO / "scenarios" / "hunan"
# ../shared/seeds from the main checkout; ../../shared/seeds from a worktree under /work/wt
SEED = next((p / "shared" / "seeds" / "000_df0e2ee655117bc1.txt" for p in (REPO.parent, REPO.parent.parent)
             if (p / "shared" / "seeds").is_dir()), REPO.parent / "shared" / "seeds" / "000_df0e2ee655117bc1.txt")
GEO = REPO / "geodata" / "counties_430000_hunan.geojson"
CITE = re.compile(r"(\d{3}_[0-9a-f]{16}\.txt):(\d+)")
PROVINCE_TOTAL = 66444864          # 湖南省第七次全国人口普查公报（第二号）
# Prefecture totals printed in the province bulletin (第二号, table 2-1) for the first eight prefectures.
BULLETIN = {"430100": 10047914, "430200": 3902738, "430300": 2726181, "430400": 6645243,
            "430500": 6563520, "430600": 5051922, "430700": 5279102}
# The main table as printed (lines 135-231): 2025 value (None: words) and 属性.
MAIN = [(None, "预期性"), (75, "预期性"), (100, "约束性"), (100, "约束性"), (0.9, "预期性"), (43, "预期性"),
        (37, "预期性"), (9, "预期性"), (80, "预期性"), (100, "预期性"), (50, "预期性"), (100, "约束性"),
        (100, "约束性"), (55, "约束性"), (60, "预期性")]


def rows(name: str) -> list[dict]:
    with open(DIR / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def seed_lines() -> list[str]:
    if not SEED.exists():
        pytest.skip(f"seed plan not found at {SEED}")
    return SEED.read_text(encoding="utf-8").splitlines()


def test_validates():
    from sim.loader import load_scenario
    s = load_scenario(SCENARIO)
    assert s.id == "hunan"
    assert len(s.rows("targets")) == len(rows("targets.csv"))


def test_main_table_matches_the_plan():
    main = [t for t in rows("targets.csv") if t["main_table"] == "yes"]
    assert len(main) == 15
    for t, (value, attr) in zip(main, MAIN):
        assert t["year"] == "2025"
        assert (float(t["value"]) if t["value"] else None) == value, t["id"]
        assert t["binding"] == {"约束性": "binding", "预期性": "indicative"}[attr], t["id"]
    assert main[0]["value_text"] == "不低于居民上年度人均消费支出增速"
    assert main[10]["comparator"] == ">"            # printed ">50"


def test_main_table_against_the_seed():
    """Each main-table row is the seed's row: number, name, 2025 value and 属性 on consecutive lines."""
    lines = seed_lines()
    start = lines.index("\t序号")                      # 0-based index of the header's first cell
    main = [t for t in rows("targets.csv") if t["main_table"] == "yes"]
    for i, t in enumerate(main):
        block = [x.strip() for x in lines[start + 7 + 6 * i: start + 12 + 6 * i]]
        number, name, _v2020, v2025, attr = block
        assert number == str(i + 1)
        name = re.sub(r"（[^（）]*）$", "", name)          # the unit printed after the name: （%）, （万个）
        assert name == t["name_zh"], (name, t["name_zh"])
        assert t["binding"] == {"约束性": "binding", "预期性": "indicative"}[attr]
        if t["value"]:
            assert f"{float(t['value']):g}" in v2025, (t["id"], v2025)
        else:
            assert v2025 == t["value_text"]
        cited = {int(n) for f, n in CITE.findall(t["source"]) if f == SEED.name}
        assert start + 11 + 6 * i in cited                 # the 2025 value line (1-based) is cited


def test_122_counties_with_official_codes_and_parents():
    units = rows("units.csv")
    by_id = {u["id"]: u for u in units}
    counties = [u for u in units if u["level"] in ("county", "district")]
    prefectures = [u for u in units if u["level"] == "prefecture"]
    assert len(counties) == 122 and len(prefectures) == 14
    assert [u["id"] for u in units if u["level"] == "province"] == ["430000"]
    geo = {f["properties"]["stats_code"]: f["properties"] for f in json.loads(GEO.read_text(encoding="utf-8"))["features"]}
    assert {u["id"] for u in counties} == set(geo)
    assert "431181" in geo and by_id["431181"]["name_zh"] == "祁阳市"       # 2023 code (431121 before 2021)
    for u in counties:
        parent = by_id[u["parent"]]
        assert parent["level"] == "prefecture" and parent["parent"] == "430000"
        assert parent["name_zh"] == geo[u["id"]]["prefecture_zh"]
        assert u["id"][:4] == parent["id"][:4]
        assert u["name_zh"] == geo[u["id"]]["name_zh"]
    for p in prefectures:
        kids = [u for u in counties if u["parent"] == p["id"]]
        assert int(p["villages"]) == sum(int(u["villages"] or 0) for u in kids)


def test_county_populations_add_up():
    units = {u["id"]: u for u in rows("units.csv")}
    dem = rows("unit_demography.csv")
    assert len(dem) == 122
    total = sum(int(d["base_population"]) for d in dem)
    assert abs(total - PROVINCE_TOTAL) / PROVINCE_TOTAL < 1e-4        # stated tolerance: 0.01%
    by_pref = defaultdict(int)
    for d in dem:
        by_pref[units[d["unit"]]["parent"]] += int(d["base_population"])
    for code, printed in BULLETIN.items():
        assert abs(by_pref[code] - printed) / printed < 1e-4, code
    for d in dem:
        s = float(d["share_0_14"]) + float(d["share_15_59"]) + float(d["share_60plus"])
        assert abs(s - 100) <= 0.1, d["unit"]
        assert float(d["share_65plus"]) < float(d["share_60plus"])
        assert d["confidence"] in ("published", "derived")
        if d["confidence"] == "derived":
            assert "derived" in d["source"] + d["note"]
        assert "http" in d["source"] or "derived:" in d["source"]
    tongdao = next(d for d in dem if d["unit"] == "431230")
    assert int(tongdao["base_population"]) == 201047                  # as scenarios/tongdao/demography.csv


def _figures(v: float) -> set[str]:
    """Ways the plan prints the number ``v``: 490000 -> '490000', '49万'."""
    out = {f"{v:g}"}
    if v >= 10000:
        out.add(f"{v / 10000:g}万")
    return out


def test_every_seed_citation_points_at_a_line_with_the_figure():
    lines = seed_lines()
    checked = 0
    tables = {"targets.csv": "value", "base_facts.csv": "value", "monitoring.csv": "value", "programmes.csv": "count"}
    for name in ["units.csv", "unit_demography.csv", "facilities.csv", "conflicts.csv", "funding.csv",
                 "demography.csv", "service_parameters.csv", *tables]:
        for r in rows(name):
            text = " ".join(r.get(k) or "" for k in ("source", "source_a", "source_b", "cost_source"))
            cited = [int(n) for f, n in CITE.findall(text) if f == SEED.name]
            assert all(1 <= n <= len(lines) for n in cited), (name, r.get("id"))
            field = tables.get(name)
            if not field or not cited or not r.get(field) or "derived" in r["source"]:
                continue
            if name == "programmes.csv" and r["allocation"] == "named":
                assert int(r["count"]) == len(r["named_units"].split(";")), r["id"]
                continue
            v = float(r[field])
            text = " ".join(lines[n - 1] for n in cited)
            ok = any(f in text for f in _figures(v))
            if v == 100 and r.get("unit") == "%":
                ok = ok or "全覆盖" in text or "每个" in text
            assert ok, (name, r.get("id"), v, cited)
            checked += 1
    assert checked > 80


def test_programmes_are_allocatable():
    """Counts fit the rule: `every` = 122 units, named lists hold county-level ids, money is cited."""
    counties = {u["id"] for u in rows("units.csv") if u["level"] in ("county", "district")}
    progs = rows("programmes.csv")
    assert sum(int(p["count"]) for p in progs if p["id"].startswith("PG11")) == 1000      # 000:334
    assert sum(int(p["count"]) for p in progs if p["id"].startswith("PG05")) == 200       # 000:277
    for p in progs:
        assert p["level"] == "county"
        if p["allocation"] == "every":
            assert int(p["count"]) == 122
        if "named" in p["allocation"]:
            assert set(p["named_units"].split(";")) <= counties
        if p["allocation"] in ("by_older", "lacking;by_older"):          # at most one per unit
            assert int(p["count"]) <= 122
        assert float(p["unit_cost"]) > 0 and p["cost_source"].split(":")[0] in ("borrowed", "derived", "assumption")


def test_base_stock_reproduces_the_plans_2020_figures():
    fac = rows("facilities.csv")
    care = [f for f in fac if f["facility_type"] == "care_home"]
    assert sum(int(f["beds"]) for f in care) == 490000                 # line 9
    assert sum(int(f["beds_nursing"]) for f in care) == 186000         # line 9
    assert sum(int(f["count"]) for f in care) == 1877                  # line 12
    assert sum(f["facility_type"] == "funeral_home" for f in fac) == 86                      # line 12
    burial = {f["unit"] for f in fac if f["facility_type"] == "public_cemetery"}
    assert round(100 * len(burial) / 122) == 74                        # main table row 13, 2020 column


def test_counties_respect_the_size_bands_of_the_hengyang_bulletin():
    """衡阳市七普公报 (kidbbs.com reprint): 耒阳 > 100万; 衡阳县, 衡南, 常宁, 祁东, 衡东 50-100万; 蒸湘, 珠晖, 衡山 30-50万;
    雁峰, 石鼓 10-30万; 南岳 < 10万. Eleven of the twelve are derived: the derivation must keep to the bands."""
    bands = {"430481": (1e6, 9e9), "430421": (5e5, 1e6), "430422": (5e5, 1e6), "430482": (5e5, 1e6),
             "430426": (5e5, 1e6), "430424": (5e5, 1e6), "430408": (3e5, 5e5), "430405": (3e5, 5e5),
             "430423": (3e5, 5e5), "430406": (1e5, 3e5), "430407": (1e5, 3e5), "430412": (0, 1e5 - 1)}
    pop = {d["unit"]: int(d["base_population"]) for d in rows("unit_demography.csv")}
    for code, (lo, hi) in bands.items():
        assert lo <= pop[code] <= hi, code
    assert sum(pop[c] for c in bands) == 6645243                      # the 衡阳 total (province bulletin)


@pytest.fixture(scope="module")
def small_run(tmp_path_factory):
    """One run of 2 replications without maps and reports (about 35 s on the 2-core CI machine: 1546
    allocated projects over 122 counties; the speed work of issue 14 items 2-4 is elsewhere)."""
    import contextlib
    import io

    from sim.cli import main
    out = tmp_path_factory.mktemp("hunan") / "run"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", str(SCENARIO), "-n", "2", "--out", str(out), "--no-maps", "--no-report"])
    assert code == 0, err.getvalue()[-2000:]
    return out


def _csv(path: Path) -> list[dict]:
    with open(path, encoding="utf-8-sig", newline="") as fh:
        return list(csv.DictReader(fh))


def test_small_run_starts_every_county_at_its_census_figure(small_run):
    demo = {d["unit"]: int(d["base_population"]) for d in rows("unit_demography.csv")}
    pop: dict[str, float] = defaultdict(float)
    for r in _csv(small_run / "population.csv"):
        if r["year"] == "2020":
            pop[r["unit"]] += float(r["population_mean"])
    for county, n in demo.items():
        assert pop[county] == pytest.approx(n, abs=1.0)
    assert pop["430000"] == pytest.approx(sum(demo.values()), abs=1.0)


def test_small_run_county_counted_targets_are_shares_of_county_flags(small_run):
    ind = {(r["indicator_id"], r["year"]): r for r in _csv(small_run / "indicators.csv")}
    county = _csv(small_run / "county_indicators.csv")
    for tid in ("M13", "S16"):
        flags = [float(r["p_met"]) for r in county if r["indicator_id"] == tid and r["year"] == "2025"]
        assert len(flags) == 122
        assert float(ind[(tid, "2025")]["mean"]) == pytest.approx(100 * sum(flags) / 122, abs=1e-6)
    # base year: the placed stock reproduces the plan's 2020 figures (lines 217, 223)
    assert float(ind[("M13", "2020")]["mean"]) == pytest.approx(100 * 90 / 122, abs=1e-6)
    assert float(ind[("M14", "2020")]["mean"]) == pytest.approx(100 * 186000 / 490000, abs=0.01)
    # the 200 regional homes can give at most 78 of 122 counties a second one (conflicts C02)
    assert float(ind[("S04", "2025")]["mean"]) <= 100 * 78 / 122 + 1e-9
