"""Chosen sites as a scenario overlay YAML: ``extends:`` the input scenario and ``add:`` one project
per new site (with its project output), the way the phasing overlay (``overlay.py``) ``patch:``-es
projects.  ``validate``, ``run``, ``optimize`` and ``compare`` read it like any variant.

With the plan's sites of the service replaced (``--planned replace``), the overlay also ``remove:``-s
the plan's outputs of the service and the projects that build nothing else, so the run compares the
chosen places with the plan's places rather than adding to them.

Every added row carries its source: the command line that chose it, and where the unit cost, the
capacity and the works window come from (a derivation from the plan's own projects, or the user's
figure given on the command line).
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

import yaml


@dataclass
class NewSite:
    """One chosen site: township id and name, and what the added output holds."""

    unit: str
    name_zh: str


@dataclass
class OverlaySpec:
    """What the overlay adds.  ``unit_cost_wan`` 万元 per facility; ``capacity`` beds of each new
    facility (None when the service is not measured in beds); ``start``/``end`` ``YYYY-MM``;
    ``functions`` and ``ownership`` of the new outputs; ``sources`` column -> source text."""

    service_key: str
    service_zh: str
    facility_type: str
    functions: str | None
    ownership: str
    unit_cost_wan: float
    capacity: float | None
    start: str
    end: str
    command: str
    cost_source: str
    capacity_source: str
    window_source: str
    remove_outputs: list[str]
    remove_projects: list[str]


def overlay_data(scenario, base_yaml: Path, folder: Path, sites: list[NewSite], spec: OverlaySpec,
                 ident: str, name: str) -> dict:
    """The overlay as a mapping (``extends`` relative to ``folder``)."""
    rel = os.path.relpath(Path(base_yaml).resolve(), Path(folder).resolve())
    key = spec.service_key.upper()
    projects, outputs = [], []
    for k, s in enumerate(sites, start=1):
        pid = f"SITE_{key}_{k}"
        src = f"derived: {spec.command}; cost {spec.cost_source}; window {spec.window_source}"
        projects.append({
            "id": pid, "name_zh": f"{spec.service_zh}（选址：{s.name_zh}）", "category_zh": "选址优化 siting",
            "facility_type": spec.facility_type, "unit": s.unit, "site_zh": s.name_zh, "action": "新建",
            "content_zh": f"新建{spec.service_zh}" + (f"，{spec.capacity:g}张床位" if spec.capacity else ""),
            "investment_total": spec.unit_cost_wan, "investment_plan": spec.unit_cost_wan, "money_unit": "万元",
            "start": spec.start, "end": spec.end, "delivery": "at_end",
            "schedule_source": spec.window_source, "source": src,
            "note": "added by run_sim.py site; funding split blank = the envelopes' shares (sim/buildout)"})
        out = {"id": f"{pid}_a", "project": pid, "facility": f"N_SITE_{key}_{k}", "facility_type": spec.facility_type,
               "name_zh": f"{spec.service_zh}（{s.name_zh}）", "unit": s.unit, "ownership": spec.ownership,
               "count": 1, "source": f"derived: {spec.command}; capacity {spec.capacity_source or 'n/a'}"}
        if spec.functions:
            out["functions"] = spec.functions
        if spec.capacity:
            out["beds"] = spec.capacity
        outputs.append(out)
    data = {"extends": rel, "id": ident, "name": name}
    remove = {}
    if spec.remove_projects:
        remove["projects"] = list(spec.remove_projects)
    removed_with_projects = {o.id for o in scenario.rows("project_outputs") if o.project in set(spec.remove_projects)}
    left = [o for o in spec.remove_outputs if o not in removed_with_projects]
    if left:
        remove["project_outputs"] = left
    if remove:
        data["remove"] = remove
    data["add"] = {"projects": projects, "project_outputs": outputs}
    return data


def overlay_text(data: dict, comment: list[str]) -> str:
    head = "".join(f"# {line}\n" for line in comment)
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False, width=200)
