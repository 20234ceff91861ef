"""Allocation policies do what they say (issue 9 item 3): under ``--policy priority`` a blank
priority is served last, the policy without any priority is an error, and raising one project's
priority never makes it finish later (common random numbers: same seed, same draws)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.buildout import Funding, Project, planned_envelopes, run_buildout, scenario_projects, scenario_funding
from sim.buildout.funding import service_order
from sim.cli import main
from sim.loader import load_parameters, load_scenario
from sim.parameters import ParameterSet, ParamSpec
from sim.run import RunOptions, simulate

from conftest import REPO
from test_buildout import portfolio

TONGDAO = REPO / "scenarios" / "tongdao.yaml"


@pytest.fixture(scope="module")
def params() -> ParameterSet:
    p = load_parameters(REPO / "scenarios" / "tongdao" / "buildout_parameters.csv")
    specs = dict(p.specs)
    specs["buildout.contingency_share"] = ParamSpec("buildout.contingency_share", 0.0, "share", "fixed")
    return ParameterSet(specs)


def test_blank_priority_is_served_after_ranked_projects():
    ps = [Project("A", 1.0, 2021.0, 2022.0, {"c": 1.0}, priority=math.inf, order=0),
          Project("B", 1.0, 2021.0, 2022.0, {"c": 1.0}, priority=2.0, order=1),
          Project("C", 1.0, 2021.0, 2022.0, {"c": 1.0}, priority=math.inf, order=2),
          Project("D", 1.0, 2021.0, 2022.0, {"c": 1.0}, priority=1.0, order=3)]
    assert [ps[j].id for j in service_order(ps, "priority")] == ["D", "B", "A", "C"]
    assert [ps[j].id for j in service_order(ps, "plan_order")] == ["A", "B", "C", "D"]


def _tongdao_with_priority(tmp_path, priorities: dict[str, int]):
    """A copy of the Tongdao scenario whose projects.csv has a priority column."""
    import shutil

    import pandas as pd

    shutil.copytree(REPO / "scenarios" / "tongdao", tmp_path / "tongdao")
    shutil.copy(TONGDAO, tmp_path / "tongdao.yaml")
    f = tmp_path / "tongdao" / "projects.csv"
    df = pd.read_csv(f, dtype=str, keep_default_na=False)
    df["priority"] = [str(priorities.get(i, "")) for i in df["id"]]
    df.to_csv(f, index=False)
    return tmp_path / "tongdao.yaml"


def test_scenario_blank_priority_comes_last_and_ranked_project_first(tmp_path):
    """Tongdao with 30% of the money: the one ranked project (the last row of the table) is served
    first; under the old rule (blank = 0, sorted first) it was served last."""
    path = _tongdao_with_priority(tmp_path, {"P06_01": 1})
    s = load_scenario(path)
    fund = scenario_funding(s).scaled(0.3)
    projs = scenario_projects(s, fund)
    assert projs[-1].id == "P06_01" and projs[-1].priority == 1 and math.isinf(projs[0].priority)
    assert service_order(projs, "priority")[0] == len(projs) - 1
    p = load_parameters(REPO / "scenarios" / "tongdao" / "buildout_parameters.csv")
    pri = run_buildout(projs, fund, p, 50, seed=3, policy="priority", horizon=2035)
    plan = run_buildout(projs, fund, p, 50, seed=3, policy="plan_order", horizon=2035)
    j = len(projs) - 1
    assert np.all(pri.completion[:, j] <= plan.completion[:, j])
    assert np.any(pri.completion[:, j] < plan.completion[:, j])


def test_priority_policy_without_priorities_is_one_line_error(tmp_path, capsys):
    out = tmp_path / "out"
    assert main(["run", str(TONGDAO), "-n", "2", "--policy", "priority", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1
    assert "projects.csv" in err and ": priority: " in err and "--policy priority needs" in err
    assert not out.exists()


def test_priority_policy_runs_with_a_priority_column(tmp_path):
    path = _tongdao_with_priority(tmp_path, {"P02_01": 2, "P06_01": 1})
    res = simulate(load_scenario(path), RunOptions(replications=3, seed=1, policy="priority"))
    assert len(res.projects) == 15


def _priority_or_blank(rng: np.random.Generator) -> float:
    """1-4, or blank (inf) for about 30% of the projects."""
    return float(rng.integers(1, 5)) if rng.random() < 0.7 else math.inf


def _portfolio(n: int, seed: int) -> list[Project]:
    return portfolio(n, seed, draw_priority=_priority_or_blank)


def _with_priority(projs: list[Project], j: int, pr: float) -> list[Project]:
    p = projs[j]
    return projs[:j] + [Project(p.id, p.cost_yuan, p.planned_start, p.planned_end, p.funding_shares,
                                priority=pr, order=p.order)] + projs[j + 1:]


@pytest.mark.parametrize("carry", [1.0, 0.0])
@pytest.mark.parametrize("scale", [0.5, 0.8])
def test_raising_a_priority_never_makes_that_project_later(params, carry, scale):
    """Property, checked element-wise over replications (common random numbers): for every project j
    and every higher rank it can be given, j finishes no later.  Not vacuous: some finish earlier."""
    specs = dict(params.specs)
    specs["buildout.carry_over"] = ParamSpec("buildout.carry_over", carry, "flag", "fixed")
    p = ParameterSet(specs)
    projs = _portfolio(10, seed=21)
    fund = planned_envelopes(projs).scaled(scale)
    R = 150
    base = run_buildout(projs, fund, p, R, seed=4, policy="priority")
    earlier = 0
    for j, proj in enumerate(projs):
        ranks = sorted({0.0, 1.0, 2.0, 3.0} - {proj.priority})
        for pr in ranks:
            if pr >= proj.priority:
                continue
            up = run_buildout(_with_priority(projs, j, pr), fund, p, R, seed=4, policy="priority")
            assert np.all(up.completion[:, j] <= base.completion[:, j]), (proj.id, proj.priority, pr)
            earlier += int(np.any(up.completion[:, j] < base.completion[:, j]))
    assert earlier > 0
