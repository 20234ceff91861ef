"""`run_sim.py optimize`: best phasing, K alternatives, their Monte Carlo re-check, overlays."""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

import pandas as pd
from rich.console import Console
from rich.table import Table

from ..errors import InputError
from ..outputs import MANIFEST, WRITTEN_BY, atomic_folder, write_csv, write_json
from .model import solve
from .overlay import overlay_text, start_month
from .recheck import recheck
from .scenario import phasing_instance, target_links


def _precedences(items: list[str]) -> list[tuple[str, str]]:
    out = []
    for it in items:
        a, sep, b = it.partition(":")
        if not sep or not a or not b:
            raise InputError("command line", "--after", f"write A:B (B starts after A is complete), got {it!r}")
        out.append((a.strip(), b.strip()))
    return out


def _label(t) -> str:
    return "deferred" if t is None else start_month(t)


def cmd_optimize(args) -> int:
    from ..loader import load_scenario
    from ..run import RunOptions

    if args.alternatives < 0:
        raise InputError("command line", "--alternatives", f"must be >= 0, got {args.alternatives}")
    if args.time_limit <= 0:
        raise InputError("command line", "--time-limit", f"must be > 0 seconds, got {args.time_limit}")
    if args.replications < 1:
        raise InputError("command line", "--replications", f"must be >= 1, got {args.replications}")
    prec = _precedences(args.after)
    from ..outputs import check_destination
    check_destination(args.out, args.overwrite)
    scenario = load_scenario(args.scenario)
    known = [p.id for p in scenario.rows("projects")]
    for a, b in prec:
        for x in (a, b):
            if x not in known:
                raise InputError("command line", "--after", f"unknown project {x!r} (known: {', '.join(known)})")
    t0 = time.perf_counter()
    links = target_links(scenario, seed=args.seed)
    inst = phasing_instance(scenario, links, args.duration_quantile, prec, deferral=not args.no_deferral, seed=args.seed)
    t_setup = time.perf_counter() - t0
    rep = solve(inst, args.objective, args.alternatives, args.time_limit)
    gap = "n/a" if rep.gap is None else f"{rep.gap:.2e}"
    print(f"solver: HiGHS (scipy.optimize.milp), status {rep.status}, gap {gap}, {rep.seconds:.2f} s "
          f"({len(rep.solutions)} solution{'s' if len(rep.solutions) != 1 else ''}; set-up {t_setup:.1f} s)")
    if rep.hit_limit:
        print(f"note: the solver hit its time limit ({args.time_limit:g} s): the phasing shown is the best found, "
              f"not proven optimal (gap {gap})")
    if not rep.solutions:
        print(f"error: {args.scenario}: optimize: no phasing meets the constraints ({rep.status}: {rep.message}); "
              "deadlines, fixed starts or binding targets cannot all be met within the envelopes", file=sys.stderr)
        return 1
    ids = inst.ids
    phasings = {"plan": {}}
    for i, sol in enumerate(rep.solutions):
        phasings["best" if i == 0 else f"alt{i}"] = dict(zip(ids, sol.start))
    opt = RunOptions(replications=args.replications, seed=args.seed)
    t1 = time.perf_counter()
    targets, spending = recheck(scenario, phasings, opt)
    t_mc = time.perf_counter() - t1

    planned = {p.id: p.start for p in scenario.rows("projects")}
    phase_rows = []
    for pid in ids:
        row = {"project": pid, "name_zh": scenario.by_id("projects")[pid].name_zh, "plan": start_month(planned[pid])}
        for label, start in phasings.items():
            if label != "plan":
                row[label] = _label(start[pid])
        phase_rows.append(row)
    phase_df = pd.DataFrame(phase_rows)
    linked = {l.id: l for l in links}
    targets["decided_by_phasing"] = [linked[t].status if t in linked else "undefined" for t in targets.target]
    targets["requires"] = [";".join(linked[t].requires) if t in linked else "" for t in targets.target]

    solver = {"solver": "HiGHS via scipy.optimize.milp", "status": rep.status, "message": rep.message,
              "gap": rep.gap, "seconds": rep.seconds, "hit_time_limit": rep.hit_limit, "time_limit": args.time_limit,
              "objective": args.objective, "duration_quantile": args.duration_quantile,
              "precedences": [f"{a}:{b}" for a, b in prec], "variables": sum(len(o) for o in inst.options),
              "solutions": [{"label": "best" if i == 0 else f"alt{i}", "objective": s.objective, "targets_met": s.met,
                             "projects_moved": s.moved, "money_committed_yuan": s.cost,
                             "differs_from_best": _diff(ids, rep.solutions[0].start, s.start)}
                            for i, s in enumerate(rep.solutions)],
              "targets": [{"id": l.id, "year": l.year, "binding": l.binding, "status": l.status, "requires": l.requires}
                          for l in links if l.status != "undefined"]}
    base = args.scenario
    files = []
    with atomic_folder(args.out, args.overwrite) as tmp:
        for i, sol in enumerate(rep.solutions):
            label = "best" if i == 0 else f"alt{i}"
            ident = f"{scenario.id}_opt_{label}"
            comment = [f"written by run_sim.py optimize ({args.objective}); solver status {rep.status}, gap {gap}",
                       f"objective {sol.objective:.4f}; targets met on the MILP's durations: {', '.join(sol.met) or 'none'}",
                       "differs from best: " + (_diff(ids, rep.solutions[0].start, sol.start) or "(this is the best)")]
            text = overlay_text(scenario, base, args.out, phasings[label], ident,
                                f"{scenario.name} — optimised phasing ({label})", comment)
            (tmp / f"{label}.yaml").write_text(text, encoding="utf-8")
            files.append(f"{label}.yaml")
        for name, df in (("phasing.csv", phase_df), ("targets.csv", targets), ("spending.csv", spending)):
            write_csv(tmp / name, df)
            files.append(name)
        write_json(tmp / "solver.json", solver)
        files.append("solver.json")
        write_json(tmp / MANIFEST, {"written_by": WRITTEN_BY, "command": getattr(args, "command_line", None),
                                    "scenario": str(args.scenario), "seed": args.seed,
                                    "replications": args.replications, "files": files})
    print_table(scenario, phase_df, targets, rep, linked)
    print(f"Monte Carlo re-check: {args.replications} replications, seed {args.seed}, common random numbers "
          f"({t_mc:.1f} s)")
    print(f"results written to {args.out} (overlays: " + ", ".join(f for f in files if f.endswith(".yaml")) + ")")
    return 0


