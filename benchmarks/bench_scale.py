"""Benchmarks of scale (issue 14): not tests, run on demand.  Prints the figures the README quotes.

    python benchmarks/bench_scale.py province [-n 1000] [--workers 1 2]   # whole CLI run: wall, CPU, peak RSS
    python benchmarks/bench_scale.py nation [-n 1000] [--workers 1 2] [--copies 23]   # 2,806 counties
    python benchmarks/bench_scale.py growth [-n 50]                        # cost vs units / projects / replications
    python benchmarks/bench_scale.py projection                            # cell-updates/s next to numpy.copyto
    python benchmarks/bench_scale.py float32                               # error of float32 township arrays

The province is the synthetic region of benchmarks/synthetic_region.py (Tongdao replicated: 2,002
townships, 495 projects, 11,391 capacity items), written to a temporary folder.  ``province`` runs
``run_sim.py run`` under ``/usr/bin/time -v`` (CPU of the run and of the worker processes it waited
for; peak resident set size of the main process; with
Dask workers the workers' memory is in their own processes, reported by ``psutil`` as the peak of the
sum over the process tree, sampled every 0.5 s).  ``growth`` times ``sim.run.simulate`` (no files)
at three sizes of each factor and fits the exponent b of time = a * size^b by least squares on logs.
``nation`` runs the synthetic country of benchmarks/synthetic_nation.py (Hunan's 122 counties x 23 =
2,806 county-level units, simulated at county level) the same way as ``province``.
"""

from __future__ import annotations

import argparse
import math
import os
import re
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
REPEATS = 5   # projection: the least of five timings (one ~0.6 s timing varies by a third on a shared VM)
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "benchmarks"))

import synthetic_region  # noqa: E402


def _tree_rss(pid: int) -> int:
    import psutil

    try:
        p = psutil.Process(pid)
        procs = [p] + p.children(recursive=True)
    except psutil.NoSuchProcess:
        return 0
    total = 0
    for q in procs:
        try:
            total += q.memory_info().rss
        except psutil.NoSuchProcess:
            pass
    return total


