"""A phasing as a scenario overlay YAML: ``extends:`` the input scenario, ``patch: projects:`` the
new works windows.  ``run``, ``validate`` and ``compare`` read it like any variant."""

from __future__ import annotations

import math
import os
from pathlib import Path

import yaml

from ..buildout import year_to_month


def start_month(t: float) -> str:
    """A start time as ``YYYY-MM`` (the month that begins at ``t``; 2023.0 = 2023-01)."""
    y = math.floor(t + 1e-9)
    m = int(round((t - y) * 12)) + 1
    if m > 12:
        y, m = y + 1, 1
    return f"{y:04d}-{m:02d}"


def window(scenario, pid: str, start: float | None) -> dict[str, str]:
    """``{start, end}`` months of project ``pid`` moved to ``start`` (None = past the horizon),
    keeping its planned duration."""
    p = scenario.by_id("projects")[pid]
    t = float(scenario.horizon + 1) if start is None else start
    return {"start": start_month(t), "end": year_to_month(t + (p.end - p.start))}


def overlay_text(scenario, base_yaml: Path, folder: Path, start: dict[str, float | None], ident: str,
                 name: str, comment: list[str]) -> str:
    """The YAML text of an overlay written into ``folder``: only projects whose start changed are patched."""
    planned = {p.id: p.start for p in scenario.rows("projects")}
    patch = {pid: window(scenario, pid, t) for pid, t in start.items()
             if t is None or abs(t - planned[pid]) > 1e-9}
    rel = os.path.relpath(Path(base_yaml).resolve(), Path(folder).resolve())
    data = {"extends": rel, "id": ident, "name": name}
    if patch:
        data["patch"] = {"projects": patch}
    head = "".join(f"# {line}\n" for line in comment)
    return head + yaml.safe_dump(data, allow_unicode=True, sort_keys=False)
