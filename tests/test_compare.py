"""Scenario comparison with common random numbers, schedule slack and tornado (issue 11)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.compare import compare
from sim.experiment import Experiment, feeding_map, with_what_if
from sim.indicators import met
from sim.loader import load_scenario
from sim.paired import newcombe_paired, newcombe_unpaired, paired_mean
from sim.run import RunOptions, simulate
from sim.slack import latest_safe, slack_analysis
from sim.tornado import tornado_analysis

from conftest import REPO

SCEN = REPO / "scenarios"
SHIPPED_VARIANTS = sorted(p.name for p in SCEN.glob("tongdao_*.yaml"))
N = 200


@pytest.fixture(scope="module")
def exp():
    return Experiment(RunOptions(replications=N, seed=11))


@pytest.fixture(scope="module")
def tongdao():
    return load_scenario(SCEN / "tongdao.yaml")


@pytest.fixture(scope="module")
def shipped(exp, tongdao):
    return compare(tongdao, [load_scenario(SCEN / v) for v in SHIPPED_VARIANTS], exp)


# ------------------------------------------------------------------ paired intervals
def test_newcombe_identical_pairs_and_independent_table():
    a = np.array([1] * 30 + [0] * 70, dtype=bool)
    d, lo, hi = newcombe_paired(a, a)
    assert d == 0 and lo < 0 < hi
    # With phi = 0 (a 2x2 table with no association) the paired interval is the unpaired one.
    base = np.array([1, 1, 0, 0] * 25, dtype=bool)
    var = np.array([1, 0, 1, 0] * 25, dtype=bool)
    assert newcombe_paired(base, var) == pytest.approx(newcombe_unpaired(base, var))


def test_newcombe_paired_covers_the_true_difference_about_95_percent():
    # Correlated pairs: base met with p 0.4; the variant flips 10% of met to unmet and 4% of unmet to met.
    rng = np.random.default_rng(5)
    n, sims, cover = 300, 1500, 0
    true = 0.4 * (1 - 0.1) + 0.6 * 0.04 - 0.4
    for _ in range(sims):
        b = rng.random(n) < 0.4
        u = rng.random(n)
        v = np.where(b, u >= 0.1, u < 0.04)
        _, lo, hi = newcombe_paired(b, v)
        cover += lo <= true <= hi
    assert 0.93 <= cover / sims <= 0.975


def test_paired_mean_of_identical_arrays_is_zero():
    x = np.array([1.0, np.inf, 3.0, np.nan])
    assert paired_mean(x, x)[0] == 0.0


# ------------------------------------------------------------------ compare
def test_compare_with_itself_gives_exact_zero_differences(exp, tongdao):
    c = compare(tongdao, [tongdao], exp)
    t = c.targets[c.targets.scenario != c.base]
    assert len(t) > 0
    assert (t.diff_p_met == 0).all() and (t.diff_shortfall == 0).all() and (t.discordant_pairs == 0).all()
    assert set(t.verdict) == {"no change", "undefined"}  # undefined: S05, a quantity that does not exist
    assert (t[t.verdict == "undefined"].p_met.isna()).all()
    p = c.projects[c.projects.scenario != c.base]
    for col in ("diff_completion_p10_months", "diff_completion_p50_months", "diff_completion_p90_months"):
        assert (p[col] == 0).all()
    s = c.spend
    a = s[s.scenario == c.base].spend_mean_yuan.to_numpy()
    b = s[s.scenario != c.base].spend_mean_yuan.to_numpy()
    assert np.array_equal(a, b)


def test_variant_changing_nothing_relevant_gives_zero(exp, tongdao, shipped):
    # tongdao_network_min patches only P02_01's outputs: money and schedules are untouched, so every
    # target whose quantity P02_01 does not feed must be identical replication by replication.
    feeds = feeding_map(exp, tongdao, {t.quantity for t in tongdao.rows("targets") if t.kind == "computed"})
    qty = {t.id: t.quantity for t in tongdao.rows("targets")}
    t = shipped.targets[shipped.targets.scenario == "tongdao_network_min"]
    untouched = t[[("P02_01" not in feeds[qty[i]]) for i in t.indicator_id]]
    touched = t[[("P02_01" in feeds[qty[i]]) for i in t.indicator_id]]
    assert len(untouched) > 0 and len(touched) > 0
    assert (untouched.diff_p_met == 0).all() and (untouched.diff_shortfall == 0).all()
    assert set(untouched.verdict) <= {"no change", "undefined"}
    assert (touched.verdict != "no change").any()  # and the change shows where it should


def test_paired_interval_is_narrower_than_unpaired_on_shipped_variants(shipped):
    t = shipped.targets[(shipped.targets.scenario != shipped.base) & (shipped.targets.discordant_pairs > 0)]
    assert set(t.scenario) >= {"tongdao_budget_cut", "tongdao_network_min"}
    for sid, g in t.groupby("scenario"):
        paired = (g.diff_high - g.diff_low).to_numpy()
        unpaired = (g.diff_high_unpaired - g.diff_low_unpaired).to_numpy()
        # Common random numbers make the pairs positively correlated almost everywhere; where a change
        # reshuffles which replications meet a rare target (phi < 0) the paired interval may be a
        # little wider, so the check is on the whole set of rows of each variant.
        assert (paired <= unpaired + 1e-12).mean() >= 0.9, sid
        assert paired.mean() < unpaired.mean(), sid


def test_compare_p_met_matches_a_separate_run(exp, tongdao, shipped):
    """Sharing population draws changes nothing: the base's P(met) is that of an ordinary run."""
    res = simulate(tongdao, RunOptions(replications=N, seed=11))
    ind = res.indicators
    if "level" in ind.columns:   # county rows; township rows (sim.geo.townships) are not targets' own rows
        ind = ind[ind.level == "county"]
    t = shipped.targets[shipped.targets.scenario == "tongdao"]
    merged = t.merge(ind[["indicator_id", "year", "p_met"]], on=["indicator_id", "year"], suffixes=("", "_run"))
    assert len(merged) == len(t)
    assert np.allclose(merged.p_met, merged.p_met_run, equal_nan=True)


