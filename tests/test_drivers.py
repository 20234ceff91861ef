"""Which input drives each verdict (sim/drivers.py): hand-made cases, then the whole Tongdao chain."""

from __future__ import annotations

import json

import numpy as np
import pytest
from scipy import stats

from sim import drivers as D
from sim.indicators import met
from sim.loader import load_scenario
from sim.run import RunOptions, simulate, write_results

from conftest import REPO

TONGDAO = REPO / "scenarios" / "tongdao.yaml"


def table(cols: dict[str, np.ndarray], confidence: dict[str, str] | None = None, kind="parameter") -> D.DrawTable:
    confidence = confidence or {}
    names = list(cols)
    meta = [{"kind": kind, "parameter": n, "project": None, "confidence": confidence.get(n, "published")}
            for n in names]
    return D.DrawTable(names, np.stack([cols[n] for n in names], axis=1), meta)


# ----------------------------------------------------------------------------- hand-computed statistics
def test_first_order_index_small_case_by_hand():
    """y = 0 1 0 | 1 1 1 in two bins.  mean 2/3; SS_total = 6 (2/3)(1/3) = 4/3; bin means 1/3 and 1:
    SS_between = 3 (1/3)^2 + 3 (1/3)^2 = 2/3; SS_within = 2/3, MS_within = (2/3)/4 = 1/6;
    omega^2 = (2/3 - 1/6) / (4/3 + 1/6) = 1/3; F = (2/3) / (1/6) = 4 on (1, 4) df."""
    y = np.array([0, 1, 0, 1, 1, 1], dtype=float)
    bins = np.array([0, 0, 0, 1, 1, 1])
    s, p = D.first_order_index(y, bins)
    assert s == pytest.approx(1 / 3, rel=1e-12)
    assert p == pytest.approx(stats.f.sf(4.0, 1, 4), rel=1e-9)
    # a perfect split: all variance between bins
    assert D.first_order_index(np.array([0, 0, 1, 1.0]), np.array([0, 0, 1, 1])) == (1.0, 0.0)
    # a constant y has nothing to explain
    assert D.first_order_index(np.ones(6), bins) == (0.0, 1.0)


def test_median_split_by_hand():
    x = np.array([1.0, 2, 3, 4, 5, 6])
    y = np.array([1, 1, 0, 1, 0, 0])
    assert D.median_split(y, x) == (pytest.approx(2 / 3), pytest.approx(1 / 3))
    # a point mass at the median: the split falls below it
    x = np.array([0.0, 0, 0, 0, 1, 2])
    assert D.median_split(np.array([0, 0, 0, 0, 1, 1]), x) == (0.0, 1.0)


def test_rank_bins_equal_counts_and_ties():
    x = np.arange(1000.0)[::-1]
    b = D.rank_bins(x)
    assert np.bincount(b).tolist() == [50] * 20               # B = min(20, 1000 // 50)
    assert b[0] == 19 and b[-1] == 0                          # by rank, largest value in the top bin
    rep = np.repeat(np.linspace(0, 1, 7), 100)                # 7 distinct values: one bin each
    assert len(np.unique(D.rank_bins(rep))) == 7
    # R = 4: two bins; inf and NaN (never completed) tie at the top
    assert D.rank_bins(np.array([1.0, np.inf, np.nan, 2.0])).tolist() == [0, 1, 1, 0]


def test_independent_noise_scores_near_zero():
    """The bias correction: an input independent of y scores about 0 (not (k-1)/R ~ 0.01)."""
    rng = np.random.default_rng(5)
    scores = [D.first_order_index((rng.random(2000) < 0.3).astype(float), D.rank_bins(rng.random(2000)))[0]
              for _ in range(50)]
    assert np.mean(scores) < 0.003 and max(scores) < 0.02


