"""Planned schedules and money after the plan (issue 8, items 1 and 2): deadlines, the schedule rule,
staged delivery, early as well as late completions, post-plan money and funding gaps."""

from __future__ import annotations

import dataclasses
import math
import shutil

import numpy as np
import pytest

from sim.buildout import run_portfolio, scenario_funding
from sim.buildout.from_scenario import Portfolio
from sim.buildout.phases import group_sites, scenario_phases
from sim.buildout.schedule import check_schedule, fit_schedule, planned_spend
from sim.cli import main
from sim.errors import InputError
from sim.loader import load_scenario
from sim.parameters import ParameterSet, ParamSpec
from sim.run import RunOptions, simulate
from sim.schema import month_to_year, year_to_month_text
from sim.whatif import apply_what_if

from conftest import REPO

TONGDAO = REPO / "scenarios" / "tongdao.yaml"
SEED = "003_d8a032d88d4cf936.txt"


@pytest.fixture(scope="module")
def tongdao():
    return load_scenario(TONGDAO)


def with_params(scenario, **values) -> ParameterSet:
    specs = dict(scenario.parameters().specs)
    for pid, v in values.items():
        base = specs[pid]
        specs[pid] = dataclasses.replace(base, value=v, distribution="fixed")
    return ParameterSet(specs)


def shifted(scenario, months: dict):
    tables = apply_what_if(scenario.tables, {"project_delay_months": months}, scenario.path)
    return dataclasses.replace(scenario, tables=tables)


# --- deadlines and the planned schedule ------------------------------------------------------------

def test_no_planned_completion_after_its_deadline(tongdao):
    rows = tongdao.rows("projects")
    assert all(r.deadline is not None for r in rows)
    for r in rows:
        assert r.end <= r.deadline + 1e-9, r.id
    for ph in scenario_phases(tongdao):
        deadline = next(r.deadline for r in rows if r.id == ph.project)
        assert ph.end <= deadline + 1e-9, ph.id
    assert check_schedule(tongdao) == []


def test_stated_dates_are_deadlines_and_kept(tongdao):
    r = {p.id: p for p in tongdao.rows("projects")}
    # the relief station is done in 2022 (line 475); its start is stated by line 109 (ready to build)
    assert year_to_month_text(r["P01_01"].deadline) == "2022-12" and f"{SEED}:475" in r["P01_01"].schedule_source
    assert year_to_month_text(r["P01_01"].start, end=False) == "2021-01" and r["P01_01"].fixed == "start"
    # the funeral home's 续建 tail continues the works finished 2021-01 (line 109)
    assert year_to_month_text(r["P04_03"].start, end=False) == "2021-01" and f"{SEED}:109" in r["P04_03"].schedule_source
    # the mental-health centre: "2025年" (line 476); funeral infrastructure planned in 2022 (line 461)
    assert year_to_month_text(r["P05_01"].deadline) == "2025-12" and f"{SEED}:476" in r["P05_01"].schedule_source
    assert r["P04_02"].start >= month_to_year("2023-01") and f"{SEED}:461" in r["P04_02"].schedule_source
    for p in r.values():
        assert "derived:" in p.schedule_source or "fixed" in p.schedule_source, p.id


def test_cumulative_planned_spend_never_above_cumulative_money(tongdao):
    spent, money, sources, years = planned_spend(tongdao)
    cum_s, cum_m = np.cumsum(spent, axis=1), np.cumsum(money, axis=1)
    assert np.all(cum_s <= cum_m * (1 + 1e-12) + 1e-6)
    # and the plan spends all of its money (17.47亿, line 702), none after 2025
    assert spent.sum() == pytest.approx(17.47e8, rel=1e-12)
    assert spent[:, years > 2025].sum() == 0.0


def test_csv_dates_are_the_documented_rule(tongdao):
    """projects.csv holds exactly what `python -m sim.buildout.schedule` computes (reproducible)."""
    plans = {p.id: p for p in fit_schedule(tongdao)}
    for r in tongdao.rows("projects"):
        p = plans[r.id]
        assert year_to_month_text(p.start, end=False) == year_to_month_text(r.start, end=False), r.id
        assert year_to_month_text(p.end) == year_to_month_text(r.end), r.id


