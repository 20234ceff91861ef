"""Flattened tables: rebuild cells, rows and their line numbers from the plan's lines.

Two layouts occur: one cell per line (each cell line starts with a tab; a cell broken over two lines
continues on short lines without a tab; rows are separated by blank lines) and one row per line
(cells separated by tabs).  A table is a maximal run of cell/row lines, blank lines and page
markers; it ends at the first line of prose.  Page markers inside a table are ignored.  A line
without a tab right after a cell is the rest of that cell when it is short (at most ``_CONT_MAX``
characters, no sentence end) or when the next line is a cell of the same row (a cell line that is
not a serial number, a category header, a 序号 header or a total row): PDF-to-text conversion breaks
a long content cell that way, and the continuation may be long or end in ``。``.

Rows are rebuilt against the header's number of columns ``n`` (:func:`assemble_rows`): a group of
cells shorter than ``n`` is completed by the next group unless that one starts a new row (a blank
line inside a row); a group longer than ``n`` is cut where the next serial number (序号) stands; a
row of ``n - 1`` cells whose first cell is not a serial number has lost its 序号.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .text import SENTENCE_END, PlanText

_CONT_MAX = 30        # a continuation line of a cell is at most this long


@dataclass
class Cell:
    text: str
    lines: list[int]          # every line the cell's text comes from (first = where it starts)

    @property
    def line(self) -> int:
        return self.lines[0]

    def line_containing(self, figure: str) -> int:
        """The line whose part of the cell's text holds ``figure`` (the first line if none does alone)."""
        for part, no in getattr(self, "_where", {}).items():
            if figure in part:
                return no
        return self.lines[0]


@dataclass
class Group:
    cells: list[Cell]
    one_row_per_line: bool = False


@dataclass
class Table:
    first_line: int
    last_line: int
    groups: list[Group]
    title: str = ""            # the nearest prose line above the table (or its title cell)
    title_line: int | None = None

    def cells(self) -> list[Cell]:
        return [c for g in self.groups for c in g.cells]


@dataclass
class Row:
    cells: list[Cell | None]   # None where a cell is missing (a lost 序号)
    kind: str = "row"          # "row", "special" (a category or total row, kept as printed), "bad"
    note: str = ""
    lines: list[int] = field(default_factory=list)

    def text(self, i: int) -> str:
        c = self.cells[i] if i < len(self.cells) else None
        return c.text if c is not None else ""


def _append(cell: Cell, text: str, no: int) -> None:
    where = getattr(cell, "_where", {cell.text: cell.lines[0]})
    where[text] = no
    cell._where = where          # type: ignore[attr-defined]
    cell.text += text
    cell.lines.append(no)


def find_tables(plan: PlanText) -> list[Table]:
    """Every flattened table of the plan, in order."""
    tables: list[Table] = []
    cur: Table | None = None
    group: Group | None = None
    last_cell: Cell | None = None       # the cell a continuation line may extend
    prose_above: tuple[str, int] | None = None
    lines = plan.lines
    for k, ln in enumerate(lines):
        if ln.kind == "page":
            continue
        if ln.kind == "blank":
            group, last_cell = None, None
            continue
        if ln.kind == "text":
            if last_cell is not None and (
                    (len(ln.text) <= _CONT_MAX and ln.text[-1] not in SENTENCE_END)
                    or (group is not None and _resumes_mid_row(lines, k))):
                _append(last_cell, ln.text, ln.no)        # a cell broken over two lines
                cur.last_line = ln.no
                continue
            cur, group, last_cell = None, None, None
            prose_above = (ln.text, ln.no)
            continue
        if cur is None:
            cur = Table(ln.no, ln.no, [], *(prose_above or ("", None)))
            tables.append(cur)
            group = None
        cur.last_line = ln.no
        cells = [Cell(t, [ln.no]) for t in ln.cells]
        if ln.kind == "row":
            cur.groups.append(Group(cells, one_row_per_line=True))
            group = None
        else:
            if group is None:
                group = Group([])
                cur.groups.append(group)
            group.cells.extend(cells)
        last_cell = cells[-1] if cells else None
    return tables


SERIAL = re.compile(r"^\d{1,3}$")
_ROW_START = re.compile(r"^([一二三四五六七八九十]+[、.]|序\s*号|合\s*计|总\s*计)")


def _resumes_mid_row(lines, k: int) -> bool:
    """Whether the line after text line ``k`` (page markers skipped) continues the same row of a
    one-cell-per-line table: a cell line that cannot start a row (not a serial number, a category
    header, a 序号 header or a total row).  A text line between two cells of one row is the rest of a
    cell broken over two lines, however long it is and whatever it ends with."""
    for ln in lines[k + 1:]:
        if ln.kind == "page":
            continue
        if ln.kind != "cell" or not ln.cells:
            return False
        first = ln.cells[0].strip().replace(" ", "")
        return bool(first) and not is_serial(first) and not _ROW_START.match(first)
    return False


def is_serial(text: str) -> bool:
    return bool(SERIAL.match(text.strip()))


def assemble_rows(groups: list[Group], n: int, special=lambda cells: False) -> list[Row]:
    """Rows of ``n`` cells from the groups after a header (see the module docstring).

    ``special(cells)`` marks a group that is a row of its own whatever its length (a category or total
    row of a project table, with merged cells)."""
    rows: list[Row] = []
    pending: list[Cell] = []
    last = [0]                                 # the last serial number seen

    def emit(cells: list[Cell]) -> None:
        lines = sorted({no for c in cells for no in c.lines})
        if len(cells) == n:
            rows.append(Row(list(cells), lines=lines))
        elif len(cells) == n - 1 and not is_serial(cells[0].text):
            rows.append(Row([None, *cells], note="序号 missing: the row's serial number is not printed", lines=lines))
        else:
            rows.append(Row(list(cells), kind="bad", note=f"{len(cells)} cells where the header has {n}", lines=lines))
            return
        last[0] = int(rows[-1].text(0)) if is_serial(rows[-1].text(0)) else last[0] + 1

    def flush() -> None:
        nonlocal pending
        cells, pending = pending, []
        while len(cells) > n:                  # rows run together: cut before the next serial number
            nxt = int(cells[0].text) + 1 if is_serial(cells[0].text) else last[0] + 2
            cut = next((i for i in (n, n - 1) if i < len(cells) and is_serial(cells[i].text)
                        and int(cells[i].text) == nxt), None)
            if cut is None:
                break
            emit(cells[:cut])
            cells = cells[cut:]
        if cells:
            emit(cells)

    for g in groups:
        cells = g.cells
        if not cells:
            continue
        if special(cells):
            flush()
            rows.append(Row(list(cells), kind="special", lines=sorted({no for c in cells for no in c.lines})))
            continue
        starts_row = is_serial(cells[0].text) and int(cells[0].text) in (last[0] + 1, last[0] + 2)
        if pending and not starts_row and len(pending) < n:
            if len(pending) + len(cells) <= n and not g.one_row_per_line:
                pending.extend(cells)          # a blank line (or a page break) inside a row
                continue
            if g.one_row_per_line and len(pending) + len(cells) - 1 == n:
                _append(pending[-1], cells[0].text, cells[0].line)   # a cell broken over two lines
                pending.extend(cells[1:])
                continue
        flush()
        pending = list(cells)
    flush()
    return rows
