"""Erlang loss formulas and a simpy loss system to check them.

An M/G/c/c loss system (arrivals find a free bed or are turned away, no waiting room) turns a
fraction ``B(A, c)`` of arrivals away, where ``A = arrival rate x mean stay`` is the offered load
in Erlangs and ``c`` the number of beds (Erlang B; insensitive to the stay distribution).

* :func:`erlang_b` -- the turn-away probability, by the stable recursion
  ``B(A, 0) = 1``, ``B(A, c) = A B(A, c-1) / (c + A B(A, c-1))``; vectorised over arrays.
* :func:`beds_for_blocking` -- its inverse: the fewest beds with ``B <= bound``.
* :func:`simulate_loss_system` -- a simpy simulation of the same system (Poisson arrivals,
  exponential stays), returning the turned-away fraction with a batch-means confidence interval.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np


MAX_SERVERS = 1_000_000      # beyond this the recursions below would run for minutes: refused
MAX_LOAD = 1_000_000         # Erlangs; the search for beds runs about A steps (2 s per 100,000 Erlangs on
                             # 200 x 16 loads; a country's pooled relief load is about 10^5)


def _finite(name: str, x) -> np.ndarray:
    try:
        a = np.asarray(x, dtype=float)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number or an array of numbers, got {x!r}") from None
    if np.any(~np.isfinite(a)):
        raise ValueError(f"{name} must be finite (got NaN or infinity)")
    return a


def erlang_b(offered_load, servers):
    """Erlang B blocking probability ``B(A, c)``; arrays broadcast, ``c = 0`` gives 1.0.

    ``offered_load`` >= 0 (Erlangs), ``servers`` a non-negative integer (or array of them).
    Returns a float for scalar input, else an array of the broadcast shape.
    """
    a = _finite("offered_load", offered_load)
    if np.any(a < 0):
        raise ValueError("offered_load must be finite and >= 0")
    cf = _finite("servers", servers)
    if cf.size and (np.any(cf < 0) or np.any(cf != np.floor(cf)) or np.any(cf > MAX_SERVERS)):
        raise ValueError(f"servers must be whole numbers in [0, {MAX_SERVERS}]")
    c = cf.astype(np.int64)
    a, c = np.broadcast_arrays(a, c)
    out = np.ones(a.shape, dtype=float)
    cmax = int(c.max()) if c.size else 0
    b = np.ones(a.shape, dtype=float)
    for k in range(1, cmax + 1):
        b = a * b / (k + a * b)
        out = np.where(c == k, b, out)
    if out.ndim == 0:
        return float(out)
    return out


def beds_for_blocking(offered_load, max_blocking):
    """The fewest beds ``c`` with ``erlang_b(offered_load, c) <= max_blocking``; vectorised.

    ``max_blocking`` must be in (0, 1]; a load of 0 needs 0 beds.  NaN, infinite or out-of-range
    arguments raise ValueError naming the argument (a NaN bound would otherwise never be met).
    """
    a = _finite("offered_load", offered_load)
    eps = _finite("max_blocking", max_blocking)
    if np.any(a < 0) or np.any(a > MAX_LOAD):
        raise ValueError(f"offered_load must be in [0, {MAX_LOAD}] Erlangs")
    if np.any(eps <= 0) or np.any(eps > 1):
        raise ValueError("max_blocking must be in (0, 1]")
    eps = np.maximum(eps, 1e-300)   # B(A, c) reaches any bound >= 1e-300 within c <= A + 2000
    a, eps = np.broadcast_arrays(a, eps)
    result = np.where((a == 0) | (eps >= 1.0), 0, -1).astype(np.int64)
    b = np.ones(a.shape, dtype=float)
    k = 0
    while np.any(result < 0):
        k += 1
        b = a * b / (k + a * b)
        newly = (result < 0) & (b <= eps)
        result = np.where(newly, k, result)
    if result.ndim == 0:
        return int(result)
    return result


@dataclass(frozen=True)
class LossSimResult:
    blocked_fraction: float   # turned away / arrivals after the warm-up
    ci_low: float
    ci_high: float
    arrivals: int
    blocked: int
    batches: int
    confidence: float


def simulate_loss_system(arrival_rate: float, mean_stay: float, servers: int, horizon: float,
                         seed: int, *, warmup: float | None = None, batches: int = 20,
                         confidence: float = 0.95) -> LossSimResult:
    """Simulate an M/M/c/c loss system with simpy and estimate the fraction turned away.

    Time is in the unit of ``1 / arrival_rate`` and ``mean_stay`` (e.g. days).  After a warm-up
    (default: 10 mean stays) the run is cut into ``batches`` equal time batches; the estimate is
    the pooled fraction blocked and the interval is a Student-t interval on the batch fractions
    (batch means).
    """
    import simpy

    for name, v in (("arrival_rate", arrival_rate), ("mean_stay", mean_stay), ("horizon", horizon)):
        if not (isinstance(v, (int, float, np.integer, np.floating)) and math.isfinite(v) and v > 0):
            raise ValueError(f"{name} must be a finite number > 0, got {v!r}")
    if not isinstance(servers, (int, np.integer)) and not (isinstance(servers, float) and servers.is_integer()):
        raise ValueError(f"servers must be a non-negative integer, got {servers!r}")
    if servers < 0 or servers > MAX_SERVERS:
        raise ValueError("servers must be a non-negative integer")
    if warmup is not None and not (math.isfinite(warmup) and warmup >= 0):
        raise ValueError(f"warmup must be finite and >= 0, got {warmup!r}")
    if not isinstance(batches, (int, np.integer)) or batches < 2:
        raise ValueError("batches: need at least 2 batches")
    if not 0 < confidence < 1:
        raise ValueError(f"confidence must be in (0, 1), got {confidence!r}")
    warmup = 10.0 * mean_stay if warmup is None else float(warmup)
    rng = np.random.default_rng(seed)
    env = simpy.Environment()
    beds = simpy.Resource(env, capacity=int(servers)) if servers > 0 else None
    width = horizon / batches
    arrivals = np.zeros(batches, dtype=np.int64)
    blocked = np.zeros(batches, dtype=np.int64)

    def stay(req):
        yield env.timeout(rng.exponential(mean_stay))
        beds.release(req)

    def source():
        while True:
            yield env.timeout(rng.exponential(1.0 / arrival_rate))
            t = env.now - warmup
            batch = int(t // width) if t >= 0 else -1
            if batch >= batches:
                return
            turned_away = beds is None or beds.count >= beds.capacity
            if batch >= 0:
                arrivals[batch] += 1
                blocked[batch] += int(turned_away)
            if not turned_away:
                req = beds.request()   # granted at once: a bed is free
                env.process(stay(req))

    env.process(source())
    env.run(until=warmup + horizon + 1e-9)
    total_a, total_b = int(arrivals.sum()), int(blocked.sum())
    frac = total_b / total_a if total_a else float("nan")
    with np.errstate(invalid="ignore", divide="ignore"):
        per_batch = np.where(arrivals > 0, blocked / np.maximum(arrivals, 1), np.nan)
    per_batch = per_batch[np.isfinite(per_batch)]
    n = len(per_batch)
    if n >= 2:
        from scipy.special import stdtrit   # Student t quantile (= scipy.stats.t.ppf), light to import

        half = stdtrit(n - 1, 0.5 + confidence / 2) * per_batch.std(ddof=1) / math.sqrt(n)
    else:
        half = float("nan")
    return LossSimResult(float(frac), float(max(0.0, frac - half)), float(min(1.0, frac + half)),
                         total_a, total_b, n, confidence)
