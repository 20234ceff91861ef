"""Benchmark: 2,000 units x 2 sexes x 101 ages x 15 annual steps x 100 replications.

Run on demand (not part of the test suite):

    .venv/bin/python benchmarks/bench_population.py [--dtype float32|float64] [--store summary|ages]
                                                    [--units 2000] [--reps 100] [--years 15]

Prints wall time and peak memory (tracemalloc peak of Python/numpy allocations, and the process's
maximum resident set size).  ``store=summary`` keeps per-unit totals, 60+/65+/80+ and disability
counts; ``store=ages`` keeps the full (R, U, Y, 2, 101) array (2.6 GB in float32 at full size).
"""

from __future__ import annotations

import argparse
import resource
import sys
import time
import tracemalloc
from pathlib import Path

import numpy as np
import pandas as pd

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from sim.loader import load_parameters  # noqa: E402
from sim.population import build_inputs, project  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=2000)
    ap.add_argument("--reps", type=int, default=100)
    ap.add_argument("--years", type=int, default=15)
    ap.add_argument("--dtype", default="float32", choices=["float32", "float64"])
    ap.add_argument("--store", default="summary", choices=["summary", "ages"])
    ap.add_argument("--chunk", type=int, default=None)
    a = ap.parse_args()

    params = load_parameters(Path(__file__).resolve().parents[1] / "scenarios" / "tongdao" / "demography.csv")
    rng = np.random.default_rng(0)
    n = a.units
    units = pd.DataFrame({"id": ["R"] + [f"T{i:05d}" for i in range(n)], "name_zh": ["region"] + [f"t{i}" for i in range(n)],
                          "level": ["county"] + ["township"] * n, "parent": [""] + ["R"] * n,
                          "villages": [0] + list(rng.integers(5, 30, n)), "communities": [0] + list(rng.integers(0, 4, n)),
                          "pop_share": np.nan})
    t0 = time.perf_counter()
    inputs = build_inputs(units, params, 2020, 2020 + a.years, "R")
    t1 = time.perf_counter()
    tracemalloc.start()
    r = project(inputs, a.reps, seed=1, dtype=np.dtype(a.dtype), store=a.store, chunk=a.chunk)
    t2 = time.perf_counter()
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # Linux: KiB -> MiB
    cells = a.reps * n * 2 * 101 * a.years
    print(f"units={n} reps={a.reps} steps={a.years} dtype={a.dtype} store={a.store}")
    print(f"build_inputs: {t1 - t0:.2f} s; project: {t2 - t1:.2f} s ({cells / (t2 - t1) / 1e6:.0f} M cohort-steps/s)")
    print(f"peak traced memory: {peak / 2**20:.0f} MiB; max RSS: {rss:.0f} MiB")
    print(f"region total {a.years} years on (mean): {r.total[:, :, -1].sum(1).mean():.0f}")


if __name__ == "__main__":
    main()