# ------------------------------------------------------------------ slack
def test_latest_safe_on_hand_made_curves():
    grid = list(range(-24, 13, 6))
    step = lambda cut: (lambda s: 1.0 if s <= cut else 0.0)  # noqa: E731
    for cut in (-24, -20, -13, -1, 0, 5, 12):
        assert latest_safe(step(cut), grid, 0.8) == cut
    assert latest_safe(step(-30), grid, 0.8) is None
    assert latest_safe(lambda s: 0.9, grid, 0.8) == 12


@pytest.fixture(scope="module")
def one_project_target(tongdao):
    return next(t for t in tongdao.rows("targets") if t.id == "S28")  # home retrofits, fed by P02_06 alone


def test_slack_curve_monotone_and_latest_safe_agrees_with_brute_force(tongdao, one_project_target):
    e = Experiment(RunOptions(replications=120, seed=3))
    t = one_project_target
    sl = slack_analysis(e, tongdao, level=0.8, shifts=range(-24, 13, 6), only=[t.id])
    row = sl.summary.set_index("indicator_id").loc[t.id]
    assert row.feeding_projects == "P02_06"
    curve = sl.curves[(sl.curves.indicator_id == t.id) & sl.curves.on_grid].sort_values("shift_months")
    p = curve.p_met.to_numpy()
    assert (np.diff(p) <= 1e-12).all() and p[0] > p[-1]
    # brute force: every month from -24 to +12
    years = np.arange(tongdao.base_year, tongdao.horizon + 1)
    j = int(np.nonzero(years == t.year)[0][0])
    brute = {}
    for s in range(-24, 13):
        q = e.quantities(with_what_if(tongdao, {"project_delay_months": {"P02_06": float(s)}}), {t.quantity})
        brute[s] = float(met(q[t.quantity][:, j], t.comparator, t.value).mean())
    safe = [s for s, v in brute.items() if v >= 0.8]
    expected = max(safe) if safe else None
    got = None if math.isnan(row.latest_safe_shift_months) else int(row.latest_safe_shift_months)
    assert got == expected
    assert all(a >= b for a, b in zip([brute[s] for s in range(-24, 12)], [brute[s] for s in range(-23, 13)]))


# ------------------------------------------------------------------ tornado
def test_tornado_ranks_and_unfed_target_has_zero_change(exp, tmp_path):
    # A binding target on a quantity no project feeds (social workers: hiring, not building).
    variant = tmp_path / "sw.yaml"
    variant.write_text(
        f"extends: {SCEN / 'tongdao.yaml'}\nid: sw\nname: sw\nadd:\n  targets:\n"
        "    - {id: SWT, name_zh: 社工人数, unit: 人, year: 2025, comparator: '>=', value: 30,"
        " binding: binding, kind: computed, quantity: social_workers_total, source: 'assumption: test'}\n",
        encoding="utf-8")
    scen = load_scenario(variant)
    assert feeding_map(exp, scen, {"social_workers_total"})["social_workers_total"] == []
    df = tornado_analysis(exp, scen)
    n_factors = len(scen.rows("projects")) + len({f.funding_source for f in scen.rows("funding")})
    for tid, g in df.groupby("indicator_id"):
        assert len(g) == n_factors
        assert list(g["rank"]) == list(range(1, n_factors + 1))
        mags = g.change.abs().to_numpy()
        assert (np.diff(mags) <= 1e-12).all()
    assert (df[df.indicator_id == "SWT"].change == 0).all()
    # M12 (nursing-bed share) is fed by the eldercare projects: delaying P02_01 a year does not raise P(met).
    m12 = df[(df.indicator_id == "M12") & (df.factor == "P02_01")].iloc[0]
    assert m12.change <= 0
