"""Build-out simulation: the checks of issue 5 (each able to fail) plus hand-computed cases."""

from __future__ import annotations

import math
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]

import numpy as np
import pandas as pd
import pytest

from sim.buildout import (Funding, Project, planned_envelopes, projects_table, run_buildout, run_portfolio,
                          sample_stages, scenario_funding, scenario_projects)
from sim.buildout.from_scenario import scenario_phase_projects
from sim.loader import load_parameters, load_scenario
from sim.schema import month_to_year
from sim.errors import InputError
from sim.parameters import ParameterSet, ParamSpec

TONGDAO = ROOT / "scenarios" / "tongdao"
TONGDAO_INVEST = [0.2, 9.7, 0.6, 1, 0.35, 0.35, 0.6, 0.1, 0.8, 0.8, 0.35, 1.5, 0.67, 0.35, 0.1]  # 亿元, seed lines 520-702
ARRAYS = ("start", "completion", "online", "spend", "overrun", "progress", "received", "source_spend", "available")


@pytest.fixture(scope="module")
def params() -> ParameterSet:
    return load_parameters(TONGDAO / "buildout_parameters.csv")


def with_values(params: ParameterSet, **values) -> ParameterSet:
    specs = dict(params.specs)
    for k, v in values.items():
        pid = "buildout." + k
        base = specs.get(pid, ParamSpec(pid, v))
        specs[pid] = ParamSpec(pid, v, base.unit, "fixed")
    return ParameterSet(specs)


def _priority_1_to_3(rng: np.random.Generator) -> float:
    return float(rng.integers(1, 4))


def portfolio(n: int = 12, seed: int = 7, draw_priority=_priority_1_to_3) -> list[Project]:
    """Overlapping projects with staggered windows, mixed sources and priorities
    (``draw_priority(rng)`` gives each project's priority, drawn after its funding shares)."""
    rng = np.random.default_rng(seed)
    sources = ["central", "county", "lottery"]
    out = []
    for i in range(n):
        start = 2021 + rng.integers(0, 36) / 12
        dur = rng.integers(12, 49) / 12
        k = rng.integers(1, 4)
        chosen = list(rng.choice(sources, size=k, replace=False))
        w = rng.dirichlet(np.ones(k))
        out.append(Project(f"X{i:02d}", float(rng.uniform(1e6, 1e8)), float(start), float(start + dur),
                           {s: float(x) for s, x in zip(chosen, w)}, priority=draw_priority(rng), order=i))
    return out


def tongdao_funding() -> Funding:
    return scenario_funding(load_scenario(ROOT / "scenarios" / "tongdao.yaml"))


def tongdao_projects(fund: Funding) -> list[Project]:
    return [Project(f"T{i + 1:02d}", v * 1e8, 2021.0, 2026.0, fund.shares(), order=i) for i, v in enumerate(TONGDAO_INVEST)]


# --- 1. no randomness, enough money: on the planned date --------------------------------------

def test_no_randomness_finishes_on_planned_end(params):
    projs = portfolio()
    fund = planned_envelopes(projs)
    for policy in ("plan_order", "priority", "pro_rata"):
        res = run_buildout(projs, fund, with_values(params, contingency_share=0.0), 3, seed=1, randomness=False,
                           policy=policy)
        end = np.array([p.planned_end for p in projs])
        start = np.array([p.planned_start for p in projs])
        np.testing.assert_allclose(res.completion, np.broadcast_to(end, res.completion.shape), rtol=0, atol=1e-9)
        np.testing.assert_allclose(res.start, np.broadcast_to(start, res.start.shape), rtol=0, atol=1e-9)
        np.testing.assert_array_equal(res.overrun, 0.0)
        comm = params.value("buildout.commissioning_years") + params.value("buildout.rampup_years")
        np.testing.assert_allclose(res.online, res.completion + comm, atol=1e-12)


def test_no_randomness_tongdao_default_funding(params):
    fund = tongdao_funding()
    projs = tongdao_projects(fund)
    res = run_buildout(projs, fund, with_values(params, contingency_share=0.0), 2, seed=3, randomness=False)
    np.testing.assert_allclose(res.completion, 2026.0, atol=1e-9)
    assert res.spend.sum(axis=(1, 2)) == pytest.approx(17.47e8, rel=1e-12)
    # with the default contingency too (more money), and the money per year covers the claims exactly
    res2 = run_buildout(projs, fund, params, 2, seed=3, randomness=False)
    np.testing.assert_allclose(res2.completion, 2026.0, atol=1e-9)


