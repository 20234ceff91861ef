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
        if "by_older" in p["allocation"] or "lacking" in p["allocation"]:
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
