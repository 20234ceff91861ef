"""Accessibility: great-circle distances, 2SFCA / E2SFCA by hand and against PySAL access, assignment."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from sim.errors import InputError
from sim.geo.access import (E2SFCA_STEPS, capacitated_assignment, coverage_within, e2sfca, nearest_distance,
                            read_cost_csv, road_km, two_sfca)
from sim.geo.datum import haversine_m

R = 6371008.8


def test_one_degree_of_latitude():
    assert haversine_m(110, 26, 110, 27) == pytest.approx(R * math.pi / 180, rel=1e-12)


def test_lax_jfk_worked_example():
    # Ed Williams, Aviation Formulary: LAX (33°57'N 118°24'W) to JFK (40°38'N 73°47'W) = 2144 nm, where
    # 1 nm = 1 arc minute, i.e. a central angle of 2144 / (60 * 180 / pi) rad.
    d = haversine_m(-(118 + 24 / 60), 33 + 57 / 60, -(73 + 47 / 60), 40 + 38 / 60)
    assert d / R == pytest.approx(2144 / (60 * 180 / math.pi), abs=2e-4)


def test_road_km_applies_the_detour_factor():
    o = np.array([[109.7138, 26.15467]])
    d = np.array([[109.64306, 26.33472], [109.7138, 26.15467]])
    km = road_km(o, d, detour=1.5)
    assert km.shape == (1, 2) and km[0, 1] == 0
    assert km[0, 0] == pytest.approx(1.5 * haversine_m(109.7138, 26.15467, 109.64306, 26.33472) / 1000)
    with pytest.raises(ValueError):
        road_km(o, d, detour=0.9)


# Hand-computed three-unit case: demand 100, 200, 300; supply 10, 20; catchment 15.
P = np.array([100.0, 200.0, 300.0])
S = np.array([10.0, 20.0])
C = np.array([[5.0, 20.0], [10.0, 10.0], [30.0, 5.0]])


def test_two_sfca_hand_computed():
    # facility 0 reaches units 0, 1: R0 = 10 / 300; facility 1 reaches units 1, 2: R1 = 20 / 500
    a = two_sfca(P, S, C, max_cost=15)
    np.testing.assert_allclose(a, [10 / 300, 10 / 300 + 20 / 500, 20 / 500])
    # conservation: demand-weighted accessibility = total supply reached
    assert (P * a).sum() == pytest.approx(S.sum())


def _access_frames(p, s, c):
    dem = pd.DataFrame({"geoid": range(len(p)), "pop": p}).set_index("geoid")
    sup = pd.DataFrame({"geoid": range(len(s)), "beds": s}).set_index("geoid")
    cost = pd.DataFrame([(i, j, c[i, j]) for i in range(c.shape[0]) for j in range(c.shape[1])],
                        columns=["origin", "dest", "cost"])
    return dem, sup, cost


def _access(p, s, c, max_cost, enhanced):
    from access import Access
    dem, sup, cost = _access_frames(p, s, c)
    a = Access(demand_df=dem, demand_value="pop", supply_df=sup, supply_value="beds", cost_df=cost,
               cost_origin="origin", cost_dest="dest", cost_name="cost")
    if enhanced:
        out = a.enhanced_two_stage_fca()
    else:
        out = a.two_stage_fca(max_cost=max_cost)
    return out.iloc[:, 0].reindex(range(len(p))).fillna(0.0).to_numpy()


def test_two_sfca_matches_access_package_on_the_hand_case():
    np.testing.assert_allclose(two_sfca(P, S, C, max_cost=15), _access(P, S, C, 15, False))


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_two_sfca_and_e2sfca_match_access_package(seed):
    rng = np.random.default_rng(seed)
    p, s = rng.uniform(50, 500, 9), rng.uniform(0, 40, 4)
    c = rng.uniform(0, 40, (9, 4))
    np.testing.assert_allclose(two_sfca(p, s, c, max_cost=25), _access(p, s, c, 25, False), rtol=1e-9)
    np.testing.assert_allclose(e2sfca(p, s, c, E2SFCA_STEPS), _access(p, s, c, None, True), rtol=1e-9)


def test_two_sfca_vectorises_over_replications():
    reps = np.stack([P, 2 * P])
    a = two_sfca(reps, np.stack([S, S]), C, max_cost=15)
    np.testing.assert_allclose(a[1], a[0] / 2)


def test_coverage_and_nearest():
    has = np.array([True, False])
    assert coverage_within(P, has, C, 15) == pytest.approx(300 / 600)
    np.testing.assert_allclose(nearest_distance(has, C), [5, 10, 30])
    np.testing.assert_allclose(nearest_distance(np.array([False, False]), C), [np.inf] * 3)


def test_capacitated_assignment_respects_capacity():
    # unit 1 prefers either facility (10, 10); facility 0 has room for 150 only
    flows, unserved = capacitated_assignment(P, np.array([150.0, 400.0]), C)
    assert flows.sum(axis=0)[0] <= 150 + 1e-9 and flows.sum(axis=0)[1] <= 400 + 1e-9
    assert unserved.sum() == pytest.approx(50)         # 600 demand, 550 capacity
    np.testing.assert_allclose(flows.sum(axis=1) + unserved, P)
    # the least-cost plan: unit 0 -> facility 0 (100), unit 2 -> facility 1 (300), unit 1 splits 50 / 100,
    # and the 50 left unserved are unit 1's
    assert flows[0, 0] == pytest.approx(100) and flows[2, 1] == pytest.approx(300)


def test_cost_csv(tmp_path):
    f = tmp_path / "tt.csv"
    f.write_text("origin,destination,cost\na,x,12\na,y,30\nb,x,7\nb,y,5\n", encoding="utf-8")
    np.testing.assert_allclose(read_cost_csv(f, ["a", "b"], ["x", "y"]), [[12, 30], [7, 5]])
    f.write_text("origin,destination,cost\na,x,12\n", encoding="utf-8")
    with pytest.raises(InputError, match="no cost"):
        read_cost_csv(f, ["a", "b"], ["x"])
    f.write_text("origin,destination,cost\na,x,-1\n", encoding="utf-8")
    with pytest.raises(InputError, match=">= 0"):
        read_cost_csv(f, ["a"], ["x"])
