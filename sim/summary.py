"""Plain-text summary of a loaded scenario, for `run_sim.py validate`."""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from .loader import Scenario
from .money import format_yi


def scenario_summary(s: Scenario) -> str:
    units = s.rows("units")
    levels = Counter(u.level for u in units)
    lines = [
        f"scenario {s.id}: {s.name}",
        f"  region      {s.region.get('name')} ({s.region.get('level', '?')}, unit {s.region_unit}); "
        f"base year {s.base_year}, horizon {s.horizon}, plan period {s.period[0]}-{s.period[1]}",
    ]
    if len(s.chain) > 1:
        lines.append("  extends     " + " -> ".join(Path(p).name for p in s.chain))
    if s.what_if:
        lines.append("  what-if     " + "; ".join(f"{k} {v}" for k, v in s.what_if.items()))
    villages = sum((u.villages or 0) + (u.communities or 0) for u in units if u.level == "township")
    lines.append("  units       " + ", ".join(f"{n} {lvl}" for lvl, n in sorted(levels.items()))
                 + (f"; {villages} villages and communities" if villages else ""))
    fac = Counter(f.facility_type for f in s.rows("facilities"))
    lines.append(f"  facilities  {len(s.rows('facilities'))} rows: " + ", ".join(f"{t} {n}" for t, n in sorted(fac.items())))
    projects = s.rows("projects")
    total = sum(p.investment_total for p in projects)
    plan = sum(p.investment_plan for p in projects)
    lines.append(f"  projects    {len(projects)} projects, total investment {format_yi(total)} "
                 f"({total:,.0f} yuan), plan-period investment {format_yi(plan)}")
    lines.append(f"  outputs     {len(s.rows('project_outputs'))} project outputs")
    targets = s.rows("targets")
    kinds = Counter(t.kind for t in targets)
    binding = Counter(t.binding for t in targets)
    main = sum(1 for t in targets if t.main_table == "yes")
    lines.append(f"  targets     {len(targets)} targets: {kinds.get('computed', 0)} computed, {kinds.get('tracked', 0)} tracked; "
                 f"{binding.get('binding', 0)} binding, {binding.get('indicative', 0)} indicative; "
                 f"{main} main indicators")
    params = s.rows("parameters")
    conf = Counter((p.confidence or "unstated") for p in params)
    lines.append(f"  parameters  {len(params)}: " + ", ".join(f"{c} {n}" for c, n in sorted(conf.items())))
    drawn = [p for p in params if (p.distribution or "fixed") != "fixed" and p.low is not None and p.high is not None]
    if drawn or projects:
        n_assumed = sum(1 for p in drawn if p.confidence == "assumption")
        lines.append(f"  uncertain   {len(drawn)} parameters drawn per replication ({n_assumed} of them assumptions) "
                     f"and {len(projects)} project schedules: the candidate drivers of each verdict")
    for name in ("base_facts", "conflicts", "monitoring"):
        if s.rows(name):
            lines.append(f"  {name:<11} {len(s.rows(name))} rows")
    funding = s.rows("funding")
    if funding:
        years = sorted({f.year for f in funding})
        sources = sorted({f.funding_source for f in funding})
        lines.append(f"  funding     {format_yi(sum(f.amount for f in funding))} from {len(sources)} source{'' if len(sources) == 1 else 's'} "
                     f"({', '.join(sources)}), {years[0]}-{years[-1]}")
    if s.allocations:   # counted programmes placed by sim/allocation.py
        from .allocation import allocation_text
        lines += allocation_text(s, s.allocations)
    return "\n".join(lines)
