"""The verdict table printed at the end of a run: each target in its year, the probability it is met."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table


def _fmt(x, digits: int = 1) -> str:
    return "" if x is None else f"{x:,.{digits}f}"


def print_verdicts(result, console: Console | None = None) -> None:
    console = console or Console(width=160)
    o = result.options
    table = Table(title=f"{result.scenario.name} — targets, {o.replications} replications, seed {o.seed}",
                  show_lines=False)
    for col, just in (("id", "left"), ("indicator", "left"), ("year", "right"), ("target", "right"),
                      ("simulated p10–p50–p90", "right"), ("P(met)", "right"), ("95% CI", "right"),
                      ("verdict", "left")):
        table.add_column(col, justify=just)
    for rec in result.summary:
        target = f"{rec['comparator'] or ''}{_fmt(rec['target'], 4).rstrip('0').rstrip('.') if rec['target'] is not None else rec['target_text'] or ''} {rec['unit'] or ''}"
        if rec["kind"] == "computed":
            sim = f"{_fmt(rec['p10'])} – {_fmt(rec['p50'])} – {_fmt(rec['p90'])}"
            p = _fmt(rec["p_met"], 2) if rec["p_met"] is not None else "n/a"
            ci = f"{rec['p_met_low']:.2f}–{rec['p_met_high']:.2f}" if rec["p_met"] is not None else ""
        else:
            sim = f"observed {_fmt(rec.get('observed'))}" if rec.get("observed") is not None else "—"
            p, ci = "—", ""
        binding = "*" if rec["binding"] == "binding" else ""
        table.add_row(rec["id"] + binding, rec["name"], str(rec["year"]), target, sim, p, ci, rec["verdict"])
    console.print(table)
    console.print("* binding (约束性) target. P(met): share of replications in which the target holds at the end of its year.")
