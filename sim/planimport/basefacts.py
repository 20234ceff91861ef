"""Base-year facts: the figures of the 13th-plan review (十三五 回顾) and of its tables.

* Review tables (every table before the outlook, :func:`.sections.review_end`, and the 13th-plan
  indicator table wherever it stands): a table whose header lists years (``时间 | 2016年 | … | 2020年``)
  gives one fact per measure and year; a table whose first column lists years gives one per year
  and measure column; an indicator table (``指标 | 2015年 | 2020年目标值 | 2020年完成值 | 完成情况``, or a
  two-row header ``2020年完成情况 → 目标值 | 已完成``) gives the printed actual values (2015 and the
  completed 2020 value; the old plan's 2020 targets are kept as facts named ``…（十三五目标值）``).
* Review prose: every figure with a unit (``648名``, ``1.69亿元``, ``93.82%``); its name is the clause before
  it, its year the last year the sentence names before it, else the base year (the note says so).

Every fact cites the line its figure is printed on; values stay in their printed unit.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .figures import fmt, parse_value, unit_in_name
from .sections import review_end
from .tables import Table, assemble_rows
from .text import PlanText, paragraphs

FACT_UNITS = ("平方公里", "万平方米", "平方米", "公里", "对", "万人次", "人次", "万人", "万户", "万张", "万个", "万元", "亿元", "元", "%", "‰", "个",
              "张", "所", "家", "户", "座", "人", "名", "处", "项", "亩", "条", "支", "次", "床", "间", "平米")
_UNITS = "|".join(re.escape(u) for u in sorted(FACT_UNITS, key=len, reverse=True))
_FIG = re.compile(rf"(?<![\d.:/])(\d+(?:\.\d+)?)\s*(?:余|多)?\s*({_UNITS})")
_YEAR = re.compile(r"(20[01]\d|2020)年")
_YEAR_CELL = re.compile(r"^(20\d\d)年?$")


@dataclass
class BaseFactsResult:
    facts: list[dict] = field(default_factory=list)
    tables_read: list[str] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)


def _fact(plan: PlanText, name: str, year: int, value: float, unit: str, line: int, printed: str, note: str) -> dict:
    return {"name_zh": name, "year": year, "value": fmt(value), "unit": unit, "source": plan.cite(line),
            "printed": printed, "note": note}


def _table_facts(plan: PlanText, t: Table, base_year: int, out: BaseFactsResult) -> None:
    header = [c.text for c in t.groups[0].cells]
    n = len(header)
    groups = t.groups[1:]
    # a two-row header: the next group has n' cells, no figures, and some blank cells
    if groups and len(groups[0].cells) > n and not any(parse_value(c.text) and parse_value(c.text).value is not None
                                                       for c in groups[0].cells):
        sub = [c.text for c in groups[0].cells]
        top = iter(header)
        labels, last = [], ""
        for s in sub:
            if not s:
                last = next(top, "")
                labels.append(last)
            else:
                if not labels or labels[-1] == last:
                    last = next(top, last)
                labels.append(f"{last}{s}")
        header, n, groups = labels, len(labels), groups[1:]
    title = t.title or header[0]
    rows = [r for r in assemble_rows(groups, n) if r.kind == "row"]
    years_across = [(_YEAR_CELL.match(h.replace(" ", "")), i) for i, h in enumerate(header)]
    if sum(1 for m, _ in years_across if m) >= 2:                       # 时间 | 2016年 | 2017年 …
        for r in rows:
            name, unit = unit_in_name(r.text(0))
            for m, i in years_across:
                c = r.cells[i] if i < len(r.cells) else None
                f = parse_value(c.text) if c is not None else None
                if m and f is not None and f.value is not None:
                    out.facts.append(_fact(plan, name, int(m.group(1)), f.value, unit or f.unit, c.line, f.printed,
                                           f"table: {title}"))
        out.tables_read.append(f"{title} (lines {t.first_line}-{t.last_line}): years across")
        return
    if rows and all(_YEAR_CELL.match(r.text(0).replace(" ", "")) for r in rows):   # a year per row
        for r in rows:
            year = int(_YEAR_CELL.match(r.text(0).replace(" ", "")).group(1))
            for i in range(1, n):
                c = r.cells[i]
                f = parse_value(c.text) if c is not None else None
                if f is not None and f.value is not None:
                    name, unit = unit_in_name(header[i])
                    out.facts.append(_fact(plan, name, year, f.value, unit or f.unit, c.line, f.printed,
                                           f"table: {title}"))
        out.tables_read.append(f"{title} (lines {t.first_line}-{t.last_line}): a year per row")
        return
    # an indicator table: name column, year columns
    name_col = next((i for i, h in enumerate(header) if "指标" in h), None)
    if name_col is None:
        out.skipped.append((t.first_line, f"table {title!r}: neither years nor an indicator column in its header"))
        return
    cols = []
    for i, h in enumerate(header):
        m = re.search(r"(20\d\d)年", h)
        if not m or i == name_col or re.search(r"增减|增长|比例|情况$|备注", h.replace("完成情况目标值", "")
                                                                            .replace("完成情况已完成", "")):
            if not (m and ("已完成" in h or "完成值" in h or "实际" in h)):
                if not (m and "目标" in h):
                    continue
        cols.append((i, int(m.group(1)), "目标" in h and "完成" not in h.replace("完成情况目标值", "")))
    for r in rows:
        name, unit = unit_in_name(r.text(name_col))
        if not name:
            continue
        for i, year, is_target in cols:
            c = r.cells[i]
            f = parse_value(c.text) if c is not None else None
            if f is None or f.value is None:
                continue
            note = f"table: {title}, column {header[i]}"
            if f.comparator:
                note += f"; printed {f.text}: a bound"
            out.facts.append(_fact(plan, name + ("（十三五目标值）" if is_target else ""), year, f.value, unit or f.unit,
                                   c.line, f.printed, note))
    out.tables_read.append(f"{title} (lines {t.first_line}-{t.last_line}): indicators by year")


def _is_review_table(t: Table, end: int) -> bool:
    text = t.title + " " + " ".join(c.text for g in t.groups[:2] for c in g.cells)
    if "十四五" in text or "2025年" in text or "项目名称" in text or "专栏" in text:
        return False
    return t.first_line < end or "十三五" in text


def read_base_facts(plan: PlanText, tables: list[Table], base_year: int) -> BaseFactsResult:
    out = BaseFactsResult()
    end = review_end(plan) or 0
    table_lines: set[int] = set()
    for t in tables:
        if t.first_line < end or "十三五" in t.title:
            table_lines.update(range(t.first_line, t.last_line + 1))
        if _is_review_table(t, end) and len(t.groups) >= 2 and len(t.groups[0].cells) >= 2:
            _table_facts(plan, t, base_year, out)
    for para in paragraphs(plan):
        if para.first_line >= end or para.first_line in table_lines:
            continue
        for m in _FIG.finditer(para.text):
            s0 = m.start()
            line = para.line_at(s0)
            sent_start = max(para.text.rfind(p, 0, s0) for p in "。;") + 1
            sent = para.text[sent_start:s0]
            if para.text[m.end():m.end() + 1] in ("年", "月") and m.group(2) not in ("%",):
                continue
            clause = re.split(r"[,、:(]", sent)[-1]
            name = re.sub(r"^(其中|截止|截至|共有|全县|累计|已)+", "", clause).strip(" “”")
            if len(name) < 2:
                name = sent[-20:]
            years = _YEAR.findall(sent)
            if years:
                year, note = int(years[-1]), "review text"
            else:
                year, note = base_year, "review text; year not printed: the base year (may be a 十三五 total)"
            if "十三五" in sent or "累计" in sent:
                note += "; the sentence speaks of the 十三五 period (a cumulative figure?)"
            end_line = para.line_at(m.end() - 1)
            fact = _fact(plan, name[-40:] or "(unnamed)", year, float(m.group(1)), m.group(2), line, m.group(1), note)
            if end_line != line:
                fact["source"] += f"; {plan.cite(end_line)}"
                fact["note"] += f"; the figure is broken over lines {line}-{end_line}"
            out.facts.append(fact)
    return out
