"""Stage durations of each project, sampled up front for all replications.

Stages of one project (time in years):

1. preparation (approval, design, land): planned to run from ``planned_start - prep_central`` to
   ``planned_start``; it lasts ``buildout.prep_years`` and, with probability
   ``buildout.delay_probability``, an extra ``buildout.delay_years`` (the 审计署 2015 finding that
   23.7 % of audited projects were significantly behind schedule).  Works start when preparation
   ends: ``works_start = end of preparation``, which can be up to ``planned_start - prep_low``
   months early (a preparation shorter than planned) as well as late: the distribution lies around
   the plan, not only after it (docs/buildout.md, "Early as well as late").
2. funding wait and construction: construction needs ``planned_years * construction_multiplier``
   years of work and ``cost * (1 + overrun_share)`` yuan; it runs only while it has money
   (see ``funding.py``).
3. commissioning (``buildout.commissioning_years``) and ramp-up (``buildout.rampup_years``) after
   completion: ``online = completion + both`` is full operation (``run_sim.py`` counts capacity
   from completion, the plan's 建成 date; see ``from_scenario.Portfolio.online``).

Every draw comes from its own named stream ``stream(seed, "buildout", project_id, stage)``, so the
draws of one project do not move when another project is added, removed or reordered, and two
scenarios run with the same seed share them (common random numbers).  Draws use the inverse CDF of
one uniform per replication, so a scenario that lengthens a distribution lengthens every
replication's draw (a monotone coupling).

``randomness=False`` gives the central values: the distribution's ``value`` (mode), no delay and no
overrun.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
from sim.parameters import ParameterSet, stream

from .model import Project

STAGE_PARAMS = (
    "buildout.prep_years",
    "buildout.delay_probability",
    "buildout.delay_years",
    "buildout.construction_multiplier",
    "buildout.overrun_share",
    "buildout.commissioning_years",
    "buildout.rampup_years",
)


def _uniforms(seed: int, pid: str, stage: str, n: int) -> np.ndarray:
    return stream(seed, "buildout", pid, stage).random(n)


@dataclass
class StageDraws:
    """(R, P) arrays, one column per project in the order given."""

    prep_end: np.ndarray           # end of preparation incl. any delay
    delayed: np.ndarray            # bool: the project drew a delay
    works_start: np.ndarray        # earliest start of construction = prep_end (money permitting)
    construction_years: np.ndarray  # years of work needed (when funded)
    overrun_share: np.ndarray      # extra cost as a share of the planned cost
    commissioning_years: np.ndarray
    rampup_years: np.ndarray

    @property
    def shape(self) -> tuple[int, int]:
        return self.works_start.shape


def sample_stages(projects: list[Project], params: ParameterSet, seed: int, replications: int,
                  randomness: bool = True) -> StageDraws:
    R, P = int(replications), len(projects)
    specs = {pid: params.spec(pid) for pid in STAGE_PARAMS}
    out = {k: np.empty((R, P)) for k in ("prep", "delay", "mult", "over", "comm", "ramp")}
    delayed = np.zeros((R, P), dtype=bool)
    prep_central = float(specs["buildout.prep_years"].value)
    p_delay = float(specs["buildout.delay_probability"].value)
    if not 0 <= p_delay <= 1:
        raise ValueError(f"buildout.delay_probability must be in [0, 1], got {p_delay}")
    for j, p in enumerate(projects):
        if randomness:
            def draw(stage, pid):
                return specs[pid].quantile(_uniforms(seed, p.id, stage, R))
            out["prep"][:, j] = draw("prep", "buildout.prep_years")
            delayed[:, j] = _uniforms(seed, p.id, "delay_occurs", R) < p_delay
            out["delay"][:, j] = np.where(delayed[:, j], draw("delay_years", "buildout.delay_years"), 0.0)
            out["mult"][:, j] = draw("construction", "buildout.construction_multiplier")
            out["over"][:, j] = draw("overrun", "buildout.overrun_share")
            out["comm"][:, j] = draw("commissioning", "buildout.commissioning_years")
            out["ramp"][:, j] = draw("rampup", "buildout.rampup_years")
        else:
            out["prep"][:, j] = prep_central
            out["delay"][:, j] = 0.0
            out["mult"][:, j] = float(specs["buildout.construction_multiplier"].value)
            out["over"][:, j] = 0.0
            out["comm"][:, j] = float(specs["buildout.commissioning_years"].value)
            out["ramp"][:, j] = float(specs["buildout.rampup_years"].value)
    for k in ("prep", "delay", "over", "comm", "ramp"):
        np.maximum(out[k], 0.0, out=out[k])
    np.maximum(out["mult"], 1e-6, out=out["mult"])
    ps = np.array([p.planned_start for p in projects], dtype=float)
    dur = np.array([p.planned_years for p in projects], dtype=float)
    if randomness:
        prep_end = (ps - prep_central) + out["prep"] + out["delay"]
        works_start = prep_end.copy()       # early when preparation is quicker than planned
    else:
        prep_end = np.broadcast_to(ps, (R, P)).copy()
        works_start = prep_end.copy()
    if not randomness and float(specs["buildout.construction_multiplier"].value) == 1.0:
        cyears = np.broadcast_to(dur, (R, P)).copy()
    else:
        cyears = dur * out["mult"]
    return StageDraws(prep_end, delayed, works_start, cyears, out["over"], out["comm"], out["ramp"])
