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
    "p_complete": "p_complete_by_own_planned_end",
    "cap_unit": "unit", "cap_name": "name_zh", "service": "service", "measure": "measure", "measure_unit": "measure_unit",
    "demand": "demand_mean", "demand_p10": "demand_p10", "demand_p90": "demand_p90",
    "capacity": "capacity_mean", "capacity_p10": "capacity_p10", "capacity_p90": "capacity_p90",
}


def col(key: str) -> str:
    return COLUMNS[key]


def budget_table(result) -> pd.DataFrame:
    """Per funding source and year of a run: envelope (incl. contingency), mean available, mean and
    p10 / p90 spend, in yuan (``sim.compare.spend_table``)."""
    from ..compare import spend_table
    return spend_table([result])


def assumptions(scenario) -> pd.DataFrame:
    """Every parameter of the scenario with its value, range, confidence and source."""
    rows = [{"id": p.id, "value": p.value, "unit": p.unit, "distribution": p.distribution, "low": p.low,
             "high": p.high, "valid_from": p.valid_from, "valid_to": p.valid_to, "confidence": p.confidence,
             "source": p.source, "note": p.note} for p in scenario.rows("parameters")]
    return pd.DataFrame(rows)


def report_meta(scenario) -> dict:
    """What the reports need to know about the scenario beyond the tables (report_meta.json)."""
    return {"scenario": scenario.id, "name": scenario.name, "region_unit": scenario.region_unit,
            "region_name": scenario.region.get("name"), "base_year": scenario.base_year,
            "horizon": scenario.horizon, "period": list(scenario.period), "plan": scenario.plan}


def write_run_extras(result, folder: Path, reports: bool = True) -> None:
    """budget.csv, assumptions.csv and report_meta.json of a run, then (``reports``) report.html and
    report.xlsx.  Called by ``sim.run.write_results(..., extra=...)`` inside the temporary folder."""
    from ..outputs import write_json
    folder = Path(folder)
    write_json(folder / "report_meta.json", report_meta(result.scenario))
    write_csv(folder / "budget.csv", budget_table(result))
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
    slack: pd.DataFrame | None = None
    slack_summary: pd.DataFrame | None = None
    tornado: pd.DataFrame | None = None
    county_indicators: pd.DataFrame | None = None   # targets counted over counties / townships (sim/regions.py)
    comparison: dict = field(default_factory=dict)   # comparison.json of a comparison folder
    meta: dict = field(default_factory=dict)         # report_meta.json: scenario name, region unit, period

    @property
    def base(self) -> str | None:
        """The scenario the single-scenario charts show: the comparison's base, or the run's scenario."""
        if self.comparison:
            return self.comparison.get("base")
        return (self.summary or {}).get("scenario") or self.manifest.get("scenario")

    def of_base(self, df: pd.DataFrame | None) -> pd.DataFrame | None:
        """Rows of ``df`` for the base scenario (all rows when it has no scenario column)."""
        if df is None or "scenario" not in df.columns or self.base is None:
            return df
        return df[df["scenario"].astype(str) == str(self.base)]


def _csv(path: Path) -> pd.DataFrame | None:
    if not path.is_file():
        return None
    try:
        return pd.read_csv(path, encoding="utf-8-sig")
    except (pd.errors.ParserError, UnicodeDecodeError, pd.errors.EmptyDataError) as exc:
        raise InputError(path, "file", f"cannot be read as CSV ({type(exc).__name__})") from None


def _json(path: Path) -> dict | None:
    if not path.is_file():
        return None
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise InputError(path, "json", "is not valid JSON") from None


def county_rows(data) -> pd.DataFrame | None:
    """P(county meets it) in the target year: one row per county, one column per county-counted target."""
    ci = data.county_indicators
    if ci is None or ci.empty:
        return None
    ci = data.of_base(ci)
    c = ci[(ci["level"] == "county") & (ci["year"] == ci["target_year"])]
    if c.empty:
        return None
    piv = c.pivot_table(index=["unit", "name_zh"], columns="indicator_id", values="p_met", aggfunc="first", sort=False)
    return piv.reset_index()


def load_folder(folder: Path) -> FolderData:
    """Read a run's or a comparison's results folder.  Raises InputError if it is neither."""
    folder = Path(folder)
    if not folder.is_dir():
        raise InputError(folder, "RESULTS_DIR", "no such results folder")
    if not (folder / "indicators.csv").is_file():
        raise InputError(folder, "indicators.csv", "not a results folder (no indicators.csv)")
    comparison = _json(folder / "comparison.json")
    data = FolderData(folder=folder, kind="comparison" if comparison else "run",
                      manifest=_json(folder / "manifest.json") or {}, summary=_json(folder / "summary.json"),
                      indicators=_csv(folder / "indicators.csv"), projects=_csv(folder / "projects.csv"),
                      capacity=_csv(folder / "capacity.csv"), spend=_csv(folder / "budget.csv"),
                      assumptions=_csv(folder / "assumptions.csv"),
                      compare_targets=_csv(folder / "compare_targets.csv"),
                      compare_projects=_csv(folder / "compare_projects.csv"),
                      slack=_csv(folder / "slack.csv"), slack_summary=_csv(folder / "slack_summary.csv"),
                      tornado=_csv(folder / "tornado.csv"), county_indicators=_csv(folder / "county_indicators.csv"))
    data.comparison = comparison or {}
    data.meta = _json(folder / "report_meta.json") or {}
    return data
