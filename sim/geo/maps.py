"""Maps of a results folder (matplotlib, PNG and SVG), Chinese labels in the shipped Noto Sans SC.

Every map has a title, a legend or colour bar, a scale bar, a north arrow, its sources and, when the
township areas are the approximate Voronoi cells, the note saying so.  Files are byte-stable for the
same input (no dates in the metadata, a fixed SVG hash salt).

    draw_maps(layers, folder) -> list of file names written
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402

from ..fonts import use_cjk_font  # noqa: E402
from .layers import FACILITY_ZH, SERVICE_ZH, GeoLayers  # noqa: E402

MAPS = ("map_supply_demand", "map_p_covered", "map_facilities", "map_catchments", "map_accessibility")
TYPE_COLOURS = {"care_home": "#c0392b", "community_care_center": "#e67e22", "day_care_center": "#f1c40f",
                "funeral_home": "#2c3e50", "public_cemetery": "#7f8c8d", "funeral_service_station": "#95a5a6",
                "relief_station": "#8e44ad", "social_work_station": "#2980b9", "childrens_home": "#27ae60",
                "minor_protection_station": "#16a085", "minor_protection_center": "#1abc9c"}


def _setup():
    use_cjk_font()
    matplotlib.rcParams["svg.hashsalt"] = "minzheng-sim"
    matplotlib.rcParams["svg.fonttype"] = "path"


def plain_axes(ax, lat0: float) -> None:
    """A map's axes in degrees: equal-distance aspect at latitude ``lat0`` (1 / cos lat), no ticks,
    axis labels or frame."""
    ax.set_aspect(1 / math.cos(math.radians(lat0)))
    ax.set_xticks([])
    ax.set_yticks([])
    ax.set_xlabel("")
    ax.set_ylabel("")
    for s in ax.spines.values():
        s.set_visible(False)


def _frame(ax, layers: GeoLayers):
    lat0 = layers.townships.geometry.union_all().centroid.y
    plain_axes(ax, lat0)
    layers.county.boundary.plot(ax=ax, color="black", linewidth=1.0)
    _scale_bar(ax, lat0)
    _north_arrow(ax)


def _scale_bar(ax, lat0: float, km: float = 10.0):
    x0, x1 = ax.get_xlim()
    y0, y1 = ax.get_ylim()
    dx = km / (111.32 * math.cos(math.radians(lat0)))
    x, y = x0 + 0.05 * (x1 - x0), y0 + 0.05 * (y1 - y0)
    ax.plot([x, x + dx], [y, y], color="black", linewidth=3, solid_capstyle="butt")
    ax.text(x + dx / 2, y + 0.015 * (y1 - y0), f"{km:.0f} km", ha="center", va="bottom", fontsize=7)


def _north_arrow(ax):
    ax.annotate("N", xy=(0.93, 0.97), xytext=(0.93, 0.86), xycoords="axes fraction", ha="center", va="center",
                fontsize=10, arrowprops={"arrowstyle": "-|>", "color": "black", "lw": 1.5})


def _footer(fig, layers: GeoLayers, extra: str = ""):
    lines = []
    if layers.boundary_kind == "approximate":
        lines.append("注意：乡镇边界为近似（驻地泰森多边形，裁剪至县界），非官方边界 — " + layers.boundary_note)
    lines.append("来源 Sources: " + layers.notes[-1])
    if extra:
        lines.append(extra)
    lines.append(f"情景 scenario: {layers.scenario.id}; 年末 end of year {layers.year}; 坐标 WGS84")
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=6, va="bottom", ha="left", wrap=True)


def _choropleth(ax, layers: GeoLayers, column: str, title: str, cmap: str, vmin=None, vmax=None, label: str = ""):
    t = layers.townships
    t.plot(ax=ax, column=column, cmap=cmap, vmin=vmin, vmax=vmax, edgecolor="white", linewidth=0.6,
           legend=True, legend_kwds={"label": label, "shrink": 0.6},
           missing_kwds={"color": "#eeeeee", "label": "无数据 no data"})
    for _, r in t.iterrows():
        p = r.geometry.representative_point()
        v = r[column]
        txt = r["name_zh"] + ("" if v != v else f"\n{v:.2f}" if abs(v) < 10 else f"\n{v:.0f}")
        ax.text(p.x, p.y, txt, ha="center", va="center", fontsize=6)
    ax.set_title(title, fontsize=9)
    _frame(ax, layers)


def _save(fig, folder: Path, stem: str) -> list[str]:
    fig.savefig(folder / f"{stem}.png", dpi=110, metadata={"Software": None})
    fig.savefig(folder / f"{stem}.svg", metadata={"Date": None, "Creator": None})
    plt.close(fig)
    return [f"{stem}.png", f"{stem}.svg"]


def map_supply_demand(layers: GeoLayers, folder: Path) -> list[str]:
    fig, axes = plt.subplots(1, 2, figsize=(11, 6.2))
    y = layers.year
    _choropleth(axes[0], layers, "beds_per_1000_older", f"每千名老年人养老机构床位（{y}年末）\nbeds per 1,000 people aged 60+",
                "YlGn", label="张/千名60岁以上老人")
    _choropleth(axes[1], layers, "nursing_beds_per_100_disabled",
                f"护理型床位 / 百名失能老人（{y}年末）\nnursing beds per 100 disabled older people", "PuBu",
                label="张/百名失能老人")
    fig.suptitle(f"{layers.scenario.region.get('name', '')} 养老床位供需（乡镇，蒙特卡洛均值）", fontsize=11)
    _footer(fig, layers, "床位为建在该乡镇的机构床位；县域统筹设施（如日间照料中心）不计入乡镇 (county-wide facilities are in no township)")
    return _save(fig, folder, "map_supply_demand")


def map_p_covered(layers: GeoLayers, folder: Path) -> list[str]:
    keys = list(SERVICE_ZH)
    fig, axes = plt.subplots(2, 3, figsize=(12, 8.5))
    for ax, key in zip(axes.ravel(), keys):
        _choropleth(ax, layers, f"P_cover_{key}", f"{SERVICE_ZH[key]}\nP(covered by end of {layers.year})", "RdYlGn",
                    0, 1, label="概率 probability")
    axes.ravel()[-1].axis("off")
    fig.suptitle(f"乡镇服务覆盖概率（{layers.year}年末）P(township has the service)", fontsize=11)
    _footer(fig, layers, "未指明乡镇的县级设施按未覆盖乡镇平均分摊 (unsited county facilities count as an even share)")
    return _save(fig, folder, "map_p_covered")


def map_facilities(layers: GeoLayers, folder: Path) -> list[str]:
    fig, axes = plt.subplots(1, 2, figsize=(11, 6.2))
    f = layers.facilities
    panels = ((f[f.status == "existing"], f"建设前 before ({layers.base_year})", 1.0),
              (f, f"建设后 after (plan end {layers.year}; 项目按按期完成概率着色 alpha = P(on time))", None))
    for ax, (sub, title, alpha) in zip(axes, panels):
        layers.townships.plot(ax=ax, color="#f4f4f4", edgecolor="#aaaaaa", linewidth=0.5)
        for _, r in sub.iterrows():
            size = 12 + 0.6 * float(r["beds"] or 0)
            a = alpha if alpha is not None else (0.9 if r.status == "existing" else
                                                 max(0.15, min(0.9, r.p_online_by_plan_end if r.p_online_by_plan_end == r.p_online_by_plan_end else 0.5)))
            ax.scatter([r.geometry.x], [r.geometry.y], s=size, color=TYPE_COLOURS.get(r.facility_type, "#555555"),
                       alpha=a, edgecolor="black", linewidth=0.3, zorder=3)
        ax.set_title(title, fontsize=9)
        _frame(ax, layers)
    types = [t for t in TYPE_COLOURS if t in set(f.facility_type)]
    handles = [Line2D([], [], marker="o", linestyle="", color=TYPE_COLOURS[t], label=FACILITY_ZH.get(t, t)) for t in types]
    handles += [Line2D([], [], marker="o", linestyle="", color="#888888", markersize=math.sqrt(12 + 0.6 * b),
                       label=f"{b} 张床 beds") for b in (50, 200, 500)]
    fig.legend(handles=handles, loc="center right", fontsize=7, frameon=False)
    fig.suptitle("设施与床位：规划建设前后 facilities sized by beds, before / after the build-out", fontsize=11)
    _footer(fig, layers, "设施位于所在乡镇驻地（县级设施位于县城所在乡镇），同一乡镇的点围绕驻地排开 (points stand at the township seat)")
    fig.subplots_adjust(right=0.83)
    return _save(fig, folder, "map_facilities")


def map_catchments(layers: GeoLayers, folder: Path) -> list[str]:
    fig, axes = plt.subplots(1, 2, figsize=(11, 6.2))
    specs = (("km_to_funeral_home", "funeral_home", "殡仪馆服务范围 funeral home catchment"),
             ("km_to_relief_station", "relief_station", "救助管理站服务范围 relief station catchment"))
    t = layers.townships
    vmax = np.nanmax([t[c].max() for c, *_ in specs if c in t.columns] + [1.0])
    for ax, (col, ftype, title) in zip(axes, specs):
        if col not in t.columns:
            ax.axis("off")
            ax.set_title(title + "\n(无此设施 none in the scenario)", fontsize=9)
            continue
        _choropleth(ax, layers, col, title + "\n道路距离估计 road km", "OrRd", 0, vmax, label="km")
        site = layers.facilities[layers.facilities.facility_type == ftype]
        ax.scatter(site.geometry.x, site.geometry.y, marker="*", s=160, color="black", zorder=4,
                   label=FACILITY_ZH[ftype])
        ax.legend(loc="lower right", fontsize=7)
    fig.suptitle("殡仪馆与救助管理站的服务范围（乡镇驻地到设施的道路距离估计）", fontsize=11)
    _footer(fig, layers, layers.notes[0])
    return _save(fig, folder, "map_catchments")


def map_accessibility(layers: GeoLayers, folder: Path) -> list[str]:
    fig, axes = plt.subplots(1, 2, figsize=(11, 6.2))
    _choropleth(axes[0], layers, "access_2sfca_beds_per_1000_older", "2SFCA 床位可达性（30 km）\nbeds per 1,000 aged 60+",
                "YlGnBu", label="张/千人")
    _choropleth(axes[1], layers, "access_e2sfca_beds_per_1000_older", "E2SFCA（10/20/30 km 权重 1/0.68/0.22）\nbeds per 1,000 aged 60+",
                "YlGnBu", label="张/千人")
    fig.suptitle(f"养老机构床位空间可达性（{layers.year}年末，两步移动搜寻法）", fontsize=11)
    _footer(fig, layers, layers.notes[0] + "; " + layers.notes[1])
    return _save(fig, folder, "map_accessibility")


def draw_maps(layers: GeoLayers, folder: Path) -> list[str]:
    """Draw every map into ``folder``; returns the file names written."""
    _setup()
    folder = Path(folder)
    out: list[str] = []
    for fn in (map_supply_demand, map_p_covered, map_facilities, map_catchments, map_accessibility):
        out += fn(layers, folder)
    return out
