"""Net migration does what its rate says (issue 9 item 2): the realised rate equals the input rate
wherever that is feasible, a negative rate never books net in-migration, and clipping is reported."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from sim.loader import load_scenario
from sim.parameters import ParamSpec
from sim.population import build_inputs, project
from sim.population.projection import migrate, migration_profile


def projection(mini, rate_percent: float | None, low=None, high=None, R=1, randomness=False):
    s = load_scenario(mini)
    params = s.parameters()
    spec = params.specs["demography.net_migration_rate"]
    params.specs[spec.id] = ParamSpec(id=spec.id, value=rate_percent, distribution="fixed" if low is None else "triangular",
                                      low=low, high=high, domain=spec.domain)
    units = pd.DataFrame([u.model_dump() for u in s.rows("units")])
    inputs = build_inputs(units, params, s.base_year, 2035, s.region_unit)
    return project(inputs, replications=R, seed=5, randomness=randomness)


def realised(res) -> np.ndarray:
    """(R, U, Y-1) net migrants of each interval / population at its start."""
    return res.net_migration / res.total[:, :, :-1]


@pytest.mark.parametrize("rate", [-5.0, -0.8, 3.0])
def test_realised_rate_equals_input_rate(mini, rate):
    res = projection(mini, rate)
    assert np.allclose(realised(res), rate / 100.0, rtol=1e-9, atol=0)   # every township, every year 2020-2034
    assert not np.any(res.migration_shortfall)


def test_minus_30_percent_stays_an_outflow_and_exact(mini):
    # before: young ages ran empty, the clipped outflow fell below the older people's return flow,
    # and the net flow turned positive by 2030
    res = projection(mini, -30.0)
    assert np.all(res.net_migration < 0)
    assert np.allclose(realised(res), -0.30, rtol=1e-9)
    assert np.all(np.diff(res.total.sum(axis=1)) < 0)


def test_drawn_rates_are_each_realised(mini):
    res = projection(mini, -0.8, low=-1.0, high=-0.3, R=8, randomness=True)
    rates = res.draws["net_migration_rate"]
    assert len(set(np.round(rates, 12))) == 8
    assert np.allclose(realised(res), rates[:, None, None], rtol=1e-9)


def test_migrate_hand_case_keeps_the_profile_where_it_can():
    # one unit, 3 ages, women only in the profile: wanted flow -10 x (0.5, 0.6, -0.1)
    Q = np.array([[[[0.0, 0.0, 0.0], [10.0, 2.0, 5.0]]]])
    prof = np.array([[0.0, 0.0, 0.0], [0.5, 0.6, -0.1]])
    P, short = migrate(Q, np.array([[20.0]]), np.array([-0.5]), prof)
    # age 1 wants -6 but has 2: it empties; the missing 4 come from age 0 (the other losing age): 10-5-4 = 1;
    # the return age gains its +1
    assert P[0, 0, 1].tolist() == pytest.approx([1.0, 0.0, 6.0])
    assert P.sum() - Q.sum() == pytest.approx(-10.0) and short[0, 0] == 0.0


def test_infeasible_outflow_is_reported_not_reversed():
    Q = np.array([[[[1.0, 1.0], [1.0, 1.0]]]])
    P, short = migrate(Q, np.array([[10.0]]), np.array([-0.9]), migration_profile(0.1)[:, :2] * 0 + 0.25)
    assert P.sum() == pytest.approx(0.0) and short[0, 0] == pytest.approx(9.0 - 4.0)


def test_clipping_is_reported_by_a_run(mini, capsys, tmp_path):
    from sim.cli import main
    text = (mini.parent / "model_parameters.csv").read_text(encoding="utf-8")
    (mini.parent / "model_parameters.csv").write_text(
        text.replace("demography.net_migration_rate,-0.8,% of population per year,,,triangular,-1.0,-0.3",
                     "demography.net_migration_rate,-99.5,% of population per year,,,fixed,,"), encoding="utf-8")
    assert main(["run", str(mini), "-n", "2", "--out", str(tmp_path / "r")]) == 0
    err = capsys.readouterr().err
    assert "warning: demography.net_migration_rate: out-migration clipped" in err
    import json
    assert json.loads((tmp_path / "r" / "manifest.json").read_text(encoding="utf-8"))["warnings"]
