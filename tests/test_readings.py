"""Issue 8 items 3-5: the readings of the plan are physically plausible, no target feeds its own
indicator, and the base year reproduces the plan's own 2020 figures."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest

from sim.loader import load_scenario
from sim.plausibility import (BEDS_PER_1000_OLDER, beds_per_1000_at_period_end, check, echo_check, older_at,
                              seed_lines)

REPO = Path(__file__).resolve().parent.parent
SCEN = REPO / "scenarios"


@pytest.fixture(scope="module")
def base():
    return load_scenario(SCEN / "tongdao.yaml")


@pytest.fixture(scope="module")
def older2025(base):
    return older_at(base, 2025)


def _read(path: Path) -> dict[str, dict]:
    import csv
    with open(path, encoding="utf-8", newline="") as f:
        return {r["id"]: r for r in csv.DictReader(f)}


# ---- item 3: P02_01 and the other readings --------------------------------------------------------

def test_p02_01_base_reading_is_one_30_bed_institution_per_township(base):
    """330 = 11 townships (seed 003:4) x 30 nursing-type beds (单个机构...不少于30张护理型床位, 003:555)."""
    towns = [u for u in base.rows("units") if u.level == "township"]
    out = {o.id: o for o in base.rows("project_outputs")}
    a = out["P02_01_a"]
    assert len(towns) == 11 and a.spread == "each" and a.beds == 30 and a.beds_nursing == 30
    # 30-40 m2 a bed (003:555): 35 m2 x 30 beds
    assert 30 <= a.area_m2 / a.beds <= 40
    assert out["P02_01_b"].count == 162 and not out["P02_01_b"].beds      # the 162 platforms, no beds


def test_base_reading_beds_per_1000_inside_the_accepted_range(base, older2025):
    ratio = beds_per_1000_at_period_end(base, older2025)
    lo, hi = BEDS_PER_1000_OLDER
    assert lo <= ratio <= hi
    # by hand: 1590 existing + 330 + 400 + 500 + 200 + 200 + 445 + 200 added = 3865
    assert ratio == pytest.approx(1000 * 3865 / older2025)
    assert not [w for w in check(base, older2025) if w.field == "beds"]


def test_stress_variant_8083_beds_triggers_the_warning(older2025):
    s = load_scenario(SCEN / "tongdao_network_8083.yaml")
    # 9.7亿 / 12万 = 8083 (derived in the variant)
    assert round(9.7e8 / 12e4) == 8083
    ratio = beds_per_1000_at_period_end(s, older2025)
    assert ratio > BEDS_PER_1000_OLDER[1] and ratio == pytest.approx(1000 * (3865 - 330 + 8083) / older2025)
    ws = [w for w in check(s, older2025) if w.field == "beds"]
    assert len(ws) == 1
    assert ws[0].line().startswith("warning: ") and "project_outputs.csv:4: beds:" in ws[0].line()
    assert "8,083" in ws[0].message


def test_validate_prints_the_warning_and_exits_0():
    r = subprocess.run([sys.executable, "run_sim.py", "validate", "scenarios/tongdao_network_8083.yaml"],
                       cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0 and "valid." in r.stdout
    lines = [x for x in r.stderr.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("warning: ") and ": beds: " in lines[0]
    r = subprocess.run([sys.executable, "run_sim.py", "validate", "scenarios/tongdao.yaml"],
                       cwd=REPO, capture_output=True, text=True)
    assert r.returncode == 0 and r.stderr.strip() == ""


def test_low_reading_is_210_beds(older2025):
    s = load_scenario(SCEN / "tongdao_network_min.yaml")
    rows = [o for o in s.rows("project_outputs") if o.project == "P02_01" and o.beds]
    assert sum(o.beds for o in rows) == 210 and len({o.unit for o in rows}) == 7


def test_area_and_cost_checks_flag_outliers(base, older2025):
    """A hand-made outlier: 10 m2 a bed, and 100万元 a bed for a beds-only project."""
    import copy
    s = copy.copy(base)
    s.tables = dict(base.tables)
    outs = [o.model_copy() for o in base.rows("project_outputs")]
    for o, src in zip(outs, base.rows("project_outputs")):
        o._file, o._line = src._file, src._line
    i = next(k for k, o in enumerate(outs) if o.id == "P02_02_a")
    outs[i] = outs[i].model_copy(update={"area_m2": 4000.0, "beds": 40.0})   # 100 m2 a bed; 0.6亿 / 40 = 150万
    outs[i]._file, outs[i]._line = base.rows("project_outputs")[i]._file, base.rows("project_outputs")[i]._line
    s.tables["project_outputs"] = outs
    ws = check(s, older2025)
    fields = sorted(w.field for w in ws)
    assert fields == ["area_m2", "investment_plan"]
    assert any("150.0万元 per bed" in w.message for w in ws)


def test_other_readings_are_recorded(base):
    """P02_02 (no double counting), P01_01 (30 minors' beds beside the 50), P02_08 (replaces the old
    县溪 home): each decision is in conflicts.csv and the data follow it."""
    c = _read(SCEN / "tongdao" / "conflicts.csv")
    for cid in ("C10", "C16", "C17", "C18"):
        assert cid in c and c[cid]["chosen"] in ("a", "b") and c[cid]["why"]
    out = {o.id: o for o in base.rows("project_outputs")}
    assert out["P01_01_a"].beds == 50 and out["P01_01_b"].beds == 30
    # the new 县溪 home replaces the old one: 55 + 445 = 500 beds at one facility (003:618)
    old = next(f for f in base.rows("facilities") if f.id == "F_CH_XIANXI")
    assert out["P02_08_a"].facility == "F_CH_XIANXI" and old.beds + out["P02_08_a"].beds == 500
    # P02_02 sits beside the named homes: its 0.6亿 is its own row of the 17.47亿 total (003:701)
    total = sum(p.investment_plan for p in base.rows("projects"))
    assert total == pytest.approx(17.47e8)


# ---- item 4: no target feeds its own indicator ----------------------------------------------------

def test_seed_line_parser():
    assert seed_lines("003_d8a032d88d4cf936.txt:582, 591 and 003:141; 2020 (12%)") == {
        ("003", 582), ("003", 591), ("003", 141)}


def test_no_parameter_source_cites_the_target_it_feeds(base):
    assert echo_check(base) == []


def test_echo_check_catches_a_parameter_sourced_to_its_target(base, tmp_path):
    """The old care.new_bed_nursing_share cited the plan's own nursing targets (003:429 -> S04); a
    parameter citing M08's line feeds M08: both must be caught."""
    y = tmp_path / "echo.yaml"
    y.write_text(
        f"extends: {SCEN / 'tongdao.yaml'}\nid: echo\nname: echo\npatch:\n  parameters:\n"
        "    social.hiring_per_year: {source: 'derived: 17 -> 50 by 2025 (003_d8a032d88d4cf936.txt:371)'}\n"
        "    care.nursing_share_new_build: {source: 'plan target S04'}\n", encoding="utf-8")
    ws = echo_check(load_scenario(y))
    hits = {(w.message.split()[1], w.message.split()[4]) for w in ws}
    assert ("social.hiring_per_year", "M08") in hits
    assert ("care.nursing_share_new_build", "S04") in hits


