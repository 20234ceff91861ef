"""Data model of the build-out: projects and funding envelopes.

Time is measured in fractional calendar years: ``2022.0`` is 1 January 2022, ``2022.5`` is
1 July 2022.  A planned start ``YYYY-MM`` is the first instant of that month; a planned end
``YYYY-MM`` is the last instant of that month (so ``2021-01`` .. ``2025-12`` is exactly five years,
``2021.0`` .. ``2026.0``; see ``sim.schema.month_to_year``).  Money is in yuan (元) as floats.
The scenario loader reads and validates the tables; ``from_scenario`` turns them into these objects.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

import numpy as np


@dataclass(frozen=True)
class Project:
    """One capital project.

    ``planned_start`` / ``planned_end`` are the works (construction) window in fractional years;
    preparation (approval, design, land) is planned to be finished by ``planned_start``.
    ``priority``: smaller is served first under the ``priority`` policy (ties in plan order);
    ``math.inf`` (a blank priority in projects.csv) is served after every ranked project.
    ``order``: position in the plan's project table (the ``plan_order`` policy).
    ``deadline``: latest completion the plan allows (fractional year, ``None`` = none stated);
    reported in ``projects_table`` as ``p_complete_by_deadline``.
    """

    id: str
    cost_yuan: float
    planned_start: float
    planned_end: float
    funding_shares: dict[str, float]
    priority: float = 0.0
    order: int = 0
    name: str = ""
    deadline: float | None = None

    def __post_init__(self):
        if not self.id:
            raise ValueError("project without id")
        if not (self.cost_yuan >= 0 and math.isfinite(self.cost_yuan)):
            raise ValueError(f"project {self.id}: cost must be a finite amount >= 0, got {self.cost_yuan!r}")
        if not self.planned_end > self.planned_start:
            raise ValueError(f"project {self.id}: planned end {self.planned_end} is not after start {self.planned_start}")
        if self.cost_yuan > 0 and not self.funding_shares:
            raise ValueError(f"project {self.id}: no funding shares")

    @property
    def planned_years(self) -> float:
        return self.planned_end - self.planned_start


@dataclass
class Funding:
    """Yearly envelopes: ``envelopes[source][year]`` = yuan that arrive at the start of ``year``."""

    envelopes: dict[str, dict[int, float]] = field(default_factory=dict)

    @property
    def sources(self) -> list[str]:
        return sorted(self.envelopes)

    @property
    def years(self) -> list[int]:
        ys = {y for env in self.envelopes.values() for y in env}
        return sorted(ys)

    def amount(self, source: str, year: int) -> float:
        return float(self.envelopes.get(source, {}).get(year, 0.0))

    def total(self) -> float:
        return float(sum(sum(v.values()) for v in self.envelopes.values()))

    def matrix(self, sources: list[str], years: list[int] | np.ndarray) -> np.ndarray:
        """(S, Y) yuan; zero where no envelope is given."""
        return np.array([[self.amount(s, int(y)) for y in years] for s in sources], dtype=float).reshape(len(sources), len(years))

    # --- what-ifs ---------------------------------------------------------------------------
    def scaled(self, factor: float, sources: list[str] | None = None) -> "Funding":
        """Every envelope (or only those of ``sources``) multiplied by ``factor``."""
        return Funding({s: {y: a * (factor if sources is None or s in sources else 1.0) for y, a in env.items()}
                        for s, env in self.envelopes.items()})

    def shifted(self, years: int, sources: list[str] | None = None) -> "Funding":
        """Money that arrives ``years`` later (or earlier if negative)."""
        return Funding({s: {y + (years if sources is None or s in sources else 0): a for y, a in env.items()}
                        for s, env in self.envelopes.items()})

    def shares(self) -> dict[str, float]:
        """Each source's share of all money (used as the default funding split of a project)."""
        tot = self.total()
        if tot <= 0:
            return {}
        return {s: sum(env.values()) / tot for s, env in sorted(self.envelopes.items()) if sum(env.values()) > 0}


def planned_envelopes(projects: list[Project], years: list[int] | None = None, factor: float = 1.0) -> Funding:
    """Envelopes equal to the planned spending profile: each project's cost spread evenly over its
    planned works window, split by its funding shares, summed by source and calendar year.

    This is the funding that exactly supports the plan as printed (every claim met in its year).
    """
    env: dict[str, dict[int, float]] = {}
    for p in projects:
        y0, y1 = int(math.floor(p.planned_start)), int(math.ceil(p.planned_end))
        for y in range(y0, y1):
            overlap = max(0.0, min(p.planned_end, y + 1.0) - max(p.planned_start, float(y)))
            if overlap <= 0:
                continue
            for s, sh in p.funding_shares.items():
                env.setdefault(s, {})
                env[s][y] = env[s].get(y, 0.0) + factor * p.cost_yuan * sh * overlap / p.planned_years
    if years is not None:
        env = {s: {y: a for y, a in e.items() if y in set(years)} for s, e in env.items()}
    return Funding(env)
