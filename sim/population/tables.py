"""Tidy output tables of a projection (means over replications, with p10 / p90)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from .projection import SEXES, Result

BAND_LABELS = [f"{a}-{a + 4}" for a in range(0, 100, 5)] + ["100+"]


def _bands(pop: np.ndarray) -> np.ndarray:
    """(..., 101) single ages -> (..., 21) five-year bands and 100+."""
    return np.concatenate([pop[..., :100].reshape(pop.shape[:-1] + (20, 5)).sum(-1), pop[..., 100:]], axis=-1)


def population_table(result: Result, scenario_id: str | None = None) -> pd.DataFrame:
    """unit, name_zh, year, sex, age_band, population (mean over replications), p10, p90."""
    if result.pop is None:
        raise ValueError("population_table needs project(..., store='ages')")
    b = _bands(result.pop)                                  # (R, U, Y, 2, 21)
    mean, p10, p90 = b.mean(0), np.percentile(b, 10, axis=0), np.percentile(b, 90, axis=0)
    U, Y, S, G = mean.shape
    idx = pd.MultiIndex.from_product([range(U), range(Y), range(S), range(G)], names=["u", "y", "s", "g"])
    df = pd.DataFrame({
        "unit": np.asarray(result.units, dtype=object)[idx.get_level_values("u")],
        "name_zh": np.asarray(result.names, dtype=object)[idx.get_level_values("u")],
        "year": result.years[idx.get_level_values("y")],
        "sex": np.asarray(SEXES, dtype=object)[idx.get_level_values("s")],
        "age_band": np.asarray(BAND_LABELS, dtype=object)[idx.get_level_values("g")],
        "population": mean.ravel(), "p10": p10.ravel(), "p90": p90.ravel(),
    })
    if scenario_id is not None:
        df.insert(0, "scenario", scenario_id)
    return df


def _long(result: Result, arrays: dict[str, np.ndarray], years: np.ndarray, pct: bool) -> pd.DataFrame:
    U, Y = len(result.units), len(years)
    df = pd.DataFrame({"unit": np.repeat(np.asarray(result.units, dtype=object), Y),
                       "name_zh": np.repeat(np.asarray(result.names, dtype=object), Y),
                       "year": np.tile(years, U)})
    for k, a in arrays.items():
        df[k] = a.mean(0).ravel()
        if pct:
            df[f"{k}_p10"] = np.percentile(a, 10, axis=0).ravel()
            df[f"{k}_p90"] = np.percentile(a, 90, axis=0).ravel()
    return df


def components_table(result: Result, percentiles: bool = False) -> pd.DataFrame:
    """unit, name_zh, year, births, deaths, net_migration (means over replications).

    ``year`` is the start of the flow interval: flows of year y are those from 1 July y to 1 July y+1.
    """
    return _long(result, {"births": result.births, "deaths": result.deaths,
                          "net_migration": result.net_migration}, result.flow_years, percentiles)


def aging_table(result: Result) -> pd.DataFrame:
    """unit, year, population, 60+, 65+, 80+, their shares (%), 失能 and 半失能 older people; mean, p10, p90."""
    tot = result.total
    arrays = {"population": tot, "age60": result.age60, "age65": result.age65, "age80": result.age80,
              "share60_pct": 100 * result.age60 / tot, "share65_pct": 100 * result.age65 / tot,
              "share80_pct": 100 * result.age80 / tot,
              "disabled": result.disabled, "semi_disabled": result.semi_disabled}
    return _long(result, arrays, result.years, True)