def _cli_run(yaml: Path, label: str, n: int, workers: list[int], out_root: Path) -> None:
    """``run_sim.py run YAML -n N --no-maps --no-report [--workers W] --progress`` for each W: wall,
    CPU of the main process, peak RSS (main process and process tree) and the mean wall time of one
    replication task (from the ``--progress`` lines: the last task's time over the number of tasks)."""
    for w in workers:
        out = out_root / f"out_{w}"
        cmd = ["/usr/bin/time", "-v", sys.executable, str(ROOT / "run_sim.py"), "run", str(yaml), "-n", str(n),
               "--out", str(out), "--no-maps", "--no-report", "--progress"] + (["--workers", str(w)] if w > 1 else [])
        t0 = time.perf_counter()
        proc = subprocess.Popen(cmd, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        peak = [0]

        def sample():
            while proc.poll() is None:
                peak[0] = max(peak[0], _tree_rss(proc.pid))
                time.sleep(0.5)

        th = threading.Thread(target=sample, daemon=True)
        th.start()
        _, err = proc.communicate()
        th.join()
        wall = time.perf_counter() - t0
        if proc.returncode != 0:
            print(err[-3000:])
            raise SystemExit(f"run failed with workers={w}")
        user = float(re.search(r"User time \(seconds\): ([\d.]+)", err).group(1))
        system = float(re.search(r"System time \(seconds\): ([\d.]+)", err).group(1))
        rss = int(re.search(r"Maximum resident set size \(kbytes\): (\d+)", err).group(1))
        tasks = re.findall(r"services \(chunks of replications\): (\d+)/(\d+) done \(([\d.]+) s\)", err)
        task_text = ""
        if tasks:
            k, total, secs = tasks[-1]
            task_text = (f"services {float(secs):.0f} s for {total} tasks ({float(secs) / int(total):.1f} s a task "
                         f"wall, {float(secs) * w / int(total):.1f} worker-s a task), ")
        size = sum(f.stat().st_size for f in out.iterdir())
        print(f"{label}, n={n}, workers={w}: wall {wall:.0f} s, {task_text}CPU of the run and the worker processes "
              f"it waited for {user + system:.0f} s (user {user:.0f} + sys {system:.0f}), peak RSS main process "
              f"{rss * 1024 / 1e9:.2f} GB, peak RSS process tree {peak[0] / 1e9:.2f} GB (GB = 10^9 bytes), "
              f"results {size / 1e6:.0f} MB", flush=True)


def province(n: int, workers: list[int], copies: int, project_copies: int) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        yaml = synthetic_region.build(Path(tmp), copies, project_copies)
        _cli_run(yaml, f"province {copies * 11} townships, {project_copies * 15} projects", n, workers, Path(tmp))


def nation(n: int, workers: list[int], copies: int) -> None:
    """The synthetic country of benchmarks/synthetic_nation.py (Hunan x copies, 122 x copies counties)."""
    import synthetic_nation

    with tempfile.TemporaryDirectory() as tmp:
        yaml = synthetic_nation.build(Path(tmp), copies)
        _cli_run(yaml, f"nation {copies * 122} counties (Hunan x {copies})", n, workers, Path(tmp))


def _simulate_seconds(copies: int, project_copies: int, n: int) -> float:
    from sim.loader import load_scenario
    from sim.run import RunOptions, simulate

    with tempfile.TemporaryDirectory() as tmp:
        sc = load_scenario(synthetic_region.build(Path(tmp), copies, project_copies))
        t0 = time.process_time()
        simulate(sc, RunOptions(replications=n, seed=1))
        return time.process_time() - t0


def _fit(sizes, seconds) -> float:
    return float(np.polyfit(np.log(sizes), np.log(seconds), 1)[0])


def growth(n: int, repeats: int = 2) -> None:
    """CPU seconds of ``simulate`` (this process) at three sizes of each factor, each the least of
    ``repeats`` runs (the steadier figure on a shared machine); exponent of the fit.  The sizes double
    twice from a quarter of the province, so the fit is not dominated by the fixed cost of a run.
    A first run (not counted) loads the modules and fills the caches."""
    _simulate_seconds(23, 8, n)
    for label, runs in (
        ("units (townships)", [(c, 8, n) for c in (46, 91, 182)]),
        ("projects", [(46, p, n) for p in (8, 16, 33)]),
        ("replications", [(46, 8, r) for r in (2 * n, 4 * n, 8 * n)]),
    ):
        sizes, secs = [], []
        for c, p, r in runs:
            s = min(_simulate_seconds(c, p, r) for _ in range(repeats))
            size = {"units (townships)": c * 11, "projects": p * 15, "replications": r}[label]
            sizes.append(size)
            secs.append(s)
            print(f"  {label}: size {size}: {s:.1f} s CPU", flush=True)
        print(f"cost grows with {label}^{_fit(sizes, secs):.2f}", flush=True)


def projection() -> None:
    """Cell-updates per second of the cohort-component step next to numpy.copyto of the same bytes."""
    from sim.population.projection import migration_profile, project_arrays

    R, U, A, T = 20, 500, 101, 15
    rng = np.random.default_rng(0)
    P0 = rng.uniform(10, 100, (R, U, 2, A))
    S = np.full((R, T, 2, A - 1), 0.99)
    L0 = np.full((R, T, 2), 0.995)
    asfr = np.zeros((R, T, A))
    asfr[:, :, 20:35] = 0.1
    args = (P0, S, L0, asfr, np.full(R, 1.1), np.full((R, T), -0.005), migration_profile())
    project_arrays(*args, store="summary")                      # warm up
    secs = copy = math.inf
    cells = R * U * 2 * A * T
    src = np.ascontiguousarray(P0)
    dst = np.empty_like(src)
    for _ in range(REPEATS):                                    # the least of REPEATS timings of each
        t0 = time.perf_counter()
        project_arrays(*args, store="summary")
        secs = min(secs, time.perf_counter() - t0)
        t0 = time.perf_counter()
        for _ in range(T):
            np.copyto(dst, src)
        copy = min(copy, time.perf_counter() - t0)
    print(f"projection: {cells / secs / 1e6:.0f} million cell-updates/s ({R} draws x {U} units x 2 sexes x {A} ages "
          f"x {T} years in {secs:.2f} s); numpy.copyto of the same bytes: {cells / copy / 1e6:.0f} million cells/s; "
          f"the projection is {copy / secs * 100:.0f}% of copy speed ({secs / copy:.1f} copies' time per step)")


def float32_error(n: int = 200) -> None:
    """Largest relative difference of townships.csv between float64 and float32 township arrays."""
    import pandas as pd

    import sim.run as run
    from sim.loader import load_scenario
    from sim.geo.townships import township_table

    with tempfile.TemporaryDirectory() as tmp:
        sc = load_scenario(synthetic_region.build(Path(tmp), 18, 4))
        tables = []
        for cells in (2 ** 62, 0):
            run.FLOAT64_CELLS = cells
            res = run.simulate(sc, run.RunOptions(replications=n, seed=1))
            tables.append(township_table(sc, res.townships, res.years, res.township_units))
        a, b = (t.select_dtypes("number").to_numpy(dtype=float) for t in tables)
        ok = np.isfinite(a) & (np.abs(a) > 0)
        rel = np.abs(b[ok] - a[ok]) / np.abs(a[ok])
        print(f"float32 township arrays: largest relative error of townships.csv figures {rel.max():.2e} "
              f"(median {np.median(rel):.1e}) over {ok.sum()} figures, {n} replications")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("what", choices=("province", "nation", "growth", "projection", "float32"))
    ap.add_argument("-n", type=int, default=None)
    ap.add_argument("--workers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("--copies", type=int, default=None, help="township copies (province, 182) or Hunan copies (nation, 23)")
    ap.add_argument("--project-copies", type=int, default=33)
    a = ap.parse_args()
    if a.what == "province":
        province(a.n or 1000, a.workers, a.copies or 182, a.project_copies)
    elif a.what == "nation":
        nation(a.n or 1000, a.workers, a.copies or 23)
    elif a.what == "growth":
        growth(a.n or 50)
    elif a.what == "projection":
        projection()
    else:
        float32_error(a.n or 200)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
