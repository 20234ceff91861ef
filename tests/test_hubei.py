"""The Hubei scenario matches its plan (seed 001_c439cc395c251c17.txt), the county list of the
boundary layer, and its census sources add up (scenarios/hubei/DATA_NOTES.md).

The data checks read the CSV files directly, so they hold whatever the engine does; the validate
and small-run checks need the multi-county engine (docs/regions.md) and say so when it is absent.
"""

from __future__ import annotations

import contextlib
import csv
import functools
import io
import json
import re
from pathlib import Path

import pytest

from conftest import REPO

SCENARIO = REPO / "scenarios" / "hubei.yaml"
DATA = REPO / "scenarios" / "hubei"
GEO = REPO / "geodata" / "counties_420000_hubei.geojson"
# the shared seeds sit beside the repository (main checkout) or two levels up (a worktree under wt/)
SEED = next((d / "shared" / "seeds" / "001_c439cc395c251c17.txt" for d in (REPO.parent, REPO.parent.parent)
             if (d / "shared" / "seeds" / "001_c439cc395c251c17.txt").exists()),
            REPO.parent / "shared" / "seeds" / "001_c439cc395c251c17.txt")
CITE = re.compile(r"(\d{3}_[0-9a-f]{16}\.txt):(\d+)")
PROVINCE_TOTAL = 29694718 + 28057839   # 湖北省七普公报第三号: male + female = 57752557
# The only county figures rounded by their source: 咸宁's six counties in 万人 to 0.01 (100 persons each,
# so at most 6 x 50 persons off); every derived figure keeps its prefecture sum exact.
TOLERANCE = 300


def _rows(name: str) -> list[dict]:
    with open(DATA / name, encoding="utf-8", newline="") as fh:
        return list(csv.DictReader(fh))


def _num(text: str) -> float | None:
    m = re.search(r"-?\d+(?:\.\d+)?", text or "")
    return float(m.group()) if m else None


def _g(x: float) -> str:
    return f"{x:g}" if abs(x) < 1e6 else f"{x:.0f}"


@pytest.fixture(scope="module")
def seed_lines() -> list[str]:
    if not SEED.exists():
        pytest.skip(f"seed plan not found at {SEED}")
    return SEED.read_text(encoding="utf-8").splitlines()


# ---------------------------------------------------------------- main indicator table (表2)

def test_fifteen_main_indicators_with_their_attributes():
    main = [t for t in _rows("targets.csv") if t["main_table"] == "yes"]
    assert [t["id"] for t in main] == [f"M{i:02d}" for i in range(1, 16)]
    assert {t["year"] for t in main} == {"2025"}          # the table has no 2020 column
    assert [t["id"] for t in main if t["binding"] == "binding"] == ["M03", "M04", "M06", "M07", "M08"]
    for t in _rows("targets.csv"):
        assert (t["kind"] == "computed") == bool(t["quantity"]), t["id"]


def test_main_table_matches_the_seed_lines(seed_lines):
    """Each M row: name, unit, value and 属性 as printed on its table line (tab-separated)."""
    attr = {"约束性": "binding", "预期性": "indicative"}
    main = [t for t in _rows("targets.csv") if t["main_table"] == "yes"]
    for t in main:
        line = int(CITE.findall(t["source"])[0][1])
        cells = [c.strip() for c in seed_lines[line - 1].split("\t")]
        assert cells[0] == t["id"][1:].lstrip("0"), (t["id"], cells)
        assert cells[1].replace(" ", "") == t["name_zh"].replace(" ", ""), (t["id"], cells[1])
        assert cells[2].replace(" ", "") == t["unit"], (t["id"], cells[2])
        assert attr[cells[4].replace(" ", "")] == t["binding"], t["id"]
        printed = cells[3]
        if t["value"]:
            assert _num(printed) == float(t["value"]), (t["id"], printed)
            if printed.startswith(">") or printed.startswith("＞"):
                assert t["comparator"] == ">"
        else:
            assert t["value_text"].replace(" ", "") == printed.replace(" ", ""), t["id"]


# ---------------------------------------------------------------- counties and census