def test_targets_follow_the_plan(base):
    t = {x.id: x for x in base.rows("targets")}
    assert t["S07"].binding == "binding" and t["S07"].quantity == t["M12"].quantity
    assert {"S17a", "S17b"} <= set(t) and "S17" not in t
    assert t["M09"].kind == "tracked" and t["S21"].kind == "tracked"
    assert t["S31"].quantity == "township_cemetery_plots_built"
    assert t["S16"].quantity == "funeral_homes_env_standard"
    for tid in ("S24", "S34", "S37"):
        assert t[tid].kind == "computed"
    for line in (425, 429, 437, 443, 461, 466, 500, 501):
        assert any(("003", line) in seed_lines(x.source) and x.id.startswith("S") and int(x.id[1:3]) >= 38
                   for x in t.values()), line
    assert all(x.basis for x in t.values())
    params = {p.id for p in base.rows("parameters")}
    assert "care.new_bed_nursing_share" not in params


# ---- item 5: the base year reproduced -------------------------------------------------------------

@pytest.fixture(scope="module")
def run2020(base):
    from sim.run import RunOptions, simulate
    res = simulate(base, RunOptions(replications=20, seed=3))
    df = res.indicators
    return df[df.year == 2020].set_index("indicator_id")


def test_2020_row_reproduces_the_plan(run2020):
    r = run2020
    # 每千名老年人拥有养老床位数 37 on the registered base (003:133)
    assert r.loc["B01", "mean"] == pytest.approx(37, abs=0.05) and r.loc["B01", "p_met"] == 1.0
    # 护理型床位 13% achieved (003:141) against 30% planned: the plan's own miss
    assert r.loc["B02", "mean"] == pytest.approx(13, abs=0.1) and r.loc["B02", "p_met"] == 0.0
    assert r.loc["B02", "observed"] == 13
    # 城乡养老服务设施覆盖率 93.82% (003:157)
    assert r.loc["B04", "mean"] == pytest.approx(93.82, abs=0.02) and r.loc["B04", "p_met"] == 1.0
    # 社工站 100% (003:110), 特困 unable to self-care housed 53% (003:189)
    assert r.loc["B18", "mean"] == 100 and r.loc["B07", "mean"] == pytest.approx(53)
    assert r.loc["B21", "mean"] == 7                       # 7 public institutions (003:108)
    assert r.loc["B17", "mean"] == 1590 and r.loc["B03", "mean"] == 383 and r.loc["B20", "mean"] == 100
    assert np.isnan(r.loc["B05", "p_met"]) and r.loc["B05", "observed"] == 100   # tracked, value carried
