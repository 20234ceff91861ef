"""The main-indicator table (主要指标): 序号 / 指标 / 单位 / [2020年] / 2025年目标值 / [年均增速] / 属性.

:func:`find_main_table` picks the plan's 14th-plan indicator table: the first table whose header holds
a 序号-or-指标 column, an 属性 column and a target-year column (``2025年目标值``); the 13th-plan review
table (完成情况, no 属性) is left to :mod:`.basefacts`.  :func:`read_main_table` turns each row into a
target row of ``targets.csv`` and each printed base-year value into a base fact.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .figures import fmt, parse_value, unit_in_name
from .mapping import propose_quantity
from .tables import Row, Table, assemble_rows, find_tables
from .text import PlanText

BINDING = {"约束性": "binding", "预期性": "indicative"}


@dataclass
class Columns:
    n: int
    serial: int | None = None
    name: int | None = None
    unit: int | None = None
    target: int | None = None
    target_year: int | None = None
    base: int | None = None
    base_year: int | None = None
    attribute: int | None = None


@dataclass
class Problem:
    line: int | None
    what: str


@dataclass
class MainTable:
    table: Table | None
    header_line: int | None = None
    targets: list[dict] = field(default_factory=list)
    base_facts: list[dict] = field(default_factory=list)
    problems: list[Problem] = field(default_factory=list)
    rows_seen: int = 0


def _columns(cells: list[str]) -> Columns | None:
    c = Columns(len(cells))
    for i, t in enumerate(cells):
        t = t.replace(" ", "")
        year = re.search(r"(20\d\d)年", t)
        if t.startswith("序号"):
            c.serial = i
        elif "属性" in t:
            c.attribute = i
        elif t in ("单位", "计量单位"):
            c.unit = i
        elif year and ("目标" in t or "预期" in t or int(year.group(1)) >= 2021) and c.target is None:
            c.target, c.target_year = i, int(year.group(1))
        elif year and int(year.group(1)) <= 2020:
            c.base, c.base_year = i, int(year.group(1))
        elif "指标" in t and c.name is None:
            c.name = i
    if c.attribute is None or c.target is None or c.name is None:
        return None
    return c


def find_main_table(plan: PlanText, tables: list[Table] | None = None) -> tuple[Table, int, Columns] | None:
    """(table, index of the header group, columns) of the 14th-plan main-indicator table, or None."""
    for t in tables if tables is not None else find_tables(plan):
        for gi, g in enumerate(t.groups[:3]):
            cols = _columns([c.text for c in g.cells])
            if cols is not None:
                return t, gi, cols
    return None


def _unit(row: Row, cols: Columns, name: str, value_unit: str) -> tuple[str, str, str]:
    """(name without a bracketed unit, unit, where the unit came from)."""
    bare, in_name = unit_in_name(name)
    if cols.unit is not None and row.text(cols.unit):
        return bare if in_name == row.text(cols.unit) else name, row.text(cols.unit), "unit column"
    if in_name:
        return bare, in_name, "the indicator name"
    if value_unit:
        return name, value_unit, "the value cell"
    return name, "", ""


def read_main_table(plan: PlanText, tables: list[Table] | None = None) -> MainTable:
    found = find_main_table(plan, tables)
    if found is None:
        return MainTable(None, problems=[Problem(None, "no main-indicator table (主要指标: a table with 指标, "
                                                      "a 2025 target column and 属性) found in the plan: "
                                                      "its targets are only those read from the prose")])
    table, gi, cols = found
    out = MainTable(table, table.groups[gi].cells[0].line)
    rows = assemble_rows(table.groups[gi + 1:], cols.n)
    k = 0
    for row in rows:
        if row.kind != "row":
            out.problems.append(Problem(row.lines[0] if row.lines else None,
                                        f"row not read: {row.note} ({' | '.join(c.text for c in row.cells if c)[:80]})"))
            continue
        name_cell = row.cells[cols.name]
        target_cell = row.cells[cols.target]
        if name_cell is None or not name_cell.text:
            out.problems.append(Problem(row.lines[0], "row without an indicator name"))
            continue
        out.rows_seen += 1
        k += 1
        fig = parse_value(target_cell.text) if target_cell is not None else None
        name, unit, unit_from = _unit(row, cols, name_cell.text, fig.unit if fig else "")
        serial = row.text(cols.serial) if cols.serial is not None else ""
        attr = row.text(cols.attribute).replace(" ", "")
        binding = BINDING.get(attr)
        notes = []
        if row.note:
            notes.append(row.note)
        if binding is None:
            binding = "indicative"
            notes.append(f"attribute {attr!r} not 约束性/预期性: indicative assumed (assumption)")
        if fig is not None and fig.unit and unit and fig.unit != unit:
            notes.append(f"the value cell prints {fig.unit!r}, the unit column {unit!r}")
        tid = f"M{int(serial):02d}" if serial.isdigit() else f"M_row{k:02d}"
        src_line = target_cell.line if target_cell is not None else name_cell.line
        t = {"id": tid, "name_zh": name, "unit": unit, "year": cols.target_year, "binding": binding,
             "main_table": "yes", "source": plan.cite(src_line), "name_line": name_cell.line}
        if fig is None:
            out.problems.append(Problem(src_line, f"{tid} {name}: no target value printed"))
            t.update(value="", value_text="(not printed)", comparator="", kind="tracked")
        elif fig.value is None:
            t.update(value="", value_text=fig.text, comparator=fig.comparator or "", kind="tracked")
            notes.append("target in words: value blank, the words in value_text")
        else:
            comp = fig.comparator
            if comp is None:
                comp = ">="
                notes.append("a bare figure read as a floor (>=)")
            t.update(value=fmt(fig.value), value_text="", comparator=comp, printed=fig.printed)
            q = propose_quantity(name, unit)
            if q:
                t.update(kind="computed", quantity=q)
                notes.append(f"quantity {q} proposed from the name (check it)")
            else:
                t.update(kind="tracked")
        if name_cell.line != src_line:
            notes.append(f"name on line {name_cell.line}")
        if unit_from and unit_from != "unit column":
            notes.append(f"unit from {unit_from}")
        t["basis"] = "plan: main-indicator table"
        t["note"] = "; ".join(notes)
        out.targets.append(t)
        if cols.base is not None:
            bc = row.cells[cols.base]
            bf = parse_value(bc.text) if bc is not None else None
            if bf is not None and bf.value is not None:
                out.base_facts.append({
                    "name_zh": name, "year": cols.base_year, "value": fmt(bf.value), "unit": unit or bf.unit,
                    "source": plan.cite(bc.line), "printed": bf.printed,
                    "note": f"base-year column of the main-indicator table ({bf.text})"
                            + (f"; printed as {bf.text}: a bound, not an exact figure" if bf.comparator else "")})
    return out
