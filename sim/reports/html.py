"""The self-contained HTML report of a results folder: one file, nothing fetched when it is opened.

Tables are HTML, charts (``sim.charts``) are inline PNG ``data:`` images, and the Chinese text is set in
a subset of the shipped Noto Sans SC (``sim.fonts.cjk_font_path``) cut by fontTools to the characters
the page uses and embedded as a WOFF ``data:`` URL.  A Content-Security-Policy meta tag forbids every
outside request (``default-src 'none'``), so a stray reference could not load even if one slipped in.
"""

from __future__ import annotations

import base64
import html
import io
from pathlib import Path

import pandas as pd

from ..fonts import FONT_LICENSE, cjk_font_path

CSP = "default-src 'none'; img-src data:; style-src 'unsafe-inline'; font-src data:"
FAMILY = "NotoSansSCSubset"


def font_subset_woff(text: str) -> bytes:
    """WOFF bytes of the shipped CJK font cut to the characters of ``text`` (plus ASCII)."""
    from fontTools import subset

    chars = set(text) | {chr(c) for c in range(0x20, 0x7F)}
    opts = subset.Options()
    opts.flavor = "woff"
    opts.layout_features = ["*"]
    opts.name_IDs = ["*"]
    opts.notdef_outline = True
    font = subset.load_font(str(cjk_font_path()), opts)
    sub = subset.Subsetter(opts)
    sub.populate(unicodes=[ord(c) for c in chars])
    sub.subset(font)
    buf = io.BytesIO()
    subset.save_font(font, buf, opts)
    font.close()
    return buf.getvalue()


def _table(df: pd.DataFrame | None, cols: list[str] | None = None, pct: tuple = (), digits: int = 2) -> str:
    if df is None or df.empty:
        return "<p><em>none</em></p>"
    df = df[[c for c in (cols or df.columns) if c in df.columns]].copy()
    for c in df.columns:
        if c in pct:
            df[c] = df[c].map(lambda v: "" if pd.isna(v) else f"{float(v):.1%}" if abs(float(v)) < 10 else str(v))
        elif pd.api.types.is_float_dtype(df[c]):
            df[c] = df[c].map(lambda v: "" if pd.isna(v) else f"{v:,.{digits}f}")
    return df.to_html(index=False, escape=True, border=0, classes="t", na_rep="")


def _img(fig_png: bytes, alt: str) -> str:
    return f'<img alt="{html.escape(alt)}" src="data:image/png;base64,{base64.b64encode(fig_png).decode()}">'


PCT = ("p_met", "p_met_low", "p_met_high", "p_met_base", "diff_p_met", "diff_low", "diff_high", "diff_low_unpaired",
       "diff_high_unpaired", "change", "change_low", "change_high", "p_met_as_planned", "p_complete_by_own_planned_end",
       "p_attained_by_horizon")


