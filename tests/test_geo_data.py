"""Geodata: datum conversion against published reference points, committed layers, township areas."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import geopandas as gpd
import numpy as np
import pytest
import shapely

from sim.errors import InputError
from sim.geo.datum import gcj_to_wgs, haversine_m, shift_m, wgs_to_gcj
from sim.geo.geodata import GEODATA, approximate_townships, county_boundary, township_areas, township_table

# Published WGS84 / GCJ-02 pairs: googollee/eviltransform (MIT), python/test.py (Shanghai, Shenzhen,
# Beijing), an implementation independent of prcoords.
REFERENCE = [
    # wgs lat, wgs lon, gcj lat, gcj lon
    (31.1774276, 121.5272106, 31.17530398364597, 121.531541859215),
    (22.543847, 113.912316, 22.540796131694766, 113.9171764808363),
    (39.911954, 116.377817, 39.91334545536069, 116.38404722455657),
]


@pytest.mark.parametrize("wlat, wlon, glat, glon", REFERENCE)
def test_gcj_to_wgs_matches_reference_points(wlat, wlon, glat, glon):
    lon, lat = gcj_to_wgs(glon, glat)
    assert haversine_m(lon, lat, wlon, wlat) < 1.0        # "a few metres" with a wide margin
    flon, flat = wgs_to_gcj(wlon, wlat)
    assert haversine_m(flon, flat, glon, glat) < 0.1      # the forward formula reproduces the table


def test_shift_at_tongdao_is_about_570_m():
    s = shift_m(109.7138, 26.15467)
    assert 450 < s < 700, s


def test_round_trip_is_within_a_centimetre():
    rng = np.random.default_rng(1)
    for lon, lat in zip(rng.uniform(98, 122, 50), rng.uniform(20, 42, 50)):
        back = gcj_to_wgs(*wgs_to_gcj(lon, lat))
        assert haversine_m(lon, lat, *back) < 0.01


@pytest.mark.parametrize("stem, n", [("counties_431230_tongdao", 1), ("counties_430100_changsha", 9),
                                     ("counties_532300_chuxiong", 10), ("counties_430000_hunan", 122),
                                     ("counties_420000_hubei", 103)])
def test_committed_county_layers(stem, n):
    path = GEODATA / f"{stem}.geojson"
    gdf = gpd.read_file(path)
    assert len(gdf) == n and gdf.crs.to_epsg() == 4326
    assert gdf.geometry.is_valid.all() and not gdf.geometry.is_empty.any()
    prov = json.loads(Path(str(path) + ".provenance.json").read_text(encoding="utf-8"))
    assert "MIT" in prov["licence"] and "WGS84" in prov["datum"] and prov["build_command"]


def test_tongdao_area_matches_published_area():
    # 2225.36 km2 (Huaihua land-use plan, cited on the county's Wikipedia page); the plan's own 2239 km2
    g = gpd.GeoSeries([county_boundary("431230")], crs=4326).to_crs("+proj=aea +lat_1=25 +lat_2=47 +lon_0=110")
    km2 = g.area.iloc[0] / 1e6
    assert 2150 < km2 < 2300, km2


def test_code_join_keeps_lufeng():
    with (GEODATA / "code_joins.csv").open(encoding="utf-8") as f:
        rows = {r["name_zh"]: r for r in csv.DictReader(f)}
    assert rows["禄丰市"]["cnmaps_adcode"] == "532331" and rows["禄丰市"]["stats_2023_code"] == "532302"


def test_every_known_seat_lies_inside_the_converted_county_boundary():
    boundary = county_boundary("431230")
    table = township_table("431230")
    assert len(table) == 11 and len({r["code"] for r in table}) == 11
    known = [r for r in table if r["seat_status"] in ("exact", "inferred")]
    assert len(known) >= 6
    for r in known:
        assert shapely.Point(float(r["seat_lon"]), float(r["seat_lat"])).within(boundary), r["name_zh"]
    for r in table:
        assert r["seat_status"] in ("exact", "inferred", "missing")
        assert (r["seat_status"] == "missing") == (r["seat_lon"] == "")


def test_township_codes_match_the_scenario_ids():
    from sim.loader import load_scenario
    sc = load_scenario(Path("scenarios/tongdao.yaml"))
    ids = {u.id for u in sc.rows("units") if u.level == "township"}
    assert {r["id"] for r in township_table("431230")} == ids


def test_approximate_areas_partition_the_county():
    boundary = county_boundary("431230")
    gdf = township_areas("431230")
    assert len(gdf) == 11 and set(gdf["boundary"]) == {"approximate"}
    union = shapely.union_all(gdf.geometry.values)
    assert abs(union.area - boundary.area) / boundary.area < 1e-3   # committed cells are rounded to 1e-5 deg
    overlap = sum(a.intersection(b).area for i, a in enumerate(gdf.geometry) for b in gdf.geometry[i + 1:])
    assert overlap / boundary.area < 1e-6
    for _, r in gdf[gdf["seat_status"] != "missing"].iterrows():   # each seat lies in its own cell
        assert r.geometry.covers(shapely.Point(r["seat_lon"], r["seat_lat"])), r["name_zh"]


def test_voronoi_of_two_points_splits_a_square_in_half():
    square = shapely.box(0, -0.5, 1, 0.5)
    rows = [{"id": "a", "code": "1", "name_zh": "甲", "seat_lon": "0.25", "seat_lat": "0"},
            {"id": "b", "code": "2", "name_zh": "乙", "seat_lon": "0.75", "seat_lat": "0"}]
    gdf = approximate_townships(rows, square)
    gdf = gdf.set_crs(None, allow_override=True)
    assert np.allclose(gdf.geometry.area, 0.5) and np.allclose(gdf.geometry.iloc[0].bounds[2], 0.5)


def test_user_boundaries_replace_the_approximate_ones(tmp_path):
    approx = township_areas("431230")
    user = approx[["code", "geometry"]].copy()
    user["code"] = user["code"].astype(str)
    (tmp_path / "user").mkdir()
    for f in GEODATA.glob("*_431230*"):
        (tmp_path / f.name).write_bytes(f.read_bytes())
    user.to_file(tmp_path / "user" / "townships_431230.geojson", driver="GeoJSON")
    got = township_areas("431230", geodata=tmp_path)
    assert set(got["boundary"]) == {"user"} and len(got) == 11
    user.iloc[1:].to_file(tmp_path / "user" / "townships_431230.geojson", driver="GeoJSON")
    with pytest.raises(InputError, match="missing"):
        township_areas("431230", geodata=tmp_path)
