"""Command line: `validate`, `run` and `new-scenario`.  Bad input ends in one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import InputError

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = REPO / "scenarios" / "tongdao.yaml"
DEFAULT_RESULTS = REPO / "results"
DEFAULT_REPLICATIONS = 1000


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage mistake is one line like every other input error."""

    def error(self, message: str):  # type: ignore[override]
        self.exit(2, f"error: command line: {self.prog}: {message} (see --help)\n")


def _parser() -> argparse.ArgumentParser:
    p = _Parser(prog="run_sim.py", description="Civil-affairs (民政) planning simulator")
    sub = p.add_subparsers(dest="command", parser_class=_Parser)
    v = sub.add_parser("validate", help="check a scenario and print its summary")
    v.add_argument("scenario", type=Path)
    v.add_argument("--json", action="store_true", help="print the fully resolved scenario as JSON (money in yuan)")
    r = sub.add_parser("run", help="simulate a scenario and write its results folder")
    r.add_argument("scenario", type=Path)
    r.add_argument("--replications", "-n", type=int, default=1000, help="Monte Carlo replications (default 1000)")
    r.add_argument("--seed", type=int, default=20210101, help="random seed (default 20210101)")
    r.add_argument("--out", type=Path, default=None, help="results folder (default results/<scenario>)")
    r.add_argument("--overwrite", action="store_true", help="replace an existing results folder")
    r.add_argument("--deterministic", action="store_true",
                   help="switch all randomness off: central values, planned dates")
    r.add_argument("--policy", choices=("plan_order", "priority", "pro_rata"), default="plan_order",
                   help="how each year's money is allocated among projects: plan_order (table order), "
                        "priority (projects.csv priority column, 1 first, blank last; an error without it), "
                        "pro_rata (every claim cut by the same factor)")
    r.add_argument("--population-draws", type=int, default=None,
                   help="demographic draws, reused cyclically over replications (default min(N, 200))")
    r.add_argument("--progress", action="store_true", help="show a progress bar")
    r.add_argument("--no-maps", action="store_true",
                   help="skip the maps, coverage.gpkg and coverage_map.html (written by default)")
    r.add_argument("--no-report", action="store_true", help="skip report.html and report.xlsx (faster)")
    r.add_argument("--workers", type=int, default=None,
                   help="run the replications on N local Dask worker processes (sim/distributed.py); "
                        "same files as a serial run for the same seed")
    r.add_argument("--scheduler", default=None, metavar="ADDRESS",
                   help="run the replications on an existing Dask cluster (e.g. tcp://127.0.0.1:8786)")
    _add_compare_parsers(sub)
    from .optimize.arguments import add_parser as _add_optimize_parser
    _add_optimize_parser(sub)
    from .optimize.siting_arguments import add_parser as _add_site_parser
    _add_site_parser(sub)
    n = sub.add_parser("new-scenario", help="write a complete scenario skeleton for a new county from its units")
    n.add_argument("name", help="scenario id: lower-case letters, digits, _ (scenarios/NAME.yaml and scenarios/NAME/)")
    n.add_argument("--units", type=Path, required=True,
                   help="CSV of the county and its townships: id, name_zh, level, parent, villages, communities, "
                        "[kind_zh, lon, lat, population, source, note]")
    n.add_argument("--dir", type=Path, default=None, help="folder to write into (default: scenarios/)")
    _add_import_parser(sub)
    return p


def _add_import_parser(sub) -> None:
    """`import-plan` (sim.planimport, issue 15)."""
    ip = sub.add_parser("import-plan", help="read a plan's text (主要指标, 专栏, 重点项目表, 十三五 review) into a "
                                            "scenario skeleton and an IMPORT_REPORT.md")
    ip.add_argument("plan", type=Path, help="the plan as UTF-8 plain text (converted from PDF or Word)")
    ip.add_argument("--out", type=Path, required=True, help="folder to write (e.g. scenarios/NAME/)")
    ip.add_argument("--overwrite", action="store_true", help="replace a folder an earlier import-plan wrote")
    ip.add_argument("--name", default=None, help="scenario id (default: the folder's name)")


