"""Erlang B against the closed form and against a simpy loss-system simulation."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.queueing import beds_for_blocking, erlang_b, simulate_loss_system


def closed_form(a: float, c: int) -> float:
    """B(A, c) = (A^c / c!) / sum_{k=0..c} A^k / k!"""
    return (a ** c / math.factorial(c)) / sum(a ** k / math.factorial(k) for k in range(c + 1))


def test_small_cases_by_hand():
    assert erlang_b(1.0, 1) == pytest.approx(0.5)            # 1 / (1 + 1)
    assert erlang_b(2.0, 1) == pytest.approx(2 / 3)          # 2 / (1 + 2)
    assert erlang_b(1.0, 2) == pytest.approx(0.5 / 2.5)      # (1/2) / (1 + 1 + 1/2) = 0.2
    assert erlang_b(2.0, 2) == pytest.approx(2 / 5)          # 2 / (1 + 2 + 2)
    assert erlang_b(3.0, 0) == 1.0 and erlang_b(0.0, 0) == 1.0
    assert erlang_b(0.0, 3) == 0.0


@pytest.mark.parametrize("a", [0.1, 0.5, 1.0, 2.8, 7.5, 15.0])
@pytest.mark.parametrize("c", [1, 2, 3, 5, 10, 20])
def test_matches_closed_form(a, c):
    assert erlang_b(a, c) == pytest.approx(closed_form(a, c), rel=1e-12)


def test_vectorised_and_stable_for_large_systems():
    a = np.array([[1.0], [4.0], [10.0]])
    c = np.array([0, 1, 5, 12])
    out = erlang_b(a, c)
    assert out.shape == (3, 4)
    assert out[1, 2] == pytest.approx(closed_form(4.0, 5))
    assert np.all(out[:, 0] == 1.0)
    big = erlang_b(900.0, 1000)          # factorials overflow here; the recursion does not
    assert 0.0 < big < 0.01 and np.isfinite(big)
    # more beds never turn more people away
    assert np.all(np.diff(erlang_b(8.0, np.arange(30))) < 0)


def test_rejects_bad_input():
    with pytest.raises(ValueError):
        erlang_b(-1.0, 2)
    with pytest.raises(ValueError):
        erlang_b(1.0, -1)
    with pytest.raises(ValueError):
        erlang_b(1.0, 1.5)
    with pytest.raises(ValueError):
        beds_for_blocking(1.0, 0.0)


@pytest.mark.parametrize("a,eps", [(0.57 * 5, 0.01), (2.0, 0.05), (10.0, 0.001), (30.0, 0.02), (0.3, 0.5)])
def test_beds_for_blocking_is_the_smallest_c(a, eps):
    c = beds_for_blocking(a, eps)
    assert closed_form(a, c) <= eps
    assert c == 0 or closed_form(a, c - 1) > eps


def test_beds_for_blocking_vectorised_and_zero_load():
    out = beds_for_blocking(np.array([0.0, 1.0, 5.0]), 0.01)
    assert out.tolist() == [0, beds_for_blocking(1.0, 0.01), beds_for_blocking(5.0, 0.01)]
    assert beds_for_blocking(3.0, 1.0) == 0


GRID = [(0.5, 1), (2.0, 2), (2.0, 4), (5.0, 3), (5.0, 8), (9.0, 10)]


@pytest.mark.parametrize("a,c", GRID)
def test_simulation_agrees_with_erlang_b(a, c):
    # time in mean stays (mean stay 1); about 4000 arrivals after the warm-up; 99% batch-means interval
    res = simulate_loss_system(arrival_rate=a, mean_stay=1.0, servers=c, horizon=4000 / a, seed=1000 + c,
                               confidence=0.99)
    theory = erlang_b(a, c)
    assert res.arrivals > 3000
    assert res.ci_low <= theory <= res.ci_high, (a, c, theory, res)
    assert res.ci_high - res.ci_low < 0.1      # the interval is informative, not vacuous


def test_simulation_detects_a_wrong_formula():
    # the check above can fail: a different bed count is outside the interval
    res = simulate_loss_system(arrival_rate=5.0, mean_stay=1.0, servers=5, horizon=1000, seed=7, confidence=0.99)
    assert not (res.ci_low <= erlang_b(5.0, 7) <= res.ci_high)
    assert not (res.ci_low <= erlang_b(5.0, 3) <= res.ci_high)


def test_simulation_edge_cases_and_reproducibility():
    none = simulate_loss_system(2.0, 1.0, 0, 200, seed=3)
    assert none.blocked_fraction == 1.0
    r1 = simulate_loss_system(2.0, 3.0, 4, 300, seed=5)
    r2 = simulate_loss_system(2.0, 3.0, 4, 300, seed=5)
    assert r1 == r2
    # insensitivity to time unit: days vs weeks give the same load
    assert erlang_b(2.0 * 3.0, 4) == pytest.approx(erlang_b((2.0 * 7) * (3.0 / 7), 4))


def test_beds_for_blocking_at_a_country_scale_load():
    """A pooled national relief load (about 10^5 Erlangs, above the former 10^5 limit): still the
    smallest c with B(A, c) <= bound, checked with the recursion of erlang_b; beyond MAX_LOAD refused."""
    from sim.queueing import MAX_LOAD

    a, eps = 150_000.0, 0.05
    c = beds_for_blocking(a, eps)
    before, at = erlang_b(a, np.array([c - 1, c]))
    assert at <= eps < before
    assert abs(c - a * (1 - eps)) < math.sqrt(a)   # overloaded: B(A, c) ~ 1 - c/A, so c ~ A(1 - eps)
    with pytest.raises(ValueError, match="offered_load"):
        beds_for_blocking(MAX_LOAD * 1.01, eps)
