"""The key-project table (重点项目表): 序号 / 项目名称 / 建设地点 / 建设性质 / 建设内容及规模 / 计划总投资 /
“十四五”计划投资 / 进展, with category rows (``二、老年人福利类项目（8个）``, merged cells, sometimes a
subtotal) and a total row (``合计 15 … 17.47``).

Money stays in its printed unit: the unit printed in the header (``计划总投资（亿元）``) or in the cell
(``960万元``) goes to ``money_unit``; a money column whose header prints no unit takes the unit of the
total-investment column, and the row's note says so.  Capacities are read from the content column
(:func:`capacities`).  Checks: the sum of the rows against the total row and each category's
subtotal; the number of rows against the total row's count and each category's ``（N个）``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .figures import cn_number, fmt
from .indicators import Problem
from .mapping import propose_facility_type
from .tables import Cell, Row, Table, assemble_rows, find_tables, is_serial
from .text import PlanText

_CATEGORY = re.compile(r"^([一二三四五六七八九十]+)[、.](.*?)(?:[(（](?:共)?\s*(\S+?)\s*[个项][)）])?$")
_TOTAL = re.compile(r"^(合\s*计|总\s*计|合计)")
_MONEY = re.compile(r"^(\d+(?:\.\d+)?)\s*(亿元|万元|元)?$")
_ACTIONS = ("新建", "改扩建", "续建", "扩建", "改建")

# capacity units of the content column -> project_outputs column
CAPACITY_UNITS = {"张": "beds", "床位": "beds", "床": "beds", "户": "households", "座": "plots", "个": "count",
                  "所": "count", "平方米": "area_m2", "m2": "area_m2", "平米": "area_m2"}
_CAPACITY = re.compile(r"(\d+(?:\.\d+)?)\s*(平方米|平米|m2|床位|张|床|户|座|个|所)")
_NORM_BEFORE = re.compile(r"(床均|每床|每张|每个|单个|按每|人均|均)[^,，;；。]{0,6}$")
_BOUND_AFTER = re.compile(r"^(以内|之间|—|-|~)")


@dataclass
class ProjectTable:
    table: Table | None
    money_unit: str = ""
    projects: list[dict] = field(default_factory=list)
    outputs: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    checks: list[str] = field(default_factory=list)
    skipped_capacities: list[tuple[int, str]] = field(default_factory=list)


def _header(cells: list[str]) -> dict[str, int] | None:
    cols: dict[str, int] = {}
    for i, t in enumerate(cells):
        t = t.replace(" ", "")
        if t.startswith("序号"):
            cols["serial"] = i
        elif "项目名称" in t or t == "项目":
            cols["name"] = i
        elif "地点" in t or "地址" in t:
            cols["site"] = i
        elif "性质" in t:
            cols["action"] = i
        elif "内容" in t or "规模" in t:
            cols["content"] = i
        elif "投资" in t and ("十四五" in t or "计划投资" == t[-4:] and "总" not in t):
            cols["plan"] = i
        elif "投资" in t or "金额" in t:
            cols.setdefault("total", i)
        elif "进展" in t or "进度" in t or "状态" in t:
            cols["status"] = i
    return cols if {"name", "total"} <= cols.keys() else None


def find_project_table(plan: PlanText, tables: list[Table] | None = None):
    for t in tables if tables is not None else find_tables(plan):
        for gi, g in enumerate(t.groups[:3]):
            cols = _header([c.text for c in g.cells])
            if cols is not None:
                return t, gi, cols
    return None


def _unit_of_header(text: str) -> str:
    m = re.search(r"(亿元|万元|元)", text)
    return m.group(1) if m else ""


def _money(text: str) -> tuple[float, str, str] | None:
    m = _MONEY.match(text.replace(" ", "").replace(",", ""))
    return (float(m.group(1)), m.group(2) or "", m.group(1)) if m else None


def capacities(content: str) -> tuple[list[tuple[str, float, str, str]], list[str]]:
    """Capacities stated in a project's content text: ([(column, value, printed, context)], [skipped, why]).

    ``新增养老床位200张`` -> beds 200; ``3000户`` -> households 3000; ``公墓共100000座`` -> plots 100000;
    ``总建筑面积2369平方米`` -> area_m2 2369; ``10个`` -> count 10.  Norms and unit costs (``床均面积30—40
    平方米``, ``每床12万元``, ``单个机构不少于30张``) and upper bounds (``控制在500张以内``) are skipped, with why.
    """
    found, skipped = [], []
    for m in _CAPACITY.finditer(content):
        before, after = content[max(0, m.start() - 12):m.start()], content[m.end():m.end() + 4]
        ctx = content[max(0, m.start() - 10):m.end() + 6]
        if after.startswith("万元") or after.startswith("元"):
            continue
        clause = re.split(r"[,;。]", content[:m.start()])[-1]
        if _NORM_BEFORE.search(before) or re.search(r"床均|每床|每张|单个|按每", clause):
            skipped.append(f"{m.group(0)} ({ctx}): a norm per unit, not a capacity")
            continue
        if _BOUND_AFTER.match(after) or re.search(r"(控制在|不超过)\S{0,4}$", before):
            skipped.append(f"{m.group(0)} ({ctx}): a bound or range, not a stated capacity")
            continue
        found.append((CAPACITY_UNITS[m.group(2)], float(m.group(1)), m.group(1), ctx))
    return found, skipped


def _special(cells: list[Cell]) -> bool:
    first = cells[0].text.replace(" ", "")
    return bool(_CATEGORY.match(first) or _TOTAL.match(first))


def read_project_table(plan: PlanText, region_unit: str, tables: list[Table] | None = None,
                       period: tuple[int, int] = (2021, 2025)) -> ProjectTable:
    found = find_project_table(plan, tables)
    if found is None:
        return ProjectTable(None, problems=[Problem(None, "no key-project table (项目名称 and 投资 columns) found")])
    table, gi, cols = found
    header = table.groups[gi].cells
    out = ProjectTable(table, _unit_of_header(header[cols["total"]].text))
    plan_unit = _unit_of_header(header[cols["plan"]].text) if "plan" in cols else ""
    rows = assemble_rows(table.groups[gi + 1:], len(header), special=_special)
    cat_no, cat_name, cat_line, cat_count, cat_rows, cat_sub = 0, "", None, None, [], None
    categories: list[tuple] = []
    total_row: Row | None = None

    def close_category():
        if cat_name:
            categories.append((cat_no, cat_name, cat_line, cat_count, list(cat_rows), cat_sub))

    for row in rows:
        if row.kind == "special":
            first = row.cells[0].text.replace(" ", "")
            if _TOTAL.match(first):
                total_row = row
                continue
            close_category()
            m = _CATEGORY.match(first)
            cat_no = cn_number(m.group(1)) or cat_no + 1
            cat_name, cat_line = row.cells[0].text, row.cells[0].line
            cat_count = cn_number(m.group(3)) if m.group(3) else None
            cat_rows = []
            figs = [c for c in row.cells[1:] if _money(c.text)]
            cat_sub = (_money(figs[-1].text), figs[-1].line) if figs else None
            continue
        if row.kind != "row":
            out.problems.append(Problem(row.lines[0] if row.lines else None, f"row not read: {row.note} "
                                        f"({' | '.join(c.text for c in row.cells if c)[:80]})"))
            continue
        name = row.text(cols["name"])
        total_cell = row.cells[cols["total"]]
        money = _money(total_cell.text) if total_cell is not None else None
        serial = row.text(cols.get("serial", 0)) if "serial" in cols else ""
        k = len(cat_rows) + 1
        pid = f"P{max(cat_no, 1):02d}_{int(serial) if serial.isdigit() else k:02d}"
        if money is None:
            out.problems.append(Problem(row.lines[0], f"{pid} {name}: investment {total_cell.text if total_cell else ''!r} "
                                        "is not an amount"))
            continue
        unit = money[1] or out.money_unit
        plan_cell = row.cells[cols["plan"]] if "plan" in cols else None
        pmoney = _money(plan_cell.text) if plan_cell is not None else None
        notes = []
        if row.note:
            notes.append(row.note)
        if not unit:
            out.problems.append(Problem(total_cell.line, f"{pid} {name}: investment {total_cell.text!r} has no unit "
                                        "in the cell or the header"))
            continue
        if pmoney is None:
            pvalue, psrc = money[0], total_cell.line
            notes.append("no plan-period investment printed: the total is used")
        else:
            if (pmoney[1] or plan_unit or unit) != unit:
                out.problems.append(Problem(plan_cell.line, f"{pid}: the plan-period investment is in "
                                            f"{pmoney[1] or plan_unit}, the total in {unit}"))
            if not pmoney[1] and not plan_unit:
                notes.append(f"the 十四五 investment column prints no unit: {unit} of the total column assumed")
            pvalue, psrc = pmoney[0], plan_cell.line
        ftype = propose_facility_type(name) or propose_facility_type(row.text(cols["content"]) if "content" in cols else "")
        if ftype:
            notes.append(f"facility_type {ftype} proposed from the name (check it)")
        else:
            out.problems.append(Problem(row.cells[cols["name"]].line, f"{pid} {name}: no facility type fits the "
                                        "name; choose one in projects.csv"))
        action = row.text(cols["action"]) if "action" in cols else ""
        if action and action not in ("新建", "改扩建", "续建"):
            notes.append(f"建设性质 printed as {action!r}, kept in the note only")
            action = ""
        content_cell = row.cells[cols["content"]] if "content" in cols else None
        p = {"id": pid, "name_zh": name, "category_zh": cat_name, "facility_type": ftype or "",
             "unit": region_unit, "site_zh": row.text(cols["site"]) if "site" in cols else "", "action": action,
             "content_zh": content_cell.text if content_cell is not None else "",
             "investment_total": fmt(money[0]), "investment_plan": fmt(pvalue), "money_unit": unit,
             "start": f"{period[0]}-01", "end": f"{period[1]}-12",
             "schedule_source": "assumption: placeholder, the plan's table prints no dates: the whole plan period; "
                                "replace with the project's schedule",
             "status_zh": row.text(cols["status"]) if "status" in cols else "",
             "source": plan.cite(total_cell.line) + (f"; {plan.cite(psrc)}" if psrc != total_cell.line else ""),
             "printed": money[2],
             "note": "; ".join(notes + ["unit: the region (placeholder: set the township of the site)"])}
        out.projects.append(p)
        cat_rows.append(p)
        if content_cell is not None:
            caps, skipped = capacities(content_cell.text)
            for j, (col, value, printed, ctx) in enumerate(caps):
                line = content_cell.line_containing(printed)
                out.outputs.append({"id": f"{pid}_{chr(97 + j) if j < 26 else j}", "project": pid,
                                    "facility_type": ftype or "", "name_zh": name, "unit": region_unit,
                                    col: fmt(value), "source": plan.cite(line), "printed": printed,
                                    "note": f"as printed in the content: …{ctx}…; check what it counts"})
            for s in skipped:
                out.skipped_capacities.append((content_cell.line, f"{pid}: {s}"))
    close_category()
    if total_row is None:
        _report_early_end(out, table, tables if tables is not None else find_tables(plan), plan)
    _checks(out, categories, total_row, plan)
    return out


def _report_early_end(out: ProjectTable, table: Table, tables: list[Table], plan: PlanText) -> None:
    """The table ended before a total row: say where, which line stopped it and which lines after it
    look like more of its rows (tables right after it, with no header of their own, holding serial
    numbers, category rows or a total row), so that no row is dropped silently."""
    stop = next((ln for ln in plan.lines[table.last_line:] if ln.kind not in ("blank", "page")), None)
    if stop is None:
        return
    what = f"line {stop.no} ({stop.text[:40]!r}) is read as prose" if stop.kind == "text" else f"line {stop.no}"
    later: list[Table] = []
    prose_between = 0
    for t in tables:
        if t.first_line <= table.last_line:
            continue
        between = [ln for ln in plan.lines[(later[-1].last_line if later else table.last_line):t.first_line - 1]
                   if ln.kind == "text"]
        prose_between += len(between)
        if len(between) > 3 or any(_header([c.text for c in g.cells]) for g in t.groups[:3]):
            break
        cells = [c.text.replace(" ", "") for c in t.cells()]
        if not any(_CATEGORY.match(c) or _TOTAL.match(c) for c in cells) and sum(map(is_serial, cells)) < 2:
            break
        later.append(t)
    if not later:
        out.problems.append(Problem(stop.no, f"the key-project table ends at line {table.last_line} with no total row "
                                    f"(合计): {what}; check that no project rows follow it"))
        return
    cats = [c.text for t in later for c in t.cells() if _CATEGORY.match(c.text.replace(" ", ""))]
    serials = sum(is_serial(c.text) for t in later for c in t.cells())
    total = any(_TOTAL.match(c.text.replace(" ", "")) for t in later for c in t.cells())
    spans = ", ".join(f"{t.first_line}-{t.last_line}" for t in later)
    out.problems.append(Problem(stop.no, f"the key-project table ends early at line {table.last_line} with no total "
                                f"row (合计): {what}; lines {spans} after it were not read ({serials} serial-numbered "
                                f"rows" + (f"; categories {', '.join(cats)}" if cats else "")
                                + ("; a total row" if total else "") + ")"))


def _checks(out: ProjectTable, categories, total_row: Row | None, plan: PlanText) -> None:
    unit = out.money_unit
    n = len(out.projects)
    s_total = sum(float(p["investment_total"]) for p in out.projects)
    s_plan = sum(float(p["investment_plan"]) for p in out.projects)
    same_unit = len({p["money_unit"] for p in out.projects}) <= 1
    for no, name, line, count, rows, sub in categories:
        if count is not None:
            ok = count == len(rows)
            out.checks.append(f"{'ok' if ok else 'MISMATCH'}: category {name} (line {line}) prints {count} projects, "
                              f"{len(rows)} rows read")
        if sub is not None:
            val = sub[0][0]
            got = sum(float(p["investment_total"]) for p in rows)
            ok = abs(val - got) < 0.005
            out.checks.append(f"{'ok' if ok else 'MISMATCH'}: category {name} prints a subtotal {fmt(val)} "
                              f"(line {sub[1]}); its rows sum to {fmt(round(got, 6))}")
    if total_row is None:
        out.checks.append(f"no total row (合计): {n} projects, investments sum to {fmt(round(s_total, 6))}{unit}")
        return
    nums = [(c, _money(c.text)) for c in total_row.cells[1:] if c is not None and _money(c.text)]
    count = next(((c, m) for c, m in nums if "." not in c.text and float(m[0]) == int(float(m[0])) and m[0] < 1000
                  and not m[1]), None)
    money = [(c, m) for c, m in nums if count is None or c is not count[0]]
    if count is not None:
        ok = int(count[1][0]) == n
        out.checks.append(f"{'ok' if ok else 'MISMATCH'}: the total row prints {int(count[1][0])} projects "
                          f"({plan.cite(count[0].line)}), {n} rows read")
    for k, (c, m) in enumerate(money[:2]):
        which = "total investment" if k == 0 else "plan-period investment"
        got = s_total if k == 0 else s_plan
        ok = same_unit and abs(m[0] - got) < 0.005
        out.checks.append(f"{'ok' if ok else 'MISMATCH'}: the total row prints {m[2]}{m[1] or unit} as the {which} "
                          f"({plan.cite(c.line)}); the rows sum to {fmt(round(got, 6))}{unit}")
    out.stated_total = (money[0][1][0], money[0][0].line) if money else None   # type: ignore[attr-defined]
    out.stated_count = int(count[1][0]) if count else None                      # type: ignore[attr-defined]