def cmd_import_plan(args: argparse.Namespace) -> int:
    from .planimport import import_plan, summary_row

    res = import_plan(args.plan, args.out, overwrite=args.overwrite, name=args.name)
    s = summary_row(res)
    print(f"main indicators: {s['main_found']}" + (f" of {s['main_expected']}" if s["main_expected"] else
                                                   " (no main-indicator table)"))
    print(f"prose and box targets: {s['prose']}")
    if res.projects.table is not None:
        print(f"projects: {s['projects_found']}" + (f" of {s['projects_expected']}" if s["projects_expected"] is not None
                                                    else "") + f", investments {s['investment_sum']}{s['money_unit']}"
              + (f" (stated total {s['investment_stated']}{s['money_unit']})" if s["investment_stated"] else ""))
    else:
        print("projects: no key-project table")
    print(f"base facts: {s['base_facts']}")
    print(f"skeleton: {'validates' if res.validate_ok else 'does not validate yet'} "
          f"(placeholders listed in {args.out / 'IMPORT_REPORT.md'})")
    print(f"wrote {args.out}")
    return 0


def _add_compare_parsers(sub) -> None:
    """`compare` and `report` (sim.study, sim.reports)."""
    c = sub.add_parser("compare", help="run a base and variants with common random numbers; paired differences, "
                                       "schedule slack, tornado, reports")
    c.add_argument("base", type=Path)
    c.add_argument("variants", type=Path, nargs="+")
    c.add_argument("--replications", "-n", type=int, default=1000, help="Monte Carlo replications (default 1000)")
    c.add_argument("--seed", type=int, default=20210101, help="random seed shared by every scenario (default 20210101)")
    c.add_argument("--out", type=Path, required=True, help="results folder of the comparison")
    c.add_argument("--overwrite", action="store_true", help="replace an existing results folder")
    c.add_argument("--policy", choices=("plan_order", "priority", "pro_rata"), default="plan_order")
    c.add_argument("--population-draws", type=int, default=None)
    c.add_argument("--level", type=float, default=0.95, help="confidence level of the paired intervals (default 0.95)")
    c.add_argument("--slack-level", type=float, default=0.8, help="P(met) a safe schedule must reach (default 0.8)")
    c.add_argument("--slack-step", type=int, default=6, help="months between shifts of the slack grid (default 6)")
    c.add_argument("--no-slack", action="store_true", help="skip the schedule-slack analysis")
    c.add_argument("--no-tornado", action="store_true", help="skip the tornado analysis")
    c.add_argument("--no-report", action="store_true", help="skip report.html and report.xlsx (faster)")
    rp = sub.add_parser("report", help="rebuild report.html and report.xlsx from a results folder")
    rp.add_argument("results", type=Path)
    mp = sub.add_parser("map", help="redraw the maps, coverage.gpkg and coverage_map.html of a results folder")
    mp.add_argument("results", type=Path)


def cmd_compare(args: argparse.Namespace) -> int:
    from .run import RunOptions
    from .study import StudyOptions, run_study

    if not 0 < args.level < 1:
        raise InputError("command line", "--level", f"must be between 0 and 1, got {args.level}")
    if not 0 < args.slack_level <= 1:
        raise InputError("command line", "--slack-level", f"must be in (0, 1], got {args.slack_level}")
    if args.slack_step < 1:
        raise InputError("command line", "--slack-step", "must be a whole number of months >= 1")
    opt = RunOptions(replications=args.replications, seed=args.seed, policy=args.policy,
                     population_draws=args.population_draws)
    sopt = StudyOptions(level=args.level, slack=not args.no_slack, slack_level=args.slack_level,
                        slack_step=args.slack_step, tornado=not args.no_tornado, reports=not args.no_report)
    comp = run_study(args.base, args.variants, opt, sopt, args.out, overwrite=args.overwrite, argv=args.command_line)
    from .reports.console import print_comparison
    print_comparison(comp)
    print(f"results written to {args.out} ({sum(v for k, v in sopt.seconds.items() if k != 'runs'):.1f} s)")
    return 0


