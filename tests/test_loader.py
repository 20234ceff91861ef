"""The scenario loader: good input loads with money in yuan; each kind of bad input gives one line
naming file, row and field, with exit code 2 and no traceback."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from sim.cli import main
from sim.errors import InputError
from sim.loader import load_scenario

from conftest import REPO


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def error_of(scenario: Path) -> InputError:
    with pytest.raises(InputError) as info:
        load_scenario(scenario)
    return info.value


def test_mini_loads_with_money_in_yuan(mini):
    s = load_scenario(mini)
    p = s.by_id("projects")
    assert p["P1"].investment_total == pytest.approx(0.5e8)
    assert p["P2"].investment_total == pytest.approx(300e4)   # inline 万元, blank money_unit
    assert p["P2"].investment_plan == pytest.approx(200e4)
    assert p["P1"].start == 2022.0 and p["P1"].end == pytest.approx(2025.0)   # end of Dec 2024
    assert p["P2"].funding == {"county": 0.5, "lottery": 0.5}
    f = s.by_id("funding")
    assert f["lottery_2022"].amount == pytest.approx(100e4)
    assert {"a.rate", "b.cost"} <= set(s.by_id("parameters"))   # several parameter files merged
    assert s.by_id("facilities")["F2"].opened_year() == pytest.approx(2021 + 1 / 12)   # during Jan 2021
    assert s.by_id("facilities")["F1"].opened_year() == 2015.5                         # during 2015


# Each case: (file to edit, old text, new text, expected file name, row, field, words in message)
BAD = {
    "malformed_yaml": ("mini.yaml", "horizon: 2030", "horizon: [2030", "mini.yaml", None, "yaml", "malformed YAML"),
    "malformed_csv": ("projects.csv", "P1,乙乡敬老院新建", 'P1,"乙乡敬老院新建', "projects.csv", None, "csv", "malformed CSV"),
    "too_many_cells": ("units.csv", "101,甲镇,township,镇,100,10,2,test fixture", "101,甲镇,township,镇,100,10,2,test fixture,extra", "units.csv", 3, "csv", "cells"),
    "missing_column": ("targets.csv", ",binding,kind,", ",binding,kind_typo,", "targets.csv", 1, "kind", "missing required column"),
    "missing_value": ("facilities.csv", "F1,甲镇敬老院,care_home,101", "F1,甲镇敬老院,,101", "facilities.csv", 2, "facility_type", "required value is empty"),
    "wrong_type": ("units.csv", "101,甲镇,township,镇,100,10,", "101,甲镇,township,镇,100,ten,", "units.csv", 3, "villages", "not a number"),
    "unknown_unit": ("projects.csv", "care_home,102,新建", "care_home,999,新建", "projects.csv", 2, "unit", "unknown admin unit '999'"),
    "unknown_parent": ("units.csv", "102,乙乡,township,乡,100", "102,乙乡,township,乡,777", "units.csv", 4, "parent", "unknown admin unit '777'"),
    "negative_amount": ("projects.csv", "亿元,0.5,0.5", "亿元,-0.5,0.5", "projects.csv", 2, "investment_total", "negative"),
    "negative_envelope": ("funding.csv", "2022,0.3,亿元", "2022,-0.3,亿元", "funding.csv", 2, "amount", "negative"),
    "negative_beds": ("facilities.csv", ",60,10,2015", ",-60,10,2015", "facilities.csv", 2, "beds", "negative"),
    "money_without_unit": ("projects.csv", ",,300万元,200万元", ",,300,200万元", "projects.csv", 3, "investment_total", "without a unit"),
    "mixed_units": ("projects.csv", "亿元,0.5,0.5", "亿元,0.5,4000万元", "projects.csv", 2, "investment_plan", "mixed money units"),
    "unknown_money_unit": ("funding.csv", "2022,0.3,亿元", "2022,0.3,美元", "funding.csv", 2, "amount", "unknown money unit"),
    "ends_before_start": ("projects.csv", "2022-01,2024-12", "2024-12,2022-01", "projects.csv", 2, "end", "ends before it starts"),
    "bad_month": ("projects.csv", "2022-01,2024-12", "2022-13,2024-12", "projects.csv", 2, "start", "not a month"),
    "unknown_quantity": ("targets.csv", "computed,nursing_bed_share", "computed,nursing_beds_share", "targets.csv", 2, "quantity", "unknown quantity"),
    "unknown_facility_type": ("facilities.csv", "F1,甲镇敬老院,care_home", "F1,甲镇敬老院,carehome", "facilities.csv", 2, "facility_type", "'carehome' is not allowed"),
    "duplicate_id": ("facilities.csv", "F2,县殡仪馆", "F1,县殡仪馆", "facilities.csv", 3, "id", "duplicate id 'F1'"),
    "duplicate_param_across_files": ("parameters2.csv", "b.cost,15", "a.rate,15", "parameters2.csv", 2, "id", "duplicate id 'a.rate'"),
    "unknown_project": ("project_outputs.csv", "O1,P1,", "O1,P9,", "project_outputs.csv", 2, "project", "unknown project 'P9'"),
    "unknown_funding_source": ("projects.csv", "county:1", "county:0.5;bank:0.5", "projects.csv", 2, "funding", "'bank'"),
    "shares_not_one": ("projects.csv", "county:1", "county:0.8", "projects.csv", 2, "funding", "sum to 1"),
    "unknown_target_in_monitoring": ("monitoring.csv", "M1,T2", "M1,T9", "monitoring.csv", 2, "target", "unknown target 'T9'"),
    "not_finite": ("parameters2.csv", "6.6,26.2", "6.6,nan", "parameters2.csv", 2, "high", "not a finite number"),
    "overflow": ("facilities.csv", ",60,10,2015", ",1e309,10,2015", "facilities.csv", 2, "beds", "not a finite number"),
    "bad_opened": ("facilities.csv", ",60,10,2015", ",60,10,0.5", "facilities.csv", 2, "opened", "not a month"),
    "nursing_above_beds": ("facilities.csv", ",60,10,2015", ",60,70,2015", "facilities.csv", 2, "beds_nursing", "exceed"),
    "missing_table_file": ("mini.yaml", "monitoring: monitoring.csv", "monitoring: nothere.csv", "nothere.csv", None, "file", "no such file"),
    "triangular_mode_outside": ("parameters2.csv", "b.cost,15,", "b.cost,30,", "parameters2.csv", 2, "value", "mode"),
}


@pytest.mark.parametrize("case", sorted(BAD))
def test_bad_input_gives_one_clear_error(mini, case):
    fname, old, new, efile, erow, efield, words = BAD[case]
    edit(mini.parent / fname, old, new)
    err = error_of(mini)
    assert Path(err.file).name == efile
    if erow is not None:
        assert err.row == erow
    assert err.field == efield
    assert words in err.message
    assert "\n" not in err.line()


def test_not_utf8_is_rejected_with_line(mini):
    path = mini.parent / "units.csv"
    path.write_bytes(path.read_text(encoding="utf-8").encode("gb18030"))
    err = error_of(mini)
    assert Path(err.file).name == "units.csv" and err.field == "encoding" and "not UTF-8" in err.message
    assert err.row == 2   # the first non-ASCII byte is on line 2


def test_circular_extends(tmp_path):
    (tmp_path / "a.yaml").write_text("extends: b.yaml\nid: a\n", encoding="utf-8")
    (tmp_path / "b.yaml").write_text("extends: a.yaml\nid: b\n", encoding="utf-8")
    err = error_of(tmp_path / "a.yaml")
    assert err.field == "extends" and "circular extends: a.yaml -> b.yaml -> a.yaml" in err.message


def test_unknown_top_level_key(mini):
    edit(mini, "horizon: 2030", "horizon: 2030\nhorizn: 2035")
    err = error_of(mini)
    assert err.field == "horizn" and "unknown key" in err.message


def test_cli_prints_one_line_and_exits_2(mini, capsys):
    edit(mini.parent / "projects.csv", "2022-01,2024-12", "2024-12,2022-01")
    assert main(["validate", str(mini)]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: ") and "projects.csv:2: end:" in err


def test_cli_subprocess_has_no_traceback(mini):
    edit(mini.parent / "units.csv", "101,甲镇", "101,甲镇\x00")
    (mini.parent / "units.csv").write_bytes(b"\xff\xfe" + (mini.parent / "units.csv").read_bytes())
    proc = subprocess.run([sys.executable, str(REPO / "run_sim.py"), "validate", str(mini)],
                          capture_output=True, text=True, cwd=REPO)
    assert proc.returncode == 2
    assert "Traceback" not in proc.stderr and proc.stderr.count("\n") == 1


def test_variant_changes_exactly_what_it_names(mini):
    variant = mini.parent / "late.yaml"
    variant.write_text(
        "extends: mini.yaml\nid: mini_late\nname: late money\n"
        "patch:\n  projects:\n    P1: {end: 2026-06}\n  parameters:\n    b.cost: {value: 20}\n",
        encoding="utf-8")
    base = load_scenario(mini).to_dict()
    late = load_scenario(variant).to_dict()
    assert late["id"] == "mini_late" and late["name"] == "late money"
    p1 = next(r for r in late["tables"]["projects"] if r["id"] == "P1")
    assert p1["end"] == pytest.approx(2026.5)   # end of June 2026
    cost = next(r for r in late["tables"]["parameters"] if r["id"] == "b.cost")
    assert cost["value"] == 20
    # Undo the two named changes: everything else must be identical.
    p1["end"] = next(r for r in base["tables"]["projects"] if r["id"] == "P1")["end"]
    cost["value"] = 15
    for key in ("id", "name", "extends_chain"):
        late.pop(key), base.pop(key)
    assert late == base


def test_variant_add_remove_and_bad_patch(mini):
    variant = mini.parent / "v.yaml"
    variant.write_text(
        "extends: mini.yaml\nid: v\nremove:\n  projects: [P2]\n  project_outputs: [O2]\n"
        "add:\n  monitoring:\n    - {id: M2, target: T2, year: 2022, value: 6.5, source: test}\n",
        encoding="utf-8")
    s = load_scenario(variant)
    assert set(s.by_id("projects")) == {"P1"} and set(s.by_id("monitoring")) == {"M1", "M2"}
    variant.write_text("extends: mini.yaml\nid: v\npatch:\n  projects:\n    P7: {end: 2026-06}\n", encoding="utf-8")
    err = error_of(variant)
    assert Path(err.file).name == "v.yaml" and err.field == "patch.projects.P7"
    variant.write_text("extends: mini.yaml\nid: v\npatch:\n  projects:\n    P1: {investment_total: -3}\n", encoding="utf-8")
    err = error_of(variant)   # a bad value set by a patch is reported against the YAML that set it
    assert Path(err.file).name == "v.yaml" and err.row is None
    assert err.field == "patch.projects.P1.investment_total" and "negative" in err.message


def test_json_output_is_resolved(mini, capsys):
    assert main(["validate", str(mini), "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["money_unit"] == "yuan"
    assert sum(p["investment_total"] for p in data["tables"]["projects"]) == pytest.approx(53e6)
    assert {t["id"] for t in data["tables"]["targets"]} == {"T1", "T2"}


def test_what_if_scales_delays_and_shifts(mini):
    variant = mini.parent / "w.yaml"
    variant.write_text(
        "extends: mini.yaml\nid: w\nwhat_if:\n  funding_scale: {county: 0.5}\n  funding_delay_years: {all: 1}\n"
        "  project_delay_months: {P1: 6}\n", encoding="utf-8")
    base, w = load_scenario(mini), load_scenario(variant)
    fb, fw = base.by_id("funding"), w.by_id("funding")
    assert fw["county_2022"].amount == pytest.approx(0.5 * fb["county_2022"].amount)
    assert fw["lottery_2022"].amount == pytest.approx(fb["lottery_2022"].amount)
    assert fw["county_2022"].year == 2023 and fw["lottery_2022"].year == 2023
    pb, pw = base.by_id("projects"), w.by_id("projects")
    assert pw["P1"].start == pytest.approx(pb["P1"].start + 0.5) and pw["P1"].end == pytest.approx(pb["P1"].end + 0.5)
    assert pw["P2"].end == pb["P2"].end


@pytest.mark.parametrize("what_if, field, words", [
    ("funding_scale: {bank: 0.5}", "what_if.funding_scale.bank", "unknown funding source"),
    ("funding_scale: {all: -1}", "what_if.funding_scale", ">= 0"),
    ("funding_delay_years: {county: 0.5}", "what_if.funding_delay_years", "whole years"),
    ("project_delay_months: {P9: 3}", "what_if.project_delay_months.P9", "unknown project"),
    ("budget_cut: 0.7", "what_if.budget_cut", "unknown what-if"),
])
def test_what_if_errors(mini, what_if, field, words):
    variant = mini.parent / "w.yaml"
    variant.write_text(f"extends: mini.yaml\nid: w\nwhat_if:\n  {what_if}\n", encoding="utf-8")
    err = error_of(variant)
    assert Path(err.file).name == "w.yaml" and err.field == field and words in err.message


def test_command_line_mistakes_are_one_line(capsys):
    with pytest.raises(SystemExit) as info:
        main(["run", "scenarios/tongdao.yaml", "--replications", "many"])
    assert info.value.code == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and err.startswith("error: command line:") and "--replications" in err
