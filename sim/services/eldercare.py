"""Eldercare: bed demand from disability and institutional propensity; supply by bed kind and owner.

Demand (residents wanting an institutional bed), per unit and year::

    demand = p * (disabled + w * semi_disabled)         nursing demand = p * disabled

``w = care.semi_disabled_weight``; ``p`` is calibrated so that the base year's demand equals the
base year's residents, ``base institutional beds * care.occupancy_base`` (falls back to the
parameter ``care.institution_propensity`` when the base year has no beds).

特困 (extreme-poverty) persons unable to care for themselves, region-wide::

    T(t)  = tekun_rural * older(t) / older(base)       (特困 people move with the 60+ population)
    D(t)  = T(t) * care.tekun_disabled_share
    H(t)  = min(D(t), rate0 * D(base) + care.tekun_new_bed_share * new public care-home beds(t))

with ``rate0 = tekun_disabled_housed_all / 100`` (base fact, in %).
"""

from __future__ import annotations

import numpy as np

from ..capacity import CapacityItems
from ..parameters import ParameterSet
from .common import Record, ratio
from .context import ServiceContext, is_project_output

INSTITUTION_TYPES = ("care_home", "community_care_center")
# quantities that are a count of facilities: {name: the items counted (ctx -> (I,) mask)}; compute()
# counts them with ServiceContext.facility_count, sim/regions.py per county with facility_count_by
FACILITY_COUNTS = {
    "regional_care_homes": lambda ctx: ctx.mask("care_home", function="regional"),
    "disabled_care_institutions": lambda ctx: ctx.mask(function="disabled_care"),
}
ELDERCARE_BED_TYPES = INSTITUTION_TYPES + ("day_care_center",)
COMPREHENSIVE_TAGS = ("comprehensive", "regional")
COUNTY_HOME_TAGS = ("county_home", "county_central")


def effective_nursing_beds(items: CapacityItems, params: ParameterSet) -> np.ndarray:
    """(I,) nursing-type beds of each item, filling blanks.

    A stated ``beds_nursing`` is kept (the projects' design figures: P02_01's institutions of 30
    nursing-type beds, seed 003:555; P02_03's 200, seed 003:429).  A blank on an eldercare bed item
    becomes

    - ``beds * care.nursing_share_new_build`` for a project output that is a new building (a new
      facility id, or an output tagged ``new_build``: a relocation that takes over an old home);
    - ``beds * care.nursing_share_rebuild`` for a project output that enlarges an existing facility;
    - ``beds * care.base_nursing_share`` for an existing facility (the base year's county-wide share).

    The two project shares are construction norms for public homes (抚州 rule: new builds >= 60%,
    renovations >= 50% nursing-type beds), never the plan's own nursing-share targets.  Other
    facility types with a blank get 0.  Never more than ``beds``.  Shape (I,), beds.
    """
    beds = np.nan_to_num(np.asarray(items.measures.get("beds", np.zeros(items.n)), dtype=float), nan=0.0)
    nursing = np.asarray(items.measures.get("beds_nursing", np.full(items.n, np.nan)), dtype=float)
    blank = ~np.isfinite(nursing)
    eldercare = np.isin(np.asarray(items.facility_type, dtype=str), ELDERCARE_BED_TYPES)
    is_new = is_project_output(items)
    need = blank & eldercare
    fill = np.zeros(items.n)
    if np.any(need & is_new):
        existing_ids = set(np.asarray(items.source_id, dtype=str)[~is_new].tolist())
        enlarges = np.array([str(s) in existing_ids and "new_build" not in f
                             for s, f in zip(items.source_id, items.functions)], dtype=bool)
        new_build = is_new & ~enlarges
        rebuild = is_new & enlarges
        if np.any(need & new_build):
            fill = np.where(new_build, beds * params.value("care.nursing_share_new_build"), fill)
        if np.any(need & rebuild):
            fill = np.where(rebuild, beds * params.value("care.nursing_share_rebuild"), fill)
    if np.any(need & ~is_new):
        fill = np.where(~is_new, beds * params.value("care.base_nursing_share"), fill)
    out = np.where(blank, np.where(eldercare, fill, 0.0), nursing)
    return np.minimum(out, beds)


def _propensity(ctx: ServiceContext) -> np.ndarray:
    """(R, 1) institutional propensity per disabled-equivalent older person."""
    key = ("care", "propensity")
    if key in ctx._cache:
        return ctx._cache[key]
    b = ctx.base_index
    w = ctx.p("care.semi_disabled_weight")[:, 0]
    need0 = (ctx.disabled[:, :, b] + w[:, None] * ctx.semi_disabled[:, :, b]).sum(axis=1)       # (R,)
    beds0 = ctx.total("beds", ctx.mask(INSTITUTION_TYPES))[:, b]                             # (R,)
    residents0 = beds0 * ctx.p("care.occupancy_base")[:, 0]
    fallback = ctx.p("care.institution_propensity")[:, 0] if "care.institution_propensity" in ctx.params \
        else np.full(ctx.R, np.nan)
    p = np.where((beds0 > 0) & (need0 > 0), residents0 / np.where(need0 > 0, need0, 1.0), fallback)
    ctx._cache[key] = p[:, None]
    return ctx._cache[key]


def bed_demand(ctx: ServiceContext) -> tuple[np.ndarray, np.ndarray]:
    """(R, U, Y) residents wanting an institutional bed, and those of them needing a nursing bed."""
    p = _propensity(ctx)[:, :, None]                       # (R, 1, 1)
    w = ctx.p("care.semi_disabled_weight")[:, :, None]
    return p * (ctx.disabled + w * ctx.semi_disabled), p * ctx.disabled


