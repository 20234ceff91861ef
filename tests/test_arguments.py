"""Public functions reject NaN and out-of-range arguments at once with a ValueError naming the
argument (issue 9 item 2: `beds_for_blocking(5.0, nan)` used to loop forever)."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.parameters import ParamSpec, stream
from sim.population import lifetable
from sim.population.projection import migration_profile, project_arrays
from sim.queueing import beds_for_blocking, erlang_b, simulate_loss_system

NAN, INF = float("nan"), float("inf")


@pytest.mark.parametrize("call, name", [
    (lambda: beds_for_blocking(5.0, NAN), "max_blocking"),
    (lambda: beds_for_blocking(NAN, 0.01), "offered_load"),
    (lambda: beds_for_blocking(INF, 0.01), "offered_load"),
    (lambda: beds_for_blocking(5.0, 0.0), "max_blocking"),
    (lambda: beds_for_blocking(5.0, 1.5), "max_blocking"),
    (lambda: beds_for_blocking(-1.0, 0.01), "offered_load"),
    (lambda: beds_for_blocking(1e12, 0.01), "offered_load"),      # would take hours
    (lambda: beds_for_blocking(np.array([1.0, NAN]), 0.01), "offered_load"),
    (lambda: erlang_b(NAN, 3), "offered_load"),
    (lambda: erlang_b(5.0, NAN), "servers"),
    (lambda: erlang_b(5.0, 2.5), "servers"),
    (lambda: erlang_b(5.0, 1e12), "servers"),
    (lambda: simulate_loss_system(NAN, 1.0, 2, 10.0, 1), "arrival_rate"),
    (lambda: simulate_loss_system(1.0, INF, 2, 10.0, 1), "mean_stay"),
    (lambda: simulate_loss_system(1.0, 1.0, 2, NAN, 1), "horizon"),
    (lambda: simulate_loss_system(1.0, 1.0, 2.5, 10.0, 1), "servers"),
    (lambda: ParamSpec("x", 1.0, distribution="uniform", low=0, high=2).quantile(np.array([NAN])), "u"),
    (lambda: ParamSpec("x", 1.0).quantile(np.array([1.5])), "u"),
    (lambda: stream(NAN, "a"), "seed"),
    (lambda: migration_profile(NAN), "return_weight"),
    (lambda: migration_profile(1.0), "return_weight"),
    (lambda: lifetable.tables_for_e0(np.array([NAN])), "e0"),
    (lambda: lifetable.tables_for_e0(np.array([120.0])), "life expectancy"),
    (lambda: lifetable.tables_for_e0(np.array([70.0]), imr=NAN), "imr"),
])
def test_bad_arguments_raise_value_error_naming_them(call, name):
    with pytest.raises(ValueError, match=name):
        call()


def _engine_args(**change):
    args = dict(P0=np.ones((1, 1, 2, 3)), S=np.full((1, 1, 2, 2), 0.9), L0=np.ones((1, 1, 2)),
                asfr=np.zeros((1, 1, 3)), srb=np.array([1.05]), mig_rate=np.array([[-0.01]]),
                profile=np.full((2, 3), 1 / 6))
    args.update(change)
    return args


@pytest.mark.parametrize("name, value", [
    ("P0", np.full((1, 1, 2, 3), NAN)), ("P0", -np.ones((1, 1, 2, 3))), ("S", np.full((1, 1, 2, 2), 1.5)),
    ("srb", np.array([NAN])), ("srb", np.array([0.0])), ("mig_rate", np.array([[NAN]])),
    ("mig_rate", np.array([[-1.5]])), ("asfr", np.full((1, 1, 3), -0.1)), ("profile", np.full((2, 3), NAN)),
])
def test_projection_engine_rejects_bad_arrays(name, value):
    with pytest.raises(ValueError, match=name):
        project_arrays(**_engine_args(**{name: value}))


def test_good_arguments_still_work():
    assert beds_for_blocking(5.0, 0.01) == 11 and math.isclose(erlang_b(5.0, 11), 0.00829, rel_tol=1e-3)
    assert beds_for_blocking(5.0, 1e-320) > 11          # a subnormal bound still terminates
