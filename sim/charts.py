"""Charts of a results folder (matplotlib, Chinese labels in the shipped Noto Sans SC).

Every function takes ``sim.reports.tables.FolderData`` and returns a list of ``(key, title, Figure)``
(empty when the folder lacks the table it needs):

* ``fan_charts``      each computed indicator over the years: p10-p90 band, median, target and its year
* ``capacity_charts`` capacity against demand per service and measure, whole region (p10-p90 bands)
* ``gantt``           projects: planned window, completion p10-p90 bar and median, planned end (deadline)
* ``budget_chart``    spend by year and funding source (stacked) against the envelopes
* ``slack_charts``    P(met) against the shift of the feeding projects' planned dates, with the safe level
* ``tornado_charts``  per binding target, change in P(met) per project delayed / source cut, ranked
* ``difference_chart`` per variant, difference in P(met) from the base with its paired interval

``render_all(data)`` gives them all; ``png(fig)`` the PNG bytes.
"""

from __future__ import annotations

import io
import math

import numpy as np
import pandas as pd

from .fonts import use_cjk_font

SOURCE_ZH = {"central": "中央", "provincial": "省级", "county": "县级", "lottery": "福彩公益金", "social": "社会资金"}
PALETTE = ["#4C72B0", "#DD8452", "#55A868", "#C44E52", "#8172B3", "#937860", "#DA8BC3", "#8C8C8C"]


def _plt():
    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    use_cjk_font()
    return plt


def png(fig, dpi: int = 96) -> bytes:
    """PNG bytes of a figure (then closed)."""
    plt = _plt()
    buf = io.BytesIO()
    fig.savefig(buf, format="png", dpi=dpi)  # layout is done by tight_layout: one draw less than bbox_inches="tight"
    plt.close(fig)
    return buf.getvalue()


def month_to_year(s, end: bool = False) -> float:
    """``YYYY-MM`` -> fractional year at the start of that month (``end``: at its end); blank or text
    such as ``after 2035`` (not complete within the horizon) -> inf; unreadable -> nan."""
    if s is None or (isinstance(s, float) and math.isnan(s)) or str(s).strip() in ("", "nan"):
        return math.nan
    text = str(s).strip()
    if text.lower().startswith("after") or text in ("inf", "never"):
        return math.inf
    try:
        y, m = text.split("-")[:2]
        return int(y) + (int(m) - (0 if end else 1)) / 12.0
    except ValueError:
        try:
            return float(text)
        except ValueError:
            return math.nan


def _county(df: pd.DataFrame) -> pd.DataFrame:
    return df[df["level"] == "county"] if "level" in df.columns else df


def _grid(plt, n: int, cols: int = 3, w: float = 4.2, h: float = 2.8):
    """Small multiples with fixed spacing (no tight_layout: one draw per figure instead of two)."""
    rows = max(1, math.ceil(n / cols))
    fig, axes = plt.subplots(rows, cols, figsize=(w * cols, h * rows + 0.6), squeeze=False)
    top = 1 - 0.6 / (h * rows + 0.6)
    fig.subplots_adjust(left=0.06, right=0.98, bottom=0.06 / rows + 0.02, top=top - 0.04 / rows, hspace=0.45,
                        wspace=0.28)
    for ax in axes.flat[n:]:
        ax.set_visible(False)
    return fig, list(axes.flat)


