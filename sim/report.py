"""The verdict table printed at the end of a run: each target in its year, the probability it is met."""

from __future__ import annotations

from rich.console import Console
from rich.table import Table

from .drivers import driver_label


def basis_label(text: str | None, width: int = 28) -> str:
    """A short label of a target's ``basis`` (targets.csv): ``assumption: <first name>`` for an
    assumption, else the text before its first colon (or its first ``width`` characters)."""
    text = (text or "").strip()
    if not text:
        return ""
    head, sep, rest = text.partition(":")
    if sep and head.strip() == "assumption" and rest.split():
        return "assumption: " + rest.split()[0].rstrip(",;")
    if sep and len(head) <= width:
        return head.strip()
    return text if len(text) <= width else text[:width - 1].rstrip() + "…"


def _fmt(x, digits: int = 1) -> str:
    return "" if x is None else f"{x:,.{digits}f}"


def print_verdicts(result, console: Console | None = None) -> None:
    """The verdict table.  A deterministic or single-replication run shows the one simulated value
    and no probability or interval columns (there is nothing to estimate)."""
    from .indicators import interval_kind

    console = console or Console(width=200)
    o = result.options
    estimate = interval_kind(o.replications, o.randomness) == "wilson95"
    how = ("deterministic (everything on plan)" if not o.randomness
           else f"{o.replications} replication{'s' if o.replications > 1 else ''}, seed {o.seed}")
    table = Table(title=f"{result.scenario.name} — targets, {how}", show_lines=False)
    cols = [("id", "left"), ("indicator", "left"), ("year", "right"), ("target", "right")]
    cols += ([("simulated p10–p50–p90", "right"), ("P(met)", "right"), ("95% CI", "right")] if estimate
             else [("simulated", "right")])
    for col, just in cols + [("verdict", "left"), ("basis", "left"), ("driver", "left")]:
        table.add_column(col, justify=just)
    for rec in result.summary:
        target = f"{rec['comparator'] or ''}{_fmt(rec['target'], 4).rstrip('0').rstrip('.') if rec['target'] is not None else rec['target_text'] or ''} {rec['unit'] or ''}"
        if rec["kind"] == "computed":
            sim = f"{_fmt(rec['p10'])} – {_fmt(rec['p50'])} – {_fmt(rec['p90'])}" if estimate else _fmt(rec["p50"])
            p = _fmt(rec["p_met"], 2) if rec["p_met"] is not None else "n/a"
            ci = (f"{rec['p_met_low']:.2f}–{rec['p_met_high']:.2f}"
                  if rec.get("p_met_low") is not None and rec.get("p_met_high") is not None else "")
        else:
            sim = f"observed {_fmt(rec.get('observed'))}" if rec.get("observed") is not None else "—"
            p, ci = "—", ""
        binding = "*" if rec["binding"] == "binding" else ""
        cells = [sim, p, ci] if estimate else [sim]
        table.add_row(rec["id"] + binding, rec["name"], str(rec["year"]), target, *cells, rec["verdict"],
                      basis_label(rec.get("basis")), driver_label(rec))
    console.print(table)
    if estimate:
        console.print("* binding (约束性) target. P(met): share of replications in which the target holds at the end "
                      "of its year; 95% Wilson interval.")
        console.print("basis: where the verdict comes from (the plan, a design figure, a data entry or a named "
                      "assumption), shortened; the full text is in targets.csv and summary.json (basis).")
        console.print("driver: the uncertain inputs that most change whether the target is met (sim/drivers.py, "
                      "docs/drivers.md), each with P(met) above minus below the input's median (− = a higher value or "
                      "a later completion makes it less likely) and, in brackets, the share of the variance of "
                      "met / not met it explains alone. Up to 3 per target in summary.json.")
    else:
        console.print("* binding (约束性) target. One outcome, no probability: "
                      + ("every project on its planned dates, central parameter values." if not o.randomness
                         else "a single random replication."))
