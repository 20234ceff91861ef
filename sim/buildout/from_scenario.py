"""Bridge from a loaded Scenario to the build-out model: projects and envelopes in yuan."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..errors import InputError
from ..parameters import ParameterSet
from .model import Funding, Project
from .montecarlo import BuildoutResult, aggregate, projects_table, run_buildout
from .phases import Phase, phase_map, scenario_phases


@dataclass
class Portfolio:
    """``result``: per scenario project (a staged project is complete when its last phase is);
    ``phase_result``: per phase, the columns of ``phases`` (what the engines simulated)."""

    result: BuildoutResult
    table: pd.DataFrame
    phase_result: BuildoutResult | None = None
    phases: list[Phase] | None = None

    @property
    def online(self) -> np.ndarray:
        """(R, P) when each project's capacity counts, in the scenario's project order.

        The plan's end date is read as the date a facility is completed and accepted (建成), so
        capacity counts from completion; commissioning and ramp-up to full operation are reported in
        projects.csv (``online_p50``) but do not delay the counting of beds, stations or plots.
        A staged project's whole output counts from its last phase; use ``phase_online`` with
        ``phase_map`` to count each phase's share from its own completion.
        """
        return self.result.completion

    @property
    def phase_online(self) -> np.ndarray:
        """(R, K) completion of each phase (columns of ``phases``): when its share of output counts."""
        return (self.phase_result or self.result).completion

    @property
    def phase_map(self) -> dict | None:
        return None if self.phases is None else phase_map(self.phases)


def scenario_funding(scenario) -> Funding:
    env: dict[str, dict[int, float]] = {}
    for row in scenario.rows("funding"):
        env.setdefault(row.funding_source, {})
        env[row.funding_source][row.year] = env[row.funding_source].get(row.year, 0.0) + row.amount
    return Funding(env)


def scenario_projects(scenario, funding: Funding) -> list[Project]:
    """Projects costed at their plan-period investment; a blank funding split takes the envelopes' shares."""
    default = funding.shares()
    out = []
    for i, p in enumerate(scenario.rows("projects")):
        shares = p.funding or default
        if not shares and p.investment_plan > 0:
            raise InputError(p._file, "funding", f"row {p.id}: no funding split and no funding table to take one from",
                             row=p._line)
        out.append(Project(id=p.id, cost_yuan=p.investment_plan, planned_start=p.start, planned_end=p.end,
                           funding_shares=dict(shares), order=i, name=p.name_zh, deadline=p.deadline,
                           # a blank priority is served after every ranked project (ties in plan order)
                           priority=math.inf if p.priority is None else float(p.priority)))
    return out


def scenario_phase_projects(scenario, funding: Funding) -> tuple[list[Phase], list[Project]]:
    """The engines' projects: one per phase (``sim.buildout.phases``), costed at the phase's share,
    with the phase's planned window, its project's funding split, priority and plan order."""
    projects = {p.id: p for p in scenario_projects(scenario, funding)}
    phases = scenario_phases(scenario)
    out = []
    for ph in phases:
        p = projects[ph.project]
        out.append(Project(id=ph.id, cost_yuan=p.cost_yuan * ph.cost_share, planned_start=ph.start,
                           planned_end=ph.end, funding_shares=p.funding_shares, priority=p.priority,
                           order=p.order, name=p.name if ph.stages == 1 else f"{p.name} ({ph.index + 1}/{ph.stages})",
                           deadline=p.deadline))
    return phases, out


def check_policy(scenario, policy: str) -> None:
    """``--policy priority`` needs priorities: with no ``priority`` value in projects.csv it is an
    error (there is no silent fallback to plan order).  A blank priority is served last."""
    if policy != "priority":
        return
    rows = scenario.rows("projects")
    if rows and all(p.priority is None for p in rows):
        raise InputError(getattr(rows[0], "_file", None) or scenario.path, "priority",
                         "--policy priority needs a priority column in projects.csv with at least one value "
                         "(1 = served first; blank = served after all ranked projects); "
                         "use --policy plan_order to serve in the table's order")


def run_portfolio(scenario, params: ParameterSet, replications: int, seed: int, randomness: bool = True,
                  policy: str = "plan_order", progress: bool = False) -> Portfolio:
    if not scenario.rows("funding"):
        raise InputError(scenario.path, "tables.funding", "a funding table (yearly envelopes by source) is needed to run")
    funding = scenario_funding(scenario)
    projects = scenario_projects(scenario, funding)
    phases, engine_projects = scenario_phase_projects(scenario, funding)
    check_policy(scenario, policy)
    try:
        raw = run_buildout(engine_projects, funding, params, replications, seed, randomness=randomness,
                           policy=policy, progress=progress, horizon=scenario.horizon)
    except ValueError as exc:  # a parameter out of its domain, named in the message
        raise InputError(scenario.path, "parameters", str(exc)) from None
    cols = phase_map(phases)
    groups = [[c for c, _ in cols[p.id]] for p in projects]
    result = aggregate(raw, groups, [p.id for p in projects], np.array([q.cost_yuan for q in engine_projects]))
    table = projects_table(result, projects)
    table.insert(table.columns.get_loc("planned_end") + 1, "stages", [len(g) for g in groups])
    return Portfolio(result, table, raw, phases)