def _diff(ids, best, other) -> str:
    return "; ".join(f"{pid} {_label(a)} -> {_label(b)}" for pid, a, b in zip(ids, best, other)
                     if (a is None) != (b is None) or (a is not None and abs(a - b) > 1e-9))


def print_table(scenario, phase_df: pd.DataFrame, targets: pd.DataFrame, rep, linked, console=None) -> None:
    """Plan's phasing vs best vs alternatives: starts of the projects that move, then P(met)."""
    console = console or Console(width=200)
    labels = [c for c in phase_df.columns if c not in ("project", "name_zh")]
    t = Table(title=f"{scenario.name} — phasing: plan vs optimised (starts; P(met) from the Monte Carlo)")
    t.add_column("row")
    t.add_column("name")
    for lab in labels:
        t.add_column(lab, justify="right")
    moving = phase_df[phase_df[labels].nunique(axis=1) > 1]
    for _, r in moving.iterrows():
        t.add_row(r.project, str(r.name_zh)[:24], *[r[lab] for lab in labels])
    if moving.empty:
        t.add_row("(starts)", "every phasing starts every project as planned", *[""] * len(labels))
    t.add_section()
    obj = {("best" if i == 0 else f"alt{i}"): s.objective for i, s in enumerate(rep.solutions)}
    t.add_row("objective", "MILP objective", "", *[f"{obj[lab]:.3f}" for lab in labels[1:]])
    decided = targets[targets.decided_by_phasing == "phasing"]
    for tid, grp in decided.groupby("target", sort=False):
        p = dict(zip(grp.phasing, grp.p_met))
        star = "*" if grp.binding.iloc[0] == "binding" else ""
        t.add_row(f"{tid}{star}", str(grp.name_zh.iloc[0])[:24], *[_p(p.get(lab)) for lab in labels])
    t.add_section()
    for kind in ("binding", "indicative"):
        sub = targets[targets.binding == kind]
        if len(sub):
            mean = sub.groupby("phasing").p_met.mean()
            t.add_row(f"mean P(met)", f"all computed {kind} targets", *[_p(mean.get(lab)) for lab in labels])
    console.print(t)
    console.print("* binding target.  Starts as YYYY-MM; only projects whose start differs between phasings are shown. "
                  "Target rows: the targets the phasing decides (docs/optimise.md).")


def _p(v) -> str:
    return "n/a" if v is None or pd.isna(v) else f"{v:.2f}"