def test_103_counties_with_the_codes_and_names_of_the_boundary_layer():
    geo = json.loads(GEO.read_text(encoding="utf-8"))
    want = {f["properties"]["adcode"]: f["properties"]["name_zh"] for f in geo["features"]}
    units = _rows("units.csv")
    counties = {u["id"]: u for u in units if u["level"] in ("county", "district")}
    assert len(counties) == 103 and set(counties) == set(want)
    assert all(counties[c]["name_zh"] == want[c] for c in want)
    levels = {u["id"]: u["level"] for u in units}
    assert [u["id"] for u in units if u["level"] == "province"] == ["420000"]
    assert sum(v == "prefecture" for v in levels.values()) == 14     # 13 市州 + the 429000 grouping
    for c, u in counties.items():
        assert u["parent"] == ("429000" if c.startswith("4290") else c[:4] + "00")
        assert levels[u["parent"]] == "prefecture"


def test_county_populations_add_up_to_the_prefectures_and_the_province():
    demo = {d["unit"]: d for d in _rows("unit_demography.csv")}
    assert len(demo) == 103
    total = sum(int(d["base_population"]) for d in demo.values())
    assert abs(total - PROVINCE_TOTAL) <= TOLERANCE
    param = {p["id"]: p for p in _rows("demography.csv")}
    assert int(param["demography.base_population"]["value"]) == PROVINCE_TOTAL
    pref_total = {u["id"]: float(re.search(r"常住 (\d+)", u["note"]).group(1)) for u in _rows("units.csv") if u["level"] == "prefecture" and u["id"] != "429000"}
    for pref, want in pref_total.items():
        got = sum(int(d["base_population"]) for c, d in demo.items() if c[:4] + "00" == pref and not c.startswith("4290"))
        assert abs(got - want) <= TOLERANCE, (pref, got, want)


def test_every_census_row_has_shares_that_add_up_and_a_flagged_source():
    for d in _rows("unit_demography.csv"):
        s = float(d["share_0_14"]) + float(d["share_15_59"]) + float(d["share_60plus"])
        assert abs(s - 100) <= 0.1, d["unit"]
        assert float(d["share_65plus"]) < float(d["share_60plus"])
        assert d["confidence"] in ("published", "derived"), d["unit"]
        if d["confidence"] == "published":
            assert "http" in d["source"], d["unit"]
        else:
            assert "derived" in (d["source"] + d["note"]) and "rule" in (d["source"] + d["note"]), d["unit"]


def test_xiantao_shares_are_the_sums_of_its_age_pyramid():
    """Independent re-computation: the 0-14 share from the 5-year pyramid quoted in the script."""
    import importlib.util
    spec = importlib.util.spec_from_file_location("derive", DATA / "derive_population.py")
    mod = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(mod)
    kids = sum(mod.XIANTAO_M[:4]) + sum(mod.XIANTAO_F[:4])
    d = {r["unit"]: r for r in _rows("unit_demography.csv")}["429004"]
    assert float(d["share_0_14"]) == pytest.approx(100 * kids / 1268715, abs=0.005)
    assert int(d["base_population"]) == sum(mod.XIANTAO_M) + sum(mod.XIANTAO_F)


# ---------------------------------------------------------------- sources point at their figures

WHOLE = ("全覆", "所有", "全部", "每个", "覆盖率达到100")   # how the plan writes 100% in words


def _candidates(value: float) -> set[str]:
    out = {_g(value), _g(value / 1e4)}
    if value == 100:
        out.update(WHOLE)
    if value == int(value):
        out.add(str(int(value)))
    return out


def test_every_seed_citing_figure_is_on_a_cited_line(seed_lines):
    """Rows whose source is the seed alone (not derived/assumption) print their figure on a cited line."""
    checked = 0
    for name, col in (("targets.csv", "value"), ("base_facts.csv", "value"), ("monitoring.csv", "value")):
        for r in _rows(name):
            src = r["source"]
            if not r[col] or "derived" in src or "assumption" in src or "published" in src:
                continue
            lines = [seed_lines[int(n) - 1].replace(" ", "") for f, n in CITE.findall(src) if f == SEED.name]
            assert lines, (name, r["id"])
            v = float(r[col])
            words = _candidates(v) | ({r["value_text"]} if r.get("value_text") else set())
            assert any(c in ln for c in words for ln in lines), (name, r["id"], v)
            checked += 1
    assert checked >= 50


def test_every_row_cites_a_source_and_seed_lines_exist(seed_lines):
    n = len(seed_lines)
    for name in ("targets.csv", "base_facts.csv", "monitoring.csv", "programmes.csv", "funding.csv",
                 "facilities.csv", "demography.csv", "service_parameters.csv", "unit_demography.csv"):
        for r in _rows(name):
            assert r["source"].strip(), (name, r.get("id") or r.get("unit"))
            for f, line in CITE.findall(r["source"]):
                if f == SEED.name:
                    assert 1 <= int(line) <= n
    for c in _rows("conflicts.csv"):
        for f, line in CITE.findall(c["source_a"] + " " + c["source_b"]):
            assert f != SEED.name or 1 <= int(line) <= n


