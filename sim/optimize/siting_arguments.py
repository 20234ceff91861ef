"""Command-line arguments of `site` (kept free of heavy imports: the parser is built on every call)."""

from __future__ import annotations

from pathlib import Path

SERVICE_KEYS = ("regional_care_home", "care_home", "funeral_service_station", "minor_protection_station")
RADIUS_KM = 30.0   # assumption: sim.geo.layers.CATCHMENT_KM, about an hour on county roads


def add_parser(sub) -> None:
    s = sub.add_parser(
        "site", help="choose township sites for new facilities of a service (MCLP, LSCP, p-median via spopt; "
                     "capacitated MCLP on HiGHS); overlay YAML, map, tables",
        description="Choose where new facilities of a service go among the scenario's townships, with the sites "
                    "that already hold the service kept open.  Demand: a weight per township from the deterministic "
                    "population projection in --year.  Distances: road km estimated as great-circle x 1.4 between "
                    "township seats (sim/geo/access.py).  Writes sites.csv, coverage.csv, solver.json, "
                    "map_sites.png and overlay.yaml (extends the scenario, adds one project per new site).")
    s.add_argument("scenario", type=Path)
    s.add_argument("--service", required=True, metavar="SERVICE",
                   help="what to site: " + ", ".join(SERVICE_KEYS) + " (regional_care_home = care_home tagged "
                        "'regional'; the others are the facility types of the same name, README 'Facility types')")
    s.add_argument("--facilities", "-p", type=int, default=None, metavar="P",
                   help="number of NEW sites to open (>= 1, at most the townships without the service); "
                        "not used by lscp, which finds the fewest sites that cover everyone")
    s.add_argument("--model", default="mclp", metavar="MODEL",
                   help="mclp: most demand within --radius (default); lscp: fewest sites with all demand within "
                        "--radius; pmedian: least total demand-weighted distance to the nearest site; cmclp: most "
                        "demand SERVED within --radius with each facility's capacity respected")
    s.add_argument("--radius", type=float, default=RADIUS_KM, metavar="KM",
                   help=f"coverage distance in road km (default {RADIUS_KM:g}, the 2SFCA catchment assumption of "
                        "sim/geo: about an hour on county roads); pmedian reports coverage within it")
    s.add_argument("--distances", type=Path, default=None, metavar="CSV",
                   help="travel-time or road-distance matrix between townships (columns origin, destination, "
                        "cost; township ids; any unit, --radius in the same unit) instead of the great-circle x 1.4 "
                        "estimate")
    s.add_argument("--year", type=int, default=None,
                   help="year whose projected demand is used (default: the last year of the plan period)")
    s.add_argument("--demand", default=None, metavar="KIND",
                   help="demand weight per township: older (aged 60+), deaths (projected deaths in the year), "
                        "minors (aged 0-17), population, villages (villages + communities); default per service: "
                        "older for care homes, deaths for funeral stations, minors for minors' stations")
    s.add_argument("--planned", default="keep", metavar="keep|replace",
                   help="keep (default): the plan's own sites of the service count as existing and stay open; "
                        "replace: they are not counted, and the overlay removes them and the projects that build "
                        "only this service, so the chosen sites stand instead of the plan's")
    s.add_argument("--capacity", type=float, default=None,
                   help="cmclp: capacity of each new facility; in beds for care homes (demand = the eldercare "
                        "model's bed demand; default the median beds of the plan's outputs of the service), "
                        "otherwise in demand units, also used for existing facilities (required then). "
                        "Also the beds of each new care home in the overlay")
    s.add_argument("--unit-cost", type=float, default=None, metavar="WAN_YUAN",
                   help="investment per new facility in 万元 for the overlay's projects (default: the median "
                        "investment per facility of the plan's projects that build only this service; required "
                        "when there are none)")
    s.add_argument("--works", default=None, metavar="YYYY-MM:YYYY-MM",
                   help="works window of the overlay's projects (default: the whole plan period)")
    s.add_argument("--tie-break", default="distance", metavar="distance|none",
                   help="mclp and lscp often have several optimal site sets: distance (default) takes the one with "
                        "the least demand-weighted distance to the nearest site (a second stage on HiGHS; the "
                        "objective is unchanged); none keeps spopt's first optimum")
    s.add_argument("--time-limit", type=float, default=60.0, help="solver time limit in seconds (default 60)")
    s.add_argument("--seed", type=int, default=20210101, help="seed of the (deterministic) projection (default 20210101)")
    s.add_argument("--out", type=Path, required=True, help="results folder (written whole or not at all)")
    s.add_argument("--overwrite", action="store_true", help="replace an existing results folder written by this program")
