"""Read a plan: import a 14th Five-Year civil-affairs plan's text into a scenario skeleton (issue 15).

``run_sim.py import-plan PLAN.txt --out FOLDER`` reads the plan as converted from PDF or Word to plain
text and writes into FOLDER: ``targets.csv`` (main indicators and the targets of the prose and
boxes), ``projects.csv`` and ``project_outputs.csv`` (the key-project table, money in its printed unit,
capacities from the content column), ``base_facts.csv`` (the 十三五 review and its tables),
``IMPORT_REPORT.md`` and ``<name>.yaml`` with placeholder tables (``units.csv``, parameters, funding …)
that ``validate`` accepts; every placeholder row says ``assumption:``.

One module per job: :mod:`.text` (reading, normalisation, page markers, broken lines),
:mod:`.tables` (flattened tables), :mod:`.figures` (a printed figure), :mod:`.indicators` (the
main-indicator table), :mod:`.prose` (prose and box targets), :mod:`.projects` (the key-project
table), :mod:`.basefacts` (the review), :mod:`.sections` (review / boxes), :mod:`.mapping`
(proposed quantities and facility types), :mod:`.plan_meta`, :mod:`.skeleton`, :mod:`.report`.
Deterministic; no network.  Errors: InputError (one line, exit code 2), nothing half-written.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass, field
from pathlib import Path

from ..outputs import MANIFEST, WRITTEN_BY, atomic_folder, list_files, write_json
from .figures import cn_number
from .basefacts import BaseFactsResult, read_base_facts
from .indicators import MainTable, read_main_table
from .plan_meta import read_meta
from .projects import ProjectTable, read_project_table
from .prose import ProseResult, read_prose_targets
from .report import build_report, summary_row
from .skeleton import (BASE_FACT_COLUMNS, OUTPUT_COLUMNS, PROJECT_COLUMNS, TARGET_COLUMNS, slug, write_csv,
                       write_skeleton)
from .tables import find_tables
from .text import PlanText, read_plan

__all__ = ["import_plan", "analyse", "ImportResult", "summary_row"]


@dataclass
class ImportResult:
    plan: PlanText
    name: str
    sha256: str
    main: MainTable
    prose: ProseResult
    projects: ProjectTable
    basefacts: BaseFactsResult
    base_facts: list[dict]
    checks: list[str] = field(default_factory=list)
    todo: list[str] = field(default_factory=list)
    validate_ok: bool = False
    validate_lines: list[str] = field(default_factory=list)

    @property
    def targets(self) -> list[dict]:
        return self.main.targets + self.prose.targets


def analyse(plan_path: str | Path, name: str = "imported") -> ImportResult:
    """Read the plan and return everything imported, without writing (InputError for a bad file)."""
    plan = read_plan(plan_path)
    meta = read_meta(plan)
    tables = find_tables(plan)
    main = read_main_table(plan, tables)
    main.expected = max((int(t["id"][1:]) for t in main.targets if t["id"][1:].isdigit()), default=None)  # type: ignore[attr-defined]
    projects = read_project_table(plan, meta.region_id, tables, meta.period)
    skip = set()
    for t in (main.table, projects.table):
        if t is not None:
            skip.update(range(t.first_line, t.last_line + 1))
    target_year = main.targets[0]["year"] if main.targets else meta.period[1]
    prose = read_prose_targets(plan, target_year, skip)
    bf = read_base_facts(plan, tables, meta.base_year)
    facts = []
    for k, f in enumerate(main.base_facts + bf.facts, start=1):
        line = f["source"].rsplit(":", 1)[1]
        facts.append({"id": f"BF{int(line):04d}_{k:03d}", "unit_id": meta.region_id, **f})
    res = ImportResult(plan, name, hashlib.sha256(plan.path.read_bytes()).hexdigest(), main, prose, projects, bf, facts)
    for label, table, n in (("main-indicator table", main.table, len(main.targets)),
                            ("key-project table", projects.table, len(projects.projects))):
        stated = _stated_count(plan, table)
        if stated is not None:
            res.checks.append(f"{'ok' if stated[0] == n else 'MISMATCH'}: the {label} says 共{stated[0]}项 "
                              f"({plan.cite(stated[1])}); {n} rows read")
    if main.table is not None:
        res.checks.append(f"{'ok' if main.expected == len(main.targets) else 'MISMATCH'}: the main-indicator table "
                          f"numbers its rows up to {main.expected}; {len(main.targets)} indicators read")
    else:
        res.checks.append("the plan has no main-indicator table (主要指标): nothing to count")
    return res


_COUNT = re.compile(r"共\s*([0-9零一二三四五六七八九十百两]+)\s*[项个条]")


def _stated_count(plan: PlanText, table) -> tuple[int, int] | None:
    """A count the plan states for a table (``共15项``) in its title, the lines just above it or its first cell."""
    if table is None:
        return None
    lines = [n for n in range(max(1, table.first_line - 3), table.first_line + 1)]
    if table.title_line:
        lines.insert(0, table.title_line)
    for no in lines:
        m = _COUNT.search(plan.line(no).text)
        if m and cn_number(m.group(1)) is not None:
            return cn_number(m.group(1)), no
    return None


def import_plan(plan_path: str | Path, out: str | Path, overwrite: bool = False, name: str | None = None) -> ImportResult:
    """Import the plan into the folder ``out`` (see the module docstring); return what was imported.

    Raises InputError (nothing written) for a missing or non-UTF-8 plan, or an existing ``out`` without
    ``overwrite`` (or one this program did not write)."""
    from ..outputs import check_destination

    out = Path(out)
    check_destination(out, overwrite)
    name = name or slug(out.name)
    res = analyse(plan_path, name)
    meta = read_meta(res.plan)
    with atomic_folder(out, overwrite) as tmp:
        res.todo = write_skeleton(tmp, name, meta)
        write_csv(tmp / "targets.csv", TARGET_COLUMNS, res.targets)
        write_csv(tmp / "projects.csv", PROJECT_COLUMNS, res.projects.projects)
        write_csv(tmp / "project_outputs.csv", OUTPUT_COLUMNS, res.projects.outputs)
        write_csv(tmp / "base_facts.csv", BASE_FACT_COLUMNS, res.base_facts)
        res.validate_ok, res.validate_lines = _validate(tmp / f"{name}.yaml")
        (tmp / "IMPORT_REPORT.md").write_text(build_report(res), encoding="utf-8")
        write_json(tmp / MANIFEST, {"written_by": WRITTEN_BY, "command": "import-plan", "plan": res.plan.name,
                                    "plan_sha256": res.sha256, "files": list_files(tmp)})
    return res


def _validate(yaml_path: Path) -> tuple[bool, list[str]]:
    from ..domains import validate_scenario
    from ..errors import InputError

    try:
        validate_scenario(yaml_path)
    except InputError as exc:
        return False, [ln.replace(str(yaml_path.parent) + "/", "") for ln in exc.lines()]
    return True, []