def test_schedule_rule_hand_case(tongdao):
    """Two projects, one source: 0.5亿 arrives in 2022 and in 2023, 0.35亿 in 2024.
    P02_03 (1亿 >= 5000万: 2 years) goes first in plan order: 2022-01 to 2023-12, 0.5亿 a year, which
    uses all the money to 2023.  P02_04 (0.35亿: 1.5 years) cannot spend before 2024, so it starts
    2024-01 and ends 2025-06 (0.2333亿 in 2024, 0.1167亿 in 2025: cumulative 1.2333 <= 1.35)."""
    keep = [p for p in tongdao.rows("projects") if p.id in ("P02_03", "P02_04")]
    fund = [f.model_copy(update={"funding_source": "county", "year": y, "amount": a})
            for f, (y, a) in zip(tongdao.rows("funding"), [(2022, 0.5e8), (2023, 0.5e8), (2024, 0.35e8)])]
    sc = dataclasses.replace(tongdao, tables={**tongdao.tables, "projects": keep, "funding": fund})
    plans = {p.id: p for p in fit_schedule(sc)}
    assert (plans["P02_03"].start, plans["P02_03"].end) == (2022.0, 2024.0)
    assert (plans["P02_04"].start, plans["P02_04"].end) == (2024.0, 2025.5)
    # with no money in 2024 either, P02_04 must wait for money that never comes: an input error
    sc2 = dataclasses.replace(sc, tables={**sc.tables, "funding": fund[:2]})
    with pytest.raises(InputError, match="cannot all be paid"):
        fit_schedule(sc2)


