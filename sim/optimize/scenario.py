"""From a loaded scenario to a ``PhasingInstance``: projects, envelopes, durations and the targets
each project's completion decides.

Everything is read through the existing loaders: ``sim.buildout.scenario_funding`` /
``scenario_projects`` (costs in yuan, funding splits, planned windows, deadlines),
``buildout.contingency_share`` / ``buildout.carry_over`` (the simulator's money rules),
``sim.buildout.sample_stages`` (the Monte Carlo stage draws, for quantile durations) and
``sim.experiment.Experiment`` (the service models, for which targets depend on which projects).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

import numpy as np

from ..buildout import sample_stages, scenario_funding, scenario_projects
from ..buildout.montecarlo import post_plan_money
from ..errors import InputError
from ..indicators import met as target_met
from .model import PhasingInstance


@dataclass
class TargetLink:
    """How a computed target depends on the projects (found from the service models, not a list).

    ``status``: ``phasing`` (met iff every project in ``requires`` is complete by the end of its
    year), ``always`` (met even with no project built), ``never`` (not met even with every project
    built at the start), ``base_year`` (a figure of the base year, before any project can finish),
    ``undefined`` (no computed quantity).
    """

    id: str
    year: int
    binding: bool
    status: str
    requires: list[str]


def _online(P: int, on: set[int], base_year: int) -> np.ndarray:
    """(1, P): the projects in ``on`` complete before the base year, the others never."""
    row = np.full((1, P), np.inf)
    row[0, sorted(on)] = float(base_year) - 1.0
    return row


def target_links(scenario, seed: int = 20210101) -> list[TargetLink]:
    """For every target: does meeting it depend on the phasing, and on which projects?

    Deterministic evaluations (central values, one replication) of the service models with chosen
    projects complete before the base year and the rest never: all on / all off, then each project
    off in turn (``necessary`` = the target fails without it).  If the necessary projects alone meet
    the target they are its requirement; otherwise every project that changes its quantity (taken
    away from all, or added to none) is required: a conservative reading that may ask for more than
    the target needs.  A target judged ``never`` cannot be met by any phasing.
    """
    from ..experiment import Experiment
    from ..run import RunOptions

    targets = [t for t in scenario.rows("targets")]
    computed = [t for t in targets if getattr(t, "kind", "computed") == "computed" and t.quantity and t.value is not None]
    names = {t.quantity for t in computed}
    ids = [p.id for p in scenario.rows("projects")]
    P = len(ids)
    exp = Experiment(RunOptions(replications=1, seed=seed, randomness=False))
    y0 = int(scenario.base_year)
    years = np.arange(scenario.base_year, scenario.horizon + 1)

    def q(on: set[int]):
        return exp.quantities(scenario, names, _online(P, on, y0)) if names else {}

    def ok(vals, t) -> bool:
        i = int(np.searchsorted(years, t.year))
        if i >= len(years) or years[i] != t.year:
            return False
        return bool(target_met(vals[t.quantity][:, i], t.comparator, t.value)[0])

    everything = set(range(P))
    q_all, q_none = q(everything), q(set())
    q_without = [q(everything - {j}) for j in range(P)]
    q_only = None   # each project alone: computed only when needed
    out = []
    for t in targets:
        binding = t.binding == "binding"
        if t not in computed:
            out.append(TargetLink(t.id, int(t.year), binding, "undefined", []))
            continue
        if t.year <= scenario.base_year:   # a base-year figure: no project can change it
            out.append(TargetLink(t.id, int(t.year), binding, "base_year", []))
            continue
        if ok(q_none, t):
            out.append(TargetLink(t.id, int(t.year), binding, "always", []))
            continue
        if not ok(q_all, t):
            out.append(TargetLink(t.id, int(t.year), binding, "never", []))
            continue
        necessary = {j for j in range(P) if not ok(q_without[j], t)}
        i = int(np.searchsorted(years, t.year))
        if necessary and ok(q(necessary), t):
            req = necessary
        else:   # no single project decides it (e.g. either of two suffices): require every feeder
            if q_only is None:
                q_only = [q({j}) for j in range(P)]
            req = {j for j in range(P)
                   if not np.array_equal(q_without[j][t.quantity][:, i], q_all[t.quantity][:, i], equal_nan=True)
                   or not np.array_equal(q_only[j][t.quantity][:, i], q_none[t.quantity][:, i], equal_nan=True)}
        out.append(TargetLink(t.id, int(t.year), binding, "phasing", [ids[j] for j in sorted(req)]))
    return out


def stage_spans(scenario, projects, quantile: float, seed: int, replications: int = 500) -> np.ndarray:
    """(P,) years from planned works start to completion at the ``quantile`` of the Monte Carlo stage
    draws (preparation delay that pushes the works start, plus construction years); money waits are
    not included (the MILP keeps money within the envelopes)."""
    if not 0 < quantile < 1:
        raise InputError("command line", "--duration-quantile", f"must be between 0 and 1, got {quantile}")
    d = sample_stages(projects, scenario.parameters(), seed, replications, randomness=True)
    ps = np.array([p.planned_start for p in projects])
    span = (d.works_start - ps[None, :]) + d.construction_years
    return np.quantile(span, quantile, axis=0, method="inverted_cdf")


def phasing_instance(scenario, links: list[TargetLink], duration_quantile: float | None = None,
                     precedences: list[tuple[str, str]] = (), deferral: bool = True,
                     seed: int = 20210101) -> PhasingInstance:
    """The MILP instance of a scenario.  Start options: 1 January of every year from the first
    envelope year to the horizon whose works window ends by the end of the horizon, plus the plan's
    own start; a project whose start the plan fixes (``fixed``) keeps it; ``earliest_start`` bounds
    the options from below.  Raises InputError for an unknown project in ``precedences``."""
    if not scenario.rows("funding"):
        raise InputError(scenario.path, "tables.funding", "a funding table (yearly envelopes by source) is needed to optimise")
    funding = scenario_funding(scenario)
    projects = scenario_projects(scenario, funding)
    rows = {r.id: r for r in scenario.rows("projects")}
    params = scenario.parameters()
    sources = funding.sources
    first = min(funding.years)
    years = np.arange(min([first] + [math.floor(p.planned_start) for p in projects]), scenario.horizon + 1)
    contingency = params.value("buildout.contingency_share", 0.0)
    env = funding.matrix(sources, years) * (1.0 + contingency)
    # post-plan money, exactly as the simulator adds it (sim.buildout.montecarlo.run_buildout): after the
    # last tranche, buildout.post_plan_cap_share x the average yearly envelope a year, split over the
    # sources in their shares of all money, not multiplied by the contingency
    post_from, post_cap = post_plan_money(funding, params.value("buildout.post_plan_cap_share", 0.0))
    if post_cap > 0:
        fs = funding.shares()
        env[:, years >= post_from] += np.array([post_cap * fs.get(s, 0.0) for s in sources])[:, None]
    carry = params.value("buildout.carry_over", 1.0) >= 0.5
    P = len(projects)
    dur = np.array([p.planned_years for p in projects])
    tdur = dur.copy() if duration_quantile is None else np.maximum(stage_spans(scenario, projects, duration_quantile, seed), dur)
    options = []
    for p in projects:
        r = rows[p.id]
        if getattr(r, "fixed", None):
            options.append([p.planned_start])
            continue
        lo = max(first, getattr(r, "earliest_start", None) or -math.inf)
        opts = [float(t) for t in range(int(math.ceil(lo)), scenario.horizon + 1)
                if t + p.planned_years <= scenario.horizon + 1 + 1e-9]
        options.append(opts + [p.planned_start])
    deadline = np.array([np.nan if getattr(p, "deadline", None) is None else p.deadline for p in projects], dtype=float)
    deferrable = np.array([deferral and math.isnan(d) and not getattr(rows[p.id], "fixed", None)
                           for p, d in zip(projects, deadline)])
    shares = np.array([[p.funding_shares.get(s, 0.0) for s in sources] for p in projects]).reshape(P, len(sources))
    index = {p.id: j for j, p in enumerate(projects)}
    prec = []
    for a, b in precedences:
        for x in (a, b):
            if x not in index:
                raise InputError("command line", "--after", f"unknown project {x!r} (known: {', '.join(index)})")
        prec.append((index[a], index[b]))
    targets = [(l.id, l.year, l.binding, [index[x] for x in l.requires]) for l in links if l.status == "phasing"]
    return PhasingInstance(ids=[p.id for p in projects], cost=np.array([p.cost_yuan for p in projects]), shares=shares,
                           duration=dur, target_duration=tdur, planned_start=np.array([p.planned_start for p in projects]),
                           options=options, deferrable=deferrable, deadline=deadline, years=years, envelope=env,
                           carry_over=carry, sources=sources, targets=targets, precedences=prec)


def with_phasing(scenario, start: dict[str, float | None], label: str):
    """A copy of the scenario with projects moved: ``start[id]`` a new works start (the planned
    duration kept) or None = deferred past the horizon.  Projects not named keep their dates."""
    rows = []
    for p in scenario.rows("projects"):
        if p.id in start:
            t = start[p.id]
            if t is None:
                t = float(scenario.horizon + 1)
            p = p.model_copy(update={"start": t, "end": t + (p.end - p.start)})
        rows.append(p)
    tables = dict(scenario.tables)
    tables["projects"] = rows
    return replace(scenario, tables=tables, id=label)
