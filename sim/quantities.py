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
    Quantity("day_care_coverage", "%", "townships (or communities) covered by community day-care beds"),
    Quantity("social_workers_per_100_nursing_beds", "social workers per 100 nursing beds", "professional social workers in institutions per 100 nursing beds"),
    Quantity("social_workers_per_1000_older_community", "social workers per 1000 aged 60+", "community professional social workers per 1000 older people"),
    Quantity("home_retrofits_cumulative", "households", "homes of older people in special difficulty retrofitted since the base year"),
    # Funeral
    Quantity("funeral_homes", "funeral homes", "funeral homes (殡仪馆) in operation in the region"),
    Quantity("county_public_burial_coverage", "%", "county-level units with a public burial / ash facility"),
    Quantity("public_cemetery_plots_built", "plots", "plots in public cemeteries built since the base year"),
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
    Quantity("community_service_area_per_100_households", "m2 per 100 households", "floor area of urban and rural community service facilities per 100 households"),
    Quantity("mental_rehab_facilities", "facilities", "community mental-health rehabilitation facilities"),
    Quantity("info_platform_online", "milestone", "civil-affairs information platform in operation (1 = yes)"),
    # Demography
    Quantity("aging_rate_60", "%", "share of the population aged 60+"),
    Quantity("aging_rate_65", "%", "share of the population aged 65+"),
]}


def known(name: str) -> bool:
    return name in QUANTITIES
