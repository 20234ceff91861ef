"""The scenario skeleton around the imported tables: a YAML file and placeholder tables that validate.

The plan holds targets, projects and base-year figures, but not what the simulator also needs: the
admin units (the region and its townships with their villages), the population, what exists in the
base year (facilities), the money by source and year (funding) and the model parameters.  This
module writes those as clearly marked placeholders, using :func:`sim.new_scenario.new_scenario` (every
parameter row of the shipped template with its source; Tongdao's own values marked ``assumption:``):

* ``units.csv``: the region (its name read from the plan) and ONE placeholder township
  (``assumption: placeholder``); replace with the real townships;
* the base population: the plan's own figure where the review prints one (户籍人口 / 常住人口 /
  总人口, cited), else the template's (Tongdao's census residents), marked ``assumption: placeholder``;
* ``model_base_facts.csv``: the base facts the service models read, per-resident rates of the
  template (``assumption:``) until the user enters the plan's;
* projects: dates are the whole plan period and the site is the region (``schedule_source`` and
  ``note`` say so).

Nothing here is presented as a fact of the plan: every placeholder row's source starts with
``assumption:``.
"""

from __future__ import annotations

import csv
import re
import tempfile
from pathlib import Path

from ..new_scenario import TEMPLATE_POPULATION, new_scenario, write_csv
from .plan_meta import PlanMeta

TARGET_COLUMNS = ("id", "name_zh", "unit", "year", "comparator", "value", "value_text", "binding", "kind", "quantity",
                  "main_table", "basis", "printed", "source", "note")
PROJECT_COLUMNS = ("id", "name_zh", "category_zh", "facility_type", "unit", "site_zh", "action", "content_zh",
                   "investment_total", "investment_plan", "money_unit", "start", "end", "schedule_source", "status_zh",
                   "printed", "source", "note")
OUTPUT_COLUMNS = ("id", "project", "facility", "facility_type", "name_zh", "unit", "ownership", "functions", "spread",
                  "beds", "beds_nursing", "plots", "area_m2", "households", "staff", "count", "printed", "source", "note")
BASE_FACT_COLUMNS = ("id", "name_zh", "year", "value", "unit", "unit_id", "printed", "source", "note")


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, encoding="utf-8", newline="") as f:
        reader = csv.DictReader(f)
        return list(reader.fieldnames or []), list(reader)


def write_skeleton(folder: Path, name: str, meta: PlanMeta) -> list[str]:
    """Write the placeholder tables and ``<name>.yaml`` into ``folder``; return what the user must fill."""
    region = meta.region_id
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        units = tmp / "units_in.csv"
        pop = meta.population
        write_csv(units, ("id", "name_zh", "level", "kind_zh", "parent", "villages", "communities", "population",
                          "source", "note"), [
            {"id": region, "name_zh": meta.region_name, "level": meta.level, "population": pop[0] if pop else
             TEMPLATE_POPULATION,
             "source": (f"{meta.region_source}" if meta.region_source else
                        "assumption: placeholder, the region's name read from the plan's file name"),
             "note": "set the official code (GB/T 2260) as id"},
            {"id": f"{region}_t01", "name_zh": "待填写乡镇", "level": "township", "kind_zh": "", "parent": region,
             "villages": 1, "communities": 0,
             "source": "assumption: placeholder township; the plan lists no townships with their villages: "
                       "replace this row by the region's townships",
             "note": "placeholder"}])
        new_scenario(name, units, tmp / "out", base_year=meta.base_year, period=meta.period)
        made = tmp / "out" / name
        for f in made.iterdir():
            if f.name in ("targets.csv", "projects.csv", "project_outputs.csv", "DATA_NOTES.md"):
                continue
            target = folder / ("model_base_facts.csv" if f.name == "base_facts.csv" else f.name)
            target.write_bytes(f.read_bytes())
    # the base population row: say where it really comes from
    demo = folder / "demography.csv"
    header, rows = _read_csv(demo)
    for r in rows:
        if r["id"] == "demography.base_population":
            if pop:
                r["source"] = f"{pop[1]} (the plan's {pop[2]}); derived: the census residents (七普) are preferred"
                r["confidence"] = "seed"
            else:
                r["source"] = (f"assumption: placeholder, the template's (Tongdao's) census residents {TEMPLATE_POPULATION}; "
                               "the plan prints no population: replace with the census total (七普公报)")
                r["confidence"] = "assumption"
    write_csv(demo, header, rows)
    header, rows = _read_csv(folder / "units.csv")
    for r in rows:
        if r["id"] == region and pop:
            r["note"] = (r.get("note") or "") + f"; population {pop[0]:.0f} from {pop[1]}"
    write_csv(folder / "units.csv", header, rows)
    (folder / f"{name}.yaml").write_text(_yaml(name, meta), encoding="utf-8")
    todo = [
        "units.csv: the region's official code and its townships (one placeholder township now), with villages and "
        "communities; the region-level facilities stand at the region row",
        ("demography.csv: demography.base_population is the plan's " + pop[2] + f" ({pop[1]}); the census residents "
         "(常住, 七普) are preferred") if pop else
        f"demography.csv: demography.base_population is a placeholder ({TEMPLATE_POPULATION}, Tongdao's): the plan "
        "prints no population",
        "demography.csv, service_parameters.csv, buildout_parameters.csv: the template's parameters (rows marked "
        "assumption: are Tongdao's or Hunan's values)",
        "model_base_facts.csv: the base facts the service models read, Tongdao's rates per resident until you enter "
        "the plan's (base_facts.csv holds what the plan says)",
        "facilities.csv: what exists in the base year (empty: the plan's review names facilities in prose only)",
        "projects.csv: start and end (placeholders: the whole plan period), the township of each site (unit: the "
        "region now), the funding shares; project_outputs.csv: check each capacity read from the content",
        "funding.csv: the money by source and year (zero envelopes now)",
        "targets.csv: check each proposed quantity (kind computed) and each prose target's name and year",
    ]
    return todo


def _yaml(name: str, meta: PlanMeta) -> str:
    return f"""# Written by `run_sim.py import-plan {meta.file}`: a scenario skeleton read from the plan.
# targets.csv, projects.csv, project_outputs.csv and base_facts.csv come from the plan (each row cites
# its line); every other table is a placeholder whose rows say `assumption:` (see IMPORT_REPORT.md).
id: {name}
name: "{meta.title}"
plan: {meta.file}
region:
  name: {meta.region_name}
  level: {meta.level}
  unit: "{meta.region_id}"
  source: "{meta.region_source or 'assumption: placeholder'}"
base_year: {meta.base_year}      # {meta.base_year_source}
horizon: {max(2035, meta.period[1])}
period: [{meta.period[0]}, {meta.period[1]}]   # {meta.period_source}
tables:
  units: units.csv
  facilities: facilities.csv
  projects: projects.csv
  project_outputs: project_outputs.csv
  targets: targets.csv
  parameters:
    - demography.csv
    - service_parameters.csv
    - buildout_parameters.csv
  base_facts:
    - base_facts.csv
    - model_base_facts.csv
  funding: funding.csv
"""


def slug(text: str) -> str:
    s = re.sub(r"[^a-z0-9_]+", "_", text.lower()).strip("_")
    return s if s and s[0].isalpha() else f"plan_{s}" if s else "plan"
