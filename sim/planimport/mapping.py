"""Proposals, not facts: which simulated quantity a target's name fits, which facility type a project is.

Keyword rules written from the indicator names of the national and provincial 14th Five-Year
civil-affairs plans (the seeds' main-indicator tables share them) and the hand-built Tongdao
scenario's choices.  A rule fires only if the target's unit fits the quantity's unit; otherwise the
target stays ``tracked``.  Every proposal is marked as such in the imported row's ``note``.
"""

from __future__ import annotations

import re

from ..quantities import QUANTITIES

PERCENT = ("%",)
COUNT = ("个", "所", "家", "处", "座")

# (name pattern, quantity, units the target must be printed in)
QUANTITY_RULES: tuple[tuple[str, str, tuple[str, ...]], ...] = (
    (r"护理型床位(占比|比例|比重)", "nursing_bed_share", PERCENT),
    (r"具备综合功能的养老服务机构覆盖率", "township_comprehensive_care_coverage", PERCENT),
    (r"公益性安葬.*覆盖率|公益性骨灰安放设施.*覆盖率", "county_public_burial_coverage", PERCENT),
    (r"社会工作专业人才总量", "social_workers_total", ("人",)),
    (r"社会工作专业人才占.*人口比例", "social_workers_per_1000_pop", ("‰",)),
    (r"每百户.*社区综合服务设施.*面积", "community_service_area_per_100_households", ("平方米", "m2")),
    (r"未成年人保护工作站覆盖率", "minor_protection_station_coverage", PERCENT),
    (r"社区日间照料.*覆盖率", "day_care_village_coverage", PERCENT),
    (r"社工站.*覆盖率|社会工作服务站.*覆盖率", "social_work_station_coverage", PERCENT),
    (r"每千名老年人.*养老床位", "beds_per_1000_older", ("张",)),
    (r"生活不能自理.*特困人员.*集中供养率", "tekun_disabled_housed_share", PERCENT),
    (r"儿童之家.*覆盖率", "childrens_home_coverage", PERCENT),
    (r"精神障碍社区康复", "mental_rehab_facilities", COUNT),
    (r"未成年人救助保护中心", "minor_protection_centers", COUNT),
    (r"慈善超市", "charity_supermarkets_added", COUNT),
    (r"适老化改造", "home_retrofits_cumulative", ("户",)),
    (r"移风易俗服务中心", "custom_reform_centers", COUNT),
    (r"失能.*集中照护机构", "disabled_care_institutions", COUNT),
    (r"公益性公墓.*(墓位|墓穴)", "public_cemetery_plots_built", ("座", "个")),
)

# (name pattern, facility type) for the key-project table, first match wins
FACILITY_RULES: tuple[tuple[str, str], ...] = (
    (r"救助管理站|救助站", "relief_station"),
    (r"未成年人(救助)?保护中心|未成年人救助服务中心", "minor_protection_center"),
    (r"未成年人保护工作站", "minor_protection_station"),
    (r"适老化", "home_retrofit"),
    (r"日间照料|托老", "day_care_center"),
    (r"社区居家养老|社区养老服务", "community_care_center"),
    (r"敬老院|福利院|光荣院|养老服务机构|特困人员供养|养老院|供养服务", "care_home"),
    (r"殡仪馆", "funeral_home"),
    (r"公墓|骨灰堂|墓", "public_cemetery"),
    (r"殡仪服务站", "funeral_service_station"),
    (r"移风易俗", "custom_reform_center"),
    (r"精神(卫生|障碍)|康复社区", "mental_rehab_center"),
    (r"重度残疾人", "severe_disability_care"),
    (r"儿童之家", "childrens_home"),
    (r"社工站|社会工作服务站", "social_work_station"),
    (r"社区综合服务|社区服务设施|社区服务中心", "community_service_center"),
    (r"信息化|信息平台|网络信息", "info_platform"),
    (r"慈善超市", "charity_supermarket"),
    (r"养老服务平台|老年活动中心", "eldercare_service_point"),
)


def propose_quantity(name: str, unit: str) -> str | None:
    """The quantity a target named ``name`` in ``unit`` fits, or None (then it is tracked)."""
    for pattern, quantity, units in QUANTITY_RULES:
        if re.search(pattern, name) and unit in units and quantity in QUANTITIES:
            return quantity
    return None


def propose_facility_type(name: str) -> str | None:
    """The facility type a project named ``name`` builds, or None (the user must choose one)."""
    for pattern, ftype in FACILITY_RULES:
        if re.search(pattern, name):
            return ftype
    return None
