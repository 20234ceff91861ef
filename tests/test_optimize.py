"""`optimize` on Tongdao: the overlay validates and runs, the optimised phasing never breaks an
envelope in a deterministic simulation, bad arguments give one error line."""

import numpy as np
import pytest
import yaml

from sim import cli
from sim.buildout import run_portfolio
from sim.loader import load_scenario

TONGDAO = "scenarios/tongdao.yaml"


@pytest.fixture(scope="module")
def optimised(tmp_path_factory):
    out = tmp_path_factory.mktemp("opt") / "tongdao_opt"
    # the quantile durations move most projects, so the envelope check below is not vacuous
    code = cli.main(["optimize", TONGDAO, "--out", str(out), "-n", "8", "-k", "1", "--duration-quantile", "0.8"])
    assert code == 0
    return out


def test_overlay_validates_and_patches_only_projects(optimised):
    data = yaml.safe_load((optimised / "best.yaml").read_text(encoding="utf-8"))
    assert set(data) <= {"extends", "id", "name", "patch"}
    assert set(data["patch"]) == {"projects"} and data["patch"]["projects"]
    s = load_scenario(optimised / "best.yaml")
    base = load_scenario(TONGDAO)
    moved = data["patch"]["projects"]
    for p in s.rows("projects"):
        b = base.by_id("projects")[p.id]
        assert p.end - p.start == pytest.approx(b.end - b.start)   # planned duration kept
        assert (abs(p.start - b.start) > 1e-9) == (p.id in moved)


def test_optimised_phasing_never_breaks_an_envelope(optimised):
    """Deterministic build-out of the overlay: every project started within the horizon completes on
    its planned end (no funding wait) and no source spends more than it has (cumulative, with
    carry-over and contingency)."""
    s = load_scenario(optimised / "best.yaml")
    port = run_portfolio(s, s.parameters(), 1, 1, randomness=False)
    res = port.result
    for j, p in enumerate(s.rows("projects")):
        if p.start < s.horizon + 1:
            assert res.completion[0, j] == pytest.approx(p.end, abs=1e-6), p.id
    spent = np.cumsum(res.source_spend[0], axis=1)
    have = np.cumsum(res.envelopes, axis=1)
    assert np.all(spent <= have * (1 + 1e-9) + 1e-3)


def test_overlay_runs(optimised, tmp_path):
    assert cli.main(["run", str(optimised / "best.yaml"), "--deterministic", "-n", "1", "--out", str(tmp_path / "r")]) == 0
    assert (tmp_path / "r" / "summary.json").exists()


def test_tables_and_solver_report(optimised):
    import json

    import pandas as pd

    solver = json.loads((optimised / "solver.json").read_text(encoding="utf-8"))
    assert solver["status"] == "optimal" and solver["hit_time_limit"] is False
    assert [x["label"] for x in solver["solutions"]] == ["best", "alt1"]
    t = pd.read_csv(optimised / "targets.csv")
    assert set(t.phasing) == {"plan", "best", "alt1"}
    assert t.p_met.dropna().between(0, 1).all()
    sp = pd.read_csv(optimised / "spending.csv")
    assert set(sp.phasing) == {"plan", "best", "alt1"}


def test_bad_precedence_is_one_error_line(tmp_path, capsys):
    code = cli.main(["optimize", TONGDAO, "--out", str(tmp_path / "o"), "--after", "P01_01"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and err[0].startswith("error: command line: --after")
    code = cli.main(["optimize", TONGDAO, "--out", str(tmp_path / "o"), "--after", "P01_01:NOPE"])
    err = capsys.readouterr().err.strip().splitlines()
    assert code == 2 and len(err) == 1 and "NOPE" in err[0]
    assert not (tmp_path / "o").exists()
