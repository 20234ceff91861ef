"""The phasing MILP's envelopes are the simulator's: contingency, and the post-plan money
(``buildout.post_plan_cap_share``) after the last tranche."""

import numpy as np
import pytest

from sim.buildout import run_portfolio
from sim.loader import load_scenario
from sim.optimize.scenario import phasing_instance


def test_milp_envelopes_equal_the_simulators_including_post_plan_money():
    s = load_scenario("scenarios/tongdao.yaml")
    assert s.parameters().value("buildout.post_plan_cap_share", 0.0) > 0    # the rule is on in Tongdao
    inst = phasing_instance(s, [])
    res = run_portfolio(s, s.parameters(), 1, 1, randomness=False).result
    assert list(inst.sources) == list(res.sources)
    common = [y for y in inst.years if y in set(res.years)]
    assert max(common) > max(r.year for r in s.rows("funding"))              # years after the last tranche
    a = inst.envelope[:, [list(inst.years).index(y) for y in common]]
    b = res.envelopes[:, [list(res.years).index(y) for y in common]]
    np.testing.assert_allclose(a, b, rtol=1e-12)
    after = [j for j, y in enumerate(common) if y > max(r.year for r in s.rows("funding"))]
    assert a[:, after].sum() > 0
    # post-plan money per year = cap share x the average yearly envelope, all sources together
    # (Tongdao: 0.10 x 34,940万元 = 3,494万元, docs/buildout.md)
    share = s.parameters().value("buildout.post_plan_cap_share")
    total = sum(r.amount for r in s.rows("funding"))
    years = {r.year for r in s.rows("funding")}
    assert a[:, after[0]].sum() == pytest.approx(share * total / len(years), rel=1e-9)   # amounts in yuan (schema)