def test_validate_refuses_a_planned_end_after_the_deadline(tmp_path, capsys):
    src = REPO / "scenarios"
    shutil.copytree(src / "tongdao", tmp_path / "tongdao")
    shutil.copy(src / "tongdao.yaml", tmp_path / "tongdao.yaml")
    csv_path = tmp_path / "tongdao" / "projects.csv"
    lines = csv_path.read_text(encoding="utf-8").splitlines(keepends=True)
    i = next(k for k, line in enumerate(lines) if line.startswith("P05_01,"))
    lines[i] = lines[i].replace(",2025-04,2025-12,", ",2026-03,2025-12,", 1)
    csv_path.write_text("".join(lines), encoding="utf-8")
    assert main(["validate", str(tmp_path / "tongdao.yaml")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1
    assert err[0] == (f"error: {csv_path}:{i + 1}: end: the planned end 2026-03 is after the deadline 2025-12")


# --- staged delivery ------------------------------------------------------------------------------

def test_group_sites_contiguous_balanced():
    w = [(str(i), x) for i, x in enumerate([16, 4, 9, 23, 20, 20, 15, 14, 13, 12, 15])]
    groups = group_sites(w, 4)
    assert [[u for u, _ in g] for g in groups] == [["0", "1", "2"], ["3", "4"], ["5", "6", "7"], ["8", "9", "10"]]
    assert [sum(x for _, x in g) for g in groups] == [29, 43, 49, 40]


def test_staged_programmes_cost_and_output_add_up(tongdao):
    phases = scenario_phases(tongdao)
    by_project: dict[str, list] = {}
    for ph in phases:
        by_project.setdefault(ph.project, []).append(ph)
    for pid, phs in by_project.items():
        assert sum(ph.cost_share for ph in phs) == pytest.approx(1.0, abs=1e-12), pid
        if len(phs) > 1 and phs[0].units is not None:   # every township delivered by exactly one phase
            units = [u for ph in phs for u in ph.units]
            assert len(units) == len(set(units)), pid
        assert phs[-1].end == next(r.end for r in tongdao.rows("projects") if r.id == pid)
    assert len(by_project["P02_01"]) == 4 and len(by_project["P04_02"]) == 3


# --- the deterministic run follows the planned schedule ---------------------------------------------

def test_deterministic_run_completes_on_planned_dates_and_targets_follow(tongdao, monkeypatch):
    """--deterministic: every phase completes on its planned end, and every quantity (every target's
    value, every year) is what the capacity ledger gives with the planned dates of projects.csv
    switched on directly, without the build-out simulation."""
    opt = RunOptions(replications=1, randomness=False)
    res = simulate(tongdao, opt)
    phases = res.build.phases
    np.testing.assert_allclose(res.build.phase_online[0], [ph.end for ph in phases], atol=1e-9)
    planned = {p.id: p.end for p in tongdao.rows("projects")}
    np.testing.assert_allclose(res.build.result.completion[0], [planned[p] for p in res.build.result.project_ids],
                               atol=1e-9)
    for _, row in res.projects.iterrows():
        assert row.completion_p50 == year_to_month_text(planned[row.project]), row.project
        assert row.p_complete_by_deadline == 1.0, row.project

    plan_end = np.array([[ph.end for ph in phases]])

    class PlannedPortfolio(Portfolio):
        @property
        def phase_online(self):
            return plan_end

    import sim.buildout.from_scenario as fs
    orig = fs.run_portfolio

    def planned_portfolio(*a, **k):
        p = orig(*a, **k)
        return PlannedPortfolio(p.result, p.table, p.phase_result, p.phases)

    monkeypatch.setattr(fs, "run_portfolio", planned_portfolio)
    direct = simulate(tongdao, opt)
    assert set(direct.quantities) == set(res.quantities)
    for name, arr in res.quantities.items():
        np.testing.assert_array_equal(arr, direct.quantities[name], err_msg=name)
    # and the verdicts of the facility targets at 2025 hold on the plan (all planned ends <= deadlines)
    by_id = {t["id"]: t for t in res.summary}
    for tid in ("S06", "S22", "S23", "S28", "S30", "S31", "S32"):
        assert by_id[tid]["p_met"] == 1.0, tid


# --- early as well as late; P(met) falls as the plan moves towards the deadline -----------------------

def test_completion_distribution_lies_around_the_plan(tongdao):
    """With ample money, completions fall before as well as after the planned end (preparation shorter
    than planned, construction multiplier below 1), and most of the mass is late (the audit's delays)."""
    port = run_portfolio(tongdao, tongdao.parameters(), 2000, seed=4)
    comp = port.phase_result.completion
    end = np.array([ph.end for ph in port.phases])
    early = (comp < end[None, :] - 1 / 12).mean()
    late = (comp > end[None, :] + 1 / 12).mean()
    assert 0.05 < early < late < 0.9


def test_p_met_falls_as_the_planned_completion_moves_to_the_deadline(tongdao):
    """S23 (a 精神障碍社区康复机构 by 2025, line 476) is served by P05_01 alone.  Moving its planned
    window from 12 months earlier to its deadline (2025-12) with the same seed (common random numbers):
    P(met) never rises, and falls overall."""
    row = next(r for r in tongdao.rows("projects") if r.id == "P05_01")
    slack = round((row.deadline - row.end) * 12)
    assert slack >= 2
    p = []
    for months in (-12, -6, 0, slack // 2, slack):
        res = simulate(shifted(tongdao, {"P05_01": months}), RunOptions(replications=200, seed=5, population_draws=4))
        s23 = next(t for t in res.summary if t["id"] == "S23")
        p.append(s23["p_met"])
    assert all(a >= b for a, b in zip(p, p[1:])), p
    assert p[0] > p[-1] + 0.2, p


# --- money after the plan period ------------------------------------------------------------------

def test_never_finished_means_a_funding_gap(tongdao):
    """Without post-plan money some projects never finish by 2035, and every such replication lacks
    money (the delays alone never reach 2035).  With the default rule (10% of the average yearly
    money from 2026) every project is paid and finished within the horizon."""
    none = run_portfolio(tongdao, with_params(tongdao, **{"buildout.post_plan_cap_share": 0.0}), 400, seed=2)
    t = none.table
    unfinished = ~np.isfinite(none.result.completion)
    assert unfinished.any()
    need = np.array([p for p in t.cost_yuan])[None, :] + none.result.overrun
    gap = need - none.result.received.sum(axis=2)
    assert np.all(gap[unfinished] > 1.0)
    assert (t.p_unfunded >= t.p_not_complete_in_horizon - 1e-12).all() and (t.unfunded_mean_yuan > 0).any()

    default = run_portfolio(tongdao, tongdao.parameters(), 400, seed=2)
    assert default.result.post_plan_from == 2026
    assert default.result.post_plan_cap == pytest.approx(0.10 * 17.47e8 / 5)
    assert np.isfinite(default.result.completion).all()
    assert (default.table.unfunded_mean_yuan == 0).all() and (default.table.p_unfunded == 0).all()
    # common random numbers: the money after 2025 only ever brings completions earlier
    assert np.all(default.result.completion <= none.result.completion)


def test_validate_warns_when_a_users_schedule_outruns_the_money(tmp_path, capsys):
    """Dates edited by hand that spend faster than the money arrives are valid input (the simulation
    then shows the waits) but `validate` says so, naming the source, year and amounts."""
    (tmp_path / "early.yaml").write_text(
        f"extends: {TONGDAO}\nid: early\nname: network early\n"
        "patch:\n  projects:\n    P02_01: {start: 2021-01, end: 2022-12}\n", encoding="utf-8")
    assert main(["validate", str(tmp_path / "early.yaml")]) == 0
    err = [line for line in capsys.readouterr().err.splitlines() if "planned schedule" in line]
    assert err and all(line.startswith("warning: ") for line in err)
    assert any("to the end of 2021" in line and "is above the money to then" in line for line in err)
    assert main(["validate", str(TONGDAO)]) == 0
    assert "planned schedule" not in capsys.readouterr().err