def fan_charts(data, per_page: int = 12) -> list:
    from .reports.tables import col
    ind = data.of_base(data.indicators)
    if ind is None or ind.empty:
        return []
    plt = _plt()
    ind = _county(ind)
    ind = ind[ind[col("simulated")].astype(str).str.lower() == "true"]
    ids = list(dict.fromkeys(ind[col("indicator")]))
    out = []
    for page in range(0, len(ids), per_page):
        chunk = ids[page:page + per_page]
        fig, axes = _grid(plt, len(chunk))
        for ax, tid in zip(axes, chunk):
            g = ind[ind[col("indicator")] == tid].sort_values(col("year"))
            x = g[col("year")].to_numpy(dtype=float)
            ax.fill_between(x, g[col("p10")].to_numpy(dtype=float), g[col("p90")].to_numpy(dtype=float),
                            color=PALETTE[0], alpha=0.25, label="p10–p90")
            ax.plot(x, g[col("p50")].to_numpy(dtype=float), color=PALETTE[0], lw=1.5, label="中位数 median")
            first = g.iloc[0]
            tv, ty = first[col("target")], first[col("target_year")]
            if pd.notna(tv):
                ax.axhline(float(tv), color=PALETTE[3], ls="--", lw=1, label=f"目标 target {first[col('comparator')]} {float(tv):g}")
                ax.plot([float(ty)], [float(tv)], marker="o", color=PALETTE[3])
            ax.set_xlim(x.min(), x.max())
            if not np.isfinite(g[col("p50")].to_numpy(dtype=float)).any():
                ax.text(0.5, 0.5, "无定义 undefined", transform=ax.transAxes, ha="center", fontsize=9)
            ax.set_title(f"{tid} {first[col('name')]}", fontsize=9)
            ax.set_ylabel(str(first[col("unit")]), fontsize=8)
            ax.tick_params(labelsize=7)
            ax.legend(fontsize=6, loc="best")
        fig.suptitle("指标扇形图 Indicator fan charts (p10–p90, median, target)", fontsize=11)
        out.append((f"fan_{page // per_page + 1}", "Indicator fan charts 指标扇形图", fig))
    return out


def capacity_charts(data) -> list:
    from .reports.tables import col
    cap = data.of_base(data.capacity)
    region = (data.meta or {}).get("region_unit")
    if cap is None or cap.empty or region is None:
        return []
    plt = _plt()
    cap = cap[cap[col("cap_unit")].astype(str) == str(region)]
    keys = list(dict.fromkeys(zip(cap[col("service")], cap[col("measure")])))
    if not keys:
        return []
    fig, axes = _grid(plt, len(keys))
    for ax, (svc, meas) in zip(axes, keys):
        g = cap[(cap[col("service")] == svc) & (cap[col("measure")] == meas)].sort_values(col("year"))
        x = g[col("year")].to_numpy(dtype=float)
        for what, color, zh in (("demand", PALETTE[1], "需求 demand"), ("capacity", PALETTE[0], "供给 capacity")):
            ax.plot(x, g[col(what)].to_numpy(dtype=float), color=color, lw=1.5, label=zh)
            lo, hi = g[col(f"{what}_p10")].to_numpy(dtype=float), g[col(f"{what}_p90")].to_numpy(dtype=float)
            ax.fill_between(x, lo, hi, color=color, alpha=0.2)
        unit = g[col("measure_unit")].iloc[0] if col("measure_unit") in g.columns else ""
        ax.set_title(f"{svc} · {meas}", fontsize=9)
        ax.set_ylabel(str(unit), fontsize=8)
        ax.tick_params(labelsize=7)
        ax.legend(fontsize=6)
    fig.suptitle("供给与需求 Capacity against demand (whole region, p10–p90)", fontsize=11)
    return [("capacity", "Capacity against demand 供给与需求", fig)]


