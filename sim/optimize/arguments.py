"""Command-line arguments of `optimize` (kept free of heavy imports: the parser is built on every call)."""

from __future__ import annotations

from pathlib import Path


def add_parser(sub) -> None:
    o = sub.add_parser("optimize", help="phasing that meets most targets under the funding envelopes (MILP, HiGHS), "
                                        "K alternatives, Monte Carlo re-check, overlay YAMLs")
    o.add_argument("scenario", type=Path)
    o.add_argument("--out", type=Path, required=True, help="results folder (overlays, tables, solver.json)")
    o.add_argument("--overwrite", action="store_true", help="replace an existing results folder")
    o.add_argument("--objective", choices=("targets", "min_cost"), default="targets",
                   help="targets: most targets met by their year, binding first; min_cost: least money committed "
                        "with every reachable binding target met")
    o.add_argument("--alternatives", "-k", type=int, default=2, help="near-optimal alternatives (no-good cuts; default 2)")
    o.add_argument("--duration-quantile", type=float, default=None,
                   help="judge targets at this quantile of the simulated start-to-completion span (e.g. 0.8) "
                        "instead of the planned duration")
    o.add_argument("--time-limit", type=float, default=60.0, help="solver time limit in seconds (default 60)")
    o.add_argument("--after", action="append", default=[], metavar="A:B",
                   help="precedence: project B starts only after A is complete (repeatable)")
    o.add_argument("--no-deferral", action="store_true", help="every project must start within the horizon")
    o.add_argument("--replications", "-n", type=int, default=200, help="Monte Carlo replications of the re-check (default 200)")
    o.add_argument("--seed", type=int, default=20210101, help="random seed shared by every phasing (default 20210101)")
