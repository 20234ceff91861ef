"""`run_sim.py site`: choose township sites for new facilities of a service, write the overlay,
the map, the tables and the solver's report."""

from __future__ import annotations

import math
import re
import sys
import time

import numpy as np
import pandas as pd
from rich.console import Console
from rich.table import Table

from ..errors import InputError
from ..geo.access import DETOUR_SOURCE
from ..outputs import MANIFEST, WRITTEN_BY, atomic_folder, check_destination, write_csv, write_json
from .siting_arguments import SERVICE_KEYS
from .siting_model import MODEL_NAMES, MODELS, SitingInstance, evaluate, solve

_MONTH = re.compile(r"^\d{4}-(0[1-9]|1[0-2])$")


def _check_args(args) -> None:
    cl = "command line"
    if args.service not in SERVICE_KEYS:
        raise InputError(cl, "--service", f"unknown service {args.service!r} (known: {', '.join(SERVICE_KEYS)})")
    if args.model not in MODELS:
        raise InputError(cl, "--model", f"unknown model {args.model!r} (known: {', '.join(MODELS)})")
    if args.model != "lscp":
        if args.facilities is None:
            raise InputError(cl, "--facilities", f"give the number of new sites P (>= 1) for {args.model}")
        if args.facilities < 1:
            raise InputError(cl, "--facilities", f"must be >= 1, got {args.facilities}")
    if not (args.radius >= 0 and math.isfinite(args.radius)):
        raise InputError(cl, "--radius", f"must be a distance >= 0 km, got {args.radius:g}")
    if args.planned not in ("keep", "replace"):
        raise InputError(cl, "--planned", f"write keep or replace, got {args.planned!r}")
    if args.capacity is not None and not (args.capacity > 0 and math.isfinite(args.capacity)):
        raise InputError(cl, "--capacity", f"must be > 0, got {args.capacity:g}")
    if args.unit_cost is not None and not (args.unit_cost >= 0 and math.isfinite(args.unit_cost)):
        raise InputError(cl, "--unit-cost", f"must be >= 0 万元, got {args.unit_cost:g}")
    if args.tie_break not in ("distance", "none"):
        raise InputError(cl, "--tie-break", f"write distance or none, got {args.tie_break!r}")
    if args.time_limit <= 0:
        raise InputError(cl, "--time-limit", f"must be > 0 seconds, got {args.time_limit:g}")
    if args.works is not None:
        a, sep, b = args.works.partition(":")
        if not sep or not _MONTH.match(a) or not _MONTH.match(b) or b < a:
            raise InputError(cl, "--works", f"write START:END as YYYY-MM:YYYY-MM with END not before START, got {args.works!r}")


def _figures(inst: SitingInstance, open_sites: np.ndarray, label: str, capacitated: bool) -> dict:
    """Coverage figures of one set of open sites."""
    o = np.asarray(open_sites, dtype=bool)
    w = inst.weights
    total = float(w.sum())
    near = inst.cost[:, o].min(axis=1) if o.any() else np.full(len(w), np.inf)
    covered = float(evaluate(inst, o, "mclp"))
    row = {"configuration": label, "sites": int(o.sum()), "demand_total": total, "demand_covered": covered,
           "share_covered": covered / total if total > 0 else math.nan,
           "mean_km_to_nearest": float((w * near).sum() / total) if total > 0 and o.any() else math.nan,
           "max_km_to_nearest": float(near.max()) if o.any() else math.nan,
           "townships_uncovered": int((near > inst.radius + 1e-9).sum())}
    if capacitated:
        served = evaluate(inst, o, "cmclp")
        tot = float(inst.demand.sum())
        row.update({"capacity_demand_total": tot, "capacity_demand_served": served,
                    "share_served": served / tot if tot > 0 else math.nan})
    return row


