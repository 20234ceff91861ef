"""Benchmark of the siting models (on demand, not part of the tests).

    .venv/bin/python benchmarks/bench_siting.py [--points 150] [--new 10] [--radius 15] [--time-limit 120] [--quick]

A synthetic prefecture: N demand points that are also the candidate sites (uniform in a 120 x 120 km
square, weights log-normal like township populations of 60+), 5 % of them already holding the
service, P new sites within R km (distances Euclidean, a stand-in for road km).  Each model (MCLP,
LSCP, p-median through spopt + PuLP's CBC; capacitated MCLP on HiGHS with capacities of 1.5 x the mean
load; MCLP with the distance tie-break) is solved once; the script prints status, objective and wall
time, and says when a solver stopped at the time limit.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.optimize.siting_model import SitingInstance, solve  # noqa: E402


def synthetic(N: int, new: int, radius: float, seed: int = 1, capacities: bool = False) -> SitingInstance:
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 120, (N, 2))
    cost = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    w = rng.lognormal(np.log(4000), 0.5, N)
    existing = np.zeros(N, bool)
    existing[rng.choice(N, size=max(1, N // 20), replace=False)] = True
    cap = None
    if capacities:
        cap = np.full(N, 1.5 * w.sum() / (existing.sum() + new))
    return SitingInstance(cost, w, existing, radius, new=new, capacity=cap)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--points", type=int, default=150)
    ap.add_argument("--new", type=int, default=10)
    ap.add_argument("--radius", type=float, default=15.0)
    ap.add_argument("--time-limit", type=float, default=120.0)
    ap.add_argument("--quick", action="store_true", help="40 points, 4 new sites (seconds)")
    a = ap.parse_args()
    if a.quick:
        a.points, a.new = 40, 4
    print(f"{a.points} points, {a.new} new sites, radius {a.radius:g} km, time limit {a.time_limit:g} s")
    runs = [("mclp", False, False), ("mclp", False, True), ("lscp", False, False), ("pmedian", False, False),
            ("cmclp", True, False)]
    for model, caps, tie in runs:
        inst = synthetic(a.points, a.new, a.radius, capacities=caps)
        t0 = time.perf_counter()
        res = solve(inst, model, a.time_limit, tie_break=tie)
        wall = time.perf_counter() - t0
        label = model + (" + distance tie-break" if tie else "")
        print(f"{label:28s} status {res.status:42s} objective {res.objective:14,.1f}  {wall:7.2f} s")


if __name__ == "__main__":
    main()