def test_no_randomness_short_money_is_late(params):
    projs = portfolio()
    res = run_buildout(projs, planned_envelopes(projs).scaled(0.7), with_values(params, contingency_share=0.0), 2,
                       seed=1, randomness=False)
    late = res.completion[0] > np.array([p.planned_end for p in projs]) + 1e-6
    assert late.any()


# --- 2. more money never makes a project later ----------------------------------------------------

@pytest.mark.parametrize("policy", ["plan_order", "priority", "pro_rata"])
@pytest.mark.parametrize("carry", [1.0, 0.0])
@pytest.mark.parametrize("less,more", [(1.0, 1.5), (0.6, 0.8)])
def test_more_money_never_later(params, policy, carry, less, more):
    projs = portfolio(14, seed=11)
    base = planned_envelopes(projs)
    p = with_values(params, carry_over=carry, contingency_share=0.0)
    R = 400
    a = run_buildout(projs, base.scaled(less), p, R, seed=5, policy=policy)
    b = run_buildout(projs, base.scaled(more), p, R, seed=5, policy=policy)
    # element-wise, every replication and project: theorem, not tolerance
    assert np.all(b.completion <= a.completion)
    assert np.all(b.start <= a.start)
    assert np.all(b.online <= a.online)
    assert np.all(b.progress >= a.progress)
    # and the check is not vacuous: money matters in this portfolio
    assert np.any(b.completion < a.completion)


def test_more_money_never_later_uneven_scaling(params):
    """Money added to one source and one year only: still never later."""
    projs = portfolio(14, seed=12)
    base = planned_envelopes(projs).scaled(0.7)
    env = {s: dict(v) for s, v in base.envelopes.items()}
    env["county"][2022] = env["county"].get(2022, 0.0) * 3 + 1e6
    more = Funding(env)
    p = with_values(params, contingency_share=0.0)
    for policy in ("plan_order", "priority", "pro_rata"):
        a = run_buildout(projs, base, p, 300, seed=9, policy=policy)
        b = run_buildout(projs, more, p, 300, seed=9, policy=policy)
        assert np.all(b.completion <= a.completion)


# --- 3. reproducibility and common random numbers ------------------------------------------------

def test_same_seed_identical_different_seed_differs(params):
    projs = portfolio()
    fund = planned_envelopes(projs).scaled(0.9)
    a = run_buildout(projs, fund, params, 200, seed=42)
    b = run_buildout(projs, fund, params, 200, seed=42)
    c = run_buildout(projs, fund, params, 200, seed=43)
    for k in ARRAYS:
        np.testing.assert_array_equal(getattr(a, k), getattr(b, k), err_msg=k)
    assert not np.array_equal(a.completion, c.completion)


def test_draws_do_not_shift_when_a_project_is_added(params):
    projs = portfolio(6)
    extra = Project("NEW", 5e6, 2022.0, 2023.0, {"county": 1.0}, order=-1)
    a = sample_stages(projs, params, 8, 100)
    b = sample_stages([extra] + projs[::-1], params, 8, 100)
    for f in ("works_start", "construction_years", "overrun_share", "commissioning_years", "rampup_years"):
        np.testing.assert_array_equal(getattr(a, f), getattr(b, f)[:, 1:][:, ::-1], err_msg=f)


def test_simpy_engine_equals_vectorised(params):
    projs = portfolio(10, seed=3)
    fund = planned_envelopes(projs).scaled(0.8)
    for policy in ("plan_order", "priority", "pro_rata"):
        v = run_buildout(projs, fund, params, 25, seed=2, policy=policy)
        s = run_buildout(projs, fund, params, 25, seed=2, policy=policy, engine="simpy")
        for k in ARRAYS:
            np.testing.assert_array_equal(getattr(v, k), getattr(s, k), err_msg=f"{policy} {k}")
        assert s.events > 0


# --- 4. money is conserved ----------------------------------------------------------------------

