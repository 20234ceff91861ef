"""Township-level cohort-component population projection with Monte Carlo uncertainty.

    inputs = build_inputs(units, params, base_year, horizon, region_unit)
    result = project(inputs, replications, seed, randomness=True)
    population_table(result, scenario_id); components_table(result); aging_table(result)
    aging_rates(result) -> {"share60", "share65", "share80"}: (R, Y);  older(result, 60) -> (R, U, Y)

Method, inputs and sources: docs/population.md.
"""

from .projection import (Inputs, Result, aging_rates, build_inputs, draws, migration_profile, older,
                         project, project_arrays)
from .tables import aging_table, components_table, population_table

__all__ = ["Inputs", "Result", "aging_rates", "aging_table", "build_inputs", "components_table", "draws",
           "migration_profile", "older", "population_table", "project", "project_arrays"]