# ---------------------------------------------------------------- programmes and money

def test_programmes_counts_rules_and_cited_costs(seed_lines):
    progs = {p["id"]: p for p in _rows("programmes.csv")}
    assert progs["PG01"]["allocation"] == "every" and int(progs["PG01"]["count"]) == 103   # every county (line 425)
    assert sum(int(p["count"]) for k, p in progs.items() if k.startswith("PG02")) == 500  # 500个 (line 429)
    assert "500" in seed_lines[429 - 1]
    assert sum(int(p["count"]) for k, p in progs.items() if k.startswith("PG03")) == 103  # all 县市 (line 533)
    for p in progs.values():
        assert p["cost_source"].strip() and float(p["unit_cost"]) > 0
        beds = float(p["beds"] or 0)
        if beds:   # cost per bed in a plausible public range (6.6-33.3万元, reference parameters.csv)
            assert 5 <= float(p["unit_cost"]) / beds <= 35, p["id"]
    money = sum(float(f["amount"]) for f in _rows("funding.csv"))
    cost = sum(int(p["count"]) * float(p["unit_cost"]) for p in progs.values())
    assert money == pytest.approx(cost, abs=5)      # the envelopes are the programmes' costs, spread by window


def test_base_stock_reproduces_the_plans_2020_ratios():
    demo = {d["unit"]: d for d in _rows("unit_demography.csv")}
    older = sum(int(d["base_population"]) * float(d["share_60plus"]) / 100 for d in demo.values())
    fac = _rows("facilities.csv")
    beds = sum(int(f["beds"]) for f in fac)
    nursing = sum(int(f["beds_nursing"]) for f in fac)
    assert beds / older * 1000 == pytest.approx(35, abs=0.01)        # line 136
    assert nursing / beds == pytest.approx(0.363, abs=0.001)          # line 146


# ---------------------------------------------------------------- the engine

@functools.lru_cache(maxsize=1)
def _validate() -> tuple[int, str]:
    """``validate`` once per session: (exit code, stderr)."""
    from sim.cli import main
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["validate", str(SCENARIO)])
    return code, err.getvalue()


def _engine_knows_programmes() -> bool:
    return "tables.programmes: unknown table" not in _validate()[1]


def test_validates():
    if not _engine_knows_programmes():
        pytest.skip("the engine does not read the multi-county tables yet (docs/regions.md)")
    code, err = _validate()
    assert code == 0, err[-2000:]


def test_small_run_conserves_population_and_counts_counties(tmp_path):
    """One replication: every county starts at its census figure, the province M07 share equals the mean of
    the per-county flags, and the derived bed stock reproduces the plan's 2020 nursing share (36.3%)."""
    from sim.cli import main
    if not _engine_knows_programmes():
        pytest.skip("the engine does not read the multi-county tables yet (docs/regions.md)")
    out = tmp_path / "hubei"
    err = io.StringIO()
    with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
        code = main(["run", str(SCENARIO), "-n", "1", "--out", str(out), "--no-maps", "--no-report"])
    assert code == 0, err.getvalue()[-2000:]
    demo = {d["unit"]: int(d["base_population"]) for d in _rows("unit_demography.csv")}
    with open(out / "aging.csv", encoding="utf-8-sig") as fh:
        aging = [r for r in csv.DictReader(fh) if r["year"] == "2020" and r["unit"] in demo]
    assert len(aging) == 103
    for r in aging:
        assert float(r["population_mean"]) == pytest.approx(demo[r["unit"]], abs=0.5)
    with open(out / "indicators.csv", encoding="utf-8-sig") as fh:
        ind = {(r["indicator_id"], r["year"]): r for r in csv.DictReader(fh)}
    assert float(ind[("M08", "2020")]["mean"]) == pytest.approx(36.3, abs=0.05)
    assert float(ind[("M07", "2020")]["mean"]) == 0          # no base cemetery counted (DATA_NOTES)
    if (out / "county_indicators.csv").exists():            # per-county outputs (written by newer engines)
        with open(out / "county_indicators.csv", encoding="utf-8-sig") as fh:
            flags = [float(r["p_met"]) for r in csv.DictReader(fh) if r["indicator_id"] == "M07" and r["year"] == "2025"]
        assert len(flags) == 103
        assert float(ind[("M07", "2025")]["mean"]) == pytest.approx(100 * sum(flags) / len(flags), abs=1e-6)
