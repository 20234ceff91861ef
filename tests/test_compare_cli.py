"""The `compare` command end to end at small N: folder contents, console, bad input."""

from __future__ import annotations

import json

import pandas as pd

from sim.cli import main

from conftest import REPO

SCEN = REPO / "scenarios"


def test_compare_command_writes_the_comparison_folder(tmp_path, capsys):
    out = tmp_path / "cmp"
    rc = main(["compare", str(SCEN / "tongdao.yaml"), str(SCEN / "tongdao_budget_cut.yaml"), "-n", "40",
               "--seed", "2", "--out", str(out), "--slack-step", "12"])
    assert rc == 0
    names = {p.name for p in out.iterdir()}
    assert {"compare_targets.csv", "compare_projects.csv", "budget.csv", "slack.csv", "slack_summary.csv",
            "tornado.csv", "indicators.csv", "projects.csv", "assumptions.csv", "comparison.json",
            "manifest.json"} <= names
    man = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert set(man["files"]) == names
    t = pd.read_csv(out / "compare_targets.csv", encoding="utf-8-sig")
    assert set(t.scenario) == {"tongdao", "tongdao_budget_cut"}
    assert "Newcombe" in t.method.iloc[0]
    assert "tongdao_budget_cut" in capsys.readouterr().out
    # the same folder again is refused without --overwrite, accepted with it
    assert main(["compare", str(SCEN / "tongdao.yaml"), str(SCEN / "tongdao.yaml"), "-n", "5", "--out", str(out),
                 "--no-slack", "--no-tornado"]) == 2
    assert main(["compare", str(SCEN / "tongdao.yaml"), str(SCEN / "tongdao.yaml"), "-n", "5", "--out", str(out),
                 "--no-slack", "--no-tornado", "--overwrite"]) == 0


def test_compare_bad_level_is_one_error_line(tmp_path, capsys):
    rc = main(["compare", str(SCEN / "tongdao.yaml"), str(SCEN / "tongdao.yaml"), "-n", "5", "--level", "1.5",
               "--out", str(tmp_path / "x")])
    err = capsys.readouterr().err
    assert rc == 2 and err.startswith("error: ") and err.count("\n") == 1 and "--level" in err
    assert not (tmp_path / "x").exists()
