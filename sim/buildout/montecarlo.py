"""Monte Carlo over replications: ``run_buildout`` and summaries of its result."""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import pandas as pd

from sim.errors import InputError
from sim.parameters import ParameterSet

from . import funding as F
from .model import Funding, Project
from .simulate import RawResult, Setup, run_simpy, run_vectorised
from .stages import sample_stages

ENGINES = ("vector", "simpy")


@dataclass
class BuildoutResult:
    """Arrays over replications R, projects P (input order), calendar years Y, funding sources S.

    Times are fractional years; ``inf`` = not within the simulated horizon.
    """

    project_ids: list[str]
    years: np.ndarray          # (Y,)
    sources: list[str]         # (S,)
    start: np.ndarray          # (R, P) construction actually starts (first work done)
    completion: np.ndarray     # (R, P) construction complete
    online: np.ndarray         # (R, P) completion + commissioning + ramp-up: capacity counts from here
    spend: np.ndarray          # (R, P, Y) yuan released to the project in each calendar year (all sources)
    overrun: np.ndarray        # (R, P) yuan of cost overrun drawn
    progress: np.ndarray       # (R, P) share of the construction work done by the end of the horizon
    received: np.ndarray       # (R, P, S) yuan received from each source over the run
    source_spend: np.ndarray   # (R, S, Y) yuan released by each source in each year
    available: np.ndarray      # (R, S, Y) yuan available at the start of each year (tranche + carry-over)
    envelopes: np.ndarray      # (S, Y) yuan tranches incl. contingency
    carry_over: bool
    seed: int
    policy: str
    randomness: bool
    engine: str
    events: int = 0
    post_plan_from: int | None = None   # first year of post-plan money (after the last tranche)
    post_plan_cap: float = 0.0          # yuan a year, all sources together, from that year on

    @property
    def replications(self) -> int:
        return self.completion.shape[0]


def simulation_years(projects: list[Project], funding: Funding, horizon: int | None = None) -> np.ndarray:
    """Calendar years simulated: from the first planned start or tranche to ``horizon``
    (default: 10 years after the last tranche or planned end)."""
    starts = [math.floor(p.planned_start) for p in projects]
    ends = [math.ceil(p.planned_end) for p in projects]
    fy = funding.years
    y0 = int(min(starts + fy[:1])) if (starts or fy) else 2021
    if horizon is None:
        horizon = int(max(ends + fy[-1:])) + 10 if (ends or fy) else y0 + 10
    if horizon < y0:
        raise ValueError(f"horizon {horizon} is before the first simulated year {y0}")
    return np.arange(y0, int(horizon) + 1)


def check_sources(projects: list[Project], funding: Funding, file: str | None = None) -> None:
    have = set(funding.envelopes)
    for p in projects:
        for s, sh in p.funding_shares.items():
            if sh > 0 and s not in have:
                raise InputError(file, "funding",
                                 f"project {p.id} draws on funding source {s!r}, which has no envelope "
                                 f"(sources with envelopes: {', '.join(sorted(have)) or 'none'})")


