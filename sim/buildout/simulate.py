"""The two engines of the build-out: a simpy event simulation (the reference) and a vectorised
year-step engine that computes the same numbers for all replications at once (the fast path).

Both take a prepared ``Setup`` (stage draws for all replications, needs by source, envelopes) and
apply the same functions of ``funding.py`` in the same order, so their results are identical to
the last bit; ``tests/test_buildout.py`` checks it.

simpy model (time unit = years), one environment per replication:

* a *treasury* process wakes at the start of each calendar year, takes the year's tranche of each
  source (plus carried-over money), serves the claims by the allocation policy and signals the
  year's ``allocated`` event;
* one process per project: preparation (``timeout`` to its works start, which includes any drawn
  delay), then, year by year, waits for the treasury's ``allocated`` event, works as far as the
  money allows (or pauses until the next tranche: the funding wait), completes, then commissioning
  and ramp-up (two ``timeout`` stages) until the capacity is online.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from dataclasses import dataclass

import numpy as np

from . import funding as F
from .stages import StageDraws


@dataclass
class Setup:
    years: np.ndarray          # (Y,) int calendar years simulated
    sources: list[str]         # (S,)
    envelopes: np.ndarray      # (S, Y) yuan arriving at the start of each year (incl. contingency)
    carry_over: bool
    policy: str
    order: np.ndarray          # (P,) service order of the projects
    cost: np.ndarray           # (P,) planned cost, yuan
    shares: np.ndarray         # (P, S) funding shares
    stages: StageDraws         # (R, P) draws

    def needs(self) -> list[np.ndarray]:
        """Per source (R, P) yuan: cost * share * (1 + overrun)."""
        over = 1.0 + self.stages.overrun_share
        return [(self.cost * self.shares[:, s])[None, :] * over for s in range(len(self.sources))]


@dataclass
class RawResult:
    start: np.ndarray          # (R, P)
    completion: np.ndarray     # (R, P)
    online: np.ndarray         # (R, P)
    progress: np.ndarray       # (R, P) share of the work done at the end of the horizon
    spend: np.ndarray          # (R, P, Y)
    received: np.ndarray       # (R, P, S) cumulative receipts by source
    source_spend: np.ndarray   # (R, S, Y)
    available: np.ndarray      # (R, S, Y) money available at the start of the year (tranche + carry)
    events: int = 0            # simpy events processed (simpy engine only)


@contextmanager
def _progress_bar(enabled: bool, total: int, label: str):
    if not enabled:
        yield lambda n=1: None
        return
    try:
        from rich.progress import Progress
    except ImportError:  # rich is a project dependency; without it, no bar
        yield lambda n=1: None
        return
    with Progress(transient=True) as bar:
        task = bar.add_task(label, total=total)
        yield lambda n=1: bar.advance(task, n)


def run_vectorised(setup: Setup, progress: bool = False) -> RawResult:
    st = setup.stages
    R, P = st.shape
    S, Y = len(setup.sources), len(setup.years)
    o = setup.order
    inv = np.argsort(o)
    ws = st.works_start[:, o]
    cy = st.construction_years[:, o]
    needs = [n[:, o] for n in setup.needs()]
    rec = [np.zeros((R, P)) for _ in range(S)]
    x = np.zeros((R, P))
    completion = np.full((R, P), np.inf)
    start = np.full((R, P), np.inf)
    carry = np.zeros((R, S))
    spend = np.zeros((R, P, Y))   # in the table's project order: written once a year, never copied
    source_spend = np.zeros((R, S, Y))
    available = np.zeros((R, S, Y))
    with _progress_bar(progress, Y, "build-out years") as tick:
        for iy, y in enumerate(setup.years):
            rs = F.rate_share_of_year(float(y), ws, cy)
            year_spend = np.zeros((R, P))
            for s in range(S):
                L = setup.envelopes[s, iy] + carry[:, s]
                available[:, s, iy] = L
                c = F.claims(needs[s], rec[s], rs)
                granted, unspent = F.allocate(setup.policy, L, c)
                new = F.receive(needs[s], rec[s], granted)
                booked = new - rec[s]
                year_spend += booked
                source_spend[:, s, iy] = booked.sum(axis=1)
                rec[s] = new
                carry[:, s] = unspent if setup.carry_over else 0.0
            spend[:, o, iy] = year_spend
            funded = F.funded_fraction(needs, rec, (R, P))
            x, t_done, t_start = F.year_progress(float(y), ws, cy, x, funded)
            completion = np.minimum(completion, t_done)
            start = np.minimum(start, t_start)
            tick()
    online = completion + st.commissioning_years[:, o] + st.rampup_years[:, o]
    received = np.stack(rec, axis=2) if S else np.zeros((R, P, 0))
    return RawResult(start[:, inv], completion[:, inv], online[:, inv], x[:, inv], spend,
                     received[:, inv, :], source_spend, available)


def _simulate_one(setup: Setup, r: int, out: RawResult, needs_all: list[np.ndarray]) -> int:
    """One replication in its own simpy environment; writes row ``r`` of ``out``; returns events.

    The money and progress arithmetic is the scalar twin of ``funding.py`` (same IEEE operations in
    the same order), so the numbers equal the vectorised engine's bit for bit.
    """
    import simpy

    st = setup.stages
    P = st.shape[1]
    S, Y = len(setup.sources), len(setup.years)
    o = [int(j) for j in setup.order]
    years = [float(y) for y in setup.years]
    ws = [float(st.works_start[r, j]) for j in o]
    cy = [float(st.construction_years[r, j]) for j in o]
    needs = [[float(n[r, j]) for j in o] for n in needs_all]
    rec = [[0.0] * P for _ in range(S)]
    funded = [0.0] * P
    carry = [0.0] * S
    spend_l = [[0.0] * Y for _ in range(P)]
    env_m = setup.envelopes
    pro_rata = setup.policy == "pro_rata"
    snap = F._SNAP
    env = simpy.Environment(initial_time=years[0])
    allocated = [env.event() for _ in range(Y)]
    count = [0]

    def treasury():
        for iy, y in enumerate(years):
            if env.now < y:
                count[0] += 1
                yield env.timeout(y - env.now)
            rs = []
            for j in range(P):
                a = max(y, ws[j])
                rs.append(max(y + 1.0 - a, 0.0) / cy[j])
            for s in range(S):
                L = float(env_m[s, iy]) + carry[s]
                out.available[r, s, iy] = L
                need, got = needs[s], rec[s]
                # projects with a zero claim change nothing (adding 0.0 is exact), so skip them
                act = [j for j in range(P) if rs[j] > 0.0 and got[j] < need[j]]
                c = [max(min(need[j] - got[j], need[j] * rs[j]), 0.0) for j in act]
                total = 0.0
                cum = []
                for k, cj in enumerate(c):
                    total = cj if k == 0 else total + cj
                    cum.append(total)
                unspent = max(L - total, 0.0)
                if pro_rata:
                    safe = total if total > 0 else 1.0
                    theta = L / safe if total > L else 1.0
                    granted = [cj * theta for cj in c]
                else:
                    granted = [min(c[k], max(L - (0.0 if k == 0 else cum[k - 1]), 0.0)) for k in range(len(c))]
                booked = [0.0] * P
                any_booked = False
                for k, j in enumerate(act):
                    nj, rj = need[j], got[j]
                    new = min(nj, rj + granted[k])
                    new = nj if nj - new <= snap * nj else max(new, rj)
                    b = new - rj
                    if b != 0.0:
                        booked[j] = b
                        spend_l[j][iy] += b
                        any_booked = True
                    got[j] = new
                # numpy's summation order, as in the vectorised engine
                out.source_spend[r, s, iy] = np.array(booked).sum() if any_booked else 0.0
                carry[s] = unspent if setup.carry_over else 0.0
            for j in range(P):
                frac = 1.0
                for s in range(S):
                    n = needs[s][j]
                    frac = min(frac, rec[s][j] / n if n > 0 else 1.0)
                funded[j] = frac
            count[0] += 1
            allocated[iy].succeed()

    x = [0.0] * P
    completion = [math.inf] * P
    start = [math.inf] * P

    def project(j):
        w = ws[j]
        if w >= years[-1] + 1.0:
            return
        if w > env.now:                         # preparation (approval, design, land, any delay)
            count[0] += 1
            yield env.timeout(w - env.now)
        iy = max(int(math.floor(env.now)) - int(years[0]), 0)
        while iy < Y:
            count[0] += 1
            yield allocated[iy]                 # the year's tranche is decided: funding wait ends
            y = years[iy]
            a = max(y, w)
            xp = x[j]
            x_try = xp + max(y + 1.0 - a, 0.0) / cy[j]
            done = xp < 1.0 and funded[j] >= 1.0 and x_try >= 1.0 - 1e-12
            xn = 1.0 if done else max(xp, min(funded[j], x_try))
            if xp <= 0.0 and xn > 0.0:
                start[j] = min(start[j], a)
            x[j] = xn
            if done:                            # construction completes within this year
                t = min(a + (1.0 - xp) * cy[j], y + 1.0)
                completion[j] = t
                count[0] += 1
                yield env.timeout(max(t - env.now, 0.0))
                break
            iy += 1
            if iy < Y:                          # works (or pauses, short of money) to the year end
                count[0] += 1
                yield env.timeout(years[iy] - env.now)
        if math.isfinite(completion[j]):
            jj = o[j]
            count[0] += 2
            yield env.timeout(float(st.commissioning_years[r, jj]))   # commissioning
            yield env.timeout(float(st.rampup_years[r, jj]))          # ramp-up: capacity online

    env.process(treasury())
    for j in range(P):
        env.process(project(j))
    env.run()
    inv = np.argsort(setup.order)
    comp = np.array(completion)[inv]
    out.start[r] = np.array(start)[inv]
    out.completion[r] = comp
    # same arithmetic as the vectorised engine: completion + commissioning + ramp-up
    out.online[r] = comp + st.commissioning_years[r] + st.rampup_years[r]
    out.progress[r] = np.array(x)[inv]
    out.spend[r] = np.array(spend_l)[inv]
    out.received[r] = np.array(rec).T[inv] if S else np.zeros((P, 0))
    return count[0]


def _empty_result(R: int, P: int, S: int, Y: int) -> RawResult:
    return RawResult(np.full((R, P), np.inf), np.full((R, P), np.inf), np.full((R, P), np.inf), np.zeros((R, P)),
                     np.zeros((R, P, Y)), np.zeros((R, P, S)), np.zeros((R, S, Y)), np.zeros((R, S, Y)))


def _slice_setup(setup: Setup, lo: int, hi: int) -> Setup:
    st = setup.stages
    sl = StageDraws(*(getattr(st, f)[lo:hi] for f in st.__dataclass_fields__))
    return Setup(setup.years, setup.sources, setup.envelopes, setup.carry_over, setup.policy, setup.order,
                 setup.cost, setup.shares, sl)


def _run_simpy_chunk(setup: Setup, progress: bool = False) -> RawResult:
    st = setup.stages
    R, P = st.shape
    out = _empty_result(R, P, len(setup.sources), len(setup.years))
    needs_all = setup.needs()
    events = 0
    with _progress_bar(progress, R, "build-out replications") as tick:
        for r in range(R):
            events += _simulate_one(setup, r, out, needs_all)
            tick()
    out.events = events
    return out


def run_simpy(setup: Setup, progress: bool = False, workers: int = 1) -> RawResult:
    """One simpy environment per replication; ``workers`` > 1 splits the replications over processes
    (the stage draws are made before the split, so the result does not depend on ``workers``)."""
    R = setup.stages.shape[0]
    workers = max(1, min(int(workers), R))
    if workers == 1:
        return _run_simpy_chunk(setup, progress)
    from concurrent.futures import ProcessPoolExecutor

    bounds = np.linspace(0, R, workers + 1).astype(int)
    chunks = [_slice_setup(setup, int(a), int(b)) for a, b in zip(bounds[:-1], bounds[1:])]
    with ProcessPoolExecutor(max_workers=workers) as pool:
        parts = list(pool.map(_run_simpy_chunk, chunks))
    out = RawResult(*(np.concatenate([getattr(p, f) for p in parts], axis=0)
                      for f in ("start", "completion", "online", "progress", "spend", "received", "source_spend",
                                "available")))
    out.events = sum(p.events for p in parts)
    return out
