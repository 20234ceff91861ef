"""Many runs of related scenarios with common random numbers, sharing the population draws.

A comparison, a schedule-slack curve or a tornado runs the same scenario many times with a small
change (a project's planned dates, a funding envelope).  Every random draw in the simulator comes
from a stream named by (seed, component, id) (``sim.parameters.stream``), so two runs with the same
seed share every draw that the change does not touch: replication r of one run is paired with
replication r of the other (common random numbers).  This module adds the speed part: the
population projection, the heavy arrays, is computed once per distinct demographic input and reused
by every run; and a run that needs only a few quantities computes only the service models that
produce them.

    exp = Experiment(RunOptions(replications=1000, seed=1))
    full = exp.run(scenario)                               # sim.run.RunResult, population reused
    q = exp.quantities(shifted, names={"nursing_bed_share"})  # {name: (R, Y)}, lean path
"""

from __future__ import annotations

import hashlib
import pickle
from dataclasses import replace

import numpy as np

from .loader import Scenario
from .run import RunOptions, RunResult, project_population, service_quantities, simulate
from .whatif import apply_what_if


def _population_key(scenario: Scenario, opt: RunOptions) -> str:
    """Everything the population projection reads: units, parameters, years, seed, options."""
    units = [u.model_dump() for u in scenario.rows("units")]
    params = sorted((p.id, p.value, p.distribution, p.low, p.high, p.valid_from, p.valid_to)
                    for p in scenario.rows("parameters"))
    blob = pickle.dumps((units, params, scenario.base_year, scenario.horizon, scenario.region_unit,
                         opt.seed, opt.randomness, opt.replications, opt.population_draws))
    return hashlib.sha256(blob).hexdigest()


class Experiment:
    """Runs of several scenarios under one set of options (seed, replications, policy).

    ``run(scenario)`` is ``sim.run.simulate`` with the population shared; ``quantities(scenario,
    names)`` returns only the (R, Y) arrays of the named quantities, running the build-out and the
    service models that produce them.  Results are those of ``simulate`` exactly (same draws).
    """

    def __init__(self, opt: RunOptions):
        self.opt = opt
        self._pop: dict[str, tuple] = {}
        self._model_of: dict[str, object] | None = None
        self.runs = 0  # build-out + services evaluations made (for benchmarks)

    def population(self, scenario: Scenario):
        key = _population_key(scenario, self.opt)
        if key not in self._pop:
            self._pop[key] = project_population(scenario, self.opt)
        return self._pop[key]

    def run(self, scenario: Scenario) -> RunResult:
        self.runs += 1
        return simulate(scenario, self.opt, population=self.population(scenario))

    def build(self, scenario: Scenario):
        """The build-out (``sim.buildout.from_scenario.Portfolio``) of a scenario under these options."""
        from .buildout.from_scenario import run_portfolio

        o = self.opt
        return run_portfolio(scenario, scenario.parameters(), o.replications, o.seed, o.randomness, o.policy)

    def quantities(self, scenario: Scenario, names: set[str] | None = None,
                   project_online: np.ndarray | None = None) -> dict[str, np.ndarray]:
        """{name: (R, Y)} for ``names`` (all quantities when None).

        ``project_online`` (R, P) overrides the build-out (used to ask which projects feed a target;
        a staged project's whole output then counts at that time).
        """
        self.runs += 1
        pop, _ = self.population(scenario)
        phases = None
        if project_online is None:   # the build-out itself: staged programmes deliver phase by phase
            build = self.build(scenario)
            project_online, phases = build.phase_online, build.phase_map
        compute = None if names is None else self._computer(names)
        q, _ = service_quantities(scenario, self.opt, pop, project_online, compute=compute, phases=phases)
        return q if names is None else {k: q[k] for k in names}

    def _computer(self, names: set[str]):
        from .quantities import QUANTITIES, is_regional
        from .services import MODELS

        names = {n for n in names if not is_regional(n)}   # count:<type> and unit shares: sim/regions.py
        unknown = set(names) - set(QUANTITIES)
        if unknown:
            raise KeyError(f"unknown quantities {sorted(unknown)}")

        def compute(ctx):
            if self._model_of is None:  # which model computes which quantity: learnt on the first chunk
                self._model_of = {name: m for m in MODELS for name in m.compute(ctx)}
            out = {}
            for m in MODELS:
                if any(self._model_of.get(n) is m for n in names):
                    out.update({k: np.broadcast_to(np.asarray(v, dtype=float), (ctx.R, ctx.Y))
                                for k, v in m.compute(ctx).items() if k in names})
            return out
        return compute


def with_what_if(scenario: Scenario, what_if: dict, label: str | None = None) -> Scenario:
    """A copy of ``scenario`` with a what-if applied (``sim.whatif`` keys), e.g.
    ``{"project_delay_months": {"P02_01": -12}}`` or ``{"funding_scale": {"central": 0.7}}``."""
    tables = apply_what_if(scenario.tables, what_if, scenario.path)
    return replace(scenario, tables=tables, id=label or scenario.id)


def feeding_map(exp: Experiment, scenario: Scenario, quantities: set[str], sample: int = 50) -> dict[str, list[str]]:
    """{quantity: [project ids whose capacity changes it]}, in the scenario's project order.

    Found from each quantity's own response, not from a list: with the first ``sample`` replications'
    build-out, each project in turn is made never to complete (online = +inf); a project feeds a
    quantity if that changes any of its (R, Y) values (NaN compared equal to NaN).
    """
    ids = [p.id for p in scenario.rows("projects")]
    small = Experiment(replace(exp.opt, replications=min(sample, exp.opt.replications), progress=False))
    online = small.build(scenario).online
    names = set(quantities)
    base = small.quantities(scenario, names, online)
    out: dict[str, list[str]] = {q: [] for q in sorted(names)}
    for j, pid in enumerate(ids):
        never = online.copy()
        never[:, j] = np.inf
        q = small.quantities(scenario, names, never)
        for name in names:
            if not np.array_equal(q[name], base[name], equal_nan=True):
                out[name].append(pid)
    return out
