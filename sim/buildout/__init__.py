"""Build-out simulation of a capital-project portfolio under yearly funding envelopes.

See docs/buildout.md.  Entry point: ``run_buildout``; summary: ``projects_table``.
"""

from .funding import POLICIES
from .from_scenario import Portfolio, run_portfolio, scenario_funding, scenario_projects
from .model import Funding, Project, planned_envelopes
from .montecarlo import BuildoutResult, projects_table, run_buildout, simulation_years, year_to_month
from .stages import StageDraws, sample_stages

__all__ = [
    "POLICIES", "Funding", "Project", "planned_envelopes", "Portfolio", "run_portfolio", "scenario_funding",
    "scenario_projects", "BuildoutResult", "projects_table",
    "run_buildout", "simulation_years", "year_to_month", "StageDraws", "sample_stages",
]
