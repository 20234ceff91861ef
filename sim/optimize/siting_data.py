"""From a loaded scenario to a siting problem: the services that can be sited, demand per township,
the sites that already hold the service, capacities, and the distance matrix.

* Candidates and demand points are the scenario's townships (the projected units).  Villages have no
  coordinates in the scenario or in ``geodata/``, so they are not candidates; a village-counted
  demand (``--demand villages``) puts each township's villages + communities at its seat.
* Points: the township seat from ``geodata/townships_<county>.csv`` (GeoNames), or, for a township
  without a known seat, the generator point of its approximate area (``sim.geo.geodata``; the same
  points the maps and the 2SFCA use, ``sim.geo.layers.township_points``).  Without township geodata
  the ``lon, lat`` of units.csv are used if every township has them.
* Distances: road km estimated as great-circle (haversine) x the detour factor 1.4
  (``sim.geo.access.road_km``, source ``DETOUR_SOURCE``), seat to seat, so a township's own site is
  at distance 0.
* Demand weights: from the deterministic population projection (central parameter values, one
  replication) in the chosen year: people aged 60+ (``older``), projected deaths in that year
  (``deaths``), minors aged 0-17 (``minors``), all residents (``population``), or villages +
  communities from units.csv (``villages``).  Each service names its default.
* Existing sites: the base-year facilities of the service (facilities.csv); with the plan's sites kept
  (``keep_planned``), also the townships where the plan's project outputs of the service stand.
  County-level rows stand at the county seat township (``region.seat``), as in the maps.
* Capacities (capacitated model only): for a service measured in beds, demand is the eldercare model's
  institutional bed demand per township (``sim.services.eldercare.bed_demand``, the same deterministic
  run) and capacity is beds; otherwise demand is the weight and every facility's capacity is the one
  given on the command line.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from statistics import median

import numpy as np
import pandas as pd

from ..errors import InputError


@dataclass(frozen=True)
class Service:
    """A service that can be sited: facility types (and a function tag) that provide it."""

    key: str
    name_zh: str
    facility_types: tuple[str, ...]
    function: str | None
    demand: str                       # default demand weight (see DEMANDS)
    measure: str | None               # capacity measure of the capacitated model ('beds') or None
    why: str                          # why this demand weight


SERVICES = {
    "regional_care_home": Service("regional_care_home", "区域性中心敬老院", ("care_home",), "regional", "older", "beds",
                                  "people aged 60+ are the clients of an eldercare institution"),
    "care_home": Service("care_home", "养老机构（敬老院）", ("care_home",), None, "older", "beds",
                         "people aged 60+ are the clients of an eldercare institution"),
    "funeral_service_station": Service("funeral_service_station", "殡仪服务站", ("funeral_service_station",), None,
                                       "deaths", None, "a funeral service station serves the families of the deceased"),
    "minor_protection_station": Service("minor_protection_station", "未成年人保护工作站", ("minor_protection_station",),
                                        None, "minors", None, "a minors' protection station serves people under 18"),
}
DEMANDS = {"older": "people aged 60+", "deaths": "projected deaths in the year", "minors": "minors aged 0-17",
           "population": "all residents", "villages": "villages + communities (村居)"}


@dataclass
class SitingData:
    """Everything the command needs about one service in one scenario.  U townships.

    ``units`` (U,) ids, ``names`` (U,) Chinese names, ``points`` (U, 2) lon/lat, ``point_kind`` (U,)
    'seat' | 'generator' | 'units.csv'; ``cost`` (U, U) road km; ``weights`` (U,) demand weight;
    ``existing`` (U,) bool (base-year facilities, plus the plan's sites when kept); ``planned`` (U,)
    bool, townships where the plan's project outputs of the service stand; ``existing_labels``
    township -> facility / output ids; ``cap_demand`` (U,) and ``capacity`` (U,) for the capacitated
    model (capacity of a new site from ``new_capacity``); ``template`` the plan's projects that build
    only this service (for the overlay's defaults)."""

    service: Service
    year: int
    demand_kind: str
    units: list[str]
    names: list[str]
    points: np.ndarray
    point_kind: list[str]
    cost: np.ndarray
    weights: np.ndarray
    existing: np.ndarray
    planned: np.ndarray
    existing_labels: dict[str, list[str]]
    planned_labels: dict[str, list[str]]
    planned_outputs: list[str]
    base_capacity: np.ndarray          # (U,) capacity already at each township (base year; + plan if kept)
    cap_demand: np.ndarray
    template: list = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def service_mask(items, service: Service) -> np.ndarray:
    """(I,) bool: capacity items that provide ``service``."""
    ok = np.isin(items.facility_type, list(service.facility_types))
    if service.function:
        ok &= np.array([service.function in f for f in items.functions], dtype=bool)
    return ok


def _points(scenario, units: list[str]) -> tuple[np.ndarray, list[str], str]:
    from ..geo.geodata import township_areas
    from ..geo.layers import township_points

    areas = township_areas(scenario.region_unit)
    if areas is not None and set(areas["id"]) >= set(units):
        pts = township_points(areas)
        kind = {r["id"]: ("seat" if pd.notna(r.get("seat_lon")) and pd.notna(r.get("seat_lat")) else "generator")
                for _, r in areas.iterrows()}
        return np.array([pts[u] for u in units]), [kind[u] for u in units], \
            f"geodata/townships_{scenario.region_unit}.csv (seats; approximate-area generator points where no seat is known)"
    by_id = scenario.by_id("units")
    missing = [u for u in units if getattr(by_id.get(u), "lon", None) is None or getattr(by_id.get(u), "lat", None) is None]
    if missing:
        raise InputError((scenario.table_files.get("units") or [scenario.path])[0], "lon",
                         f"siting needs a point for every township: {missing[0]} has no seat in geodata/ and no "
                         f"lon, lat in units.csv ({len(missing)} such)")
    return np.array([(by_id[u].lon, by_id[u].lat) for u in units]), ["units.csv"] * len(units), "units.csv lon, lat"


def _site_of(unit: str, units: list[str], region_unit: str, seat: str | None) -> str | None:
    if unit in units:
        return unit
    if unit == region_unit and seat in units:
        return seat
    return None


def siting_data(scenario, service: Service, year: int, demand_kind: str | None = None,
                keep_planned: bool = True, seed: int = 20210101, cost_csv=None) -> SitingData:
    """Build the siting data of ``service`` in ``scenario`` for demand in ``year``.

    ``cost_csv``: a travel-time or road-distance matrix (``origin, destination, cost`` with township
    ids, any unit; ``sim.geo.access.read_cost_csv``) that replaces the great-circle x detour estimate.

    Raises ``InputError`` for a year outside the projection, an unknown demand kind, or townships
    without points."""
    from ..capacity import build_items
    from ..geo.access import road_km
    from ..run import RunOptions, project_population, simulate

    demand_kind = demand_kind or service.demand
    if demand_kind not in DEMANDS:
        raise InputError("command line", "--demand", f"unknown demand {demand_kind!r} (known: {', '.join(DEMANDS)})")
    lo, hi = int(scenario.base_year), int(scenario.horizon)
    if not lo <= year <= hi:
        raise InputError("command line", "--year", f"must be within the projection {lo}-{hi}, got {year}")
    opt = RunOptions(replications=1, seed=seed, randomness=False)
    pop, _ = population = project_population(scenario, opt)
    units = [str(u) for u in pop.units]
    y = int(np.searchsorted(pop.years, year))
    if demand_kind == "older":
        w = pop.age60[0, :, y]
    elif demand_kind == "population":
        w = pop.total[0, :, y]
    elif demand_kind == "minors":
        w = pop.pop[0, :, y, :, :18].sum(axis=(-1, -2))
    elif demand_kind == "deaths":
        d = pop.deaths[0]
        w = d[:, min(y, d.shape[1] - 1)]
    else:
        by_id = scenario.by_id("units")
        w = np.array([float((by_id[u].villages or 0) + (by_id[u].communities or 0)) for u in units])
    w = np.asarray(w, dtype=float)

    points, kind, point_source = _points(scenario, units)
    if cost_csv is not None:
        from ..geo.access import read_cost_csv
        cost = read_cost_csv(cost_csv, units, units)
        dist_note = f"distances: {cost_csv} (the user's matrix, its own unit)"
    else:
        cost = road_km(points, points)
        dist_note = "distances: road km = great circle x detour factor (sim.geo.access.road_km)"
    names_by = {u.id: u.name_zh for u in scenario.rows("units")}
    seat = scenario.region.get("seat")
    seat = None if seat is None else str(seat)

    items, _ = build_items(scenario)
    mask = service_mask(items, service)
    U = len(units)
    existing, planned = np.zeros(U, bool), np.zeros(U, bool)
    cap0, cap_plan = np.zeros(U), np.zeros(U)
    ex_labels: dict[str, list[str]] = {}
    pl_labels: dict[str, list[str]] = {}
    unsited = []
    for k in np.flatnonzero(mask):
        site = _site_of(str(items.unit[k]), units, scenario.region_unit, seat)
        is_plan = bool(items.project[k])
        amount = float(items.measures["count"][k]) + sum(float(items.measures[m][k]) for m in ("beds", "plots", "area_m2"))
        if amount <= 0 and is_plan:
            continue
        if site is None:
            unsited.append(str(items.source_id[k]))
            continue
        j = units.index(site)
        beds = float(items.measures["beds"][k]) if service.measure else 0.0
        if is_plan:
            planned[j] = True
            cap_plan[j] += beds
            pl_labels.setdefault(site, []).append(str(items.project[k]))
        else:
            existing[j] = True
            cap0[j] += beds
            ex_labels.setdefault(site, []).append(str(items.source_id[k]))
    notes = []
    if unsited:
        notes.append(f"not sited in a township (left out): {', '.join(sorted(set(unsited)))}")
    planned_outputs = sorted({o.id for o in scenario.rows("project_outputs")
                              if o.facility_type in service.facility_types
                              and (service.function is None or service.function in (o.functions or ""))})
    base_cap = cap0 + (cap_plan if keep_planned else 0.0)
    fixed = existing | (planned if keep_planned else False)

    if service.measure == "beds":
        from ..services.eldercare import bed_demand  # noqa: F401  (documented source of the figure)
        res = simulate(scenario, opt, population=population)
        tq = res.townships
        order = [res.township_units.index(u) for u in units]
        cap_demand = np.asarray(tq["bed_demand"][0, order, y], dtype=float)
    else:
        cap_demand = w.copy()

    return SitingData(service, year, demand_kind, units, [names_by.get(u, u) for u in units], points, kind, cost, w,
                      fixed, planned, ex_labels, pl_labels, planned_outputs, base_cap, cap_demand,
                      template=template_projects(scenario, service),
                      notes=notes + [f"points: {point_source}", dist_note])


def template_projects(scenario, service: Service) -> list:
    """The plan's projects whose every output provides ``service`` (their costs, sizes and windows are
    the overlay's defaults)."""
    outs: dict[str, list] = {}
    for o in scenario.rows("project_outputs"):
        outs.setdefault(o.project, []).append(o)
    keep = []
    for p in scenario.rows("projects"):
        rows = outs.get(p.id, [])
        if rows and all(o.facility_type in service.facility_types and
                        (service.function is None or service.function in (o.functions or "")) for o in rows):
            keep.append(p)
    return keep


def default_unit_cost(scenario, service: Service) -> tuple[float | None, str]:
    """Yuan per new facility: the median investment per facility of the plan's projects that build only
    this service, or None when there are none."""
    tpl = template_projects(scenario, service)
    if not tpl:
        return None, ""
    outs = {}
    for o in scenario.rows("project_outputs"):
        outs.setdefault(o.project, []).append(o)
    per = [p.investment_total / max(1, len(outs[p.id])) for p in tpl]
    return float(median(per)), ("derived: median investment per facility of the plan's projects that build only "
                                f"this service ({', '.join(p.id for p in tpl)})")


def default_capacity(scenario, service: Service) -> tuple[float | None, str]:
    """Beds of a new facility: the median beds added by the plan's outputs of this service, or None."""
    if service.measure != "beds":
        return None, ""
    rows = [o for o in scenario.rows("project_outputs") if o.facility_type in service.facility_types
            and (service.function is None or service.function in (o.functions or "")) and (o.beds or 0) > 0]
    if not rows:
        return None, ""
    v = math.floor(median(o.beds for o in rows) + 0.5)
    return float(v), (f"derived: median beds added by the plan's outputs of this service "
                      f"({', '.join(o.id for o in rows)}), rounded")
