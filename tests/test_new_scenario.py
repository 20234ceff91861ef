"""A new county, start to finish (issue 9 item 7): `run_sim.py new-scenario NAME --units units.csv`
writes a complete skeleton that validates and runs at once; the README walk-through is run by
tests/test_docs.py, this file checks the skeleton's content and its errors."""

from __future__ import annotations

import csv
import json

import pandas as pd
import pytest

from sim.cli import main
from sim.loader import load_scenario
from sim.new_scenario import BASE_FACTS, PARAMETER_FILES, TEMPLATE, new_scenario
from sim.run import RunOptions, simulate
from sim.services.context import BASE_FACT_IDS

UNITS = """id,name_zh,level,kind_zh,parent,villages,communities,population,source
999001,示例县,county,县,,,,,assumption: invented
999001_a,甲镇,township,镇,999001,12,3,21000,assumption: invented
999001_b,乙乡,township,乡,999001,8,0,9000,
999001_c,丙乡,township,乡,999001,6,1,7500,assumption: invented
"""


def _units(tmp_path, text=UNITS):
    p = tmp_path / "units.csv"
    p.write_text(text, encoding="utf-8")
    return p


def _rows(path):
    with open(path, encoding="utf-8") as f:
        return list(csv.DictReader(f))


def test_skeleton_validates_runs_and_is_sourced(tmp_path, capsys):
    units = _units(tmp_path)
    out = tmp_path / "scenarios"
    assert main(["new-scenario", "demo_county", "--units", str(units), "--dir", str(out)]) == 0
    yaml = out / "demo_county.yaml"
    assert main(["validate", str(yaml)]) == 0
    assert capsys.readouterr().out.rstrip().endswith("valid.")
    s = load_scenario(yaml)
    # units: the three townships with the population split from the population column
    towns = [u for u in s.rows("units") if u.level == "township"]
    assert [u.id for u in towns] == ["999001_a", "999001_b", "999001_c"]
    assert sum(u.pop_share for u in towns) == pytest.approx(1.0)
    assert towns[0].pop_share == pytest.approx(21000 / 37500)
    assert all(u.source for u in s.rows("units"))            # a blank source is marked assumption:
    assert s.rows("units")[2].source.startswith("assumption:")
    region = [u for u in s.rows("units") if u.id == "999001"][0]
    assert (region.villages, region.communities) == (26, 4)   # the townships' totals
    params = s.parameters()
    assert params.value("demography.base_population") == 37500
    # every parameter row of the template is present, each with a source
    for f in PARAMETER_FILES:
        tmpl = {r["id"] for r in _rows(TEMPLATE / f)}
        mine = _rows(out / "demo_county" / f)
        assert {r["id"] for r in mine} == tmpl, f
        for r in mine:
            assert r["source"], (f, r["id"])
            if any(k in r["source"] for k in ("003_d8a032d88d4cf936", "通道")) and r["id"] != "demography.base_population":
                assert r["source"].startswith("assumption:"), (f, r["id"], r["source"])
    # community floor area scaled to 30 villages and communities (Tongdao: 24300 m² for 162)
    assert params.value("community.base_area_m2") == pytest.approx(24300 * 30 / 162, abs=1)
    # every base fact the service models read, scaled per resident from Tongdao (648 特困 per 201047)
    facts = s.base_facts()
    assert set(BASE_FACT_IDS) <= set(facts)
    assert facts["tekun_rural"] == round(648 / 201047 * 37500)
    assert facts["tekun_disabled_housed_all"] == 53
    assert facts["villages_communities"] == 30
    # runs at once
    res = simulate(s, RunOptions(replications=5, seed=1))
    pop2020 = res.aging[(res.aging.unit == "999001") & (res.aging.year == 2020)].population_mean.iloc[0]
    assert pop2020 == pytest.approx(37500, rel=1e-6)
    assert {i.split(":")[0] for i in res.indicators.indicator_id} == {"M12", "M13", "S33"}
    assert main(["run", str(yaml), "-n", "3", "--out", str(tmp_path / "res")]) == 0
    assert json.loads((tmp_path / "res" / "manifest.json").read_text(encoding="utf-8"))["scenario"] == "demo_county"


def test_without_population_the_villages_set_it_as_an_assumption(tmp_path):
    text = "\n".join(",".join(r.split(",")[:7] + r.split(",")[8:]) for r in UNITS.strip().splitlines()) + "\n"
    yaml = new_scenario("nopop", _units(tmp_path, text), tmp_path / "sc")
    s = load_scenario(yaml)
    row = [r for r in _rows(tmp_path / "sc" / "nopop" / "demography.csv") if r["id"] == "demography.base_population"][0]
    assert row["source"].startswith("assumption:") and row["confidence"] == "assumption"
    assert s.parameters().value("demography.base_population") == pytest.approx(round(201047 / 162 * 30))


def test_existing_scenario_is_never_touched(tmp_path, capsys):
    units = _units(tmp_path)
    out = tmp_path / "scenarios"
    out.mkdir()
    (out / "demo_county.yaml").write_text("mine", encoding="utf-8")
    assert main(["new-scenario", "demo_county", "--units", str(units), "--dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "already exists" in err
    assert (out / "demo_county.yaml").read_text(encoding="utf-8") == "mine"
    assert sorted(p.name for p in out.iterdir()) == ["demo_county.yaml"]


@pytest.mark.parametrize("edit,field,row", [
    (lambda t: t.replace("999001_b,乙乡,township,乡,999001", "999001_b,乙乡,township,乡,999002"), "parent", 4),
    (lambda t: t.replace("999001_c,丙乡,township", "999001_c,丙乡,county"), "level", 5),
    (lambda t: t.replace("999001_c,丙乡,township,乡,999001", "999001_c,丙乡,county,乡,"), "level", None),
    (lambda t: t.replace(",12,3,", ",12.5,3,"), "villages", 3),
    (lambda t: t.replace("21000", "lots"), "population", 3),
    (lambda t: t.replace("id,name_zh,level", "code,name_zh,level"), "id", 1),
])
def test_bad_units_are_one_line_errors_and_write_nothing(tmp_path, capsys, edit, field, row):
    units = _units(tmp_path, edit(UNITS))
    out = tmp_path / "scenarios"
    assert main(["new-scenario", "demo_county", "--units", str(units), "--dir", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "Traceback" not in err
    where = f"{units}:{row}" if row else f"{units}"
    assert err.startswith(f"error: {where}: {field}: "), err
    assert not out.exists() or list(out.iterdir()) == []


def test_bad_name_is_refused(tmp_path, capsys):
    assert main(["new-scenario", "My County", "--units", str(_units(tmp_path)), "--dir", str(tmp_path / "s")]) == 2
    assert ": NAME: " in capsys.readouterr().err
