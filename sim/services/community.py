"""Community services, other project types and demography.

    households          = population / community.household_size
    area per 100 hh     = 100 * (community-service floor area online [+ community.base_area_m2 when no
                          existing facility states its area]) / households
    mental rehab        = facilities of type mental_rehab_center online
    info platform       = 1 once an info_platform item is online, else 0
    aging rate 60 / 65  = 100 * people aged 60+ (65+) / population
    children's homes    = 100 * min(儿童之家, V) / V,  V = villages_communities (base fact)
    charity supermarkets added = charity_supermarket project outputs online
"""

from __future__ import annotations

import numpy as np

from .common import Record, ratio
from .context import ServiceContext, is_project_output


def service_area(ctx: ServiceContext) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Floor area (R, U, Y) per unit, (R, Y) region total, and (R, Y) base area added from the parameter."""
    m = ctx.mask("community_service_center")
    existing = m & ~is_project_output(ctx.clean_items)
    stated = ctx.clean_items.measures["area_m2"][existing].sum() > 0
    base = np.zeros((ctx.R, ctx.Y)) if stated else np.broadcast_to(ctx.p("community.base_area_m2"), (ctx.R, ctx.Y))
    region = ctx.total("area_m2", m) + base
    per_unit = ctx.by_unit("area_m2", m)
    if not stated:   # spread the assumed base area in proportion to base-year population
        pop0 = ctx.total_pop[:, :, [ctx.base_index]]
        per_unit = per_unit + base[:, None, :] * pop0 / pop0.sum(axis=1, keepdims=True)
    return per_unit, region, base


def compute(ctx: ServiceContext) -> dict[str, np.ndarray]:
    hh = ctx.total_pop.sum(axis=1) / ctx.p("community.household_size")
    _, area, _ = service_area(ctx)
    pop = ctx.total_pop.sum(axis=1)
    return {
        "community_service_area_per_100_households": ratio(area, hh, 100.0),
        "mental_rehab_facilities": ctx.facility_count(ctx.mask("mental_rehab_center")),
        "info_platform_online": (ctx.facility_count(ctx.mask("info_platform")) > 0).astype(float),
        "childrens_home_coverage": 100.0 * ctx.village_coverage(ctx.mask("childrens_home")),
        "charity_supermarkets_added": ctx.facility_count(ctx.mask("charity_supermarket", new_only=True)),
        "aging_rate_60": ratio(ctx.older.sum(axis=1), pop, 100.0),
        "aging_rate_65": ratio(ctx.pop_age(65).sum(axis=1), pop, 100.0),
    }


def records(ctx: ServiceContext) -> list[Record]:
    per_unit, region, _ = service_area(ctx)
    norm = ctx.p("community.area_norm_per_100_households")[:, :, None]
    hh = ctx.total_pop / ctx.p("community.household_size")[:, :, None]
    need = hh / 100.0 * norm
    return [Record("community", "area_m2", need, per_unit, need.sum(axis=1), region,
                   "demand = households / 100 * community.area_norm_per_100_households")]
