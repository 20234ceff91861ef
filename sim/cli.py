"""Command line: `validate` and `run`.  Bad input ends in one line on stderr and exit code 2."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from .errors import InputError

REPO = Path(__file__).resolve().parent.parent
DEFAULT_SCENARIO = REPO / "scenarios" / "tongdao.yaml"
DEFAULT_RESULTS = REPO / "results"


def _parser() -> argparse.ArgumentParser:
    p = argparse.ArgumentParser(prog="run_sim.py", description="Civil-affairs (民政) planning simulator")
    sub = p.add_subparsers(dest="command")
    v = sub.add_parser("validate", help="check a scenario and print its summary")
    v.add_argument("scenario", type=Path)
    v.add_argument("--json", action="store_true", help="print the fully resolved scenario as JSON (money in yuan)")
    return p


def cmd_validate(args: argparse.Namespace) -> int:
    from .loader import load_scenario
    from .summary import scenario_summary

    scenario = load_scenario(args.scenario)
    if args.json:
        json.dump(scenario.to_dict(), sys.stdout, ensure_ascii=False, indent=1)
        sys.stdout.write("\n")
    else:
        print(scenario_summary(scenario))
        print("valid.")
    return 0


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    if not argv:
        argv = ["validate", str(DEFAULT_SCENARIO)]
    parser = _parser()
    args = parser.parse_args(argv)
    if args.command is None:
        parser.print_help()
        return 2
    try:
        return {"validate": cmd_validate}[args.command](args)
    except InputError as exc:
        print(f"error: {exc.line()}", file=sys.stderr)
        return 2
    except BrokenPipeError:  # output piped into `head` and cut short: not an error of ours
        sys.stderr.close()
        return 0
    except KeyboardInterrupt:
        print("error: interrupted", file=sys.stderr)
        return 130


if __name__ == "__main__":
    sys.exit(main())
