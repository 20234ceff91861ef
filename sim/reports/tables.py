"""The tables of a results folder that the reports and charts read, and the extra tables a run writes
for them (money by source and year, every parameter with its source).

Column names of other modules' files are read through ``COLUMNS`` only, so a renamed output column
is fixed in one place.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..outputs import write_csv

# Columns of indicators.csv / projects.csv / capacity.csv (written by sim.run) that the reports use.
COLUMNS = {
    "indicator": "indicator_id", "name": "name", "unit": "unit", "year": "year", "target_year": "target_year",
    "target": "target", "comparator": "comparator", "binding": "binding", "simulated": "simulated",
    "mean": "mean", "p10": "p10", "p50": "p50", "p90": "p90", "p_met": "p_met", "p_met_low": "p_met_low",
    "p_met_high": "p_met_high", "shortfall": "expected_shortfall",
    "project": "project", "project_name": "name_zh", "planned_start": "planned_start", "planned_end": "planned_end",
    "completion_p10": "completion_p10", "completion_p50": "completion_p50", "completion_p90": "completion_p90",
    "p_complete": "p_complete_by_plan_end",
    "cap_unit": "unit", "service": "service", "measure": "measure", "demand": "demand", "capacity": "capacity",
}


def col(key: str) -> str:
    return COLUMNS[key]


def spend_by_source(result) -> pd.DataFrame:
    """Per funding source and year of a run: envelope (incl. contingency), mean available, mean and
    p10 / p90 spend, in yuan."""
    from ..compare import spend_table
    return spend_table([result]).drop(columns="scenario")


def assumptions(scenario) -> pd.DataFrame:
    """Every parameter of the scenario with its value, range, confidence and source."""
    rows = [{"id": p.id, "value": p.value, "unit": p.unit, "distribution": p.distribution, "low": p.low,
             "high": p.high, "valid_from": p.valid_from, "valid_to": p.valid_to, "confidence": p.confidence,
             "source": p.source, "note": p.note} for p in scenario.rows("parameters")]
    return pd.DataFrame(rows)


def write_run_extras(result, folder: Path, reports: bool = True) -> None:
    """spend.csv and assumptions.csv of a run, then (``reports``) report.html and report.xlsx."""
    folder = Path(folder)
    write_csv(folder / "spend.csv", spend_by_source(result))
    write_csv(folder / "assumptions.csv", assumptions(result.scenario))
    if reports:
        from . import build_reports
        build_reports(folder)


@dataclass
class FolderData:
    """What the reports read from a results folder.  Tables absent from the folder are None."""

    folder: Path
    kind: str                              # "run" or "comparison"
    manifest: dict
    summary: dict | None = None            # summary.json of a run (the base's for a comparison)
    indicators: pd.DataFrame | None = None
    projects: pd.DataFrame | None = None
    capacity: pd.DataFrame | None = None
    spend: pd.DataFrame | None = None
    assumptions: pd.DataFrame | None = None
    compare_targets: pd.DataFrame | None = None
    compare_projects: pd.DataFrame | None = None
    compare_spend: pd.DataFrame | None = None
    slack: pd.DataFrame | None = None
    slack_summary: pd.DataFrame | None = None
    tornado: pd.DataFrame | None = None
    base_folder: Path | None = None
    extra: dict = field(default_factory=dict)


def _csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, "file", f"cannot be read as CSV ({type(exc).__name__})") from None


def load_folder(folder: Path) -> FolderData:
    """Read a run's or a comparison's results folder.  Raises InputError if it is neither."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "RESULTS_DIR", "no such results folder")
    mpath = folder / "manifest.json"
    if not mpath.is_file():
        raise InputError(folder, "manifest.json", "not a results folder (no manifest.json)")
    try:
        manifest = json.loads(mpath.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(mpath, "json", "manifest.json is not valid JSON") from None
    if manifest.get("kind") == "comparison":
        run_folder = folder / "runs" / str(manifest["base"])
        base = load_folder(run_folder)
        base.folder, base.kind, base.manifest, base.base_folder = folder, "comparison", manifest, run_folder
        base.compare_targets = _csv(folder / "compare_targets.csv")
        base.compare_projects = _csv(folder / "compare_projects.csv")
        base.compare_spend = _csv(folder / "compare_spend.csv")
        base.slack = _csv(folder / "slack.csv")
        base.slack_summary = _csv(folder / "slack_summary.csv")
        base.tornado = _csv(folder / "tornado.csv")
        return base
    if not (folder / "indicators.csv").is_file():
        raise InputError(folder, "indicators.csv", "not a results folder (no indicators.csv)")
    summary = None
    if (folder / "summary.json").is_file():
        summary = json.loads((folder / "summary.json").read_text(encoding="utf-8"))
    return FolderData(folder=folder, kind="run", manifest=manifest, summary=summary,
                      indicators=_csv(folder / "indicators.csv"), projects=_csv(folder / "projects.csv"),
                      capacity=_csv(folder / "capacity.csv"), spend=_csv(folder / "spend.csv"),
                      assumptions=_csv(folder / "assumptions.csv"))
