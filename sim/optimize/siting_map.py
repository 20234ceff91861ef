"""Map of a siting result (matplotlib PNG, Chinese labels in the shipped Noto Sans SC): townships
shaded by demand weight, existing sites, the plan's sites, the chosen sites, and the coverage radius
around every open site.  Township areas are those of ``sim.geo.geodata.township_areas`` (approximate
Voronoi cells unless the user supplied boundaries: the map says which).

The coverage radius is in road km; a road km is ``DETOUR_FACTOR`` great-circle km
(``sim.geo.access``), so the circle drawn has a great-circle radius of radius / detour.
"""

from __future__ import annotations

import math
from pathlib import Path

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402
import geopandas as gpd  # noqa: E402
import numpy as np  # noqa: E402
from matplotlib.lines import Line2D  # noqa: E402
from matplotlib.patches import Ellipse  # noqa: E402

from ..errors import InputError  # noqa: E402
from ..fonts import use_cjk_font  # noqa: E402
from ..geo.access import DETOUR_FACTOR  # noqa: E402
from ..geo.geodata import BOUNDARY_NOTE, SOURCE_NOTE, county_boundary, township_areas  # noqa: E402
from ..geo.maps import _north_arrow, _scale_bar, plain_axes  # noqa: E402

MAP = "map_sites.png"


def draw_site_map(folder: Path, scenario, data, open_sites: np.ndarray, chosen: np.ndarray, radius: float | None,
                  title: str, subtitle: str, demand_label: str) -> str | None:
    """Draw ``map_sites.png`` into ``folder``; returns its name, or None when ``geodata/`` has no
    township areas for the scenario's region.  ``open_sites``/``chosen`` (U,) bool over ``data.units``."""
    areas = township_areas(scenario.region_unit)
    if areas is None or not set(data.units) <= set(areas["id"]):
        return None
    use_cjk_font()
    t = areas.set_index("id").loc[data.units].reset_index()
    t["demand"] = data.weights
    fig, ax = plt.subplots(figsize=(8.6, 7.4))
    lat0 = float(np.mean(data.points[:, 1]))
    t.plot(ax=ax, column="demand", cmap="YlOrBr", edgecolor="white", linewidth=0.7, legend=True,
           legend_kwds={"label": f"需求 demand: {demand_label}",
                        "shrink": 0.6})
    try:
        gpd.GeoSeries([county_boundary(scenario.region_unit)], crs=t.crs).boundary.plot(ax=ax, color="black", linewidth=1.0)
    except InputError:   # no committed county boundary: the township areas' outline is enough
        pass
    x, y = data.points[:, 0], data.points[:, 1]
    if radius is not None and radius > 0:
        r_deg_lat = radius / DETOUR_FACTOR / 111.32
        r_deg_lon = r_deg_lat / math.cos(math.radians(lat0))
        for j in np.flatnonzero(open_sites):
            ax.add_patch(Ellipse((x[j], y[j]), 2 * r_deg_lon, 2 * r_deg_lat, fill=False,
                                 edgecolor="#c0392b" if chosen[j] else "#2c3e50", linestyle="--", linewidth=0.8, alpha=0.8))
    kept = open_sites & ~chosen
    plan_only = data.planned & ~open_sites
    ax.scatter(x[kept], y[kept], marker="s", s=70, color="#2c3e50", edgecolor="white", zorder=4)
    ax.scatter(x[plan_only], y[plan_only], marker="o", s=70, facecolor="none", edgecolor="#2980b9", linewidth=1.5, zorder=4)
    ax.scatter(x[chosen], y[chosen], marker="*", s=260, color="#c0392b", edgecolor="black", linewidth=0.5, zorder=5)
    for j, name in enumerate(data.names):
        ax.annotate(name, (x[j], y[j]), xytext=(4, 4), textcoords="offset points", fontsize=7)
    plain_axes(ax, lat0)
    _scale_bar(ax, lat0)
    _north_arrow(ax)
    handles = [Line2D([], [], marker="s", linestyle="", color="#2c3e50", label="已有（固定） existing, kept"),
               Line2D([], [], marker="*", linestyle="", color="#c0392b", markersize=12, label="选址结果 chosen"),
               Line2D([], [], marker="o", linestyle="", markerfacecolor="none", color="#2980b9",
                      label="规划选址（未计入） plan's site, not kept")]
    if radius:
        handles.append(Line2D([], [], linestyle="--", color="#555555", label=f"覆盖半径 {radius:g} 道路公里 road km"))
    ax.legend(handles=handles, loc="lower right", fontsize=7, framealpha=0.9)
    ax.set_title(f"{title}\n{subtitle}", fontsize=9)
    boundary = "user" if (t["boundary"] == "user").all() else "approximate"
    lines = []
    if boundary == "approximate":
        lines.append("注意：乡镇边界为近似（驻地泰森多边形），非官方边界 — " + BOUNDARY_NOTE)
    lines.append("来源 Sources: " + SOURCE_NOTE)
    lines.append(f"距离 distance: great circle x {DETOUR_FACTOR} (road km estimate), seat to seat; "
                 f"需求年份 demand year {data.year}; 情景 scenario: {scenario.id}")
    fig.text(0.01, 0.01, "\n".join(lines), fontsize=6, va="bottom", ha="left", wrap=True)
    fig.subplots_adjust(bottom=0.1)
    fig.savefig(Path(folder) / MAP, dpi=110, metadata={"Software": None})
    plt.close(fig)
    return MAP
