"""Build-out simulation of a capital-project portfolio under yearly funding envelopes.

See docs/buildout.md.  Entry point: ``run_buildout``; summary: ``projects_table``.
"""

from .funding import POLICIES
from .model import (Funding, Project, funding_from_frame, month_to_year, parse_shares, planned_envelopes,
                    projects_from_frame, read_funding_csv, read_parameter_csv)
from .montecarlo import BuildoutResult, projects_table, run_buildout, simulation_years, year_to_month
from .stages import StageDraws, sample_stages

__all__ = [
    "POLICIES", "Funding", "Project", "funding_from_frame", "month_to_year", "parse_shares", "planned_envelopes",
    "projects_from_frame", "read_funding_csv", "read_parameter_csv", "BuildoutResult", "projects_table",
    "run_buildout", "simulation_years", "year_to_month", "StageDraws", "sample_stages",
]