def run_buildout(projects: list[Project], funding: Funding, params: ParameterSet, replications: int, seed: int,
                 randomness: bool = True, policy: str = "plan_order", progress: bool = False,
                 engine: str = "vector", horizon: int | None = None, workers: int = 1) -> BuildoutResult:
    """Simulate the build-out of ``projects`` under ``funding`` over ``replications`` replications.

    ``policy``: ``plan_order`` | ``priority`` | ``pro_rata`` (see ``funding.py``).
    ``engine``: ``vector`` (default, all replications at once) or ``simpy`` (one event simulation
    per replication; identical numbers, slower; ``workers`` processes share its replications).
    ``progress`` shows a rich progress bar.  ``horizon``: last simulated year (default: 10 years
    after the last tranche or planned end).
    The scenario parameters used: the ``buildout.*`` stage parameters, ``buildout.carry_over``
    (1 = unspent money stays available next year; default 1), ``buildout.contingency_share``
    (every envelope is multiplied by 1 + it; default 0) and ``buildout.post_plan_cap_share``
    (default 0): after the last year with an envelope, the budget pays outstanding claims up to
    this share of the average yearly envelope, every year to the horizon, split over the sources
    in their shares of all envelopes (docs/buildout.md, "Money after the plan period").
    """
    if engine not in ENGINES:
        raise ValueError(f"unknown engine {engine!r} (use one of: {', '.join(ENGINES)})")
    if replications < 1:
        raise ValueError("replications must be >= 1")
    ids = [p.id for p in projects]
    if len(set(ids)) != len(ids):
        raise InputError(None, "id", "duplicate project ids")
    check_sources(projects, funding)
    order = F.service_order(projects, policy)
    years = simulation_years(projects, funding, horizon)
    sources = funding.sources
    contingency = params.value("buildout.contingency_share", 0.0)
    if contingency < 0:
        raise ValueError("buildout.contingency_share must be >= 0")
    env = funding.matrix(sources, years) * (1.0 + contingency)
    post_share = params.value("buildout.post_plan_cap_share", 0.0)
    if not (post_share >= 0 and math.isfinite(post_share)):
        raise ValueError("buildout.post_plan_cap_share must be a finite number >= 0")
    post_from, post_cap = post_plan_money(funding, post_share)
    if post_cap > 0:
        later = years >= post_from
        fs = funding.shares()
        env[:, later] += np.array([post_cap * fs.get(s, 0.0) for s in sources])[:, None]
    carry_over = params.value("buildout.carry_over", 1.0) >= 0.5
    shares = np.array([[p.funding_shares.get(s, 0.0) for s in sources] for p in projects], dtype=float).reshape(len(projects), len(sources))
    cost = np.array([p.cost_yuan for p in projects], dtype=float)
    stages = sample_stages(projects, params, seed, replications, randomness)
    setup = Setup(years, sources, env, carry_over, policy, order, cost, shares, stages)
    raw: RawResult = run_vectorised(setup, progress) if engine == "vector" else run_simpy(setup, progress, workers)
    return BuildoutResult(
        project_ids=ids, years=years, sources=sources, start=raw.start, completion=raw.completion,
        online=raw.online, spend=raw.spend, overrun=cost[None, :] * stages.overrun_share,
        progress=raw.progress, received=raw.received, source_spend=raw.source_spend, available=raw.available,
        envelopes=env, carry_over=carry_over, seed=int(seed), policy=policy, randomness=randomness,
        engine=engine, events=raw.events, post_plan_from=post_from, post_plan_cap=post_cap)


def post_plan_money(funding: Funding, cap_share: float) -> tuple[int | None, float]:
    """(first year, yuan a year) of the money that pays outstanding claims after the last tranche:
    ``cap_share`` x the average yearly envelope (all sources) over the years that have envelopes."""
    years = funding.years
    if not years or cap_share <= 0:
        return (years[-1] + 1 if years else None), 0.0
    return years[-1] + 1, cap_share * funding.total() / len(years)


