"""Per-township quantities add up to the county indicators; the even-share rule on a hand case."""

from __future__ import annotations

import numpy as np
import pytest

from sim.geo.townships import SERVICES, township_coverage
from sim.loader import load_scenario
from sim.run import RunOptions, simulate

from conftest import REPO


@pytest.fixture(scope="module")
def result():
    return simulate(load_scenario(REPO / "scenarios" / "tongdao.yaml"), RunOptions(replications=40, seed=7))


@pytest.mark.parametrize("service", list(SERVICES))
def test_township_coverage_sums_to_the_county_indicator_in_every_replication(result, service):
    quantity = SERVICES[service][0]
    cov = result.townships[f"cover_{service}"]                   # (R, U, Y)
    U = cov.shape[1]
    assert cov.shape == (40, 11, len(result.years))
    assert ((cov >= 0) & (cov <= 1)).all()
    np.testing.assert_allclose(100.0 * cov.sum(axis=1) / U, result.quantities[quantity], atol=1e-9)


def test_township_indicator_rows_are_p_covered(result):
    t = result.indicators
    rows = t[t.get("level") == "township"]
    assert len(rows) > 0 and set(rows["township"]) == set(result.scenario.rows("units")[i].id
                                                           for i in range(1, 12))
    r = rows[(rows.indicator_id == "S33:431230_pingtan") & (rows.year == 2025)].iloc[0]
    assert r.p_met == pytest.approx(result.townships["cover_social_work"][:, 1, 5].mean())
    county = t[(t.indicator_id == "S33") & (t.year == 2025)].iloc[0]
    assert "level" in t.columns and county.level == "county"


def test_supply_ratios_are_plausible(result):
    b = result.townships["beds_per_1000_older"]
    assert np.nanmax(b) < 300     # beds per 1,000 older people: > 300 would be a defect
    np.testing.assert_allclose(result.townships["older"].sum(axis=1)[:, 0] > 0, True)


class _Ctx:
    """The two members township_coverage reads, for a hand-computed case."""

    def __init__(self, covered, share):
        self._c, self._s = covered, share
        self.U = covered.shape[1]

    def unit_coverage(self, mask, measure=None):
        return self._c, self._s


def test_even_share_of_unnamed_facilities():
    # 4 townships; townships 0 and 1 have a station; the county has 3 stations in all (one unnamed):
    # the unnamed one is spread over townships 2 and 3 -> 0.5 each.
    covered = np.array([[[True], [True], [False], [False]]])
    share = np.array([[3 / 4]])
    cov = township_coverage(_Ctx(covered, share), None)
    np.testing.assert_allclose(cov[0, :, 0], [1, 1, 0.5, 0.5])
