"""Replications as tasks: in this process, on a local Dask cluster, or on an existing one (issue 14).

    python run_sim.py run scenarios/tongdao.yaml -n 1000 --workers 2          # embedded LocalCluster
    python run_sim.py run scenarios/tongdao.yaml -n 1000 --scheduler tcp://host:8786   # join a cluster

The services of a run are computed in chunks of replications (``sim.run.service_quantities``: one
chunk per cycle of the D population draws).  Each chunk is one task.  A task's random numbers come
from its own streams, keyed by the index of its first replication and the run seed (the service
parameters of replications lo..lo+n-1 are drawn from ``numpy.random.SeedSequence([(seed << 20) + lo,
sha256(parameter id)])``, ``sim.parameters.stream``; runs are limited to 2^20 replications so two
chunks never share a key; the build-out and the projection are drawn once for all replications
before the tasks start), and the chunk boundaries do not depend on the number of workers.  So a
serial run, a run on 2 local workers and a run on a cluster compute the same numbers and write the
same files for the same seed (tested; ``report.xlsx`` records when it was written).

The inputs every task shares (population arrays, capacity items, parameters, the scenario) are sent
to each worker once (``Client.scatter(..., broadcast=True)``); a task carries only its own slice of
the build-out's online times.  Workers of an existing cluster must be able to import this package
(the same version: start them from the repository, ``dask worker tcp://host:8786``).  Results are
gathered in task order.  Progress: one line per finished task when asked for.
"""

from __future__ import annotations

import logging
import sys
import time
from typing import Any, Callable, Iterator, Sequence

CONNECT_TIMEOUT = 30   # seconds to wait for a --scheduler address to answer


def map_tasks(fn: Callable[[Any, Any], Any], shared: Any, tasks: Sequence[Any], workers: int | None = None,
              scheduler: str | None = None, progress: bool = False, label: str = "tasks") -> Iterator:
    """``fn(shared, task)`` for each task, yielded in task order as they become available (a
    generator: the caller merges each result and lets it go, so results are never all held at once).

    ``workers`` None or 1 and no ``scheduler``: in this process.  ``workers`` N > 1: on an embedded
    ``distributed.LocalCluster`` of N single-threaded worker processes, closed afterwards.
    ``scheduler``: on the Dask cluster at that address (with ``workers`` > 1 an InputError: give one).  Errors raised by
    ``fn`` in a worker are raised here unchanged (an ``InputError`` stays one clear error line)."""
    t0 = time.perf_counter()
    n = len(tasks)
    if scheduler is None and (workers is None or workers <= 1 or n <= 1):
        for k, task in enumerate(tasks):
            result = fn(shared, task)
            _report(progress, label, k + 1, n, t0)
            yield result
        return
    from distributed import Client, LocalCluster, as_completed

    cluster = None
    if scheduler is None:
        cluster = LocalCluster(n_workers=int(workers), threads_per_worker=1, processes=True,
                               dashboard_address=":0", silence_logs=logging.ERROR)   # any free port: no clash warning
    try:
        client = _connect(cluster if cluster is not None else scheduler, scheduler)
        with client:
            handle = client.scatter(shared, broadcast=True, hash=False)
            futures = [client.submit(fn, handle, task, pure=False) for task in tasks]
            index = {f.key: k for k, f in enumerate(futures)}
            done: dict[int, Any] = {}
            nxt = 0
            for k, fut in enumerate(as_completed(futures)):
                _report(progress, label, k + 1, n, t0)
                done[index[fut.key]] = fut
                while nxt in done:                  # in task order; a finished result leaves the cluster
                    result = done.pop(nxt).result()
                    futures[nxt] = None
                    nxt += 1
                    yield result
    finally:
        if cluster is not None:
            cluster.close()


def _connect(target, scheduler: str | None):
    """A ``distributed.Client`` of ``target``; an address nobody answers at is one ``InputError`` naming
    ``--scheduler`` (not distributed's traceback)."""
    from distributed import Client

    from .errors import InputError

    try:
        return Client(target, timeout=CONNECT_TIMEOUT)
    except (OSError, TimeoutError) as exc:
        if scheduler is None:
            raise
        raise InputError("command line", "--scheduler", f"no Dask scheduler answered at {scheduler} within "
                         f"{CONNECT_TIMEOUT} s ({type(exc).__name__}); start one with `dask scheduler` and workers "
                         "with `dask worker ADDRESS` from this repository's folder, or drop --scheduler") from None


def _report(progress: bool, label: str, done: int, total: int, t0: float) -> None:
    if progress:
        print(f"{label}: {done}/{total} done ({time.perf_counter() - t0:.1f} s)", file=sys.stderr, flush=True)


def check_workers(workers: int | None, scheduler: str | None) -> None:
    """``InputError`` for a worker count below 1 or a blank scheduler address."""
    from .errors import InputError

    if workers is not None and (not isinstance(workers, int) or workers < 1):
        raise InputError("command line", "--workers", f"must be a whole number >= 1, got {workers!r}")
    if scheduler is not None and not str(scheduler).strip():
        raise InputError("command line", "--scheduler", "must be an address such as tcp://127.0.0.1:8786")
    if scheduler is not None and workers is not None and workers > 1:
        raise InputError("command line", "--workers", "give --workers (a local cluster) or --scheduler (an existing "
                         "cluster, whose workers run the tasks), not both")
