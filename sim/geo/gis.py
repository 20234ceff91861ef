"""GIS outputs of a results folder: ``coverage.gpkg`` and the self-contained interactive map.

``coverage.gpkg`` (GeoPackage, EPSG:4326): layers ``townships`` (one row per township, every
per-township indicator and P(met) at the end of the plan period), ``county`` (the region with the
P(met) and mean of every simulated target in its year) and ``facilities`` (points).  Attribute names
are plain ASCII words a QGIS user can read; ``boundary`` says 'approximate' or 'user' on every
township row.  The GeoPackage timestamp is pinned (GDAL ``OGR_CURRENT_DATE``) so the same run gives
the same bytes.

``coverage_map.html``: one file, Leaflet and its plugins inlined by the PyPI package
``folium-offline`` (MIT), no tile layer, so opening it makes no network request; hovering over a
township shows its indicators.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import pandas as pd
import pyogrio

from .layers import SERVICE_ZH, GeoLayers

GPKG = "coverage.gpkg"
HTML = "coverage_map.html"
_PINNED_DATE = "2000-01-01T00:00:00.000Z"


def write_gpkg(layers: GeoLayers, folder: Path) -> str:
    path = Path(folder) / GPKG
    if path.exists():
        path.unlink()
    pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": _PINNED_DATE})
    try:
        t = layers.townships.drop(columns=[c for c in ("gen_lon", "gen_lat") if c in layers.townships.columns])
        t = t.assign(year=layers.year, boundary_note=layers.boundary_note)
        t.to_file(path, layer="townships", driver="GPKG")
        layers.county.assign(year=layers.year).to_file(path, layer="county", driver="GPKG")
        layers.facilities.to_file(path, layer="facilities", driver="GPKG")
    finally:
        pyogrio.set_gdal_config_options({"OGR_CURRENT_DATE": None})
    return GPKG


def _fmt(v) -> str:
    if v is None or (isinstance(v, float) and v != v):
        return ""
    if isinstance(v, float):
        return f"{v:.2f}" if abs(v) < 100 else f"{v:.0f}"
    return str(v)


def write_html(layers: GeoLayers, folder: Path) -> str:
    import offlinefolium as folium

    t = layers.townships.copy()
    fields = ["name_zh", "code", "boundary", "older_60plus", "beds_per_1000_older", "nursing_beds_per_100_disabled",
              *[f"P_cover_{k}" for k in SERVICE_ZH], "access_e2sfca_beds_per_1000_older", "km_to_funeral_home",
              "km_to_relief_station"]
    fields = [f for f in fields if f in t.columns]
    aliases = {"name_zh": "乡镇", "code": "代码 code", "boundary": "边界 boundary", "older_60plus": "60岁以上人口",
               "beds_per_1000_older": "每千老人床位", "nursing_beds_per_100_disabled": "护理床位/百名失能老人",
               "access_e2sfca_beds_per_1000_older": "E2SFCA 床位可达性", "km_to_funeral_home": "到殡仪馆 km",
               "km_to_relief_station": "到救助站 km",
               **{f"P_cover_{k}": f"P(覆盖) {v}" for k, v in SERVICE_ZH.items()}}
    for f in fields:
        t[f] = [_fmt(v) for v in t[f]]
    t["P_colour"] = layers.townships.get("P_cover_comprehensive_care", pd.Series([0.0] * len(t))).fillna(0).to_numpy()
    c = t.geometry.union_all().centroid
    m = folium.Map(location=[c.y, c.x], zoom_start=10, tiles=None, control_scale=True)
    minx, miny, maxx, maxy = t.total_bounds
    m.fit_bounds([[miny, minx], [maxy, maxx]])

    def style(feature):
        p = float(feature["properties"]["P_colour"])
        r, g = int(255 * (1 - p)), int(180 * p + 60)
        return {"fillColor": f"#{r:02x}{g:02x}50", "color": "#333333", "weight": 1, "fillOpacity": 0.6}

    gj = folium.GeoJson(t[fields + ["P_colour", "geometry"]].to_json(), name="townships", style_function=style,
                        tooltip=folium.GeoJsonTooltip(fields=fields, aliases=[aliases.get(f, f) for f in fields],
                                                      sticky=True))
    gj.add_to(m)
    folium.GeoJson(layers.county[["name_zh", "geometry"]].to_json(), name="county",
                   style_function=lambda f: {"fill": False, "color": "black", "weight": 2}).add_to(m)
    note = html.escape(layers.boundary_note if layers.boundary_kind == "approximate" else "township boundaries from the user")
    title = html.escape(f"{layers.scenario.region.get('name', '')} — 乡镇指标（{layers.year}年末）；颜色 = P(具备综合功能的养老服务机构)")
    m.get_root().html.add_child(folium.Element(
        f'<div id="map-title" style="position:fixed;top:8px;left:50px;z-index:1000;background:white;padding:4px 8px;'
        f'font:13px sans-serif;border:1px solid #999">{title}<br><small>{note}. {html.escape(layers.notes[-1])}</small></div>'))
    path = Path(folder) / HTML
    m.save(str(path))
    _stable_ids(path)
    _embed_font(path)
    return HTML


def _stable_ids(path: Path) -> None:
    """Replace folium's random element ids (``map_<32 hex>``, ``geo_json_<32 hex>``, ...) by their order
    of first appearance, so the same run writes the same page byte for byte."""
    text = path.read_text(encoding="utf-8")
    order: dict[str, str] = {}
    text = re.sub(r"(?<=_)[0-9a-f]{32}(?![0-9a-f])", lambda m: order.setdefault(m.group(0), f"{len(order):032x}"), text)
    path.write_text(text, encoding="utf-8")


def _embed_font(path: Path) -> None:
    """Inline a subset of the shipped Noto Sans SC (only the characters the page uses) as a data URL,
    so Chinese labels render without any system font or download."""
    import base64
    import io

    from fontTools import subset

    from ..fonts import cjk_font_path

    text = path.read_text(encoding="utf-8")
    escaped = {chr(int(h, 16)) for h in re.findall(r"\\u([0-9a-fA-F]{4})", text)}   # JSON-escaped labels
    chars = "".join(sorted({ch for ch in text if ord(ch) > 127} | escaped | set(map(chr, range(32, 127)))))
    opts = subset.Options()
    opts.flavor = None
    opts.layout_features = ["*"]
    font = subset.load_font(str(cjk_font_path()), opts)
    sub = subset.Subsetter(opts)
    sub.populate(text=chars)
    sub.subset(font)
    buf = io.BytesIO()
    font.save(buf)
    data = base64.b64encode(buf.getvalue()).decode("ascii")
    css = ("<style>@font-face{font-family:'NotoSansSCsub';src:url(data:font/otf;base64," + data + ") format('opentype');}"
           "body,.leaflet-container,.leaflet-tooltip,#map-title{font-family:'NotoSansSCsub',sans-serif !important;}</style>")
    path.write_text(text.replace("</head>", css + "</head>", 1), encoding="utf-8")