def cmd_optimize(args: argparse.Namespace) -> int:
    from .optimize.command import cmd_optimize as run_optimize

    return run_optimize(args)


def cmd_site(args: argparse.Namespace) -> int:
    from .optimize.siting_command import cmd_site as run_site

    return run_site(args)


def cmd_report(args: argparse.Namespace) -> int:
    from .reports import build_reports

    for path in build_reports(args.results):
        print(f"wrote {path}")
    return 0


def cmd_map(args: argparse.Namespace) -> int:
    from .geo.outputs import redraw

    names = redraw(args.results, progress=lambda msg: print(msg, flush=True))
    print(f"wrote {len(names)} files into {args.results}" if names else "no township geodata for this region: nothing drawn")
    return 0


def cmd_run(args: argparse.Namespace) -> int:
    from .report import print_verdicts
    from .run import RunOptions, run

    opt = RunOptions(replications=args.replications, seed=args.seed, randomness=not args.deterministic,
                     policy=args.policy, population_draws=args.population_draws, progress=args.progress,
                     maps=not args.no_maps, workers=args.workers, scheduler=args.scheduler)
    scenario_id = args.scenario.stem
    out = args.out or DEFAULT_RESULTS / scenario_id
    from .reports.tables import write_run_extras
    extra = (lambda res, folder: write_run_extras(res, folder, reports=not args.no_report))
    result = run(args.scenario, opt, out, overwrite=args.overwrite, argv=args.command_line, arguments=args.arguments,
                 extra=extra)
    print_verdicts(result)
    for w in result.warnings:
        print(f"warning: {w}", file=sys.stderr)
    print(f"results written to {out} ({result.seconds:.1f} s)")
    return 0


def cmd_validate(args: argparse.Namespace) -> int:
    from .domains import defaults_text, validate_scenario
    from .summary import scenario_summary

    scenario = validate_scenario(args.scenario)
    from .plausibility import check as plausibility_check

    for w in plausibility_check(scenario):   # warnings only: the exit code stays 0
        print(w.line(), file=sys.stderr)
    if scenario.rows("funding") and scenario.rows("projects"):   # the planned schedule against the money
        from .buildout.schedule import check_schedule

        where = getattr(scenario.rows("projects")[0], "_file", None) or scenario.path
        for w in check_schedule(scenario):
            print(f"warning: {where}: start: planned schedule: {w}", file=sys.stderr)
    if args.json:
        json.dump(scenario.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(scenario_summary(scenario))
        for line in defaults_text(scenario):
            print(line)
        print("valid.")
    return 0


def cmd_new_scenario(args: argparse.Namespace) -> int:
    from .new_scenario import new_scenario

    path = new_scenario(args.name, args.units, args.dir)
    print(f"wrote {path} and {path.with_suffix('')}/ (every row marked assumption: is yours to replace)")
    print(f"next: python run_sim.py validate {path}")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    typed = ["run_sim.py", *argv]   # the command as typed, recorded in the manifest
    if not argv:  # the default job: Tongdao, into results/tongdao (replaced on each default run)
        argv = ["run", str(DEFAULT_SCENARIO), "--out", str(DEFAULT_RESULTS / "tongdao"), "--overwrite"]
        if DEFAULT_REPLICATIONS != 1000:   # tests shorten the default run
            argv += ["-n", str(DEFAULT_REPLICATIONS)]
    parser = _parser()
    args = parser.parse_args(argv)
    args.command_line = typed
    args.arguments = argv
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return {"validate": cmd_validate, "run": cmd_run, "compare": cmd_compare,
                "report": cmd_report, "new-scenario": cmd_new_scenario, "map": cmd_map,
                "optimize": cmd_optimize, "site": cmd_site, "import-plan": cmd_import_plan}[args.command](args)
    except InputError as exc:   # one line per problem (all problems of one pass), then exit code 2
        lines = exc.lines()
        scenario = getattr(args, "scenario", None)
        if scenario is not None:   # a problem found past the loader without a file: name the scenario
            lines = [ln.replace("error: <input>:", f"error: {scenario}:", 1) for ln in lines]
        print("\n".join(lines), file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and cut short: not an error of ours
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