@pytest.mark.parametrize("carry", [1.0, 0.0])
@pytest.mark.parametrize("policy", ["plan_order", "pro_rata"])
def test_money_conserved(params, carry, policy):
    projs = portfolio(14, seed=21)
    fund = planned_envelopes(projs).scaled(0.85)
    res = run_buildout(projs, fund, with_values(params, carry_over=carry), 300, seed=4, policy=policy)
    tol = 1e-9
    # never more than the year's money (tranche + carry-over)
    assert np.all(res.source_spend <= res.available * (1 + tol) + 1e-6)
    # available = tranche (+ last year's unspent money if carried over)
    np.testing.assert_allclose(res.available[:, :, 0], np.broadcast_to(res.envelopes[:, 0], res.available[:, :, 0].shape))
    if carry:
        unspent = res.available[:, :, :-1] - res.source_spend[:, :, :-1]
        np.testing.assert_allclose(res.available[:, :, 1:], res.envelopes[None, :, 1:] + unspent, rtol=tol, atol=1e-3)
    else:
        np.testing.assert_allclose(res.available, np.broadcast_to(res.envelopes, res.available.shape))
    # totals per source over all years never exceed the money that arrived
    assert np.all(res.source_spend.sum(axis=2) <= res.envelopes.sum(axis=1) * (1 + tol) + 1e-6)
    # per project: spent = cost + overrun when complete, at most that otherwise
    cost = np.array([p.cost_yuan for p in projs])
    total = res.spend.sum(axis=2)
    full = cost[None, :] + res.overrun
    done = np.isfinite(res.completion)
    assert done.any() and (~done).any()
    np.testing.assert_allclose(total[done], full[done], rtol=tol)
    assert np.all(total[~done] <= full[~done] * (1 + tol))
    assert np.all(total[~done] < full[~done])  # an unfinished project lacks money from some source
    # the three ledgers agree
    np.testing.assert_allclose(res.received.sum(axis=2), total, rtol=1e-12, atol=1e-3)
    np.testing.assert_allclose(res.source_spend.sum(axis=2), res.received.sum(axis=1), rtol=1e-12, atol=1e-3)
    # overrun drawn per project from its own stream, never negative, and spent from the same envelopes
    assert np.all(res.overrun >= 0) and np.any(res.overrun > 0)


# --- 5. hand-computed cases -----------------------------------------------------------------------

def one_source(amounts: dict[int, float]) -> Funding:
    return Funding({"county": dict(amounts)})


def test_hand_case_single_project_half_money(params):
    """Cost 100, works planned for 2021 (1 year), 50 a year from 2021.

    2021: full speed would use 100; 50 arrives, so half the work is done by 2021.5, then it waits.
    2022: it claims the remaining 50, gets it, and finishes the second half in half a year: 2022.5.
    """
    p = Project("A", 100.0, month_to_year("2021-01"), month_to_year("2021-12", end=True), {"county": 1.0})
    res = run_buildout([p], one_source({y: 50.0 for y in range(2021, 2031)}),
                       with_values(params, contingency_share=0.0), 1, seed=0, randomness=False)
    assert res.start[0, 0] == pytest.approx(2021.0)
    assert res.completion[0, 0] == pytest.approx(2022.5, abs=1e-12)
    assert res.online[0, 0] == pytest.approx(2022.5 + 0.25 + 0.25)
    iy = {int(y): i for i, y in enumerate(res.years)}
    assert res.spend[0, 0, iy[2021]] == pytest.approx(50.0)
    assert res.spend[0, 0, iy[2022]] == pytest.approx(50.0)
    assert res.spend[0, 0].sum() == pytest.approx(100.0)