def gantt(data) -> list:
    from .reports.tables import col
    pr = data.of_base(data.projects)
    if pr is None or pr.empty:
        return []
    plt = _plt()
    pr = pr.reset_index(drop=True)
    n = len(pr)
    fig, ax = plt.subplots(figsize=(11, 0.45 * n + 1.6))
    horizon = None
    for i, r in pr.iterrows():
        y = n - 1 - i
        s, e = month_to_year(r[col("planned_start")]), month_to_year(r[col("planned_end")], end=True)
        p10, p50, p90 = (month_to_year(r[col(k)], end=True) for k in ("completion_p10", "completion_p50", "completion_p90"))
        ax.barh(y, e - s, left=s, height=0.5, color=PALETTE[0], alpha=0.35, label="计划 planned" if i == 0 else None)
        ax.plot([e, e], [y - 0.35, y + 0.35], color=PALETTE[3], lw=2, label="计划完工 planned end" if i == 0 else None)
        if math.isfinite(p10):
            hi = p90 if math.isfinite(p90) else (horizon or p10 + 10)
            ax.plot([p10, hi], [y, y], color="black", lw=2.5, label="完工 p10–p90" if i == 0 else None)
            if not math.isfinite(p90):
                ax.annotate("→ 未完工 not done", (hi, y), fontsize=6, va="center")
        if math.isfinite(p50):
            ax.plot([p50], [y], marker="D", color=PALETTE[1], ms=5, label="完工中位数 median" if i == 0 else None)
    ax.set_yticks(range(n))
    ax.set_yticklabels([f"{r[col('project')]} {str(r[col('project_name')])[:18]}" for _, r in pr.iloc[::-1].iterrows()],
                       fontsize=7)
    ax.grid(axis="x", alpha=0.3)
    ax.set_xlabel("年 year")
    ax.legend(fontsize=7, loc="lower left")
    ax.set_title("项目进度 Projects: planned window, completion p10–p90 and median", fontsize=11)
    fig.tight_layout()
    return [("gantt", "Projects and completion 项目进度", fig)]


def budget_chart(data) -> list:
    sp = data.of_base(data.spend)
    if sp is None or sp.empty:
        return []
    plt = _plt()
    piv = sp.pivot_table(index="year", columns="source", values="spend_mean_yuan", aggfunc="sum").fillna(0.0) / 1e4
    env = sp.groupby("year")["envelope_yuan"].sum() / 1e4
    keep = (piv.sum(axis=1) > 0) | (env.reindex(piv.index).fillna(0) > 0)
    piv, env = piv[keep], env.reindex(piv.index)[keep]
    fig, ax = plt.subplots(figsize=(10, 4.2))
    bottom = np.zeros(len(piv))
    for k, src in enumerate(piv.columns):
        ax.bar(piv.index, piv[src], bottom=bottom, color=PALETTE[k % len(PALETTE)], label=f"{SOURCE_ZH.get(src, src)} {src}")
        bottom += piv[src].to_numpy()
    ax.step(env.index, env.to_numpy(), where="mid", color="black", lw=1.5, label="资金额度 envelopes (incl. contingency)")
    ax.set_ylabel("万元 (10,000 yuan)")
    ax.set_xlabel("年 year")
    ax.legend(fontsize=7, ncol=2)
    ax.set_title("分年度分来源支出 Mean spend by year and funding source against the envelopes", fontsize=11)
    fig.tight_layout()
    return [("budget", "Spend by year and source 资金", fig)]


def slack_charts(data) -> list:
    sl = data.slack
    if sl is None or sl.empty:
        return []
    plt = _plt()
    level = float(data.slack_summary["level"].iloc[0]) if data.slack_summary is not None and len(data.slack_summary) else 0.8
    ids = list(dict.fromkeys(sl["indicator_id"]))
    fig, axes = _grid(plt, len(ids), cols=4, w=3.4, h=2.5)
    for ax, tid in zip(axes, ids):
        g = sl[sl["indicator_id"] == tid].sort_values("shift_months")
        ax.plot(g["shift_months"], g["p_met"], marker=".", color=PALETTE[0])
        ax.fill_between(g["shift_months"], g["p_met_low"], g["p_met_high"], color=PALETTE[0], alpha=0.2)
        ax.axhline(level, color=PALETTE[3], ls="--", lw=1)
        ax.axvline(0, color="grey", lw=0.8)
        ax.set_ylim(-0.02, 1.02)
        ax.set_title(f"{tid} {str(g['name'].iloc[0])[:14]}", fontsize=8)
        ax.tick_params(labelsize=7)
        ax.set_xlabel("计划提前(−)/推迟(+) 月 shift (months)", fontsize=7)
    fig.suptitle(f"进度余量 Schedule slack: P(met) against the planned dates of the feeding projects (level {level:g})",
                 fontsize=11)
    return [("slack", "Schedule slack 进度余量", fig)]


