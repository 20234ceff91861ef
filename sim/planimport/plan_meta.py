"""What the plan says about itself: the region and its level, the base year, the plan period, the
population (for the skeleton), each with the line it is read from, or a stated default."""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass

from .figures import fmt
from .text import PlanText

_LEVEL = {"省": "province", "州": "prefecture", "市": "city", "县": "county", "区": "district"}
_REGION = re.compile(r"([\u4e00-\u9fff]{2,12}?(?:自治县|自治州|省|州|市|县|区))(?:民政|“十四五”|十四五|现辖|地处|位于|隶属)")
_POP = re.compile(r"(户籍人口|常住人口|总人口)(?:为|达|约|有)?\s*(\d+(?:\.\d+)?)\s*(万人|万|人)")


@dataclass
class PlanMeta:
    file: str
    title: str
    region_name: str
    region_id: str
    region_source: str
    level: str
    base_year: int
    base_year_source: str
    period: tuple[int, int]
    period_source: str
    population: tuple[float, str, str] | None      # (persons, cite, what the plan calls it)


def read_meta(plan: PlanText) -> PlanMeta:
    text_lines = [ln for ln in plan.lines if ln.kind != "blank"]
    counts = Counter()
    for ln in text_lines:
        for k in re.findall(r"全(省|州|市|县)", ln.text):
            counts[k] += 1
    level = _LEVEL[counts.most_common(1)[0][0]] if counts else "county"
    region_name, region_source = "", ""
    names = Counter()
    first_line = {}
    for ln in text_lines:
        for m in _REGION.finditer(ln.text):
            n = re.sub(r"^(时期|期间|全|我|本|在|将|对|为|与|是)+", "", m.group(1))
            if len(n) >= 2 and not n.startswith(("十", "各", "省", "市", "州", "县")):
                names[n] += 1
                first_line.setdefault(n, ln.no)
    if names:
        region_name = names.most_common(1)[0][0]
        region_source = plan.cite(first_line[region_name])
    else:
        region_name = plan.path.stem
    base_year, by_src = 2020, "assumption: the 14th plan's base year (not printed in the plan)"
    period, p_src = (2021, 2025), "assumption: the 14th Five-Year Plan period (not printed in the plan)"
    for ln in text_lines:
        m = re.search(r"(20\d\d)年为基准年", ln.text)
        if m:
            base_year, by_src = int(m.group(1)), plan.cite(ln.no)
        m = re.search(r"规划期(?:限)?为?\s*(20\d\d)\s*[-—–－~至到]\s*(20\d\d)年", ln.text)
        if m:
            period, p_src = (int(m.group(1)), int(m.group(2))), plan.cite(ln.no)
    pop = None
    for ln in text_lines:
        m = _POP.search(ln.text)
        if m:
            v = float(m.group(2)) * (1e4 if m.group(3).startswith("万") else 1)
            pop = (v, plan.cite(ln.no), f"{m.group(1)} {m.group(2)}{m.group(3)} = {fmt(v)} persons")
            break
    title = f"{region_name}民政事业发展“十四五”规划（imported from {plan.name}）"
    rid = "region"
    return PlanMeta(plan.name, title, region_name, rid, region_source, level, base_year, by_src, period, p_src, pop)
