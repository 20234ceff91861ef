"""Assemble the geographic layers of a results folder: townships with their indicators and
accessibility, the county with its indicators, and facility points before / after the build-out.

Everything is read from the results folder's files (``townships.csv``, ``indicators.csv``,
``projects.csv``) and the scenario, so ``run`` and ``map RESULTS_DIR`` draw the same thing.

Facility points: facilities have no coordinates of their own; each stands at its township's seat
(or, for a township without a known seat, at the generator point of its approximate area) and
county-level items at the county seat township (``region.seat``).  Points of one township are
spread on a small circle so they do not hide each other.  Distances are therefore seat-to-seat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from pathlib import Path

import geopandas as gpd
import numpy as np
import pandas as pd
import shapely

from .access import DETOUR_FACTOR, DETOUR_SOURCE, capacitated_assignment, e2sfca, road_km, two_sfca
from .geodata import BOUNDARY_NOTE, CRS, SOURCE_NOTE, county_boundary, township_areas
from .townships import SERVICES

CATCHMENT_KM = 30.0   # assumption: 2SFCA catchment of an eldercare bed, road km (about an hour on county roads)
SERVICE_ZH = {k: v[1] for k, v in SERVICES.items()}
FACILITY_ZH = {"care_home": "养老机构", "community_care_center": "社区养老服务机构", "day_care_center": "日间照料",
               "funeral_home": "殡仪馆", "public_cemetery": "公益性公墓", "funeral_service_station": "殡仪服务站",
               "relief_station": "救助管理站", "social_work_station": "社工站", "childrens_home": "儿童之家",
               "minor_protection_station": "未成年人保护工作站", "minor_protection_center": "未成年人救助保护中心"}


class GeoMismatch(Exception):
    """The scenario's townships are not those of geodata/ (maps are skipped with this reason)."""


@dataclass
class GeoLayers:
    scenario: object
    year: int                              # the year the maps describe (end of the plan period)
    base_year: int
    townships: gpd.GeoDataFrame            # one row per township, indicators as columns
    county: gpd.GeoDataFrame               # one row: the region with its indicators
    facilities: gpd.GeoDataFrame           # one row per facility / project output (points)
    boundary_kind: str                     # 'approximate' or 'user'
    notes: list[str] = field(default_factory=list)

    @property
    def boundary_note(self) -> str:
        return BOUNDARY_NOTE if self.boundary_kind == "approximate" else "township boundaries supplied by the user"


def _read(folder: Path, name: str) -> pd.DataFrame:
    return pd.read_csv(folder / name, encoding="utf-8-sig", dtype={"unit": str, "township": str})


def township_points(areas: gpd.GeoDataFrame) -> dict[str, tuple[float, float]]:
    """Township id -> (lon, lat): the seat if known, else the generator point, else a point inside."""
    out = {}
    for _, r in areas.iterrows():
        if pd.notna(r.get("seat_lon")) and pd.notna(r.get("seat_lat")):
            out[r["id"]] = (float(r["seat_lon"]), float(r["seat_lat"]))
        elif "gen_lon" in areas.columns and pd.notna(r.get("gen_lon")):
            out[r["id"]] = (float(r["gen_lon"]), float(r["gen_lat"]))
        else:
            p = r.geometry.representative_point()
            out[r["id"]] = (p.x, p.y)
    return out


