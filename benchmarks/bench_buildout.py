"""Benchmark of the build-out simulation (on demand, not part of the tests).

    .venv/bin/python benchmarks/bench_buildout.py [--quick]

Measures replications per second for
  * Tongdao: the 15 projects of the plan's project table (investments inline, 亿元), works window
    2021-01..2025-12, default funding rule (17.47亿元 spread evenly over 2021-2025 by source shares);
  * a synthetic portfolio of 500 projects over 2,000 townships (random sites, costs, windows, sources)
    under 90% of its planned money;
with the vectorised engine (default) and the simpy engine (1 and 2 worker processes), next to a bare
simpy loop that schedules the same number of events as the simpy engine did, all in the same run.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from sim.buildout import Funding, Project, planned_envelopes, run_buildout  # noqa: E402
from sim.loader import load_parameters  # noqa: E402

TONGDAO_INVEST = [0.2, 9.7, 0.6, 1, 0.35, 0.35, 0.6, 0.1, 0.8, 0.8, 0.35, 1.5, 0.67, 0.35, 0.1]  # 亿元
SHARES = {"central": 0.40, "provincial": 0.20, "county": 0.25, "lottery": 0.10, "social": 0.05}


def tongdao() -> tuple[list[Project], Funding]:
    projs = [Project(f"T{i + 1:02d}", v * 1e8, 2021.0, 2026.0, dict(SHARES), order=i)
             for i, v in enumerate(TONGDAO_INVEST)]
    total = sum(TONGDAO_INVEST) * 1e8
    fund = Funding({s: {y: total / 5 * sh for y in range(2021, 2026)} for s, sh in SHARES.items()})
    return projs, fund


def synthetic(n_projects: int = 500, n_townships: int = 2000, seed: int = 1) -> tuple[list[Project], Funding]:
    rng = np.random.default_rng(seed)
    sources = list(SHARES)
    townships = [f"T{k:04d}" for k in range(n_townships)]
    projs = []
    for i in range(n_projects):
        start = 2021 + rng.integers(0, 96) / 12
        dur = rng.integers(6, 49) / 12
        k = int(rng.integers(1, 4))
        chosen = rng.choice(sources, size=k, replace=False)
        w = rng.dirichlet(np.ones(k))
        site = townships[int(rng.integers(n_townships))]
        projs.append(Project(f"S{i:03d}_{site}", float(rng.lognormal(np.log(5e6), 1.0)), float(start),
                             float(start + dur), {s: float(x) for s, x in zip(chosen, w)},
                             priority=float(rng.integers(1, 4)), order=i))
    return projs, planned_envelopes(projs).scaled(0.9)


def bare_simpy(n_events: int, n_processes: int) -> float:
    """Seconds for a bare simpy loop: ``n_processes`` generators yielding timeouts, ``n_events`` in all."""
    import simpy

    env = simpy.Environment()
    per = max(1, n_events // n_processes)
    rest = n_events - per * n_processes

    def proc(k):
        for _ in range(k):
            yield env.timeout(0.01)

    for j in range(n_processes):
        env.process(proc(per + (1 if j < rest else 0)))
    t = time.perf_counter()
    env.run()
    return time.perf_counter() - t


def timed(fn):
    t = time.perf_counter()
    out = fn()
    return out, time.perf_counter() - t


def main(argv=None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer replications")
    args = ap.parse_args(argv)
    params = load_parameters(ROOT / "scenarios" / "tongdao" / "buildout_parameters.csv")
    q = args.quick
    cases = [
        ("Tongdao (15 projects)", tongdao(), 10_000, 200 if q else 1_000),
        ("synthetic (500 projects, 2,000 townships)", synthetic(), 100 if q else 1_000, 4 if q else 20),
    ]
    rows = []
    for name, (projs, fund), r_vec, r_simpy in cases:
        res, t = timed(lambda: run_buildout(projs, fund, params, r_vec, seed=1))
        rows.append((name, "vectorised", r_vec, t, r_vec / t, "", "", ""))
        for workers in (1, 2):
            res_s, t = timed(lambda: run_buildout(projs, fund, params, r_simpy, seed=1, engine="simpy", workers=workers))
            ev = res_s.events
            tb = bare_simpy(ev, len(projs) + 1) if workers == 1 else float("nan")
            rows.append((name, f"simpy, {workers} worker{'s' if workers > 1 else ''}", r_simpy, t, r_simpy / t,
                         f"{ev / r_simpy:.0f}", "" if workers > 1 else f"{tb:.3f}",
                         "" if workers > 1 else f"{t / tb:.1f}x"))
        # the engines agree (the first r_simpy replications are the same draws)
        same = np.array_equal(res.completion[:r_simpy], res_s.completion)
        rows.append((name, "engines agree", r_simpy, float("nan"), float("nan"), "", "", str(same)))
    head = ("case", "engine", "reps", "seconds", "reps/s", "events/rep", "bare simpy s (same events)", "engine/bare")
    print(f"cores available: {os.cpu_count()}")
    widths = [max(len(str(h)), 12) for h in head]
    widths[0] = 42
    widths[1] = 18
    print("  ".join(str(h).ljust(w) for h, w in zip(head, widths)))
    for row in rows:
        cells = [row[0], row[1], f"{row[2]:,}", "" if row[3] != row[3] else f"{row[3]:.3f}",
                 "" if row[4] != row[4] else f"{row[4]:,.0f}", row[5], row[6], row[7]]
        print("  ".join(str(c).ljust(w) for c, w in zip(cells, widths)))


if __name__ == "__main__":
    main()
