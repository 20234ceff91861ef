"""Benchmark of the phasing MILP (on demand, not part of the tests).

    .venv/bin/python benchmarks/bench_optimize.py [--projects 500] [--years 10] [--time-limit 300] [--quick]

A synthetic provincial portfolio: P projects (costs log-normal, 1-4 planned years, planned starts
spread over the first half of the period, funding split over 5 sources), yearly envelopes equal to
85 % of the money the planned phasing needs (so not everything fits), one target per project group
(groups of 1-4 projects, 20 % binding, target years in the second half).  Prints the solver status,
gap, time, variables and the targets met; at the time limit HiGHS reports its gap.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.optimize.model import PhasingInstance, solve  # noqa: E402


def synthetic(P: int, Y: int, seed: int = 1) -> PhasingInstance:
    rng = np.random.default_rng(seed)
    y0 = 2021
    years = np.arange(y0, y0 + Y)
    S = 5
    dur = rng.integers(1, 5, P).astype(float)
    planned = np.array([float(y0 + rng.integers(0, max(1, Y // 2))) for _ in range(P)])
    planned = np.minimum(planned, y0 + Y - dur)
    cost = rng.lognormal(np.log(3e7), 0.8, P)
    shares = rng.dirichlet(np.ones(S), P)
    need = np.zeros((S, Y))
    for p in range(P):
        a, b = planned[p], planned[p] + dur[p]
        ov = np.clip(np.minimum(b, years + 1) - np.maximum(a, years), 0, None) / dur[p]
        need += cost[p] * shares[p][:, None] * ov[None, :]
    env = 0.85 * need.sum(axis=1, keepdims=True) / Y * np.ones((1, Y))
    options = [[float(t) for t in years if t + dur[p] <= y0 + Y] + [planned[p]] for p in range(P)]
    perm = rng.permutation(P)
    targets, i, k = [], 0, 0
    while i < P:
        n = int(rng.integers(1, 5))
        grp = sorted(perm[i:i + n].tolist())
        targets.append((f"T{k}", int(y0 + Y // 2 + rng.integers(0, Y - Y // 2)), bool(rng.random() < 0.2), grp))
        i += n
        k += 1
    return PhasingInstance(ids=[f"P{p}" for p in range(P)], cost=cost, shares=shares, duration=dur,
                           target_duration=dur, planned_start=planned, options=options,
                           deferrable=np.ones(P, bool), deadline=np.full(P, np.nan), years=years, envelope=env,
                           carry_over=True, targets=targets)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--projects", type=int, default=500)
    ap.add_argument("--years", type=int, default=10)
    ap.add_argument("--time-limit", type=float, default=300.0)
    ap.add_argument("--alternatives", type=int, default=0)
    ap.add_argument("--quick", action="store_true", help="40 projects, 6 years, 30 s")
    a = ap.parse_args()
    if a.quick:
        a.projects, a.years, a.time_limit = 40, 6, 30.0
    t0 = time.perf_counter()
    inst = synthetic(a.projects, a.years)
    t_build = time.perf_counter() - t0
    rep = solve(inst, "targets", a.alternatives, a.time_limit)
    nvar = sum(len(o) for o in inst.options)
    binding = sum(1 for t in inst.targets if t[2])
    print(f"synthetic portfolio: {a.projects} projects, {a.years} years, {len(inst.targets)} targets "
          f"({binding} binding), {nvar} start variables; instance built in {t_build:.1f} s")
    gap = "n/a" if rep.gap is None else f"{rep.gap:.2e}"
    print(f"HiGHS: status {rep.status}, gap {gap}, {rep.seconds:.1f} s"
          + (f" -- hit the {a.time_limit:g} s time limit" if rep.hit_limit else ""))
    if rep.solutions:
        best = rep.solutions[0]
        deferred = sum(1 for t in best.start if t is None)
        met_b = sum(1 for t in inst.targets if t[2] and t[0] in best.met)
        print(f"best: {len(best.met)} of {len(inst.targets)} targets met ({met_b} of {binding} binding), "
              f"{deferred} projects deferred, {best.moved} moved")


if __name__ == "__main__":
    main()
