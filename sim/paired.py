"""Confidence intervals for differences between two scenarios run with common random numbers.

Replication r of scenario A and replication r of scenario B share every random draw the change does
not touch, so the two results form matched pairs.  For a target met in some replications:

* ``newcombe_paired``: difference of two paired proportions, Newcombe's hybrid score interval
  (method 10 of Newcombe 1998, "Improved confidence intervals for the difference between binomial
  proportions based on paired data", Statistics in Medicine 17:2635-2650): Wilson intervals for each
  proportion combined with the phi correlation of the pairs.  It uses the pairing.
* ``newcombe_unpaired``: the same for independent samples (method 10 of Newcombe 1998, Stat Med
  17:873-890), i.e. what one would get from two separate runs with independent draws.  With positively
  correlated pairs (phi > 0) the paired interval is narrower.
* ``paired_mean``: mean of paired differences of a continuous quantity (e.g. the shortfall) with a
  normal interval, mean +- z * sd / sqrt(n).

Arrays are 1-D of length n (replications); intervals are (low, high) floats.
"""

from __future__ import annotations

import math

import numpy as np

from .indicators import wilson

METHOD_PAIRED = "Newcombe (1998) hybrid score interval for paired proportions (method 10), same replication in both scenarios"
METHOD_UNPAIRED = "Newcombe (1998) hybrid score interval for independent proportions (method 10)"
METHOD_MEAN = "mean of paired differences, normal interval"


def z_for(level: float) -> float:
    """Two-sided standard normal quantile for a confidence level in (0, 1)."""
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must be between 0 and 1, got {level}")
    from scipy.stats import norm
    return float(norm.ppf(0.5 + level / 2.0))


def _counts(a: np.ndarray, b: np.ndarray) -> tuple[int, int, int, int]:
    a = np.asarray(a, dtype=bool)
    b = np.asarray(b, dtype=bool)
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError(f"paired indicators must be 1-D of the same length, got {a.shape} and {b.shape}")
    return (int(np.sum(a & b)), int(np.sum(a & ~b)), int(np.sum(~a & b)), int(np.sum(~a & ~b)))


def newcombe_paired(base: np.ndarray, variant: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """(difference, low, high) of P(variant) - P(base) from paired bool indicators (n,)."""
    z = z_for(level)
    both, only_base, only_var, neither = _counts(base, variant)
    n = both + only_base + only_var + neither
    p1 = (both + only_var) / n          # variant
    p2 = (both + only_base) / n         # base
    l1, u1 = wilson(p1 * n, n, z)
    l2, u2 = wilson(p2 * n, n, z)
    den = (both + only_var) * (only_base + neither) * (both + only_base) * (only_var + neither)
    phi = 0.0 if den == 0 else (both * neither - only_var * only_base) / math.sqrt(den)
    d = p1 - p2
    dl = (p1 - l1) ** 2 - 2 * phi * (p1 - l1) * (u2 - p2) + (u2 - p2) ** 2
    du = (u1 - p1) ** 2 - 2 * phi * (u1 - p1) * (p2 - l2) + (p2 - l2) ** 2
    return d, max(-1.0, d - math.sqrt(max(dl, 0.0))), min(1.0, d + math.sqrt(max(du, 0.0)))


def newcombe_unpaired(base: np.ndarray, variant: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """(difference, low, high) as if the two samples were independent (ignores the pairing)."""
    z = z_for(level)
    n1, n2 = len(variant), len(base)
    p1, p2 = float(np.mean(variant)), float(np.mean(base))
    l1, u1 = wilson(p1 * n1, n1, z)
    l2, u2 = wilson(p2 * n2, n2, z)
    d = p1 - p2
    return d, d - math.sqrt((p1 - l1) ** 2 + (u2 - p2) ** 2), d + math.sqrt((u1 - p1) ** 2 + (p2 - l2) ** 2)


def paired_mean(base: np.ndarray, variant: np.ndarray, level: float = 0.95) -> tuple[float, float, float]:
    """(mean difference, low, high) of variant - base over pairs; NaN pairs are dropped."""
    z = z_for(level)
    with np.errstate(invalid="ignore"):
        d = np.asarray(variant, dtype=float) - np.asarray(base, dtype=float)
    same = np.asarray(variant, dtype=float) == np.asarray(base, dtype=float)
    d = np.where(same, 0.0, d)  # inf == inf: no difference
    d = d[np.isfinite(d)]
    if len(d) == 0:
        return math.nan, math.nan, math.nan
    m = float(d.mean())
    if len(d) < 2:
        return m, math.nan, math.nan
    half = z * float(d.std(ddof=1)) / math.sqrt(len(d))
    return m, m - half, m + half


def verdict(low: float, high: float, diff: float, exact_zero: bool) -> str:
    """``no change`` (identical in every replication), ``better`` / ``worse`` (interval excludes 0),
    or ``not significant``.  ``diff`` is variant - base in the direction where larger is better."""
    if exact_zero:
        return "no change"
    if math.isnan(low) or math.isnan(high):
        return "undefined"
    if low > 0:
        return "better"
    if high < 0:
        return "worse"
    return "not significant"