def build_layers(folder: Path, scenario, geodata: Path | None = None) -> GeoLayers | None:
    """The layers of a results folder, or None when geodata/ has no townships for the scenario's region."""
    kw = {} if geodata is None else {"geodata": geodata}
    areas = township_areas(scenario.region_unit, **kw)
    if areas is None:
        return None
    folder = Path(folder)
    tw = _read(folder, "townships.csv")
    mismatch = sorted(set(tw["unit"]) ^ set(areas["id"]))
    if mismatch:
        raise GeoMismatch(f"township {mismatch[0]} is in the scenario or in geodata/ but not in both "
                          f"({len(mismatch)} such); maps need the scenario's townships to match geodata/townships_"
                          f"{scenario.region_unit}.csv")
    ind = _read(folder, "indicators.csv")
    year = int(scenario.period[1])
    base = int(scenario.base_year)
    pts = township_points(areas)
    ids = list(areas["id"])
    xy = np.array([pts[i] for i in ids])
    cost = road_km(xy, xy)

    t = areas.copy()
    t = t.rename(columns={"id": "township_id"})
    now = tw[tw.year == year].set_index("unit").reindex(ids)
    then = tw[tw.year == base].set_index("unit").reindex(ids)
    t["older_60plus"] = now["older"].to_numpy()
    t["disabled_older"] = now["disabled"].to_numpy()
    t[f"beds_{base}"] = then["beds"].to_numpy()
    t[f"beds_{year}"] = now["beds"].to_numpy()
    t["bed_demand"] = now["bed_demand"].to_numpy()
    t["beds_per_1000_older"] = now["beds_per_1000_older"].to_numpy()
    t["nursing_beds_per_100_disabled"] = now["nursing_beds_per_100_disabled"].to_numpy()
    for key in SERVICES:
        t[f"P_cover_{key}"] = now[f"p_cover_{key}"].to_numpy()
    # per-township P(met) of each coverage target in its own year
    trows = ind[ind.get("level", pd.Series(dtype=str)) == "township"] if "level" in ind.columns else ind.iloc[0:0]
    for tid in sorted(set(trows["parent_indicator"].dropna())):
        sub = trows[(trows.parent_indicator == tid) & (trows.year == trows.target_year)].set_index("township")
        t[f"P_met_{tid}"] = sub.reindex(ids)["p_met"].to_numpy()

    # accessibility at the end of the plan period (expected beds as supply)
    older = t["older_60plus"].fillna(0).to_numpy()
    beds = t[f"beds_{year}"].fillna(0).to_numpy()
    t["access_2sfca_beds_per_1000_older"] = 1000 * two_sfca(older, beds, cost, max_cost=CATCHMENT_KM)
    t["access_e2sfca_beds_per_1000_older"] = 1000 * e2sfca(older, beds, cost)
    flows, unserved = capacitated_assignment(t["bed_demand"].fillna(0).to_numpy(), beds, cost)
    served = flows.sum(axis=1)
    t["bed_demand_unserved"] = unserved
    t["assigned_km_mean"] = np.divide((flows * cost).sum(axis=1), served, out=np.full(len(ids), np.nan),
                                      where=served > 0)

    fac = facility_points(scenario, pts, folder)
    for ftype, col in (("funeral_home", "km_to_funeral_home"), ("relief_station", "km_to_relief_station")):
        sites = sorted(set(fac.loc[fac.facility_type == ftype, "township_id"]))
        if sites:
            j = [ids.index(s) for s in sites if s in ids]
            t[col] = cost[:, j].min(axis=1) if j else np.nan
    t["boundary"] = areas["boundary"].to_numpy()

    county = county_layer(scenario, ind)
    notes = [f"distances: great circle x {DETOUR_FACTOR} ({DETOUR_SOURCE}), seat to seat",
             f"2SFCA catchment {CATCHMENT_KM:.0f} km (assumption); E2SFCA weights 1 / 0.68 / 0.22 within "
             "10 / 20 / 30 km (the access package's default steps, read as km)", SOURCE_NOTE]
    kind = "user" if (areas["boundary"] == "user").all() else "approximate"
    return GeoLayers(scenario, year, base, gpd.GeoDataFrame(t, geometry="geometry", crs=CRS), county, fac, kind, notes)


def county_layer(scenario, ind: pd.DataFrame) -> gpd.GeoDataFrame:
    geom = county_boundary(scenario.region_unit)
    row = {"code": scenario.region_unit, "name_zh": scenario.region.get("name", scenario.name)}
    county_rows = ind[ind["level"] == "county"] if "level" in ind.columns else ind
    for _, r in county_rows[county_rows.year == county_rows.target_year].iterrows():
        if bool(r.get("simulated")):
            row[f"P_met_{r.indicator_id}"] = r.p_met
            row[f"mean_{r.indicator_id}"] = r["mean"]
    return gpd.GeoDataFrame([row], geometry=[geom], crs=CRS)


def facility_points(scenario, pts: dict[str, tuple[float, float]], folder: Path | None = None) -> gpd.GeoDataFrame:
    """One point per facility (existing) and project output, with beds and P(complete by plan end)."""
    seat = scenario.region.get("seat")
    p_done = {}
    if folder is not None and (Path(folder) / "projects.csv").is_file():
        pr = _read(Path(folder), "projects.csv")
        col = next((c for c in pr.columns if c.startswith("p_complete_by_plan")), None)
        if col:
            p_done = dict(zip(pr["project"], pr[col]))
    rows = []
    for f in scenario.rows("facilities"):
        rows.append({"facility_id": f.id, "name_zh": f.name_zh, "facility_type": f.facility_type, "unit": f.unit,
                     "beds": f.beds or 0.0, "project": "", "status": "existing", "p_online_by_plan_end": 1.0})
    for o in scenario.rows("project_outputs"):
        rows.append({"facility_id": o.facility or o.id, "name_zh": o.name_zh, "facility_type": o.facility_type,
                     "unit": o.unit, "beds": o.beds or 0.0, "project": o.project, "status": "project output",
                     "p_online_by_plan_end": float(p_done.get(o.project, np.nan))})
    df = pd.DataFrame(rows)
    df["township_id"] = [u if u in pts else seat for u in df["unit"]]
    df["county_wide"] = [u not in pts for u in df["unit"]]
    df = df[df["township_id"].isin(list(pts))].reset_index(drop=True)
    geoms = []
    for tid, grp in df.groupby("township_id", sort=False):
        n = len(grp)
        x0, y0 = pts[tid]
        for k, idx in enumerate(grp.index):
            a = 2 * math.pi * k / max(n, 1)
            r = 0.0 if n == 1 else 0.012
            geoms.append((idx, shapely.Point(x0 + r * math.cos(a) / math.cos(math.radians(y0)), y0 + r * math.sin(a))))
    geoms.sort()
    return gpd.GeoDataFrame(df, geometry=[g for _, g in geoms], crs=CRS)