def cmd_site(args) -> int:
    from ..loader import load_scenario
    from .siting_data import DEMANDS, SERVICES, default_capacity, default_unit_cost, siting_data
    from .siting_map import draw_site_map
    from .siting_overlay import NewSite, OverlaySpec, overlay_data, overlay_text

    _check_args(args)
    check_destination(args.out, args.overwrite)
    scenario = load_scenario(args.scenario)
    service = SERVICES[args.service]
    year = args.year if args.year is not None else int(scenario.period[1])
    keep = args.planned == "keep"
    t0 = time.perf_counter()
    if args.distances is not None and not args.distances.is_file():
        raise InputError(str(args.distances), "--distances", "no such file")
    data = siting_data(scenario, service, year, args.demand, keep_planned=keep, seed=args.seed,
                       cost_csv=args.distances)
    t_setup = time.perf_counter() - t0
    U = len(data.units)
    free = int((~data.existing).sum())
    P = args.facilities if args.model != "lscp" else 0
    if args.model != "lscp" and P > free:
        raise InputError("command line", "--facilities",
                         f"P = {P} new sites but only {free} of {U} townships have no {args.service} site "
                         f"({U - free} already open{' incl. the plan' + chr(39) + 's sites' if keep else ''})")

    # capacities (capacitated model; the overlay's beds)
    cap_new, cap_src = (args.capacity, "command line --capacity") if args.capacity is not None else \
        default_capacity(scenario, service)
    if args.model == "cmclp" and cap_new is None:
        raise InputError("command line", "--capacity",
                         f"cmclp needs the capacity of a {args.service} in demand units ({DEMANDS[data.demand_kind]}): "
                         "the scenario gives none")
    capacity = None
    if args.model == "cmclp":
        if service.measure == "beds":
            capacity = np.where(data.existing, data.base_capacity, cap_new)
        else:
            capacity = np.full(U, float(cap_new))
    # overlay money and window, checked before solving so nothing is half-done
    if args.unit_cost is not None:
        unit_cost_wan, cost_src = float(args.unit_cost), "command line --unit-cost (the user's figure)"
    else:
        yuan, cost_src = default_unit_cost(scenario, service)
        if yuan is None:
            raise InputError("command line", "--unit-cost",
                             f"give the investment per new {args.service} in 万元: the scenario has no project that "
                             "builds only this service to derive it from")
        unit_cost_wan = yuan / 1e4
    if args.works is not None:
        start, end = args.works.split(":")
        win_src = "command line --works"
    else:
        start, end = f"{scenario.period[0]}-01", f"{scenario.period[1]}-12"
        win_src = "assumption: works spread over the whole plan period (run_sim.py site default; --works to change)"

    inst = SitingInstance(data.cost, data.weights, data.existing, args.radius, new=P,
                          demand=data.cap_demand if args.model == "cmclp" else None, capacity=capacity)
    res = solve(inst, args.model, args.time_limit, tie_break=args.tie_break == "distance")
    if not np.isfinite(res.objective):
        print(f"error: {args.scenario}: site: the solver found no solution ({res.status})", file=sys.stderr)
        return 1
    chosen = res.open & ~data.existing
    n_new = int(chosen.sum())

    cap = args.model == "cmclp"
    inst_fig = inst if cap else SitingInstance(data.cost, data.weights, data.existing, args.radius, new=P)
    plan_sites = data.existing | data.planned
    configs = [("existing" if not keep else "existing incl. the plan's sites", data.existing)]
    if not keep and data.planned.any():
        configs.append(("plan's sites", plan_sites))
    configs.append(("optimised", res.open))
    coverage = pd.DataFrame([_figures(inst_fig, o, lab, cap) for lab, o in configs])
    coverage["objective"] = [evaluate(inst, o, args.model) for _, o in configs]   # lscp: inf = not all covered
    coverage.insert(1, "model", args.model)

    near_idx = np.where(res.open[None, :], data.cost, np.inf).argmin(axis=1)
    near_km = data.cost[np.arange(U), near_idx]
    site_rows = []
    for i, u in enumerate(data.units):
        row = {"unit": u, "name_zh": data.names[i], "lon": float(data.points[i, 0]), "lat": float(data.points[i, 1]),
               "point": data.point_kind[i], "demand_kind": data.demand_kind, "demand": float(data.weights[i]),
               "existing": bool(data.existing[i]), "plan_site": bool(data.planned[i]), "chosen": bool(chosen[i]),
               "open": bool(res.open[i]), "existing_ids": ";".join(data.existing_labels.get(u, [])),
               "plan_projects": ";".join(data.planned_labels.get(u, [])),
               "nearest_open_site": data.units[near_idx[i]], "nearest_open_site_zh": data.names[near_idx[i]],
               "km_to_nearest_open": float(near_km[i]), "covered": bool(near_km[i] <= args.radius + 1e-9)}
        if cap:
            row["capacity_demand"] = float(inst.demand[i])
            row["capacity_demand_served"] = float(inst.demand[i] * res.served[i].sum())
            row["capacity"] = float(capacity[i]) if res.open[i] else math.nan
            row["capacity_used"] = float((inst.demand * res.served[:, i]).sum()) if res.open[i] else math.nan
        site_rows.append(row)
    sites = pd.DataFrame(site_rows)

    new_sites = [NewSite(data.units[j], data.names[j]) for j in np.flatnonzero(chosen)]
    cmd = " ".join(getattr(args, "command_line", None) or ["run_sim.py", "site"])
    functions = service.function
    tpl = data.template
    if tpl:
        outs = [o for o in scenario.rows("project_outputs") if o.project == tpl[0].id]
        functions = outs[0].functions if outs and outs[0].functions else functions
        ownership = outs[0].ownership or "public"
    else:
        ownership = "public"
    spec = OverlaySpec(args.service, service.name_zh, service.facility_types[0], functions, ownership, unit_cost_wan,
                       cap_new if service.measure == "beds" else None, start, end,
                       f"run_sim.py site --service {args.service} --model {args.model} --radius {args.radius:g} "
                       f"--year {year} ({MODEL_NAMES[args.model]})",
                       cost_src, cap_src if service.measure == "beds" else "", win_src,
                       remove_outputs=data.planned_outputs if not keep else [],
                       remove_projects=[p.id for p in tpl] if not keep else [])
    ident = f"{scenario.id}_site_{args.service}"
    overlay = overlay_data(scenario, args.scenario, args.out, new_sites, spec, ident,
                           f"{scenario.name} — {service.name_zh}选址 ({args.model})")
    comment = [f"written by {cmd}",
               f"{MODEL_NAMES[args.model]}: status {res.status}, objective {res.objective:.6g}, {res.seconds:.2f} s",
               f"new sites: {', '.join(s.name_zh for s in new_sites) or 'none'}"]
    text = overlay_text(overlay, comment)

    solver = {"model": args.model, "model_name": MODEL_NAMES[args.model], "solver": res.solver, "status": res.status,
              "objective": res.objective, "objective_meaning": _meaning(args.model, data, service),
              "seconds": res.seconds, "time_limit": args.time_limit, "setup_seconds": t_setup,
              "hit_time_limit": res.status.startswith("time limit"),
              "service": args.service, "service_zh": service.name_zh, "facility_types": list(service.facility_types),
              "function_tag": service.function, "year": year, "radius_km": args.radius,
              "demand": {"kind": data.demand_kind, "meaning": DEMANDS[data.demand_kind],
                         "why": service.why if data.demand_kind == service.demand else "chosen on the command line",
                         "source": "deterministic population projection (central values, 1 replication), "
                                   "sim/population"},
              "capacitated_demand": ("institutional bed demand per township (sim.services.eldercare.bed_demand)"
                                     if cap and service.measure == "beds" else ("the demand weight" if cap else None)),
              "capacity_new": cap_new if cap else None, "capacity_source": cap_src if cap else None,
              "distance": ("road km = great-circle (haversine) x detour factor, township seat to seat "
                           "(sim.geo.access.road_km)") if args.distances is None else
                          f"the user's matrix {args.distances} (its own unit; --radius in that unit)",
              "distance_source": DETOUR_SOURCE if args.distances is None else "command line --distances",
              "planned_sites": args.planned, "candidates": U, "existing_sites": int(data.existing.sum()),
              "new_sites_requested": P if args.model != "lscp" else None, "new_sites": n_new,
              "chosen": [s.unit for s in new_sites], "chosen_zh": [s.name_zh for s in new_sites],
              "tie_break": args.tie_break if args.model in ("mclp", "lscp") else None,
              "notes": data.notes + res.notes}
    files = []
    with atomic_folder(args.out, args.overwrite) as tmp:
        (tmp / "overlay.yaml").write_text(text, encoding="utf-8")
        files.append("overlay.yaml")
        write_csv(tmp / "sites.csv", sites)
        write_csv(tmp / "coverage.csv", coverage)
        write_json(tmp / "solver.json", solver)
        files += ["sites.csv", "coverage.csv", "solver.json"]
        title = f"{scenario.region.get('name', scenario.name)} {service.name_zh}选址（{MODEL_NAMES[args.model]}）"
        sub = (f"{args.year or year}年需求 {DEMANDS[data.demand_kind]}; 新增 {n_new} 处; "
               f"半径 radius {args.radius:g} km; 覆盖 covered {coverage.iloc[-1].share_covered:.1%}")
        name = draw_site_map(tmp, scenario, data, res.open, chosen, args.radius if args.distances is None else None,
                             title, sub, DEMANDS[data.demand_kind])
        if name:
            files.append(name)
        write_json(tmp / MANIFEST, {"written_by": WRITTEN_BY, "command": getattr(args, "command_line", None),
                                    "scenario": str(args.scenario), "seed": args.seed, "files": files})
    _print(scenario, args, data, res, coverage, new_sites, t_setup)
    print(f"results written to {args.out} (overlay.yaml, sites.csv, coverage.csv, solver.json"
          + (", map_sites.png)" if name else "; no map: no township geodata)"))
    return 0


