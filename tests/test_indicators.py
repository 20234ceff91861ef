"""Target attainment statistics: checked against hand-computed small cases."""

from __future__ import annotations

import math

import numpy as np
import pytest

from sim.indicators import attainment_years, met, shortfall, verdict, wilson


def test_met_handles_comparators_nan_and_rounding():
    v = np.array([54.9999999999, 55.0, 56.0, np.nan])
    assert met(v, ">=", 55).tolist() == [True, True, True, False]
    assert met(v, ">", 55).tolist() == [False, False, True, False]
    assert met(np.array([0.1, 0.2]), "<=", 0.1).tolist() == [True, False]
    assert met(np.array([1.0, 0.0]), "==", 1).tolist() == [True, False]


def test_shortfall_by_hand():
    v = np.array([40.0, 55.0, 60.0])
    assert shortfall(v, ">=", 55).tolist() == [15.0, 0.0, 0.0]
    assert shortfall(v, "<=", 50).tolist() == [0.0, 5.0, 10.0]


def test_wilson_interval_matches_formula_and_edges():
    lo, hi = wilson(50, 100)
    # Hand computation: p = 0.5, z = 1.96, n = 100 -> centre 0.5, half = 1.96*sqrt(0.0025+0.00009604)/1.038416
    half = 1.959964 * math.sqrt(0.25 / 100 + 1.959964**2 / 40000) / (1 + 1.959964**2 / 100)
    assert lo == pytest.approx(0.5 - half) and hi == pytest.approx(0.5 + half)
    lo, hi = wilson(100, 100)
    assert hi == 1.0 and 0.95 < lo < 0.97      # all met: upper bound 1, lower bound ~0.963
    assert wilson(0, 10)[0] == 0.0


def test_attainment_year_is_first_year_from_which_target_keeps_holding():
    years = np.array([2020, 2021, 2022, 2023])
    v = np.array([[50, 56, 50, 56],      # met in 2021, lost in 2022, regained 2023 -> 2023
                  [56, 56, 56, 56],      # met throughout -> 2020
                  [50, 50, 50, 50]])     # never -> NaN
    att = attainment_years(v.astype(float), ">=", 55, years)
    assert att[0] == 2023 and att[1] == 2020 and math.isnan(att[2])


def test_verdicts():
    assert verdict(0.95, "computed") == "likely met"
    assert verdict(0.6, "computed") == "at risk"
    assert verdict(0.2, "computed") == "likely missed"
    assert verdict(0.0, "computed") == "missed"
    assert verdict(math.nan, "tracked").startswith("tracked")
