"""Siting models against a hand-computed case, brute-force enumeration and each other (spopt's CBC vs
our HiGHS model); existing sites always stay open."""

import numpy as np
import pytest

from sim.optimize.siting_model import MODELS, SitingInstance, brute_force, evaluate, solve


def line_instance(**kw):
    """Four towns on a road at 0, 10, 20, 30 km with weights 1, 2, 3, 4; every town is a candidate."""
    x = np.array([0.0, 10.0, 20.0, 30.0])
    return SitingInstance(np.abs(x[:, None] - x[None, :]), np.array([1.0, 2.0, 3.0, 4.0]), np.zeros(4, bool),
                          radius=10.0, **kw)


def test_hand_computed_line():
    # MCLP, one site: the town at 20 reaches 10, 20, 30 -> 2 + 3 + 4 = 9
    r = solve(line_instance(new=1), "mclp")
    assert r.objective == pytest.approx(9.0) and list(r.open) == [False, False, True, False]
    # LSCP: two sites are needed (10 covers 0-20, 30 covers 20-30; no single site reaches 0 and 30)
    assert solve(line_instance(), "lscp").objective == pytest.approx(2.0)
    # p-median, one site: at 20, 1*20 + 2*10 + 3*0 + 4*10 = 80 (at 10: 120, at 30: 100)
    r = solve(line_instance(new=1), "pmedian")
    assert r.objective == pytest.approx(80.0) and r.open[2]
    # capacitated, capacity 5 per site: one site serves 5; two sites at 10 and 30 serve all 10
    assert solve(line_instance(new=1, capacity=np.full(4, 5.0)), "cmclp").objective == pytest.approx(5.0)
    r = solve(line_instance(new=2, capacity=np.full(4, 5.0)), "cmclp")
    assert r.objective == pytest.approx(10.0) and list(r.open) == [False, True, False, True]


def random_instance(seed: int, N: int = 7, new: int = 2, capacities: bool = False):
    rng = np.random.default_rng(seed)
    xy = rng.uniform(0, 40, (N, 2))
    cost = np.hypot(xy[:, None, 0] - xy[None, :, 0], xy[:, None, 1] - xy[None, :, 1])
    existing = np.zeros(N, bool)
    existing[rng.choice(N, size=int(rng.integers(0, 3)), replace=False)] = True
    w = rng.integers(1, 100, N).astype(float)
    cap = rng.uniform(40, 160, N) if capacities else None
    return SitingInstance(cost, w, existing, radius=float(rng.uniform(8, 20)), new=new, capacity=cap)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("model", ["mclp", "lscp", "pmedian"])
def test_spopt_models_equal_brute_force_and_keep_existing(seed, model):
    inst = random_instance(seed)
    res = solve(inst, model)
    best, _ = brute_force(inst, model)
    assert res.status == "optimal"
    assert res.objective == pytest.approx(best, rel=1e-9, abs=1e-6)
    assert res.open[inst.existing].all()                          # existing sites stay open
    assert evaluate(inst, res.open, model) == pytest.approx(res.objective, rel=1e-9, abs=1e-6)
    if model != "lscp":
        assert res.open.sum() == inst.existing.sum() + inst.new   # P new sites besides the existing


@pytest.mark.parametrize("seed", range(6))
def test_capacitated_mclp_equals_brute_force(seed):
    inst = random_instance(100 + seed, capacities=True)
    res = solve(inst, "cmclp")
    best, _ = brute_force(inst, "cmclp")                          # enumeration x transportation LP
    assert res.status == "optimal"
    assert res.objective == pytest.approx(best, rel=1e-7, abs=1e-6)
    assert res.open[inst.existing].all()
    load = (inst.demand[:, None] * res.served).sum(axis=0)
    assert np.all(load <= inst.capacity * res.open + 1e-6)         # capacities respected, closed sites serve nothing
    assert np.all(res.served[~inst.reach] <= 1e-9)                 # only within the radius
    assert np.all(res.served.sum(axis=1) <= 1 + 1e-9)


@pytest.mark.parametrize("seed", range(4))
def test_capacitated_mclp_reduces_to_mclp_with_large_capacities(seed):
    """Two solvers, two formulations (HiGHS on ours, CBC on spopt's) give the same optimum."""
    base = random_instance(200 + seed)
    big = SitingInstance(base.cost, base.weights, base.existing, base.radius, new=base.new,
                         capacity=np.full(len(base.weights), 1e9))
    assert solve(big, "cmclp").objective == pytest.approx(solve(base, "mclp").objective, rel=1e-9)
    assert solve(base, "cmclp").objective == pytest.approx(solve(base, "mclp").objective, rel=1e-9)   # inf capacity


def test_bad_instances_raise():
    with pytest.raises(ValueError, match="radius"):
        line_instance(new=1).__class__(np.zeros((2, 2)), np.ones(2), np.zeros(2, bool), radius=-1.0)
    with pytest.raises(ValueError, match="candidate sites"):
        solve(line_instance(new=5), "mclp")
    with pytest.raises(ValueError, match="unknown model"):
        solve(line_instance(new=1), "pcenter")
    assert set(MODELS) == {"mclp", "lscp", "pmedian", "cmclp"}


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("model", ["mclp", "lscp"])
def test_distance_tie_break_is_lexicographic(seed, model):
    """The tie-break keeps the model's optimum and, among the sets that reach it, has the least
    weighted distance (brute force over every set of the optimal size)."""
    import itertools

    inst = random_instance(seed)
    best, _ = brute_force(inst, model)
    res = solve(inst, model, tie_break=True)
    assert res.objective == pytest.approx(best) and evaluate(inst, res.open, model) == pytest.approx(best)
    assert res.open[inst.existing].all()
    free = [j for j in range(len(inst.existing)) if not inst.existing[j]]
    k = inst.new if model == "mclp" else int(round(best)) - int(inst.existing.sum())
    least = np.inf
    for combo in itertools.combinations(free, k):
        o = inst.existing.copy()
        o[list(combo)] = True
        if evaluate(inst, o, model) == pytest.approx(best):
            least = min(least, evaluate(inst, o, "pmedian"))
    assert evaluate(inst, res.open, "pmedian") == pytest.approx(least, rel=1e-9)
