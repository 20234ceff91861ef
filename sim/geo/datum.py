"""GCJ-02 ("Mars coordinates", used by AMap/高德) -> WGS84.

The forward transform (WGS84 -> GCJ-02) is the published obfuscation formula on the Krasovsky 1940
ellipsoid, as implemented and documented by the PyPI package ``prcoords`` (Mingye Wang, CC0 / GPLv3+;
it cites caijun/geoChina and googollee/eviltransform).  There is no closed-form inverse; we use
``prcoords.gcj_wgs_bored``, the fixed-point iteration of Cai Jun (2014): start from
``wgs = gcj - (f(gcj) - gcj)`` and repeat ``wgs -= f(wgs) - gcj`` until the residual is below ``prcoords.PRC_EPS`` (1e-5 deg) or 10
steps; the round trip WGS84 -> GCJ-02 -> WGS84 is then within a few millimetres (tested).  The shift is of the order of 100-700 m in
mainland China (about 570 m at Tongdao).

Functions take and return (lon, lat) order, unlike ``prcoords`` (lat, lon).
"""

from __future__ import annotations

import numpy as np
import prcoords
import shapely


def gcj_to_wgs(lon: float, lat: float) -> tuple[float, float]:
    """One point, degrees (lon, lat) GCJ-02 -> (lon, lat) WGS84."""
    c = prcoords.gcj_wgs_bored((lat, lon), False)
    return (c.lon, c.lat)


def wgs_to_gcj(lon: float, lat: float) -> tuple[float, float]:
    """One point, degrees (lon, lat) WGS84 -> (lon, lat) GCJ-02 (the forward formula)."""
    c = prcoords.wgs_gcj((lat, lon), False)
    return (c.lon, c.lat)


def gcj_to_wgs_array(xy: np.ndarray) -> np.ndarray:
    """(N, 2) array of (lon, lat) GCJ-02 -> (N, 2) WGS84."""
    xy = np.asarray(xy, dtype=float)
    out = np.empty_like(xy)
    for i, (x, y) in enumerate(xy):
        out[i] = gcj_to_wgs(x, y)
    return out


def gcj_to_wgs_geometry(geom):
    """A shapely geometry in GCJ-02 -> the same geometry in WGS84 (every vertex converted)."""
    return shapely.transform(geom, gcj_to_wgs_array)


def haversine_m(lon1, lat1, lon2, lat2, radius_m: float = 6371008.8) -> np.ndarray:
    """Great-circle distance in metres on a sphere of the IUGG mean radius (broadcasts)."""
    lon1, lat1, lon2, lat2 = (np.radians(np.asarray(v, dtype=float)) for v in (lon1, lat1, lon2, lat2))
    a = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    return 2 * radius_m * np.arcsin(np.sqrt(np.clip(a, 0.0, 1.0)))


def shift_m(lon: float, lat: float) -> float:
    """Size of the GCJ-02 offset (metres) at a WGS84 point."""
    gx, gy = wgs_to_gcj(lon, lat)
    return float(haversine_m(lon, lat, gx, gy))


__all__ = ["gcj_to_wgs", "wgs_to_gcj", "gcj_to_wgs_array", "gcj_to_wgs_geometry", "haversine_m", "shift_m"]