@pytest.mark.parametrize("policy,expect_a,expect_b", [
    # plan order: A (100) first. 2021: A 60 of 100 -> 0.6 done; B nothing. 2022: A gets 40 -> done at 2022.4;
    # B gets the other 20 (0.4 done). 2023: B gets 30 -> done at 2023 + 0.6 = 2023.6.
    ("plan_order", 2022.4, 2023.6),
    # priority: B (priority 1) first. 2021: B 50 -> done 2022.0; A 10. 2022: A 60 (0.7 done). 2023: A 30 -> 2023.3.
    ("priority", 2023.3, 2022.0),
    # pro rata: 2021: 60/150 of each claim -> A 40, B 20 (0.4 each). 2022: claims 60 + 30 > 60 -> 2/3 each:
    # A 40, B 20 (0.8 each). 2023: claims 20 + 10 <= 60 -> both done at 2023 + 0.2.
    ("pro_rata", 2023.2, 2023.2),
])
def test_hand_case_two_projects(params, policy, expect_a, expect_b):
    a = Project("A", 100.0, 2021.0, 2022.0, {"county": 1.0}, priority=2, order=0)
    b = Project("B", 50.0, 2021.0, 2022.0, {"county": 1.0}, priority=1, order=1)
    res = run_buildout([a, b], one_source({y: 60.0 for y in range(2021, 2031)}),
                       with_values(params, contingency_share=0.0), 1, seed=0, randomness=False, policy=policy)
    assert res.completion[0, 0] == pytest.approx(expect_a, abs=1e-9)
    assert res.completion[0, 1] == pytest.approx(expect_b, abs=1e-9)


def test_hand_case_carry_over(params):
    """60 in 2021 and 60 in 2022; a 100 project worked in 2022 only.
    Carried over: 120 in 2022, done on plan at 2023.0.  Lapsing: 60 in 2022, 0.6 done, never finished."""
    p = Project("A", 100.0, 2022.0, 2023.0, {"county": 1.0})
    fund = one_source({2021: 60.0, 2022: 60.0})
    on = run_buildout([p], fund, with_values(params, carry_over=1, contingency_share=0.0), 1, 0, randomness=False)
    off = run_buildout([p], fund, with_values(params, carry_over=0, contingency_share=0.0, post_plan_cap_share=0.0),
                       1, 0, randomness=False)
    assert on.completion[0, 0] == pytest.approx(2023.0, abs=1e-12)
    assert math.isinf(off.completion[0, 0]) and off.progress[0, 0] == pytest.approx(0.6)
    assert off.spend[0, 0].sum() == pytest.approx(60.0)


def test_hand_case_post_plan_money(params):
    """The lapsing case above with the post-plan rule: after the last tranche (2022) the budget pays
    up to 10% of the average yearly envelope (60) = 6 a year.  0.6 done by 2023.0; 2023-2028 bring
    36 (0.96 done); 2029 brings the last 4, worked in 0.04 years: complete at 2029.04, fully paid.
    With the cap at 0 it never completes and 40 stays unfunded."""
    p = Project("A", 100.0, 2022.0, 2023.0, {"county": 1.0})
    fund = one_source({2021: 60.0, 2022: 60.0})
    res = run_buildout([p], fund, with_values(params, carry_over=0, contingency_share=0.0, post_plan_cap_share=0.1),
                       1, 0, randomness=False, horizon=2035)
    assert res.post_plan_from == 2023 and res.post_plan_cap == pytest.approx(6.0)
    assert res.completion[0, 0] == pytest.approx(2029.04, abs=1e-9)
    iy = {int(y): i for i, y in enumerate(res.years)}
    assert [res.spend[0, 0, iy[y]] for y in range(2023, 2030)] == pytest.approx([6.0] * 6 + [4.0])
    assert projects_table(res, [p]).unfunded_mean_yuan[0] == 0.0
    none = run_buildout([p], fund, with_values(params, carry_over=0, contingency_share=0.0, post_plan_cap_share=0.0),
                        1, 0, randomness=False, horizon=2035)
    t = projects_table(none, [p])
    assert math.isinf(none.completion[0, 0])
    assert t.unfunded_mean_yuan[0] == pytest.approx(40.0) and t.p_unfunded[0] == 1.0