def _meaning(model: str, data, service) -> str:
    return {"mclp": f"demand weight ({data.demand_kind}) within the radius of an open site",
            "lscp": "number of open sites (existing + new) with every township within the radius",
            "pmedian": f"sum over townships of demand ({data.demand_kind}) x road km to the nearest open site",
            "cmclp": ("institutional bed demand served within the radius" if service.measure == "beds"
                      else f"demand ({data.demand_kind}) served within the radius")}[model]


def _print(scenario, args, data, res, coverage, new_sites, t_setup, console=None) -> None:
    console = console or Console(width=160)
    print(f"solver: {res.solver}, status {res.status}, objective {res.objective:,.6g}, {res.seconds:.2f} s "
          f"(set-up {t_setup:.1f} s)")
    if res.status.startswith("time limit"):
        print(f"note: the solver hit its time limit ({args.time_limit:g} s): the sites shown are the best found, "
              "not proven optimal")
    t = Table(title=f"{scenario.name} — {data.service.name_zh} ({args.service}): {args.model}, radius "
                    f"{args.radius:g} {'road km' if args.distances is None else 'cost units of ' + str(args.distances)}, "
                    f"demand {data.demand_kind} {data.year}")
    cols = ["configuration", "sites", "demand_covered", "share_covered", "mean_km_to_nearest", "max_km_to_nearest"]
    if "share_served" in coverage.columns:
        cols.append("share_served")
    for c in cols:
        t.add_column(c, justify="left" if c == "configuration" else "right")
    for _, r in coverage.iterrows():
        t.add_row(*[_fmt(r[c], c) for c in cols])
    console.print(t)
    print("new sites: " + (", ".join(f"{s.name_zh} ({s.unit})" for s in new_sites) or "none"))
    for note in res.notes:
        print(f"note: {note}")


def _fmt(v, col: str) -> str:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and math.isnan(v)):
        return "n/a"
    if col.startswith("share"):
        return f"{v:.1%}"
    if col.endswith("km_to_nearest"):
        return f"{v:.1f}"
    if col == "sites":
        return f"{int(v)}"
    return f"{v:,.0f}"
