"""County choropleths of a multi-county region: P(the county meets a county-counted target).

For every target counted over counties (targets.csv ``count_over`` = county, docs/regions.md) one map
``map_county_<target id>.png`` / ``.svg``: each county coloured by P(its own quantity >= the
target's ``unit_threshold``) at the end of the target year, read from ``county_indicators.csv``.
Boundaries: ``geodata/counties_<region id>_*.geojson`` (real county boundaries shipped with the
repository, property ``adcode`` = the county's 6-digit code; see geodata/README.md for their source
and datum), or the same file name in a ``geodata/`` folder beside the scenario YAML.  A region without such a file gets no county maps (said on the progress line).
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd

REPO = Path(__file__).resolve().parent.parent.parent
GEODATA = REPO / "geodata"


def county_layer_path(region_unit: str, geodata: Path = GEODATA) -> Path | None:
    """The county boundary file of a region, or None."""
    hits = sorted(Path(geodata).glob(f"counties_{region_unit}_*.geojson"))
    return hits[0] if hits else None


def county_map_names(table: pd.DataFrame) -> list[str]:
    """The targets that get a county map: those counted over counties in ``county_indicators.csv``."""
    if table is None or table.empty:
        return []
    return list(dict.fromkeys(table.loc[table.level == "county", "indicator_id"]))


def draw_county_maps(folder: Path, scenario, table: pd.DataFrame, geodata: Path | None = None,
                     progress=None) -> list[str]:
    """Draw one choropleth per county-counted target into ``folder``; returns the file names.

    ``geodata``: the folder holding ``counties_<region id>_*.geojson``; default: a ``geodata/``
    folder beside the scenario YAML if it has one for the region (a user's own boundaries), else the
    repository's ``geodata/``."""
    import geopandas as gpd
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from ..fonts import use_cjk_font
    from .maps import plain_axes

    say = progress or (lambda msg: None)
    ids = county_map_names(table)
    if not ids:
        return []
    if geodata is None:
        own = Path(scenario.path).parent / "geodata"
        path = county_layer_path(scenario.region_unit, own) or county_layer_path(scenario.region_unit, GEODATA)
    else:
        path = county_layer_path(scenario.region_unit, geodata)
    if path is None:
        say(f"maps: no county boundaries for region {scenario.region_unit} (geodata/counties_{scenario.region_unit}_*.geojson); "
            "county maps skipped")
        return []
    gdf = gpd.read_file(path)
    # the statistical code (统计用区划代码) where the file gives it, else the map provider's adcode
    # (cnmaps' 禄丰 is adcode 532331, stats_code 532302: geodata/code_joins.csv)
    code = gdf["stats_code"] if "stats_code" in gdf.columns else gdf["adcode"]
    gdf["unit"] = code.where(code.notna() & (code.astype(str) != ""), gdf["adcode"]).astype(str)
    use_cjk_font()
    matplotlib.rcParams["svg.hashsalt"] = "minzheng-sim"
    matplotlib.rcParams["svg.fonttype"] = "path"
    names: list[str] = []
    targets = scenario.by_id("targets")
    for tid in ids:
        t = targets.get(tid)
        rows = table[(table.indicator_id == tid) & (table.level == "county")]
        year = int(t.year) if t is not None else int(rows.year.max())
        rows = rows[rows.year == year][["unit", "p_met", "name_zh"]].copy()
        rows["unit"] = rows["unit"].astype(str)
        layer = gdf.merge(rows, on="unit", how="left", suffixes=("_geo", ""))
        missing = sorted(set(rows.unit) - set(gdf.unit))
        fig, ax = plt.subplots(figsize=(8, 7))
        layer.plot(ax=ax, column="p_met", cmap="RdYlGn", vmin=0, vmax=1, edgecolor="white", linewidth=0.6,
                   legend=True, legend_kwds={"label": "P(该县达标) P(county meets it)", "shrink": 0.6},
                   missing_kwds={"color": "#eeeeee", "label": "无数据 no data"})
        many = len(layer) > 30   # a province: names only, smaller (the values are in county_indicators.csv)
        for _, r in layer.iterrows():
            p = r.geometry.representative_point()
            name = r["name_zh"] if isinstance(r.get("name_zh"), str) else r.get("name_zh_geo", r["unit"])
            v = r["p_met"]
            ax.text(p.x, p.y, f"{name}" + ("" if v != v or many else f"\n{v:.2f}"), ha="center", va="center",
                    fontsize=3.5 if many else 6)
        plain_axes(ax, layer.geometry.union_all().centroid.y)
        name = t.name_zh if t is not None else tid
        thr = t.unit_threshold if t is not None else None
        ax.set_title(f"{name}（{year}年末）\nP(county's {t.unit_quantity if t is not None else ''} >= {thr:g})"
                     if thr is not None else f"{name}（{year}年末）", fontsize=9)
        foot = [f"来源 Sources: county boundaries {path.name} (see its .provenance.json); simulation: county_indicators.csv",
                f"情景 scenario: {scenario.id}; 目标 target {tid}; 坐标 WGS84"]
        if missing:
            foot.insert(0, f"无边界的县 counties without a boundary: {', '.join(missing)}")
        fig.text(0.01, 0.01, "\n".join(foot), fontsize=6, va="bottom", ha="left", wrap=True)
        stem = f"map_county_{tid}"
        # a province's county names are small: a finer raster keeps them legible (the SVG is vector)
        fig.savefig(Path(folder) / f"{stem}.png", dpi=300 if many else 110, metadata={"Software": None})
        fig.savefig(Path(folder) / f"{stem}.svg", metadata={"Date": None, "Creator": None})
        plt.close(fig)
        names += [f"{stem}.png", f"{stem}.svg"]
    say(f"maps: {len(ids)} county map(s) from {path.name}")
    return names
