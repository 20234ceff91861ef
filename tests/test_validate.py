"""`validate` is complete in one pass, and parameters are checked against the domains declared once in
sim/domains.py: each bad input is one line `error: <file>[:<row>]: <field>: <what>`, exit code 2, no
traceback and no results folder (issue 9, items 1 and 2)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.domains import PARAMETERS, validate_scenario
from sim.errors import InputError
from sim.parameters import ParamSpec


def edit(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, f"test setup: {old!r} not in {path.name}"
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


def set_param(mini: Path, pid: str, **cols) -> None:
    """Change columns of one row of the fixture's model_parameters.csv (a copy of Tongdao's rows)."""
    path = mini.parent / "model_parameters.csv"
    with path.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.DictReader(fh))
    hit = [r for r in rows if r["id"] == pid]
    assert hit, f"test setup: no parameter {pid}"
    hit[0].update({k: str(v) for k, v in cols.items()})
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=list(rows[0]))
        w.writeheader()
        w.writerows(rows)


def drop_param(mini: Path, pid: str) -> None:
    path = mini.parent / "model_parameters.csv"
    lines = path.read_text(encoding="utf-8").splitlines(keepends=True)
    kept = [ln for ln in lines if not ln.startswith(pid + ",")]
    assert len(kept) == len(lines) - 1
    path.write_text("".join(kept), encoding="utf-8")


def cli(args: list[str], capsys) -> tuple[int, list[str], str]:
    code = main(args)
    out = capsys.readouterr()
    return code, [ln for ln in out.err.splitlines() if ln], out.out


def refused(mini: Path, capsys, tmp_path: Path) -> list[str]:
    """validate and run both refuse with the same lines, exit code 2, and run writes nothing."""
    code, lines, _ = cli(["validate", str(mini)], capsys)
    assert code == 2 and lines and all(ln.startswith("error: ") for ln in lines)
    out = tmp_path / "results"
    code2, lines2, _ = cli(["run", str(mini), "-n", "2", "--out", str(out)], capsys)
    assert code2 == 2 and lines2 == lines
    assert not out.exists() and not any(p.name.startswith(".results") for p in tmp_path.iterdir())
    return lines


def test_mini_fixture_validates_and_runs(mini, capsys, tmp_path):
    code, _, out = cli(["validate", str(mini)], capsys)
    assert code == 0 and out.rstrip().endswith("valid.")
    code, _, _ = cli(["run", str(mini), "-n", "2", "--out", str(tmp_path / "r")], capsys)
    assert code == 0 and (tmp_path / "r" / "manifest.json").exists()


# ---------------------------------------------------------------- one pass

def test_ten_independent_problems_are_all_reported_at_once(mini, capsys, tmp_path):
    d = mini.parent
    edit(d / "units.csv", "101,甲镇,township,镇,100,10,", "101,甲镇,township,镇,100,ten,")          # 1 not a number
    edit(d / "projects.csv", "care_home,102,新建", "care_home,999,新建")                          # 2 unknown unit
    edit(d / "projects.csv", ",,300万元,200万元", ",,300,200万元")                                 # 3 money without unit
    edit(d / "facilities.csv", ",60,10,2015", ",-60,10,2015")                                    # 4 negative beds
    edit(d / "targets.csv", "computed,nursing_bed_share", "computed,nursing_beds_share")         # 5 unknown quantity
    edit(d / "monitoring.csv", "M1,T2", "M1,T9")                                                 # 6 unknown target
    edit(d / "funding.csv", "2022,0.3,亿元", "2022,0.3,美元")                                      # 7 unknown money unit
    drop_param(mini, "care.occupancy_base")                                                      # 8 missing parameter
    set_param(mini, "demography.srb", value=111.3)                                               # 9 out of domain
    edit(d / "base_facts.csv", "orphans,", "orphans_x,")                                         # 10 missing base fact
    lines = refused(mini, capsys, tmp_path)
    assert len(lines) == 10, "\n".join(lines)
    text = "\n".join(lines)
    for words in ("units.csv:3: villages: 'ten' is not a number", "projects.csv:2: unit: unknown admin unit '999'",
                  "projects.csv:3: investment_total: money without a unit", "facilities.csv:2: beds: negative",
                  "targets.csv:2: quantity: unknown quantity", "monitoring.csv:2: target: unknown target 'T9'",
                  "funding.csv:2: amount: unknown money unit", "model_parameters.csv: care.occupancy_base: missing parameter",
                  "model_parameters.csv:", "base_facts.csv: orphans: missing base fact"):
        assert words in text
    assert "<input>" not in text and "Traceback" not in text


def test_problems_beyond_the_limit_are_counted(mini, capsys):
    rows = "".join(f"X{i},甲镇敬老院,care_home,999,public,,1,,,,,,,2015,test\n" for i in range(60))
    (mini.parent / "facilities.csv").write_text(
        (mini.parent / "facilities.csv").read_text(encoding="utf-8") + rows, encoding="utf-8")
    code, lines, _ = cli(["validate", str(mini)], capsys)
    assert code == 2 and len(lines) == 51
    assert lines[-1].startswith("... and 10 more")


def test_every_missing_parameter_is_listed_with_the_table_that_should_hold_it(mini, capsys):
    for pid in ("demography.tfr", "relief.mean_stay_days", "buildout.delay_years"):
        drop_param(mini, pid)
    code, lines, _ = cli(["validate", str(mini)], capsys)
    assert code == 2 and len(lines) == 3   # the file holding its neighbours (same prefix) is named
    assert lines[0].startswith("error: ") and "model_parameters.csv: demography.tfr: missing parameter" in lines[0]
    assert "model_parameters.csv: relief.mean_stay_days: missing parameter" in lines[1]
    assert "model_parameters.csv: buildout.delay_years: missing parameter" in lines[2]


def test_a_default_is_printed_and_recorded_in_the_manifest(mini, capsys, tmp_path):
    drop_param(mini, "demography.imr")
    code, _, out = cli(["validate", str(mini)], capsys)
    assert code == 0 and "default     demography.imr = 5.4" in out
    code, _, _ = cli(["run", str(mini), "-n", "2", "--out", str(tmp_path / "r")], capsys)
    manifest = json.loads((tmp_path / "r" / "manifest.json").read_text(encoding="utf-8"))
    assert manifest["parameter_defaults"]["demography.imr"]["value"] == 5.4


@pytest.mark.parametrize("content, words", [
    ("id;name_zh;level;parent;villages;communities;source\n100;测试县;county;;20;0;t\n", "semicolon-separated"),
    ("id\tname_zh\tlevel\tparent\tvillages\tcommunities\tsource\n100\t测试县\tcounty\t\t20\t0\tt\n", "tab-separated"),
    ("id，name_zh，level，parent，villages，communities，source\n", "full-width commas"),
])
def test_wrong_separator_says_so(mini, capsys, content, words):
    (mini.parent / "units.csv").write_text(content, encoding="utf-8")
    code, lines, _ = cli(["validate", str(mini)], capsys)
    assert code == 2 and len(lines) == 1 and "units.csv:1: csv:" in lines[0] and words in lines[0]


def test_full_width_digits_and_punctuation_say_so(mini, capsys):
    edit(mini.parent / "units.csv", "101,甲镇,township,镇,100,10,", "101,甲镇,township,镇,100,１０,")
    edit(mini.parent / "projects.csv", "county:1", "county：1")
    code, lines, _ = cli(["validate", str(mini)], capsys)
    assert code == 2 and len(lines) == 2
    assert "units.csv:3: villages: '１０' contains full-width characters (１０)" in lines[1] + lines[0]
    assert any("projects.csv:2: funding:" in ln and "full-width" in ln and "：" in ln for ln in lines)


def test_patch_typos_name_the_yaml_and_key(mini, capsys):
    v = mini.parent / "v.yaml"
    v.write_text("extends: mini.yaml\nid: v\npatch:\n  projects:\n    P1: {ned: 2026-06}\n    P7: {end: 2026-06}\n"
                 "  projcts:\n    P1: {end: 2026-06}\n  parameters:\n    relief.max_blocking: {value: 2}\n",
                 encoding="utf-8")
    code, lines, _ = cli(["validate", str(v)], capsys)
    assert code == 2 and len(lines) == 4
    text = "\n".join(lines)
    assert "v.yaml: patch.projects.P1.ned: unknown column 'ned'" in text
    assert "v.yaml: patch.projects.P7: no row with id 'P7'" in text
    assert "v.yaml: patch.projcts: unknown table" in text
    # a bad value set by a patch is reported against the YAML, not the base CSV
    assert "v.yaml: patch.parameters.relief.max_blocking.value: 2 is outside the domain" in text


def test_references_and_totals(mini, capsys):
    edit(mini.parent / "units.csv", "100,测试县,county,县,,,", "100,测试县,county,县,,25,2")
    edit(mini.parent / "base_facts.csv", ",100,", ",1000,")
    code, lines, _ = cli(["validate", str(mini)], capsys)
    text = "\n".join(lines)
    assert code == 2
    assert "units.csv:2: villages: 25 villages here but its 2 townships add up to 18" in text
    assert "base_facts.csv:2: unit_id: unknown admin unit '1000'" in text


# ---------------------------------------------------------------- domains (issue 9 item 2)

@pytest.mark.parametrize("pid, cols, field, words", [
    ("relief.max_blocking", dict(distribution="normal", low=0.0, high=0.02), "low",
     "the normal distribution's 10th percentile 0 leaves the domain of relief.max_blocking (in (0, 1])"),
    ("relief.mean_stay_days", dict(distribution="normal", low=0, high=10), "low",
     "10th percentile 0 leaves the domain of relief.mean_stay_days (in (0, 365])"),
    ("demography.e0_female", dict(value=99), "value", "99 is outside the domain of demography.e0_female"),
    ("demography.srb", dict(value=111.3), "value", "per 100 girls? write 1.113"),
    ("demography.net_migration_rate", dict(value=-150, distribution="fixed", low="", high=""), "value",
     "-150 is outside the domain of demography.net_migration_rate"),
])
def test_out_of_domain_is_one_line_before_anything_runs(mini, capsys, tmp_path, pid, cols, field, words):
    set_param(mini, pid, **cols)
    lines = refused(mini, capsys, tmp_path)
    assert len(lines) == 1, lines
    assert f"model_parameters.csv:" in lines[0] and f": {field}: " in lines[0] and words in lines[0]


def test_life_expectancy_reach_is_checked(mini, capsys, tmp_path):
    set_param(mini, "demography.e0_female", value=95)            # in its domain, and so is the gain,
    set_param(mini, "demography.e0_gain_per_year", value=0.5)    # but 95 + 1 (shift) + 0.5/yr x 10.5 yr > 99.3
    lines = refused(mini, capsys, tmp_path)
    assert len(lines) == 1 and "e0_female: " not in lines[0] and "the life tables cover" in lines[0]


def test_normal_inside_the_domain_runs_and_draws_are_truncated(mini, capsys, tmp_path):
    set_param(mini, "relief.max_blocking", distribution="normal", value=0.01, low=0.002, high=0.018)
    set_param(mini, "relief.mean_stay_days", distribution="normal", value=5, low=1, high=9)
    code, _, _ = cli(["run", str(mini), "-n", "20", "--out", str(tmp_path / "r")], capsys)
    assert code == 0


def test_truncated_normal_stays_in_domain_and_monotone():
    dom = PARAMETERS["relief.max_blocking"].domain
    spec = ParamSpec(id="relief.max_blocking", value=0.01, distribution="normal", low=0.001, high=0.019, domain=dom)
    u = np.linspace(0, 1, 10001)
    x = spec.quantile(u)
    assert np.all(x > 0) and np.all(x <= 1) and np.all(np.diff(x) >= 0)
    # truncation keeps the shape: the median of a N(0.01, sigma) truncated at 0 is above 0.01
    sigma = 0.018 / 2.5631
    from scipy.stats import truncnorm
    ref = truncnorm.ppf(u[1:-1], (0 - 0.01) / sigma, np.inf, loc=0.01, scale=sigma)
    assert np.allclose(x[1:-1], ref, rtol=1e-6, atol=1e-9)


def test_every_shipped_scenario_validates():
    for path in sorted(Path(__file__).resolve().parents[1].glob("scenarios/*.yaml")):
        s = validate_scenario(path)
        assert s.id


def test_single_problem_is_an_input_error_with_fields(mini):
    set_param(mini, "demography.srb", value=111.3)
    with pytest.raises(InputError) as info:
        validate_scenario(mini)
    assert info.value.field == "value" and info.value.row is not None


def test_conditionally_required_parameter(mini, capsys):
    drop_param(mini, "care.institution_propensity")
    code, _, _ = cli(["validate", str(mini)], capsys)
    assert code == 0                       # the base year's beds calibrate demand: not needed
    edit(mini.parent / "facilities.csv", ",60,10,2015", ",,,2015")
    code, lines, _ = cli(["validate", str(mini)], capsys)
    assert code == 2 and len(lines) == 1 and "care.institution_propensity: missing parameter" in lines[0]


def test_circular_parents_are_refused(mini, capsys):
    edit(mini.parent / "units.csv", "100,测试县,county,县,,", "100,测试县,county,县,101,")
    code, lines, _ = cli(["validate", str(mini)], capsys)
    assert code == 2 and any("units.csv:2: parent: circular parents: 100 -> 101 -> 100" in ln for ln in lines)
