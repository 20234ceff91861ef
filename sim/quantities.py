"""The simulated quantities a target may refer to.

A computed target names one of these in its ``quantity`` column; the loader refuses any other
name, and the service models (``sim.services``) compute each of them for every year and
replication.  ``level`` says whether the quantity is one county-wide figure or one per admin unit.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Quantity:
    name: str
    unit: str
    description: str
    level: str = "region"  # "region": one value for the whole scenario region


QUANTITIES: dict[str, Quantity] = {q.name: q for q in [
    # Eldercare
    Quantity("beds_per_1000_older", "beds per 1000 aged 60+", "all eldercare beds (institutional + community) per 1000 people aged 60+"),
    Quantity("beds_per_1000_older_registered", "beds per 1000 registered aged 60+", "all eldercare beds per 1000 people aged 60+ on the plan's registered (户籍) base: resident 60+ x demography.registered_older_ratio"),
    Quantity("eldercare_beds_all", "beds", "all eldercare beds: institutions, community care centres and community (day-care) beds"),
    Quantity("eldercare_institutions", "institutions", "eldercare institutions (care homes and community care centres) online; an enlargement is not a second institution"),
    Quantity("institution_beds", "beds", "beds in eldercare institutions (care homes, welfare homes, community care centres)"),
    Quantity("nursing_bed_share", "%", "nursing-type beds / all beds in eldercare institutions"),
    Quantity("nursing_bed_share_public", "%", "nursing-type share of beds in public institutions"),
    Quantity("nursing_bed_share_private", "%", "nursing-type share of beds in private (社会力量) institutions; undefined without private beds"),
    Quantity("nursing_beds_added_county_home", "beds", "nursing-type beds added at the county central care home since the base year"),
    Quantity("regional_care_homes", "institutions", "regional township care homes with care-and-nursing functions (区域性中心敬老院)"),
    Quantity("township_comprehensive_care_coverage", "%", "townships with an eldercare institution of comprehensive functions / all townships"),
    Quantity("tekun_disabled_housed_share", "%", "特困 people unable to care for themselves who have an institutional bed"),
    Quantity("care_staff_ratio", "staff per resident", "management and care staff per resident in 特困 support institutions"),
    Quantity("disabled_care_institutions", "institutions", "institutions for disabled older people (失能老人集中照护机构)"),
    Quantity("severe_disability_care_institutions", "institutions", "care institutions for poor severely disabled people (贫困重度残疾人照护服务机构)"),
    Quantity("day_care_coverage", "%", "townships covered by community day-care beds (day-care or community care centres)"),
    Quantity("day_care_village_coverage", "%", "villages and communities (村居) with a community day-care centre: day-care centres / villages_communities (base fact), capped at 100"),
    Quantity("village_eldercare_facility_coverage", "%", "villages and communities (村居) with an eldercare service facility (day-care centre, demonstration point, activity centre, service platform) / villages_communities, capped at 100 (the plan's 城乡养老服务设施覆盖率)"),
    Quantity("township_eldercare_institution_coverage", "%", "townships with an eldercare institution (care home or community care centre) with beds"),
    Quantity("social_workers_per_100_nursing_beds", "social workers per 100 nursing beds", "professional social workers in institutions per 100 nursing beds"),
    Quantity("social_workers_per_1000_older_community", "social workers per 1000 aged 60+", "community professional social workers per 1000 older people"),
    Quantity("home_retrofits_cumulative", "households", "homes of older people in special difficulty retrofitted since the base year"),
    # Funeral
    Quantity("funeral_homes", "funeral homes", "funeral homes (殡仪馆) in operation in the region"),
    Quantity("county_public_burial_coverage", "%", "county-level units with a public burial / ash facility that has plots"),
    Quantity("public_cemetery_plots_built", "plots", "plots in public cemeteries built since the base year"),
    Quantity("township_cemetery_plots_built", "plots", "plots built since the base year in township public cemeteries (excludes items tagged county)"),
    Quantity("funeral_homes_env_standard", "funeral homes", "funeral homes whose cremators meet the national environmental standard (items tagged env_standard)"),
    Quantity("township_public_cemetery_coverage", "%", "townships with a public cemetery or funeral service station"),
    Quantity("custom_reform_centers", "centres", "township custom-reform service centres (移风易俗服务中心)"),
    Quantity("cremator_utilisation", "%", "peak-season cremator utilisation"),
    # Relief and minors' protection
    Quantity("relief_station_beds", "beds", "beds in the relief station (救助管理站)"),
    Quantity("relief_turnaway_probability", "probability", "probability a person seeking relief finds no bed (Erlang loss)"),
    Quantity("minor_protection_centers", "centres", "county minors' protection centres (未成年人救助保护中心)"),
    Quantity("minor_protection_station_coverage", "%", "townships with a minors' protection work station"),
    # Social work and community
    Quantity("social_work_station_coverage", "%", "townships with a social-work station (社工站)"),
    Quantity("social_workers_total", "persons", "professional social workers in the region"),
    Quantity("social_workers_per_community", "persons per village or community", "professional social workers / villages_communities (base fact)"),
    Quantity("social_workers_per_1000_pop", "per mille", "professional social workers per 1000 residents"),
    Quantity("childrens_home_coverage", "%", "villages and communities with a 儿童之家: children's homes / villages_communities, capped at 100"),
    Quantity("charity_supermarkets_added", "supermarkets", "charity supermarkets opened since the base year"),
    Quantity("community_service_area_per_100_households", "m2 per 100 households", "floor area of urban and rural community service facilities per 100 households"),
    Quantity("mental_rehab_facilities", "facilities", "community mental-health rehabilitation facilities"),
    Quantity("info_platform_online", "milestone", "civil-affairs information platform in operation (1 = yes)"),
    # Demography
    Quantity("aging_rate_60", "%", "share of the population aged 60+"),
    Quantity("aging_rate_65", "%", "share of the population aged 65+"),
]}


# Parameters each quantity reads besides the population (every quantity that uses the population
# also reads the demography.* and care.disability* parameters).  Used to check that no parameter is
# sourced to the target it feeds (tests/test_target_inputs.py) and to document each quantity.
_NURSING = ("care.nursing_share_new_build", "care.nursing_share_rebuild", "care.base_nursing_share")
_TEKUN = ("care.tekun_disabled_share", "care.tekun_new_bed_share")
_WORKERS = ("social.hiring_per_year", "social.workers_per_station")
QUANTITY_PARAMETERS: dict[str, tuple[str, ...]] = {
    "beds_per_1000_older_registered": ("demography.registered_older_ratio",),
    "nursing_bed_share": _NURSING,
    "nursing_bed_share_public": _NURSING,
    "nursing_bed_share_private": _NURSING,
    "nursing_beds_added_county_home": _NURSING,
    "tekun_disabled_housed_share": _TEKUN,
    "care_staff_ratio": _TEKUN + ("care.staff_per_resident_base", "care.staff_per_new_resident"),
    "social_workers_total": ("social.hiring_per_year",),
    "social_workers_per_community": ("social.hiring_per_year",),
    "social_workers_per_1000_pop": ("social.hiring_per_year",),
    "social_workers_per_100_nursing_beds": _WORKERS + ("social.institution_share",) + _NURSING,
    "social_workers_per_1000_older_community": _WORKERS + ("social.institution_share",),
    "community_service_area_per_100_households": ("community.base_area_m2", "community.household_size"),
    "cremator_utilisation": ("funeral.cremation_rate", "funeral.cremation_rate_trend", "funeral.winter_peak_factor",
                             "funeral.cremations_per_cremator_day", "funeral.cremators_per_home"),
    "relief_turnaway_probability": ("relief.history_years", "relief.arrival_trend", "relief.winter_peak_factor",
                                    "relief.winter_share_of_year", "relief.mean_stay_days"),
}


def parameters_of(name: str) -> tuple[str, ...]:
    """Parameter ids the quantity ``name`` reads (population parameters not listed)."""
    return QUANTITY_PARAMETERS.get(name, ())


# ----------------------------------------------------------------------------- generic names
# ``count:<facility_type>``: facilities of that type online (a row with count N counts N), computed
# for the region or for one unit's sub-context (docs/regions.md).
COUNT_PREFIX = "count:"
# The quantity of a target counted over units (targets.csv ``count_over``): the share in % of the
# counties (townships) whose own quantity is >= ``unit_threshold``; its key names all three.
SHARE_LEVELS = ("county", "township")


def count_type(name: str | None) -> str | None:
    """The facility type of a ``count:<facility_type>`` or ``count:<facility_type>:<function tag>``
    name, else None (the type is not checked)."""
    if name and name.startswith(COUNT_PREFIX):
        return name[len(COUNT_PREFIX):].split(":")[0]
    return None


def count_tag(name: str | None) -> str | None:
    """The function tag of ``count:<facility_type>:<tag>`` (only facilities carrying it count), else None."""
    if name and name.startswith(COUNT_PREFIX):
        parts = name[len(COUNT_PREFIX):].split(":")
        return parts[1] if len(parts) > 1 and parts[1] else None
    return None


def share_key(count_over: str, quantity: str, threshold: float) -> str:
    """Key of a unit-counted quantity: ``county_share:count:funeral_home>=1``."""
    return f"{count_over}_share:{quantity}>={threshold:g}"


def parse_share_key(name: str) -> tuple[str, str, float] | None:
    """``(count_over, quantity, threshold)`` of a :func:`share_key`, else None."""
    for level in SHARE_LEVELS:
        head = f"{level}_share:"
        if name.startswith(head) and ">=" in name:
            q, _, thr = name[len(head):].rpartition(">=")
            try:
                return level, q, float(thr)
            except ValueError:
                return None
    return None


def is_regional(name: str) -> bool:
    """True for the names computed by ``sim.regions`` (``count:`` and unit-counted shares), not by a
    service model."""
    return count_type(name) is not None or parse_share_key(name) is not None


def known(name: str) -> bool:
    """A quantity a target may name: one of ``QUANTITIES`` or ``count:<facility_type>``."""
    if name in QUANTITIES:
        return True
    from .schema import FACILITY_TYPES
    return count_type(name) in FACILITY_TYPES and len(name[len(COUNT_PREFIX):].split(":")) <= 2