def tekun(ctx: ServiceContext) -> dict[str, np.ndarray]:
    """(R, Y) 特困 totals: all, unable to self-care (D), housed among those (H), institutional residents."""
    b = ctx.base_index
    older = ctx.older.sum(axis=1)                                                   # (R, Y)
    T = ctx.fact("tekun_rural") * ratio(older, older[:, [b]], empty=1.0)
    D = T * ctx.p("care.tekun_disabled_share")
    H0 = ctx.fact("tekun_disabled_housed_all") / 100.0 * D[:, [b]]
    new_public = ctx.total("beds", ctx.mask("care_home", ownership="public", new_only=True))
    H = np.minimum(D, H0 + ctx.p("care.tekun_new_bed_share") * new_public)
    inst0 = ctx.fact("tekun_institutional")
    residents = inst0 * ratio(T, T[:, [b]], empty=1.0) + np.maximum(H - H0, 0.0)
    return {"T": T, "D": D, "H": H, "H0": H0, "residents": residents, "residents0": inst0}


def compute(ctx: ServiceContext) -> dict[str, np.ndarray]:
    q: dict[str, np.ndarray] = {}
    older = ctx.older.sum(axis=1)                                                   # (R, Y)
    inst = ctx.mask(INSTITUTION_TYPES)
    all_beds = ctx.total("beds", ctx.mask(ELDERCARE_BED_TYPES))
    q["beds_per_1000_older"] = ratio(all_beds, older, 1000.0)
    # the plan's ratios use registered (户籍) older people: resident 60+ x a constant ratio (seed 003:108)
    q["beds_per_1000_older_registered"] = ratio(all_beds, older * ctx.p("demography.registered_older_ratio"), 1000.0)
    q["eldercare_beds_all"] = all_beds
    beds = ctx.total("beds", inst)
    q["eldercare_institutions"] = ctx.facility_count(inst)
    q["institution_beds"] = beds
    q["nursing_bed_share"] = ratio(ctx.total("beds_nursing", inst), beds, 100.0)
    for own in ("public", "private"):
        m = ctx.mask(INSTITUTION_TYPES, ownership=own)
        # NaN when there are no beds of that ownership (a share of nothing is undefined)
        q[f"nursing_bed_share_{own}"] = ratio(ctx.total("beds_nursing", m), ctx.total("beds", m), 100.0)

    county_home = ctx.mask("care_home", functions=COUNTY_HOME_TAGS, new_only=True)
    if not county_home.any():
        it = ctx.clean_items
        county_home = ctx.mask("care_home", new_only=True) & (np.asarray(it.unit, dtype=str) == ctx.region_unit)
    q["nursing_beds_added_county_home"] = ctx.total("beds_nursing", county_home)

    q["regional_care_homes"] = ctx.facility_count(FACILITY_COUNTS["regional_care_homes"](ctx))
    _, cov = ctx.unit_coverage(ctx.mask(INSTITUTION_TYPES, functions=COMPREHENSIVE_TAGS), "beds")
    q["township_comprehensive_care_coverage"] = 100.0 * cov

    tk = tekun(ctx)
    q["tekun_disabled_housed_share"] = ratio(tk["H"], tk["D"], 100.0, empty=100.0)

    # staff in 特困 support institutions (public care homes)
    pub = ctx.mask("care_home", ownership="public")
    old_pub = pub & ~is_project_output(ctx.clean_items)
    staff_exist = ctx.total("staff", old_pub)
    staff_exist = np.where(staff_exist > 0, staff_exist,
                           ctx.p("care.staff_per_resident_base") * tk["residents0"])
    new_pub = pub & is_project_output(ctx.clean_items)
    staff_new_items = ctx.total("staff", new_pub)
    extra_residents = np.maximum(tk["residents"] - tk["residents0"], 0.0)
    staff_new = np.where(staff_new_items > 0, staff_new_items,
                         ctx.p("care.staff_per_new_resident") * extra_residents)
    q["care_staff_ratio"] = ratio(staff_exist + staff_new, tk["residents"])

    q["disabled_care_institutions"] = ctx.facility_count(FACILITY_COUNTS["disabled_care_institutions"](ctx))
    q["severe_disability_care_institutions"] = ctx.facility_count(ctx.mask("severe_disability_care"))
    _, dcov = ctx.unit_coverage(ctx.mask(("day_care_center", "community_care_center")))
    q["day_care_coverage"] = 100.0 * dcov
    q["day_care_village_coverage"] = 100.0 * ctx.village_coverage(ctx.mask("day_care_center"))
    q["village_eldercare_facility_coverage"] = 100.0 * ctx.village_coverage(
        ctx.mask(("day_care_center", "eldercare_service_point")))
    _, icov = ctx.unit_coverage(inst, "beds")
    q["township_eldercare_institution_coverage"] = 100.0 * icov
    q["home_retrofits_cumulative"] = ctx.total("households", ctx.mask("home_retrofit", new_only=True))
    return q


def records(ctx: ServiceContext) -> list[Record]:
    demand, nursing_demand = bed_demand(ctx)
    inst = ctx.mask(INSTITUTION_TYPES)
    return [
        Record("eldercare", "beds", demand, ctx.by_unit("beds", inst), demand.sum(axis=1),
               ctx.total("beds", inst), "demand = residents wanting an institutional bed"),
        Record("eldercare", "beds_nursing", nursing_demand, ctx.by_unit("beds_nursing", inst),
               nursing_demand.sum(axis=1), ctx.total("beds_nursing", inst),
               "demand = disabled residents (need a nursing-type bed)"),
    ]
