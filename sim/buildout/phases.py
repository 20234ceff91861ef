"""Staged delivery: a multi-site programme split into phases (sub-projects) that each deliver their
own sites' output when they complete.

A project with ``delivery = at_end`` (the default) is one phase: all of its output counts from its
completion.  A project with ``delivery = staged`` and ``stages = k`` is k phases:

* **windows**: the planned works window ``[start, end]`` of projects.csv is cut into k equal,
  consecutive windows; phase i works in the i-th (so a user who edits ``start``/``end`` moves
  every phase with it);
* **sites**: the townships that receive the project's outputs (after the ``spread`` rules of
  project_outputs.csv) are taken in the order of units.csv and cut into k contiguous groups of about
  equal weight; phase i delivers the whole output of its group's townships (a township is covered
  when its phase completes, not a fraction of it every year).  A township's weight is its share of
  the project's outputs, averaged over the output rows (``by_villages``: villages + communities;
  ``each`` or one row per site: equal shares);
* **cost**: every phase costs ``1/k`` of the project's cost (the money of a programme is spread
  evenly over its stages, as a budget officer allocates it by year), so the schedule and the money
  do not depend on how the outputs are read, only on the number of stages;
* a staged project with fewer sites than stages (e.g. everything at the county level) delivers
  ``1/k`` of every output, and costs ``1/k``, in each phase; outputs sited outside the groups (at the
  county level) come with the last phase.

Each phase is an ordinary project for the build-out engines, with its own named random streams
(``stream(seed, "buildout", phase_id, ...)``); an ``at_end`` project's phase id is the project id,
so its draws are those it had before staging existed.  The order of assignment (units.csv order) is
an assumption: the plan does not say which townships come first.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..capacity import _townships_under


@dataclass(frozen=True)
class Phase:
    """One phase of a project.

    ``units``: the townships whose output this phase delivers (``None``: a share ``output_share`` of
    every output).  ``start``/``end``: planned works window, fractional years.
    """

    project: str
    id: str
    index: int
    stages: int
    cost_share: float
    output_share: float
    units: frozenset[str] | None
    start: float
    end: float
    last: bool


def phase_windows(start: float, end: float, k: int) -> list[tuple[float, float]]:
    """``k`` equal consecutive windows covering ``[start, end]`` (the last ends exactly at ``end``)."""
    edges = [start + (end - start) * i / k for i in range(k)] + [end]
    return [(edges[i], edges[i + 1]) for i in range(k)]


def site_weights(scenario, project_id: str) -> list[tuple[str, float]]:
    """(township id, weight) of the project's outputs, in units.csv order; weights sum to 1.

    Each output row is spread over townships as in ``sim.capacity.build_items`` and normalised to
    1; a township's weight is the mean over the rows.  Rows sited at a non-township unit without a
    spread do not count as sites.  Empty list: the project has no township sites.
    """
    units = scenario.rows("units")
    children: dict[str, list] = {}
    for u in units:
        if u.parent is not None:
            children.setdefault(u.parent, []).append(u)
    level = {u.id: u.level for u in units}
    rows = [o for o in scenario.rows("project_outputs") if o.project == project_id]
    acc: dict[str, float] = {}
    n_rows = 0
    for o in rows:
        if o.spread is None:
            if level.get(o.unit) != "township":
                continue
            part = {o.unit: 1.0}
        else:
            towns = _townships_under(o.unit, children)
            if not towns:
                continue
            if o.spread == "each":
                w = np.ones(len(towns))
            else:
                w = np.array([(t.villages or 0) + (t.communities or 0) for t in towns], dtype=float)
                if w.sum() <= 0:
                    w = np.ones(len(towns))
            w = w / w.sum()
            part = {t.id: float(x) for t, x in zip(towns, w)}
        n_rows += 1
        for uid, x in part.items():
            acc[uid] = acc.get(uid, 0.0) + x
    if not n_rows:
        return []
    order = [u.id for u in units if u.id in acc]
    return [(uid, acc[uid] / n_rows) for uid in order]


def group_sites(weights: list[tuple[str, float]], k: int) -> list[list[tuple[str, float]]]:
    """Cut the ordered sites into ``k`` contiguous non-empty groups of about equal weight.

    Site j goes to group ``floor(k * (cumulative weight before j + half its own) )`` (its midpoint),
    then clipped so that groups rise by at most one from site to site and every group gets a site.
    """
    n = len(weights)
    if n < k:
        raise ValueError(f"{n} sites cannot fill {k} stages")
    w = np.array([x for _, x in weights], dtype=float)
    mid = (np.cumsum(w) - w / 2) / w.sum()
    g = np.minimum((mid * k).astype(int), k - 1)
    # guarantee non-decreasing groups with every group used: group j is within [j - (n - k), j]
    for j in range(n):
        lo = max(0, k - (n - j))
        hi = min(j, k - 1, (g[j - 1] + 1) if j else 0)
        g[j] = min(max(g[j], lo, g[j - 1] if j else 0), hi)
    return [[weights[j] for j in range(n) if g[j] == i] for i in range(k)]


def project_phases(scenario, project) -> list[Phase]:
    """Phases of one scenario project row (``sim.schema.Project``)."""
    if project.delivery != "staged":
        return [Phase(project.id, project.id, 0, 1, 1.0, 1.0, None, project.start, project.end, True)]
    k = int(project.stages)
    windows = phase_windows(project.start, project.end, k)
    sites = site_weights(scenario, project.id)
    if len(sites) >= k:
        groups = group_sites(sites, k)
        out = []
        return [Phase(project.id, f"{project.id}/{i + 1}", i, k, 1.0 / k, 1.0, frozenset(u for u, _ in grp), a, b,
                      i == k - 1)
                for i, (grp, (a, b)) in enumerate(zip(groups, windows))]
    return [Phase(project.id, f"{project.id}/{i + 1}", i, k, 1.0 / k, 1.0 / k, None, a, b, i == k - 1)
            for i, (a, b) in enumerate(windows)]


def scenario_phases(scenario) -> list[Phase]:
    """Every project's phases, projects in plan (table) order, phases in sequence."""
    return [ph for p in scenario.rows("projects") for ph in project_phases(scenario, p)]


def phase_map(phases: list[Phase]) -> dict[str, list[tuple[int, Phase]]]:
    """project id -> [(column of the phase in ``phases``, phase)]."""
    out: dict[str, list[tuple[int, Phase]]] = {}
    for j, ph in enumerate(phases):
        out.setdefault(ph.project, []).append((j, ph))
    return out