# ----------------------------------------------------------------------------- the brief's hand-made cases
@pytest.mark.parametrize("increasing", [True, False])
def test_deterministic_function_of_one_draw_ranks_it_first_with_its_sign(increasing):
    """met = (x > 0.3) or (x < 0.6): a deterministic function of x, independent of z and w."""
    rng = np.random.default_rng(11)
    R = 2000
    x, z, w = rng.random(R), rng.normal(size=R), rng.random(R)
    ok = x > 0.3 if increasing else x < 0.6
    drivers, _ = D.rank_drivers(ok, table({"z": z, "x": x, "w": w}))
    assert [d["input"] for d in drivers] == ["x"]             # z and w are not drivers
    top = drivers[0]
    assert top["share"] > 0.9
    assert (top["delta"] > 0) == increasing
    # the halves' P(met), computed here independently
    below = x <= np.median(x)
    assert top["p_met_low_half"] == pytest.approx(ok[below].mean(), abs=1e-4)
    assert top["p_met_high_half"] == pytest.approx(ok[~below].mean(), abs=1e-4)


def test_two_inputs_ranked_by_their_share_and_cyclic_draws():
    """met = (x + 0.3 z > 0.6): x matters more than z; x repeats with period 200 like population draws."""
    rng = np.random.default_rng(3)
    R = 2000
    x = rng.random(200)[np.arange(R) % 200]
    z, w = rng.random(R), rng.random(R)
    ok = x + 0.3 * z > 0.6
    drivers, _ = D.rank_drivers(ok, table({"w": w, "z": z, "x": x}))
    assert [d["input"] for d in drivers] == ["x", "z"]
    assert drivers[0]["share"] > drivers[1]["share"] > 0.02
    assert all(d["delta"] > 0 for d in drivers)


def test_constant_target_has_no_drivers():
    rng = np.random.default_rng(1)
    t = table({"x": rng.random(500), "y": rng.random(500)})
    assert D.rank_drivers(np.ones(500, dtype=bool), t) == ([], 0.0)
    assert D.rank_drivers(np.zeros(500, dtype=bool), t) == ([], 0.0)


def test_assumption_flag_only_for_an_assumption_that_explains_most():
    rng = np.random.default_rng(2)
    x, z = rng.random(1000), rng.random(1000)
    ok = x > 0.5
    d, share = D.rank_drivers(ok, table({"x": x, "z": z}, {"x": "assumption", "z": "assumption"}))
    assert D.driven_by_assumption(d) == "x" and share > 0.9
    d, share = D.rank_drivers(ok, table({"x": x, "z": z}, {"x": "published", "z": "assumption"}))
    assert D.driven_by_assumption(d) is None and share < 0.02
    # a weak assumption (explains well under half) is a driver but not the flag
    ok = (x > 0.5) ^ (rng.random(1000) < 0.3)
    d, _ = D.rank_drivers(ok, table({"x": x}, {"x": "assumption"}))
    assert d and d[0]["share"] < 0.5 and D.driven_by_assumption(d) is None
    # a schedule is never "an assumption"
    d, _ = D.rank_drivers(x > 0.5, table({"P1 completion": x}, kind="schedule"))
    assert D.driven_by_assumption(d) is None


def test_draw_table_drops_constant_inputs_and_repeats_population_draws():
    from sim.parameters import ParameterSet, ParamSpec
    params = ParameterSet({"a": ParamSpec("a", 1.0, confidence="assumption")})
    t = D.build_draw_table(params, {"k": np.array([1.0, 2.0, 3.0])}, {"k": "a"}, {"fixed": np.ones(7)},
                           np.array([[2025.0, 2024.0]] * 6 + [[np.inf, 2024.0]]), ["P1", "P2"], 7)
    assert t.names == ["a", "P1 completion"]                    # "fixed" and P2 do not vary
    np.testing.assert_array_equal(t.values[:, 0], [1, 2, 3, 1, 2, 3, 1])
    assert t.meta[0]["confidence"] == "assumption" and t.meta[1]["project"] == "P1"


# ----------------------------------------------------------------------------- the whole chain
@pytest.fixture(scope="module")
def tongdao_runs(tmp_path_factory):
    d = tmp_path_factory.mktemp("drivers")
    variant = d / "with_trivial.yaml"
    variant.write_text(
        f"extends: {TONGDAO}\nid: with_trivial\nname: with a trivial target\nadd:\n  targets:\n"
        "    - {id: TRIVIAL, name_zh: 社工站数不为负, unit: '%', year: 2025, comparator: '>=', value: 0,"
        " binding: indicative, kind: computed, quantity: social_work_station_coverage, source: test}\n",
        encoding="utf-8")
    s = load_scenario(variant)
    a, b = (simulate(s, RunOptions(replications=400, seed=4)) for _ in range(2))
    return s, a, b, d


