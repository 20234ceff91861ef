"""The comparison table printed at the end of `compare`: each target in its year, per variant."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def print_comparison(comp, console: Console | None = None) -> None:
    console = console or Console(width=160)
    df = comp.targets[comp.targets.in_target_year & (comp.targets.scenario != comp.base)]
    table = Table(title=f"Differences from {comp.base}, P(met) in the target's year, paired {comp.level:.0%} interval")
    for col in ("scenario", "id", "indicator", "year", "P base", "P variant", "difference", "interval", "verdict"):
        table.add_column(col, justify="right" if col in ("year", "P base", "P variant", "difference", "interval") else "left")
    for r in df.itertuples():
        if r.verdict == "no change":
            continue
        table.add_row(r.scenario, r.indicator_id + ("*" if r.binding == "binding" else ""), r.name, str(r.year),
                      f"{r.p_met_base:.2f}", f"{r.p_met:.2f}", f"{r.diff_p_met:+.3f}",
                      f"{r.diff_low:+.3f} … {r.diff_high:+.3f}", r.verdict)
    console.print(table)
    unchanged = df[df.verdict == "no change"]
    console.print(f"{len(unchanged)} target-variant pairs identical in every replication are not shown. "
                  "* binding (约束性) target.")
