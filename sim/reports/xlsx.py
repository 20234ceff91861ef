"""The XLSX workbook of a results folder (openpyxl): one sheet per table a bureau files.

Sheets (present when the folder has the table): ``Targets 目标`` (each target in its year),
``Indicators 指标`` (every target and year), ``Projects 项目`` (schedule and completion),
``Budget 资金`` (spend by year and source against envelopes), ``Townships 乡镇`` (P(township covered)
in the target year), ``Comparison 比较``, ``Slack 进度余量``, ``Tornado 敏感性``, ``Assumptions 假设``
(every parameter with its source).  Every sheet has a bold frozen header row, an autofilter, number
formats (shares as %, yuan with thousands separators) and column widths fitted to the content
(CJK characters counted double).
"""

from __future__ import annotations

import math
from pathlib import Path

import pandas as pd

SHEETS = ("Targets 目标", "Indicators 指标", "Projects 项目", "Budget 资金", "Townships 乡镇", "Comparison 比较",
          "Slack 进度余量", "Tornado 敏感性", "Assumptions 假设")

PERCENT_COLUMNS = {"p_met", "p_met_low", "p_met_high", "p_met_base", "diff_p_met", "diff_low", "diff_high",
                   "diff_low_unpaired", "diff_high_unpaired", "change", "change_low", "change_high",
                   "p_met_as_planned", "level", "p_complete_by_own_planned_end", "p_complete_by_plan_period_end",
                   "p_complete_by_planned_end", "p_not_complete_by_horizon", "p_attained_by_horizon"}


def _width(v) -> int:
    s = "" if v is None else str(v)
    return sum(2 if ord(c) > 0x2E80 else 1 for c in s)


def _clean(v):
    if v is None:
        return None
    if isinstance(v, float) and (math.isnan(v) or math.isinf(v)):
        return None if math.isnan(v) else ("inf" if v > 0 else "-inf")
    if hasattr(v, "item"):
        return _clean(v.item())
    return v


def _sheet(wb, title: str, df: pd.DataFrame, note: str | None = None) -> None:
    from openpyxl.styles import Alignment, Font, PatternFill
    from openpyxl.utils import get_column_letter

    ws = wb.create_sheet(title)
    start = 1
    if note:
        ws.cell(row=1, column=1, value=note).font = Font(italic=True)
        start = 2
    header_fill = PatternFill("solid", fgColor="DDE5F0")
    for j, name in enumerate(df.columns, start=1):
        c = ws.cell(row=start, column=j, value=str(name))
        c.font = Font(bold=True)
        c.fill = header_fill
        c.alignment = Alignment(vertical="top")
    for i, row in enumerate(df.itertuples(index=False), start=start + 1):
        for j, v in enumerate(row, start=1):
            ws.cell(row=i, column=j, value=_clean(v))
    for j, name in enumerate(df.columns, start=1):
        letter = get_column_letter(j)
        fmt = None
        if name in PERCENT_COLUMNS:
            fmt = "0.0%"
        elif name.endswith("_yuan"):
            fmt = "#,##0"
        elif name.endswith("_wan") or name.startswith("diff_") or name in ("mean", "p10", "p50", "p90", "expected_shortfall"):
            fmt = "#,##0.00"
        if fmt:
            for cell in ws[letter][start:]:
                if isinstance(cell.value, (int, float)):
                    cell.number_format = fmt
        sample = [name] + [df.iloc[k, j - 1] for k in range(min(len(df), 300))]
        ws.column_dimensions[letter].width = min(60, max(8, max(_width(_clean(v)) for v in sample) + 2))
    ws.freeze_panes = ws.cell(row=start + 1, column=1)
    if len(df.columns):
        ws.auto_filter.ref = f"A{start}:{get_column_letter(len(df.columns))}{start + len(df)}"


def target_rows(data) -> pd.DataFrame:
    """Each target of the base in its own year (from summary.json)."""
    recs = (data.summary or {}).get("targets", [])
    keep = ["id", "name", "unit", "year", "comparator", "target", "target_text", "binding", "kind", "p10", "p50",
            "p90", "p_met", "p_met_low", "p_met_high", "expected_shortfall", "attainment_year_p50",
            "p_attained_by_horizon", "verdict", "driver", "source"]
    df = pd.DataFrame(recs)
    return df[[c for c in keep if c in df.columns]] if len(df) else df


def township_rows(data) -> pd.DataFrame | None:
    ind = data.of_base(data.indicators)
    if ind is None or "level" not in ind.columns:
        return None
    t = ind[(ind["level"] == "township") & (ind["year"] == ind["target_year"])]
    if t.empty:
        return None
    cols = [c for c in ("township", "township_name", "parent_indicator", "indicator_id", "name", "year", "p_met",
                        "mean") if c in t.columns]
    return t[cols].reset_index(drop=True)


def build_xlsx(data, path: Path) -> Path:
    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    base = data.base
    meta = data.meta or {}
    head = f"{meta.get('name', base)} — seed {(data.summary or {}).get('seed')}, {(data.summary or {}).get('replications')} replications"
    _sheet(wb, SHEETS[0], target_rows(data), head)
    ind = data.of_base(data.indicators)
    if ind is not None:
        if "level" in ind.columns:
            ind = ind[ind["level"] == "county"]
        _sheet(wb, SHEETS[1], ind.reset_index(drop=True))
    if data.projects is not None:
        _sheet(wb, SHEETS[2], data.projects.reset_index(drop=True))
    if data.spend is not None:
        sp = data.spend.copy()
        for c in ("envelope_yuan", "available_mean_yuan", "spend_mean_yuan"):
            sp[c.replace("_yuan", "_wan")] = sp[c] / 1e4
        _sheet(wb, SHEETS[3], sp.reset_index(drop=True), "yuan; _wan columns in 万元 (10,000 yuan)")
    tw = township_rows(data)
    if tw is not None:
        _sheet(wb, SHEETS[4], tw, "P(township covered) by the end of the target year")
    if data.compare_targets is not None:
        ct = data.compare_targets
        _sheet(wb, SHEETS[5], ct[ct["in_target_year"].astype(str).str.lower() == "true"].reset_index(drop=True),
               (data.comparison or {}).get("method_p_met"))
    if data.slack_summary is not None:
        _sheet(wb, SHEETS[6], data.slack_summary.reset_index(drop=True))
    if data.tornado is not None:
        _sheet(wb, SHEETS[7], data.tornado.reset_index(drop=True))
    from .tables import county_rows
    cr = county_rows(data)
    if cr is not None:
        _sheet(wb, "Counties 各县", cr, "P(the county meets the target) by the end of the target year (county_indicators.csv)")
    if data.assumptions is not None:
        _sheet(wb, SHEETS[8], data.assumptions.reset_index(drop=True), "every parameter of the scenario with its source")
    wb.save(path)
    return Path(path)