def test_hand_case_delay_and_multiplier():
    """Randomness on with degenerate distributions: delay certain (1 year), construction 1.5x."""
    specs = {
        "buildout.prep_years": ParamSpec("buildout.prep_years", 0.5),
        "buildout.delay_probability": ParamSpec("buildout.delay_probability", 1.0),
        "buildout.delay_years": ParamSpec("buildout.delay_years", 1.0),
        "buildout.construction_multiplier": ParamSpec("buildout.construction_multiplier", 1.5),
        "buildout.overrun_share": ParamSpec("buildout.overrun_share", 0.2),
        "buildout.commissioning_years": ParamSpec("buildout.commissioning_years", 0.25),
        "buildout.rampup_years": ParamSpec("buildout.rampup_years", 0.5),
    }
    p = Project("A", 100.0, 2021.0, 2023.0, {"county": 1.0})
    res = run_buildout([p], one_source({y: 1000.0 for y in range(2021, 2031)}), ParameterSet(specs), 3, seed=0)
    # preparation 2020.5 + 0.5 + 1 delay -> works start 2022.0; 2 years x 1.5 = 3 years -> 2025.0
    np.testing.assert_allclose(res.start, 2022.0)
    np.testing.assert_allclose(res.completion, 2025.0, atol=1e-12)
    np.testing.assert_allclose(res.online, 2025.75)
    np.testing.assert_allclose(res.spend.sum(axis=2), 120.0)


# --- 6. speed, summaries, inputs ----------------------------------------------------------------

def test_tongdao_projects_table(params):
    """Summary table of a Tongdao-sized run (speed is measured in benchmarks/bench_buildout.py)."""
    fund = tongdao_funding()
    projs = tongdao_projects(fund)
    res = run_buildout(projs, fund, params, 2_000, seed=1)
    assert res.completion.shape == (2_000, 15)
    table = projects_table(res, projs, [2021, 2025])
    assert list(table.columns[:3]) == ["project", "name_zh", "cost_yuan"]
    assert ((table.p_complete_by_plan_end >= 0) & (table.p_complete_by_plan_end <= 1)).all()
    assert (table.completion_p10 <= table.completion_p50).all() and (table.completion_p50 <= table.completion_p90).all()
    assert "spend_2025_mean_yuan" in table.columns


def test_tongdao_scenario_files():
    fund = tongdao_funding()
    assert fund.total() == pytest.approx(17.47e8, rel=1e-12)
    for y in range(2021, 2026):
        assert sum(fund.amount(s, y) for s in fund.sources) == pytest.approx(17.47e8 / 5, rel=1e-12)
    assert fund.years == list(range(2021, 2026))
    df = pd.read_csv(TONGDAO / "funding.csv")
    assert df.source.str.startswith("assumption:").all()
    prm = pd.read_csv(TONGDAO / "buildout_parameters.csv")
    for _, row in prm.iterrows():
        assert re.match(r"^(https?://|assumption:|derived:|\d{3}_[0-9a-f]{16}\.txt:\d+)", str(row.source)), row.id
        assert row.confidence in ("seed", "published", "derived", "assumption"), row.id
    delay = prm.set_index("id").loc["buildout.delay_probability"]
    assert delay.value == pytest.approx(0.237) and "hd.hebei.com.cn" in delay.source


def test_missing_envelope_source_is_an_input_error(params):
    p = Project("A", 100.0, 2021.0, 2022.0, {"lottery": 1.0})
    with pytest.raises(InputError, match="lottery"):
        run_buildout([p], one_source({2021: 100.0}), params, 1, seed=0)


def test_tongdao_projects_csv_on_plan_without_randomness(params):
    """The default scenario's money (funding.csv, carried over) covers every year's planned claims of
    projects.csv (the planned schedule fits the envelopes), so with randomness off, no contingency and
    no post-plan money every phase and every project ends on its planned end."""
    scenario = load_scenario(ROOT / "scenarios" / "tongdao.yaml")
    fund = scenario_funding(scenario)
    projs = scenario_projects(scenario, fund)
    phases, engine = scenario_phase_projects(scenario, fund)
    assert sum(p.cost_yuan for p in projs) == pytest.approx(17.47e8, rel=1e-9)
    assert sum(p.cost_yuan for p in engine) == pytest.approx(17.47e8, rel=1e-9)
    assert len(engine) > len(projs)  # staged programmes are several phases
    res = run_buildout(engine, fund, with_values(params, contingency_share=0.0, post_plan_cap_share=0.0), 1, seed=0,
                       randomness=False)
    end = np.array([p.planned_end for p in engine])
    np.testing.assert_allclose(res.completion[0], end, atol=1e-9)
    port = run_portfolio(scenario, with_values(params, contingency_share=0.0, post_plan_cap_share=0.0), 1, 0,
                         randomness=False)
    np.testing.assert_allclose(port.result.completion[0], [p.planned_end for p in projs], atol=1e-9)
