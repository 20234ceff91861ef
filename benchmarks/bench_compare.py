"""Benchmark: five Tongdao scenarios at 1,000 replications with common random numbers, the schedule-slack
analysis of the base (and, separately, the tornado and the reports).  Not a test: run it on demand.

    python benchmarks/bench_compare.py [-n 1000] [--no-reports]

Prints the seconds of each stage and the number of build-out + service evaluations.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(REPO))

from sim.compare import compare  # noqa: E402
from sim.experiment import Experiment  # noqa: E402
from sim.loader import load_scenario  # noqa: E402
from sim.run import RunOptions  # noqa: E402
from sim.slack import slack_analysis  # noqa: E402
from sim.study import StudyOptions, run_study  # noqa: E402
from sim.tornado import tornado_analysis  # noqa: E402

VARIANTS = ["tongdao_budget_cut.yaml", "tongdao_central_money_late.yaml", "tongdao_network_deferred.yaml",
            "tongdao_rephased.yaml"]


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("-n", type=int, default=1000)
    ap.add_argument("--no-reports", action="store_true")
    a = ap.parse_args()
    scen = REPO / "scenarios"
    base = load_scenario(scen / "tongdao.yaml")
    variants = [load_scenario(scen / v) for v in VARIANTS]
    exp = Experiment(RunOptions(replications=a.n, seed=20210101))
    t0 = time.perf_counter()
    comp = compare(base, variants, exp)
    t1 = time.perf_counter()
    slack_analysis(exp, base, base_result=comp.results[base.id])
    t2 = time.perf_counter()
    print(f"compare, 5 scenarios x {a.n} replications: {t1 - t0:.1f} s")
    print(f"schedule slack of the base (-24..+12 months, step 6, refined to the month): {t2 - t1:.1f} s")
    print(f"compare + slack: {t2 - t0:.1f} s  ({exp.runs} evaluations)")
    t3 = time.perf_counter()
    tornado_analysis(exp, base, base_result=comp.results[base.id])
    print(f"tornado (each project a year late, each source -30%): {time.perf_counter() - t3:.1f} s")
    if not a.no_reports:
        with tempfile.TemporaryDirectory() as tmp:
            t4 = time.perf_counter()
            run_study(scen / "tongdao.yaml", [scen / v for v in VARIANTS], RunOptions(replications=a.n),
                      StudyOptions(), Path(tmp) / "cmp")
            print(f"the whole `compare` command with reports: {time.perf_counter() - t4:.1f} s")


if __name__ == "__main__":
    main()