def aggregate(result: BuildoutResult, groups: list[list[int]], ids: list[str], cost: np.ndarray) -> BuildoutResult:
    """Phase-level result -> project-level result: a project is complete when its last phase is.

    ``groups[p]``: columns of project p's phases; ``cost``: (phases,) planned cost, the weights of
    ``progress``.  start = first phase start, completion/online = last (``inf`` if any is ``inf``),
    money arrays summed.  When every project is one phase the arrays are those of ``result`` (not
    copies), except ``progress`` (cost-weighted, computed as for several phases).
    """
    R = result.completion.shape[0]
    # every project one phase, in column order: min / max / sum over one column is the column itself,
    # so the phase arrays are shared, not copied (a country's spend array is 2 GB at 1,000 replications)
    same = len(groups) == result.completion.shape[1] and all(g == [k] for k, g in enumerate(groups))

    def red(a, f):
        if not groups:   # no projects: empty arrays of the right shape
            return np.zeros((R, 0) + a.shape[2:], dtype=a.dtype)
        if same:
            return a
        return np.stack([f(a[:, g], axis=1) for g in groups], axis=1)

    w = np.array(cost, dtype=float)
    prog = red(result.progress, np.mean) if not groups else np.stack(
        [(result.progress[:, g] * w[g]).sum(axis=1) / w[g].sum() if w[g].sum() > 0
         else result.progress[:, g].mean(axis=1) for g in groups], axis=1)
    return BuildoutResult(
        project_ids=list(ids), years=result.years, sources=result.sources, start=red(result.start, np.min),
        completion=red(result.completion, np.max), online=red(result.online, np.max), spend=red(result.spend, np.sum),
        overrun=red(result.overrun, np.sum), progress=prog, received=red(result.received, np.sum),
        source_spend=result.source_spend, available=result.available, envelopes=result.envelopes,
        carry_over=result.carry_over, seed=result.seed, policy=result.policy, randomness=result.randomness,
        engine=result.engine, events=result.events, post_plan_from=result.post_plan_from,
        post_plan_cap=result.post_plan_cap)


def year_to_month(t: float) -> str:
    """An end time as ``YYYY-MM`` (the month in which it falls; 2026.0 = end of 2025-12)."""
    if not math.isfinite(t):
        return ""
    y = math.floor(t - 1e-9)
    m = max(1, min(12, math.ceil((t - y) * 12 - 1e-6)))
    return f"{y:04d}-{m:02d}"


def projects_table(result: BuildoutResult, projects: list[Project], years=None) -> pd.DataFrame:
    """One row per project: completion quantiles, P(complete by planned end), mean spend by year."""
    if [p.id for p in projects] != result.project_ids:
        raise ValueError("projects do not match the result's projects (same list, same order)")
    if years is None:
        years = [int(y) for y in result.years]
    comp = result.completion
    q = np.quantile(comp, [0.1, 0.5, 0.9], axis=0, method="inverted_cdf")  # inf stays inf: not complete within the horizon
    planned_end = np.array([p.planned_end for p in projects])
    deadline = np.array([np.nan if p.deadline is None else p.deadline for p in projects], dtype=float)
    cost = np.array([p.cost_yuan for p in projects], dtype=float)
    need = cost[None, :] + result.overrun                       # (R, P) cost + overrun
    gap = np.maximum(need - result.received.sum(axis=2), 0.0)  # money never received within the horizon
    gap = np.where(gap <= 1e-9 * np.maximum(need, 1.0), 0.0, gap)
    rows = {
        "project": result.project_ids,
        "name_zh": [p.name for p in projects],
        "cost_yuan": [p.cost_yuan for p in projects],
        "planned_start": [p.planned_start for p in projects],
        "planned_end": planned_end,
        "completion_p10": q[0],
        "completion_p50": q[1],
        "completion_p90": q[2],
        "completion_p50_month": [year_to_month(v) for v in q[1]],
        "p_complete_by_plan_end": (comp <= planned_end[None, :] + 1e-9).mean(axis=0),
        "deadline": deadline,
        "p_complete_by_deadline": np.where(np.isnan(deadline), np.nan,
                                           (comp <= np.nan_to_num(deadline, nan=np.inf)[None, :] + 1e-9).mean(axis=0)),
        "p_not_complete_in_horizon": (~np.isfinite(comp)).mean(axis=0),
        "p_unfunded": (gap > 0).mean(axis=0),
        "unfunded_mean_yuan": gap.mean(axis=0),
        "online_p50": np.quantile(result.online, 0.5, axis=0, method="inverted_cdf"),
        "overrun_mean_yuan": result.overrun.mean(axis=0),
    }
    yidx = {int(y): i for i, y in enumerate(result.years)}
    for y in years:
        if int(y) not in yidx:
            raise ValueError(f"year {y} is not simulated ({result.years[0]}..{result.years[-1]})")
        rows[f"spend_{int(y)}_mean_yuan"] = result.spend[:, :, yidx[int(y)]].mean(axis=0)
    return pd.DataFrame(rows)
