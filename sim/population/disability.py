"""Older people by disability level (失能 / 半失能) from age-specific prevalence.

No national prevalence by age band was found (parameters.md §2), so the age schedule is built:

    logit p(a) = c + k (a - 60),  a >= 60,

with slope k = ``care.disability_age_gradient`` (derived from the Shanghai 2010 gradient of
生活不能自理: 0.72 % at 60-64 to 2.54 % at 70-74, i.e. about 0.128 per year in log-odds) and the
level c solved so that the prevalence over China's 60+ population of the survey year equals the
published rate:

* all disability (失能 + 半失能): ``care.disability_prev_60plus`` = 18.3 % of 60+ in 2015
  (第四次中国城乡老年人生活状况抽样调查), reference structure WPP China 2015;
* 失能 (severe, unable to care for oneself): ``care.severe_share`` = 2.5 % of 60+ (Shaanxi 2020
  census long form 2.1 %, Shanghai towns 3.65 %), reference structure WPP China 2020.

半失能 = all - 失能.  Because the schedule is by age, the simulated prevalence rises as the 60+
population itself gets older.  Users with CHARLS/CLHLS rates by age band should replace
:func:`prevalence` with their table.
"""

from __future__ import annotations

import numpy as np

from . import wpp

AGES = np.arange(101)


def _solve_level(target: np.ndarray, slope: float, weights: np.ndarray) -> np.ndarray:
    """Vectorised Newton for c with sum_a w(a) expit(c + k(a-60)) = target (w sums to 1)."""
    target = np.clip(np.asarray(target, float), 1e-6, 1 - 1e-6)
    x = slope * (AGES[60:] - 60.0)
    c = np.log(target / (1 - target)) - slope * 10.0
    for _ in range(60):
        p = 1.0 / (1.0 + np.exp(-(c[..., None] + x)))
        f = (p * weights).sum(-1) - target
        df = (p * (1 - p) * weights).sum(-1)
        c = c - f / df
    return c


def prevalence(rate_60plus: np.ndarray, slope: float, ref_year: int) -> np.ndarray:
    """Prevalence by single age (..., 101), zero below 60, matching ``rate_60plus`` (fraction) in
    the WPP China population 60+ of ``ref_year``."""
    ref = wpp.population_single(ref_year)[60:]
    w = ref / ref.sum()
    rate = np.atleast_1d(np.asarray(rate_60plus, float))
    c = _solve_level(rate, slope, w)
    out = np.zeros(rate.shape + (101,))
    out[..., 60:] = 1.0 / (1.0 + np.exp(-(c[..., None] + slope * (AGES[60:] - 60.0))))
    return out


def schedules(all_rate: np.ndarray, severe_rate: np.ndarray, slope: float,
              ref_year_all: int = 2015, ref_year_severe: int = 2020) -> tuple[np.ndarray, np.ndarray]:
    """(p_severe, p_semi) by age, each (R, 101); semi = all - severe, floored at 0."""
    p_all = prevalence(all_rate, slope, ref_year_all)
    p_sev = np.minimum(prevalence(severe_rate, slope, ref_year_severe), p_all)
    return p_sev, p_all - p_sev