def test_run_reports_drivers_reproducibly(tongdao_runs):
    s, a, b, d = tongdao_runs
    recs = {r["id"]: r for r in a.summary}
    assert recs["TRIVIAL"]["p_met"] == 1.0 and recs["TRIVIAL"]["drivers"] == []
    computed = [r for r in a.summary if r["kind"] == "computed"]
    assert all("drivers" in r and "driven_by_assumption" in r for r in computed)
    assert all("drivers" not in r for r in a.summary if r["kind"] != "computed")
    assert any(r["drivers"] for r in computed)
    # same seed, same drivers (and byte-identical summary.json)
    assert [r.get("drivers") for r in a.summary] == [r.get("drivers") for r in b.summary]
    write_results(a, d / "a", False, None)
    write_results(b, d / "b", False, None)
    assert (d / "a" / "summary.json").read_bytes() == (d / "b" / "summary.json").read_bytes()
    js = json.loads((d / "a" / "summary.json").read_text(encoding="utf-8"))
    assert "first-order sensitivity index" in js["drivers_method"]


def test_schedule_drivers_are_real_thresholds(tongdao_runs):
    """Where one project's completion explains >= 90% of a verdict, a cut-off date on that
    completion alone classifies met / not met in >= 95% of replications (checked directly)."""
    s, a, _, _ = tongdao_runs
    years = a.years.tolist()
    ids = a.build.result.project_ids
    targets = {t.id: t for t in s.rows("targets")}
    checked = 0
    for rec in a.summary:
        top = (rec.get("drivers") or [None])[0]
        if not top or top["kind"] != "schedule" or top["share"] < 0.9:
            continue
        t = targets[rec["id"]]
        ok = met(a.quantities[t.quantity][:, years.index(t.year)], t.comparator, t.value)
        if top.get("stage"):     # an earlier stage of a staged programme
            k = next(j for j, ph in enumerate(a.build.phases)
                     if ph.project == top["project"] and ph.index + 1 == top["stage"])
            c = a.build.phase_online[:, k]
        else:
            c = a.build.result.completion[:, ids.index(top["project"])]
        best = max(max(((c <= cut) == ok).mean(), ((c > cut) == ok).mean()) for cut in np.unique(c))
        assert best >= 0.95, (rec["id"], top, best)
        checked += 1
    assert checked >= 1


def test_verdict_table_has_a_driver_column(tongdao_runs):
    import io

    from rich.console import Console

    from sim.report import print_verdicts
    _, a, _, _ = tongdao_runs
    buf = io.StringIO()
    print_verdicts(a, Console(file=buf, width=400))
    text = buf.getvalue()
    assert "driver" in text
    rec = next(r for r in a.summary if r.get("drivers"))
    assert rec["drivers"][0]["input"] in text


def test_an_input_that_only_covaries_with_the_top_driver_is_not_a_second_driver():
    """met = (x > 0.5); z = x + noise is strongly related to met (S well above 0.02) but adds nothing once
    x is known: only x is reported.  A genuine second input (w, met = x > 0.5 and w > 0.2) stays."""
    rng = np.random.default_rng(8)
    R = 2000
    x, w = rng.random(R), rng.random(R)
    z = x + rng.normal(0, 0.1, R)
    assert D.first_order_index((x > 0.5).astype(float), D.rank_bins(z))[0] > 0.3
    drivers, _ = D.rank_drivers(x > 0.5, table({"z": z, "x": x}))
    assert [d["input"] for d in drivers] == ["x"]
    drivers, _ = D.rank_drivers((x > 0.5) & (w > 0.2), table({"z": z, "x": x, "w": w}))
    assert [d["input"] for d in drivers] == ["x", "w"]


def test_verdict_table_basis_label_names_the_assumption_or_the_plan():
    from sim.report import basis_label
    assert basis_label("assumption: social.hiring_per_year (no hiring plan or record)") == \
        "assumption: social.hiring_per_year"
    assert basis_label("plan: no project in the table builds one (line 112)") == "plan"
    assert basis_label("design figures of the projects (P02_01: 30 nursing-type beds)").endswith("…")
    assert basis_label(None) == "" and basis_label("") == ""
