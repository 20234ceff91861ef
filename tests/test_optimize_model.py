"""The phasing MILP against a brute-force enumeration on small random instances (<= 6 projects, 4 years)."""

import numpy as np
import pytest

from sim.optimize.model import PhasingInstance, brute_force, evaluate, solve


def instance(seed: int, P: int = 5, carry: bool = True, deadlines: bool = False, prec: bool = False):
    rng = np.random.default_rng(seed)
    years = np.arange(2021, 2025)
    S = 2
    shares = rng.dirichlet(np.ones(S), P)
    dur = rng.choice([1.0, 1.5, 2.0, 3.0], P)
    planned = np.array([float(rng.integers(2021, 2023)) for _ in range(P)])
    opts = [[2021.0, 2022.0, 2023.0, 2024.0, planned[p]] for p in range(P)]
    opts = [[t for t in o if t + dur[p] <= 2025.0] or [2021.0] for p, o in enumerate(opts)]
    cost = rng.uniform(1, 6, P)
    env = rng.uniform(1.0, 3.5, (S, 4))
    deadline = np.full(P, np.nan)
    deferrable = np.ones(P, bool)
    if deadlines:
        deadline[0] = 2024.0
        deferrable[0] = False
        env[:, 0] += cost[0]   # keep the project with a deadline affordable
    targets = []
    for k in range(4):
        req = sorted(rng.choice(P, size=int(rng.integers(1, 3)), replace=False).tolist())
        targets.append((f"T{k}", int(rng.integers(2021, 2025)), bool(k == 0), req))
    precedences = [(1, 2)] if prec else []
    return PhasingInstance(ids=[f"P{p}" for p in range(P)], cost=cost, shares=shares, duration=dur,
                           target_duration=dur + rng.choice([0.0, 0.5], P), planned_start=planned, options=opts,
                           deferrable=deferrable, deadline=deadline, years=years, envelope=env, carry_over=carry,
                           sources=["a", "b"], targets=targets, precedences=precedences)


CASES = [(seed, P, carry, dl, pr) for seed, (P, carry, dl, pr) in enumerate(
    [(3, True, False, False), (4, True, False, True), (5, False, False, False), (6, True, True, False),
     (6, False, True, True), (5, True, False, True), (4, False, False, False), (6, True, False, False)])]


@pytest.mark.parametrize("seed,P,carry,dl,pr", CASES)
@pytest.mark.parametrize("objective", ["targets", "min_cost"])
def test_milp_equals_brute_force(seed, P, carry, dl, pr, objective):
    inst = instance(seed, P, carry, dl, pr)
    brute = brute_force(inst, objective, k=4)
    rep = solve(inst, objective, alternatives=3)
    if not brute:
        assert rep.status == "infeasible" and not rep.solutions
        return
    assert rep.status == "optimal"
    assert rep.solutions[0].objective == pytest.approx(brute[0][0], abs=1e-7)
    # the alternatives: distinct, feasible, in order, and the k-th equals brute force's k-th value
    starts = [tuple(s.start) for s in rep.solutions]
    assert len(set(starts)) == len(starts)
    vals = [s.objective for s in rep.solutions]
    sign = 1 if objective == "targets" else -1
    assert all(sign * (a - b) >= -1e-9 for a, b in zip(vals, vals[1:]))
    for s in rep.solutions:
        ok, val, _ = evaluate(inst, s.start, objective)
        assert ok and val == pytest.approx(s.objective)
    assert len(rep.solutions) == len(brute)
    assert vals == pytest.approx([v for v, _ in brute], abs=1e-7)


def test_tight_money_forces_deferral_and_order():
    """Hand case: one source, 2 a year, no carry; A and B cost 2 over one year each; only one per year.
    Target TA (2021) needs A, TB (2021, binding) needs B: B first in 2021, A in 2022 (TA missed)."""
    inst = PhasingInstance(ids=["A", "B"], cost=np.array([2.0, 2.0]), shares=np.ones((2, 1)),
                           duration=np.ones(2), target_duration=np.ones(2), planned_start=np.array([2021.0, 2021.0]),
                           options=[[2021.0, 2022.0]] * 2, deferrable=np.ones(2, bool), deadline=np.full(2, np.nan),
                           years=np.arange(2021, 2023), envelope=np.array([[2.0, 2.0]]), carry_over=False,
                           targets=[("TA", 2021, False, [0]), ("TB", 2021, True, [1])])
    rep = solve(inst, "targets", alternatives=1)
    assert rep.solutions[0].start == [2022.0, 2021.0]
    assert rep.solutions[0].met == ["TB"]
    # next best: B in 2021 and A deferred (same targets; a deferral is penalised more than a move)
    assert rep.solutions[1].start == [None, 2021.0]


def test_infeasible_deadline_is_reported_not_raised():
    inst = PhasingInstance(ids=["A"], cost=np.array([5.0]), shares=np.ones((1, 1)), duration=np.ones(1),
                           target_duration=np.ones(1), planned_start=np.array([2021.0]), options=[[2021.0, 2022.0]],
                           deferrable=np.zeros(1, bool), deadline=np.array([2023.0]), years=np.arange(2021, 2023),
                           envelope=np.array([[1.0, 1.0]]))
    rep = solve(inst)
    assert rep.status == "infeasible" and rep.solutions == []