def tornado_charts(data, top: int = 10) -> list:
    tor = data.tornado
    if tor is None or tor.empty:
        return []
    plt = _plt()
    out = []
    for tid, g in tor.groupby("indicator_id", sort=False):
        g = g.sort_values("rank").head(top).iloc[::-1]
        fig, ax = plt.subplots(figsize=(8, 0.35 * len(g) + 1.4))
        colors = [PALETTE[0] if k == "project delayed" else PALETTE[1] for k in g["kind"]]
        y = np.arange(len(g))
        ax.barh(y, g["change"], color=colors)
        ax.errorbar(g["change"], y, xerr=[g["change"] - g["change_low"], g["change_high"] - g["change"]],
                    fmt="none", ecolor="black", lw=0.8)
        ax.set_yticks(y)
        ax.set_yticklabels([f"{f} {str(n)[:14]}" for f, n in zip(g["factor"], g["factor_name"])], fontsize=7)
        ax.axvline(0, color="black", lw=0.8)
        ax.set_xlabel("P(met) 变化 change (蓝 blue: 项目推迟一年 project a year late; 橙 orange: 资金削减 source cut)",
                      fontsize=7)
        ax.set_title(f"{tid} {g['name'].iloc[0]} ({int(g['year'].iloc[0])}): P(met) {g['p_met_base'].iloc[0]:.2f}",
                     fontsize=10)
        fig.tight_layout()
        out.append((f"tornado_{tid}", f"Tornado {tid}", fig))
    return out


def difference_chart(data) -> list:
    ct = data.compare_targets
    if ct is None or ct.empty:
        return []
    plt = _plt()
    base = data.base
    ct = ct[(ct["scenario"].astype(str) != str(base)) & (ct["in_target_year"].astype(str).str.lower() == "true")]
    if ct.empty:
        return []
    variants = list(dict.fromkeys(ct["scenario"]))
    ids = list(dict.fromkeys(ct["indicator_id"]))
    fig, ax = plt.subplots(figsize=(10, 0.32 * len(ids) * 1 + 2))
    off = np.linspace(-0.3, 0.3, len(variants)) if len(variants) > 1 else [0.0]
    for k, (v, dy) in enumerate(zip(variants, off)):
        g = ct[ct["scenario"] == v].set_index("indicator_id").reindex(ids)
        y = np.arange(len(ids))[::-1] + dy
        ax.errorbar(g["diff_p_met"], y, xerr=[g["diff_p_met"] - g["diff_low"], g["diff_high"] - g["diff_p_met"]],
                    fmt="o", ms=3, color=PALETTE[k % len(PALETTE)], label=v, lw=1)
    ax.set_yticks(np.arange(len(ids))[::-1])
    names = ct.drop_duplicates("indicator_id").set_index("indicator_id")["name"]
    ax.set_yticklabels([f"{i} {str(names[i])[:14]}" for i in ids], fontsize=7)
    ax.axvline(0, color="black", lw=0.8)
    ax.set_xlabel(f"P(met) 与基准之差 difference from {base} (paired 95% interval)")
    ax.legend(fontsize=7)
    ax.set_title("情景比较 Scenario differences in each target's year", fontsize=11)
    fig.tight_layout()
    return [("differences", "Scenario differences 情景比较", fig)]


def render_all(data) -> list:
    """Every chart the folder supports, in report order: [(key, title, Figure)]."""
    out = []
    for fn in (fan_charts, capacity_charts, gantt, budget_chart, slack_charts, tornado_charts, difference_chart):
        out.extend(fn(data))
    return out
