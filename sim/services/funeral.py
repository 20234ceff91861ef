"""Funeral services: deaths to cremations and burials; cremators, plots, coverage.

    rate(t)       = clip(funeral.cremation_rate + funeral.cremation_rate_trend * (t - base), 0, 1)
    cremations    = deaths * rate(t)
    peak per day  = cremations / 365 * funeral.winter_peak_factor
    capacity/day  = funeral homes * funeral.cremators_per_home * funeral.cremations_per_cremator_day
    utilisation   = 100 * peak per day / capacity per day        (inf with demand but no cremator)
    plots used    = sum over years after the base year of deaths * funeral.public_cemetery_uptake

County burial coverage counts public cemeteries that have plots; township plots exclude items tagged
``county``; the environmental standard is a funeral-home item tagged ``env_standard`` (seed 003:455).
"""

from __future__ import annotations

import numpy as np

from .common import Record, ratio
from .context import ServiceContext


def cremation_rate(ctx: ServiceContext) -> np.ndarray:
    """(R, Y) share of deaths cremated."""
    r = ctx.p("funeral.cremation_rate") + ctx.p("funeral.cremation_rate_trend") * ctx.t_since_base[None, :]
    return np.clip(r, 0.0, 1.0)


def cremator_capacity_per_day(ctx: ServiceContext) -> np.ndarray:
    homes = ctx.facility_count(ctx.mask("funeral_home"))
    return homes * ctx.p("funeral.cremators_per_home") * ctx.p("funeral.cremations_per_cremator_day")


def plots_used(ctx: ServiceContext) -> np.ndarray:
    """(R, U, Y) cumulative public-cemetery plots taken since the base year (0 in the base year)."""
    after = (ctx.years > ctx.base_year).astype(float)[None, None, :]
    uptake = ctx.p("funeral.public_cemetery_uptake")[:, :, None]
    return np.cumsum(ctx.deaths * uptake * after, axis=2)


def burial_mask(ctx: ServiceContext) -> np.ndarray:
    """(I,) public burial facilities: a public cemetery counts once it has plots (land alone is not a
    facility: M11, seed 003:109, 389).  A county's ``county_public_burial_coverage`` is 100 exactly
    when one of them is online in it (``compute``; sim/regions.py counts it per county)."""
    return ctx.mask("public_cemetery", ownership="public") & (ctx.clean_items.measures["plots"] > 0)


def compute(ctx: ServiceContext) -> dict[str, np.ndarray]:
    q: dict[str, np.ndarray] = {}
    q["funeral_homes"] = ctx.facility_count(ctx.mask("funeral_home"))
    burial = burial_mask(ctx)
    if ctx.unit_level == "township":
        # the region itself is the one county-level unit
        q["county_public_burial_coverage"] = 100.0 * (ctx.facility_count(burial) > 0)
    else:
        _, cov = ctx.unit_coverage(burial)
        q["county_public_burial_coverage"] = 100.0 * cov
    new_plots = ctx.mask("public_cemetery", new_only=True)
    q["public_cemetery_plots_built"] = ctx.total("plots", new_plots)
    county = np.array(["county" in f for f in ctx.clean_items.functions], dtype=bool)
    q["township_cemetery_plots_built"] = ctx.total("plots", new_plots & ~county)
    q["funeral_homes_env_standard"] = ctx.facility_count(ctx.mask("funeral_home", function="env_standard"))
    _, tcov = ctx.unit_coverage(ctx.mask(("public_cemetery", "funeral_service_station")))
    q["township_public_cemetery_coverage"] = 100.0 * tcov
    q["custom_reform_centers"] = ctx.facility_count(ctx.mask("custom_reform_center"))
    peak = ctx.deaths.sum(axis=1) * cremation_rate(ctx) / 365.0 * ctx.p("funeral.winter_peak_factor")
    cap = cremator_capacity_per_day(ctx)
    util = ratio(peak, cap, 100.0, empty=np.inf)
    q["cremator_utilisation"] = np.where((cap == 0) & (peak == 0), 0.0, util)
    return q


def records(ctx: ServiceContext) -> list[Record]:
    rate = cremation_rate(ctx)
    crem = ctx.deaths * rate[:, None, :]
    peak_region = crem.sum(axis=1) / 365.0 * ctx.p("funeral.winter_peak_factor")
    used = plots_used(ctx)
    plots = ctx.mask("public_cemetery")
    return [
        Record("funeral", "cremations_per_peak_day", None, None, peak_region, cremator_capacity_per_day(ctx),
               "winter-peak cremations per day against cremator throughput per day"),
        Record("funeral", "plots", used, ctx.by_unit("plots", plots), used.sum(axis=1), ctx.total("plots", plots),
               "cumulative plots taken since the base year against plots built"),
    ]
