"""End-to-end runs of the Tongdao scenario: the checks of issue 5 that need the whole chain."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

import sim.run as run_module
from sim.cli import main
from sim.errors import InputError
from sim.loader import load_scenario
from sim.run import RunOptions, simulate, write_results

from conftest import REPO

TONGDAO = REPO / "scenarios" / "tongdao.yaml"


@pytest.fixture(scope="module")
def tongdao():
    return load_scenario(TONGDAO)


def quantity_by_year(result, name):
    return dict(zip(result.years.tolist(), result.quantities[name][0].tolist()))


def test_without_randomness_projects_finish_on_plan_and_indicators_follow(tongdao):
    res = simulate(tongdao, RunOptions(replications=1, randomness=False))
    planned = {p.id: p.end for p in tongdao.rows("projects")}
    finish = dict(zip(res.build.result.project_ids, res.build.result.completion[0]))
    for _, row in res.projects.iterrows():
        assert finish[row.project] == pytest.approx(planned[row.project], abs=1e-9), row.project
        assert row.completion_p50 == row.planned_end, row.project            # the same month, YYYY-MM
        assert row.p_complete_by_own_planned_end == 1.0
    # Relief station P01_01 is planned to finish at the end of 2022 (003:475): 50 beds from 2022, none before.
    beds = quantity_by_year(res, "relief_station_beds")
    assert beds[2021] == 0 and beds[2022] == 50 and beds[2030] == 50
    # The 3000 retrofits (003:600) are a staged programme of 4 yearly groups of townships, 2022-2025, in
    # units.csv order cut by villages + communities (of 162): 16+4+9 | 23+20 | 20+15+14 | 13+12+15.
    retro = quantity_by_year(res, "home_retrofits_cumulative")
    assert retro[2021] == 0
    for year, done in ((2022, 29), (2023, 72), (2024, 121), (2025, 162)):
        assert retro[year] == pytest.approx(3000 * done / 162), year
    # The funeral home opened in January 2021 (003:109): absent in the 2020 base year, present after.
    homes = quantity_by_year(res, "funeral_homes")
    assert homes[2020] == 0 and homes[2021] == 1


def test_same_seed_gives_byte_identical_files(tongdao, tmp_path):
    opt = RunOptions(replications=40, seed=7)
    write_results(simulate(tongdao, opt), tmp_path / "a", False, None)
    write_results(simulate(tongdao, opt), tmp_path / "b", False, None)
    files = sorted(p.name for p in (tmp_path / "a").iterdir())
    assert files == ["aging.csv", "capacity.csv", "components.csv", "indicators.csv", "manifest.json", "population.csv",
                     "projects.csv", "spending.csv", "summary.json", "townships.csv"]
    for name in files:
        assert (tmp_path / "a" / name).read_bytes() == (tmp_path / "b" / name).read_bytes(), name
    write_results(simulate(tongdao, RunOptions(replications=40, seed=8)), tmp_path / "c", False, None)
    assert (tmp_path / "a" / "projects.csv").read_bytes() != (tmp_path / "c" / "projects.csv").read_bytes()


def test_trivially_met_target_has_p_met_one_and_impossible_has_zero(mini_tongdao):
    res = simulate(load_scenario(mini_tongdao), RunOptions(replications=30, seed=3))
    table = res.indicators
    triv = table[table.indicator_id == "TRIVIAL"]
    assert len(triv) == 16 and (triv.p_met == 1.0).all()
    never = table[table.indicator_id == "NEVER"]
    assert (never.p_met == 0.0).all()


@pytest.fixture
def mini_tongdao(tmp_path):
    variant = tmp_path / "trivial.yaml"
    variant.write_text(
        f"extends: {TONGDAO}\nid: trivial\nname: trivial targets\nadd:\n  targets:\n"
        "    - {id: TRIVIAL, name_zh: 社工站数不为负, unit: '%', year: 2025, comparator: '>=', value: 0,"
        " binding: indicative, kind: computed, quantity: social_work_station_coverage, source: test}\n"
        "    - {id: NEVER, name_zh: 覆盖率超过百分之百, unit: '%', year: 2025, comparator: '>', value: 100,"
        " binding: indicative, kind: computed, quantity: social_work_station_coverage, source: test}\n",
        encoding="utf-8")
    return variant


def test_indicators_csv_columns_and_summary(tongdao, tmp_path):
    out = tmp_path / "run"
    write_results(simulate(tongdao, RunOptions(replications=20, seed=1)), out, False, ["run"])
    ind = pd.read_csv(out / "indicators.csv", encoding="utf-8-sig")
    for col in ("scenario", "indicator_id", "name", "unit", "year", "target", "comparator", "binding", "simulated",
                "mean", "p10", "p50", "p90", "p_met", "p_met_low", "p_met_high"):
        assert col in ind.columns
    tracked = ind[~ind.simulated]
    assert tracked.p_met.isna().all()                               # tracked: no probability
    computed = ind[ind.simulated & ind.p_met.notna()]
    assert ((computed.p_met_low <= computed.p_met) & (computed.p_met <= computed.p_met_high)).all()
    summary = json.loads((out / "summary.json").read_text(encoding="utf-8"))
    assert len(summary["targets"]) == len(tongdao.rows("targets"))
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["seed"] == 1 and manifest["replications"] == 20
    assert "scenarios/tongdao/projects.csv" in manifest["inputs"]


def test_failure_while_writing_leaves_no_results_folder(tongdao, tmp_path, monkeypatch):
    res = simulate(tongdao, RunOptions(replications=5, seed=1))
    calls = {"n": 0}
    real = run_module.write_csv

    def failing(path, df):
        calls["n"] += 1
        if calls["n"] == 3:
            raise OSError("disk full")
        real(path, df)

    monkeypatch.setattr(run_module, "write_csv", failing)
    with pytest.raises(OSError):
        write_results(res, tmp_path / "run", False, None)
    assert list(tmp_path.iterdir()) == []


def test_cli_refuses_existing_folder_and_bad_replications(tmp_path, capsys):
    out = tmp_path / "exists"
    out.mkdir()
    assert main(["run", str(TONGDAO), "--replications", "5", "--out", str(out)]) == 2
    assert "already exists" in capsys.readouterr().err
    assert main(["run", str(TONGDAO), "--replications", "0", "--out", str(tmp_path / "x")]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and "--replications" in err
    assert not (tmp_path / "x").exists()


def test_budget_cut_variant_never_finishes_earlier(tongdao):
    """Common random numbers: the 70% variant shares every draw with the base, so each project
    finishes no earlier in any replication, and some finish later."""
    base = simulate(tongdao, RunOptions(replications=200, seed=11))
    cut = simulate(load_scenario(REPO / "scenarios" / "tongdao_budget_cut.yaml"), RunOptions(replications=200, seed=11))
    a = run_module_completion(base)
    b = run_module_completion(cut)
    assert (b >= a).all() and (b > a).any()


def run_module_completion(result) -> np.ndarray:
    return result.build.result.completion