def body(data, charts: bool = True) -> str:
    from .. import charts as ch
    from .xlsx import target_rows, township_rows

    meta = data.meta or {}
    s = data.summary or {}
    parts = [f"<h1>{html.escape(str(meta.get('name') or s.get('name') or data.base))}</h1>",
             f"<p class='sub'>民政规划模拟报告 Civil-affairs planning simulation report — scenario "
             f"<b>{html.escape(str(data.base))}</b>, {s.get('replications')} replications, seed {s.get('seed')}."
             + (f" Region 区域: {html.escape(str(meta.get('region_name')))}, plan period 规划期 "
                f"{'–'.join(map(str, meta.get('period', [])))}." if meta else "") + "</p>"]
    if data.comparison:
        c = data.comparison
        parts.append("<p class='sub'>Comparison 情景比较: " + ", ".join(html.escape(f"{k} ({v})") for k, v in
                                                                      c.get("names", {}).items())
                     + f". Common random numbers: {html.escape(c.get('common_random_numbers', ''))}. "
                       f"Interval: {html.escape(c.get('method_p_met', ''))}, level {c.get('confidence_level')}.</p>")
    parts.append("<h2>目标 Targets, each in its own year</h2>")
    parts.append(_table(target_rows(data), ["id", "name", "year", "comparator", "target", "target_text", "unit",
                                            "binding", "p10", "p50", "p90", "p_met", "p_met_low", "p_met_high",
                                            "verdict", "driver"], PCT))
    figs = ch.render_all(data) if charts else []
    fig_by = {}
    for key, title, fig in figs:
        fig_by.setdefault(key.split("_")[0], []).append((title, ch.png(fig)))
    sections = [("fan", "指标扇形图 Indicators over the years"), ("capacity", "供给与需求 Capacity and demand"),
                ("gantt", "项目进度 Projects and schedule"), ("budget", "资金 Money by year and source")]
    for key, title in sections:
        if key in fig_by:
            parts.append(f"<h2>{title}</h2>" + "".join(_img(png, t) for t, png in fig_by[key]))
    if data.projects is not None:
        parts.append("<h3>Projects 项目</h3>" + _table(data.of_base(data.projects), ["project", "name_zh", "planned_start",
                     "planned_end", "completion_p10", "completion_p50", "completion_p90",
                     "p_complete_by_own_planned_end"], PCT))
    if data.compare_targets is not None:
        ct = data.compare_targets
        ct = ct[(ct["scenario"].astype(str) != str(data.base)) & (ct["in_target_year"].astype(str).str.lower() == "true")]
        parts.append("<h2>情景比较 Scenario comparison (difference from the base, paired interval)</h2>")
        parts += [_img(png, t) for t, png in fig_by.get("differences", [])]
        parts.append(_table(ct, ["scenario", "indicator_id", "name", "year", "p_met_base", "p_met", "diff_p_met",
                                 "diff_low", "diff_high", "diff_low_unpaired", "diff_high_unpaired", "verdict",
                                 "diff_shortfall", "shortfall_verdict"], PCT, 3))
    if data.slack_summary is not None:
        parts.append("<h2>进度余量 Schedule slack: the latest planned completion that keeps P(met) at the level</h2>")
        parts += [_img(png, t) for t, png in fig_by.get("slack", [])]
        parts.append(_table(data.slack_summary, ["indicator_id", "name", "year", "binding", "feeding_projects",
                                                 "p_met_as_planned", "planned_end", "latest_safe_shift_months",
                                                 "latest_safe_end", "status"], PCT, 0))
    if data.tornado is not None:
        parts.append("<h2>敏感性 Tornado: which project and which money matter most (binding targets)</h2>")
        parts += [_img(png, t) for t, png in fig_by.get("tornado", [])]
        top = data.tornado[data.tornado["rank"] <= 5]
        parts.append(_table(top, ["indicator_id", "name", "rank", "kind", "factor", "factor_name", "what_if",
                                  "p_met_base", "p_met", "change", "change_low", "change_high"], PCT, 3))
    maps = sorted(Path(data.folder).glob("map_*.png")) if getattr(data, "folder", None) else []
    if maps:   # drawn by sim/geo/maps.py (issue 10); each map carries its own legend and source note
        parts.append("<h2>地图 Maps (township areas are approximate where the map says so)</h2>")
        parts += [_img(m.read_bytes(), m.stem) for m in maps]
    from .tables import county_rows
    cr = county_rows(data)
    if cr is not None:   # targets counted over counties (docs/regions.md); maps above
        parts.append("<h2>各县达标 County-counted targets: P(the county meets it) in the target year</h2>")
        parts.append(_table(cr, None, tuple(c for c in cr.columns if c not in ("unit", "name_zh"))))
    tw = township_rows(data)
    if tw is not None:
        parts.append("<h2>乡镇覆盖 Township coverage (P(covered) in the target year)</h2>")
        piv = tw.pivot_table(index="township_name", columns="parent_indicator", values="p_met", aggfunc="first")
        parts.append(_table(piv.reset_index(), None, tuple(piv.columns)))
    if data.spend is not None:
        sp = data.of_base(data.spend)
        sp = sp[(sp["envelope_yuan"] > 0) | (sp["spend_mean_yuan"] > 0)]
        parts.append("<h3>Budget by year and source 分年度分来源资金 (yuan)</h3>"
                     + _table(sp, ["source", "year", "envelope_yuan", "available_mean_yuan", "spend_mean_yuan"], (), 0))
    if data.assumptions is not None:
        parts.append("<h2>假设 Assumptions: every parameter with its source</h2>"
                     + _table(data.assumptions, ["id", "value", "unit", "distribution", "low", "high", "confidence",
                                                 "source"], (), 4))
    parts.append(f"<p class='sub'>Font: {html.escape(FONT_LICENSE)}, subset embedded. Generated by minzheng-sim "
                 "from the CSV files of this results folder.</p>")
    return "\n".join(parts)


STYLE = """
body { font-family: '%s', sans-serif; margin: 2em; color: #222; max-width: 1400px; }
h1 { font-size: 1.6em; } h2 { font-size: 1.25em; margin-top: 1.6em; border-bottom: 1px solid #ccc; }
.sub { color: #555; font-size: 0.9em; }
table.t { border-collapse: collapse; font-size: 0.8em; margin: 0.5em 0; }
table.t th, table.t td { border: 1px solid #ddd; padding: 2px 6px; text-align: right; }
table.t th { background: #eef2f7; } table.t td:nth-child(-n+3) { text-align: left; }
img { max-width: 100%%; display: block; margin: 0.6em 0; }
"""


def build_html(data, path: Path, charts: bool = True) -> Path:
    content = body(data, charts)
    woff = font_subset_woff(html.unescape(content))
    page = ("<!DOCTYPE html>\n<html lang='zh-CN'><head><meta charset='utf-8'>"
            f"<meta http-equiv='Content-Security-Policy' content=\"{CSP}\">"
            f"<title>{html.escape(str((data.meta or {}).get('name') or data.base))} — report</title>"
            f"<style>@font-face {{ font-family: '{FAMILY}'; "
            f"src: url(data:font/woff;base64,{base64.b64encode(woff).decode()}) format('woff'); }}"
            + STYLE % FAMILY + "</style></head><body>\n" + content + "\n</body></html>\n")
    Path(path).write_text(page, encoding="utf-8")
    return Path(path)
