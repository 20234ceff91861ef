"""Multi-county regions (issue 13, docs/regions.md): levels simulated at their lowest known unit and
added upwards, per-county base population, county-counted targets, count:<type>, programmes.

The fixture tests/fixtures/regions is a small synthetic prefecture (numbers invented): 甲县 with
three townships (丙乡 has no villages: no people by the township rule), 乙市 with two townships
(pop_share 0.6 / 0.4) and 丙区 with no townships (simulated as one unit).
"""

from __future__ import annotations

import dataclasses
import shutil
from pathlib import Path

import numpy as np
import pytest

from sim.cli import main
from sim.loader import load_scenario
from sim.population import project
from sim.regions import Hierarchy
from sim.run import RunOptions, project_population, simulate

FIX = Path(__file__).parent / "fixtures" / "regions"
COUNTIES = ["990001", "990002", "990003"]


@pytest.fixture(scope="module")
def scenario():
    return load_scenario(FIX / "regions.yaml")


@pytest.fixture(scope="module")
def run(scenario):
    return simulate(scenario, RunOptions(replications=12, seed=5))


@pytest.fixture
def copy(tmp_path) -> Path:
    dst = tmp_path / "regions"
    shutil.copytree(FIX, dst)
    return dst / "regions.yaml"


def test_hierarchy_leaves_are_the_lowest_known_units_depth_first(scenario):
    h = Hierarchy.from_scenario(scenario)
    assert h.leaves == ["990001001", "990001002", "990001003", "990002001", "990002002", "990003"]
    assert h.counties() == COUNTIES
    assert h.slice_of("990002") == slice(3, 5) and h.slice_of("990003") == slice(5, 6)
    assert h.multi_county and h.seat("990001") == "990001001" and h.seat("990002") is None


def test_base_population_per_county_from_unit_demography(scenario):
    pop, _ = project_population(scenario, RunOptions(replications=2, seed=1))
    base = pop.pop[0, :, 0].sum(axis=(1, 2))                        # (U,) persons in the base year
    # each county's leaves add up to its census total; townships split by the documented rule
    assert base[0:3].sum() == pytest.approx(120000, rel=1e-12)
    assert base[3:5].sum() == pytest.approx(200000, rel=1e-12)
    assert base[5] == pytest.approx(80000, rel=1e-12)
    assert base[0:3] / 120000 == pytest.approx([12 / 20, 8 / 20, 0.0])   # villages + communities 12:8:0
    assert base[3:5] / 200000 == pytest.approx([0.6, 0.4])               # pop_share
    older = pop.pop[0, :, 0, :, 60:].sum(axis=(1, 2))
    assert older[0:3].sum() / 120000 == pytest.approx(0.25, abs=1e-3)    # 甲县 share_60plus 25%
    assert older[3:5].sum() / 200000 == pytest.approx(0.20, abs=1e-3)    # 乙市 20%
    assert older[5] / 80000 == pytest.approx(0.25, abs=1e-3)


def test_parent_population_is_the_sum_of_its_children_in_every_year_and_replication(scenario):
    """Conservation: every level above the simulated units equals the sum of its direct children,
    in every year and replication; and projecting a county as one unit gives the sum of its
    townships (the projection is linear in the base population with region-wide rates)."""
    from sim.output_tables import _with_region
    pop, _ = project_population(scenario, RunOptions(replications=6, seed=3))
    h = Hierarchy.from_scenario(scenario)
    for arr in (pop.total, pop.age60, pop.deaths, pop.births, pop.disabled):
        full, units = _with_region(arr, pop.units, scenario.region_unit, scenario=scenario)
        row = {u: full[:, i] for i, u in enumerate(units)}
        for parent in h.parents:
            kids = h.children[parent]
            np.testing.assert_allclose(row[parent], sum(row[k] for k in kids), rtol=1e-12, atol=1e-9)
        np.testing.assert_allclose(row["990000"], arr.sum(axis=1), rtol=1e-12)
    # the county 甲县 projected as one unit, same draws
    from sim.population import build_inputs
    import pandas as pd
    units_df = pd.DataFrame([u.model_dump() for u in scenario.rows("units")])
    inp = build_inputs(units_df, scenario.parameters(), scenario.base_year, scenario.horizon, scenario.region_unit,
                       unit_demography=scenario.rows("unit_demography"))
    one = dataclasses.replace(inp, units=["990001"], names=["甲县"], base_pop=inp.base_pop[0:3].sum(0, keepdims=True))
    alone = project(one, replications=6, seed=3)
    np.testing.assert_allclose(alone.total[:, 0], pop.total[:, 0:3].sum(axis=1), rtol=1e-10)
    np.testing.assert_allclose(alone.pop[:, 0], pop.pop[:, 0:3].sum(axis=1), rtol=1e-9, atol=1e-9)


def test_population_tables_have_a_row_for_every_level(run):
    units = set(run.aging["unit"])
    assert {"990000", "990001", "990002", "990003", "990001001", "990002002"} <= units
    a = run.aging.set_index(["unit", "year"])["population_mean"]
    for y in (2020, 2025, 2030):
        assert a[("990001", y)] == pytest.approx(sum(a[(t, y)] for t in ("990001001", "990001002", "990001003")))
        assert a[("990000", y)] == pytest.approx(sum(a[(c, y)] for c in COUNTIES))


def test_county_counted_indicator_is_the_share_of_counties_meeting_the_threshold(run, scenario):
    """T2 (每个县建有殡仪馆): in every replication and year, 100 x the share of counties whose
    funeral homes >= 1, counted independently here from the facilities and the allocated projects'
    completion times."""
    years = run.years
    key = next(t.quantity for t in scenario.rows("targets") if t.id == "T2")
    done = run.build.result.completion                              # (R, P) in the scenario's project order
    pids = [p.id for p in scenario.rows("projects")]
    has = np.zeros((done.shape[0], 3, len(years)), bool)
    has[:, 1, :] = True                                             # 乙市殡仪馆 (F2, opened 2010)
    for k, c in enumerate(COUNTIES):
        if f"PG1_{c}" in pids:
            has[:, k, :] |= done[:, pids.index(f"PG1_{c}")][:, None] <= years[None, :] + 1.0
    expected = 100.0 * has.mean(axis=1)
    np.testing.assert_array_equal(run.quantities[key], expected)
    per_county = run.unit_values[("county", "count:funeral_home")]
    np.testing.assert_array_equal(per_county >= 1, has)
    # the region's count:funeral_home (T4) is the sum over the counties
    np.testing.assert_array_equal(run.quantities["count:funeral_home"], per_county.sum(axis=1))


def test_township_counted_indicator_and_county_burial_coverage(run, scenario):
    key = next(t.quantity for t in scenario.rows("targets") if t.id == "T3")
    per = run.unit_values[("township", "count:funeral_service_station")]    # (R, 5 townships, Y)
    assert per.shape[1] == 5
    np.testing.assert_array_equal(run.quantities[key], 100.0 * (per >= 1).mean(axis=1))
    # county burial coverage in a multi-county region: share of counties with a public burial site
    cov = run.unit_values[("county", "county_public_burial_coverage")]
    np.testing.assert_array_equal(run.quantities["county_public_burial_coverage"], 100.0 * (cov >= 100).mean(axis=1))
    np.testing.assert_allclose(run.quantities["county_public_burial_coverage"], 100.0 / 3)   # only 丙区 has one


def test_per_county_sub_contexts_are_views_of_the_population(scenario):
    from sim.services import ServiceContext
    from sim.capacity import build_items
    pop, _ = project_population(scenario, RunOptions(replications=2, seed=1))
    items, _ = build_items(scenario)
    items = items.with_online(np.zeros((2, items.n)))
    years = np.arange(2020, 2031)
    from sim.run import _per_year
    ctx = ServiceContext(years=years, units=list(pop.units), region_unit="990000", pop=pop.pop,
                         deaths=_per_year(pop.deaths, len(years)), disabled=pop.disabled,
                         semi_disabled=pop.semi_disabled, items=items, params=scenario.parameters(), base_facts={})
    sub = ctx.sub("990002", slice(3, 5), np.array([1]), {})
    assert np.shares_memory(sub.pop, ctx.pop) and sub.U == 2 and sub.items.n == 1


def test_allocation_follows_its_rules(scenario):
    from sim.allocation import allocate, base_older
    h = Hierarchy.from_scenario(scenario)
    older = base_older(scenario, h)
    placed = allocate(scenario, h)
    by = {}
    for p in placed:
        by.setdefault(p.programme, []).append((p.unit, p.rule))
    # PG1: counties lacking a funeral home (乙市 has one), largest 60+ first
    assert by["PG1"] == [("990001", "lacking"), ("990003", "lacking")]
    # PG2: the named township first, then by population aged 60+; never 丙乡 (no people)
    assert by["PG2"][0] == ("990002002", "named")
    assert [u for u, _ in by["PG2"][1:]] == ["990002001", "990001001"]
    progs = scenario.by_id("programmes")
    for pid, units in by.items():
        assert len(units) <= progs[pid].count and len({u for u, _ in units}) == len(units)
        assert all(older[u] > 0 for u, _ in units)
    assert allocate(scenario, h) == placed                         # deterministic
    projects = scenario.by_id("projects")
    assert projects["PG1_990001"].investment_total == pytest.approx(2000e4)   # unit_cost 2000万元
    assert projects["PG2_990001001"].investment_total == pytest.approx(150e4 / 3)   # investment_total split evenly


def test_allocation_never_uses_units_without_older_people_nor_exceeds_count(copy):
    """by_older over all townships with count = the townships that have people: 丙乡 (no people) is
    never chosen; one more facility than that cannot be placed and is refused."""
    path = copy.parent / "programmes.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("PG2,乡镇殡仪服务站,funeral_service_station,3,township,named;by_older,990002002",
                                 "PG2,乡镇殡仪服务站,funeral_service_station,4,township,by_older,"), encoding="utf-8")
    s = load_scenario(copy)
    units = [p.unit for p in s.allocations if p.programme == "PG2"]
    assert sorted(units) == ["990001001", "990001002", "990002001", "990002002"]
    path.write_text(text.replace("PG2,乡镇殡仪服务站,funeral_service_station,3,township,named;by_older,990002002",
                                 "PG2,乡镇殡仪服务站,funeral_service_station,5,township,by_older,"), encoding="utf-8")
    with pytest.raises(Exception) as exc:
        load_scenario(copy)
    assert "programmes.csv:3: count: 5 facilities, but the rules 'by_older' place only 4" in str(exc.value)


@pytest.mark.parametrize("old,new,expected", [
    (",2,county,lacking;by_older,", ",0,county,lacking;by_older,", "programmes.csv:2: count: must be a whole number >= 1"),
    (",2,county,lacking;by_older,", ",2,county,lacking;largest,", "programmes.csv:2: allocation: unknown rule 'largest'"),
    ("named;by_older,990002002,", "named;by_older,990002999,", "programmes.csv:3: named_units: unknown township unit '990002999'"),
    (",2,county,lacking;by_older,", ",2,county,every,", "programmes.csv:2: count: 2 with the rule 'every', but the region has 3"),
    ("named;by_older,990002002,", "named;by_older,990001003,", "programmes.csv:3: named_units: unit 990001003 (丙乡) has no population aged 60+"),
])
def test_bad_programmes_get_one_error_line_and_exit_code_2(copy, capsys, old, new, expected):
    path = copy.parent / "programmes.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    assert main(["validate", str(copy)]) == 2
    err = capsys.readouterr().err
    assert expected in err and "Traceback" not in err
    assert all(line.startswith("error: ") for line in err.strip().splitlines() if "programmes" in line)


def test_validate_prints_the_allocation(capsys):
    assert main(["validate", str(FIX / "regions.yaml")]) == 0
    out = capsys.readouterr().out
    assert "PG1_990001  990001 甲县  by lacking" in out
    assert "PG2_990002002  990002002 西镇  by named" in out


def test_unit_demography_errors(copy, capsys):
    path = copy.parent / "unit_demography.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("990003,80000,12,63,25", "990003,80000,12,60,25"), encoding="utf-8")
    assert main(["validate", str(copy)]) == 2
    err = capsys.readouterr().err
    assert "unit_demography.csv:4: share_60plus: share_0_14 + share_15_59 + share_60plus = 97.00, not 100" in err
    # one cause, one line: the refused row's county is not also "missing", nor the allocation blocked
    assert len(err.strip().splitlines()) == 1, err
    path.write_text("\n".join(text.splitlines()[:3]) + "\n", encoding="utf-8")   # 丙区 missing
    assert main(["validate", str(copy)]) == 2
    assert "no row for county-level unit 990003 (丙区)" in capsys.readouterr().err


def test_counted_target_needs_a_threshold(copy, capsys):
    path = copy.parent / "targets.csv"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("count:funeral_home,yes,test fixture,county,1", "count:funeral_home,yes,test fixture,county,"),
                    encoding="utf-8")
    assert main(["validate", str(copy)]) == 2
    assert "targets.csv:3: unit_threshold: a target counted over units needs the threshold" in capsys.readouterr().err


def test_county_indicators_csv_columns_and_identity(run, tmp_path):
    """county_indicators.csv: columns as in the README's table; the mean over counties of P(county
    meets it) x 100 equals the mean over replications of the county-counted indicator."""
    import pandas as pd
    from sim.run import write_results
    from test_output_columns import _readme_columns
    out = tmp_path / "run"
    write_results(run, out, False, ["run_sim.py"])
    df = pd.read_csv(out / "county_indicators.csv", encoding="utf-8-sig", dtype={"unit": str, "county": str})
    assert set(df.columns) == _readme_columns()["county_indicators.csv"]
    key = next(t.quantity for t in run.scenario.rows("targets") if t.id == "T2")
    for j, y in enumerate(run.years):
        rows = df[(df.indicator_id == "T2") & (df.year == y)]
        assert list(rows.unit) == COUNTIES
        assert 100 * rows.p_met.mean() == pytest.approx(run.quantities[key][:, j].mean(), abs=1e-6)
    town = df[df.indicator_id == "T3"]
    assert set(town.unit) == {"990001001", "990001002", "990001003", "990002001", "990002002"}
    assert set(town[town.unit == "990002001"].county) == {"990002"}


def test_county_choropleth_per_county_counted_target(run, tmp_path):
    """One map per county-counted target, drawn from county_indicators.csv on the county boundaries."""
    import pandas as pd
    from sim.geo.counties import county_layer_path, draw_county_maps
    from sim.output_tables import county_indicator_table
    geo = FIX / "geodata"
    assert county_layer_path("990000", geo).name == "counties_990000_test.geojson"
    table = county_indicator_table(run.scenario, run.unit_values, run.regional, run.years)
    names = draw_county_maps(tmp_path, run.scenario, table, geodata=geo)
    assert names == ["map_county_T2.png", "map_county_T2.svg", "map_county_T7.png", "map_county_T7.svg"]
    assert all((tmp_path / n).stat().st_size > 1000 for n in names)
    assert draw_county_maps(tmp_path, run.scenario, table, geodata=tmp_path) == []   # no boundaries: none


def _programmes(copy, old, new):
    path = copy.parent / "programmes.csv"
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    return load_scenario(copy)


def test_by_older_prop_apportions_by_largest_remainder(copy):
    """7 stations over the 4 townships with people (60+: 18000, 12000, 24000, 16000): quotas 1.8, 1.2,
    2.4, 1.6 -> floors 1, 1, 2, 1 and the two largest remainders (.8, .6) get one more: 2, 1, 2, 2."""
    s = _programmes(copy, "PG2,乡镇殡仪服务站,funeral_service_station,3,township,named;by_older,990002002",
                    "PG2,乡镇殡仪服务站,funeral_service_station,7,township,by_older_prop,")
    got = {p.unit: p.n for p in s.allocations if p.programme == "PG2"}
    assert got == {"990001001": 2, "990001002": 1, "990002001": 2, "990002002": 2}
    proj, outs = s.by_id("projects"), s.by_id("project_outputs")
    assert proj["PG2_990001001"].investment_total == pytest.approx(2 * 150e4 / 7)
    assert outs["PG2_990001001_o"].count == 2
    assert sum(o.count for o in s.rows("project_outputs") if o.project.startswith("PG2_")) == 7


def test_within_restricts_the_units(copy):
    text = (copy.parent / "programmes.csv").read_text(encoding="utf-8")
    lines = text.splitlines()
    lines[0] += ",within"
    lines[1] += ","
    lines[2] = lines[2].replace(",3,township,named;by_older,990002002,", ",2,township,by_older,,") + ",990001"
    (copy.parent / "programmes.csv").write_text("\n".join(lines) + "\n", encoding="utf-8")
    s = load_scenario(copy)
    assert [p.unit for p in s.allocations if p.programme == "PG2"] == ["990001001", "990001002"]


def test_count_with_a_function_tag(copy):
    path = copy.parent / "targets.csv"
    path.write_text(path.read_text(encoding="utf-8") +
                    "T8,每县特困供养机构,%,2025,>=,100,,indicative,computed,count:care_home:tekun,no,test fixture,county,1\n",
                    encoding="utf-8")
    s = load_scenario(copy)
    res = simulate(s, RunOptions(replications=2, seed=1))
    per = res.unit_values[("county", "count:care_home:tekun")]
    assert per[0, :, 0].tolist() == [2.0, 0.0, 0.0]     # 甲镇敬老院 and 甲县敬老院 (tagged tekun); 乙市's new home is not
    key = next(t.quantity for t in s.rows("targets") if t.id == "T8")
    np.testing.assert_allclose(res.quantities[key], 100.0 / 3)


def _shipped_multi_county():
    from conftest import REPO
    out = []
    for path in sorted((REPO / "scenarios").glob("*.yaml")):
        text = path.read_text(encoding="utf-8")
        if "unit_demography:" in text and "extends:" not in text:
            out.append(path)
    return out


@pytest.mark.parametrize("path", _shipped_multi_county() or [None], ids=lambda p: p.stem if p else "none")
def test_shipped_multi_county_scenario_conserves_population(path):
    """Every shipped multi-county scenario (Chuxiong, Changsha, Hunan, Hubei as they land): each
    county's base population is its unit_demography figure, and every parent equals the sum of its
    children in every year and replication."""
    if path is None:
        pytest.skip("no shipped multi-county scenario yet")
    from sim.output_tables import _with_region
    s = load_scenario(path)
    pop, _ = project_population(s, RunOptions(replications=2, seed=1))
    h = Hierarchy.from_scenario(s)
    assert h.multi_county and pop.units == h.leaves
    full, units = _with_region(pop.total, pop.units, s.region_unit, scenario=s)
    row = {u: full[:, i] for i, u in enumerate(units)}
    for parent in h.parents:
        np.testing.assert_allclose(row[parent], sum(row[k] for k in h.children[parent]), rtol=1e-12)
    for d in s.rows("unit_demography"):
        if d.unit in row:
            assert row[d.unit][:, 0] == pytest.approx(d.base_population, rel=1e-9)


def test_experiment_quantities_include_counted_targets(scenario, run):
    """compare / slack / tornado ask sim.experiment for named quantities: a county share and a
    count:<type> come out as in the full run (same seed, same draws)."""
    from sim.experiment import Experiment
    keys = {next(t.quantity for t in scenario.rows("targets") if t.id == "T2"), "count:funeral_home"}
    q = Experiment(RunOptions(replications=12, seed=5)).quantities(scenario, keys)
    for k in keys:
        np.testing.assert_array_equal(q[k], run.quantities[k])


def test_run_writes_county_maps_and_reports_include_them(run, tmp_path):
    """A full run's folder: county maps (boundaries beside the scenario), and report.html with the
    county table and the maps."""
    from sim.reports.tables import write_run_extras
    from sim.run import write_results
    res = dataclasses.replace(run, options=dataclasses.replace(run.options, maps=True))
    out = tmp_path / "run"
    write_results(res, out, False, ["run_sim.py"], extra=lambda r, f: write_run_extras(r, f, reports=True))
    assert (out / "map_county_T2.png").is_file() and (out / "map_county_T7.svg").is_file()
    page = (out / "report.html").read_text(encoding="utf-8")
    assert "各县达标" in page and 'alt="map_county_T2"' in page


def test_item_at_a_county_id_stands_in_that_county(run, copy):
    """甲县敬老院 (F4) is sited at the county id 990001.  With the county's seat known (甲镇, which
    甲镇敬老院 already covers) the base-year institution coverage is 1 of 6 units; without a seat it
    covers one more of 甲县's townships (2 of 6), never a unit of another county."""
    q = run.quantities["township_eldercare_institution_coverage"]
    np.testing.assert_allclose(q[:, 0], 100.0 / 6)
    path = copy.parent / "units.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",990001001,test fixture,seat in 甲镇", ",,test fixture,"),
                    encoding="utf-8")
    res = simulate(load_scenario(copy), RunOptions(replications=2, seed=5))
    np.testing.assert_allclose(res.quantities["township_eldercare_institution_coverage"][:, 0], 200.0 / 6)
    # a county with all its townships covered takes no extra from its own items
    assert res.quantities["township_eldercare_institution_coverage"][:, -1].max() <= 300.0 / 6 + 1e-9


def test_township_coverage_keeps_a_county_facility_in_its_county(copy):
    """Without 甲县's seat, 甲县敬老院 (sited at the county id) is an even share of 甲县's uncovered
    townships (乙乡, 丙乡: 0.5 each), none of another county's; the units add up to the region's
    coverage x U in every replication and year."""
    from sim.capacity import build_items
    from sim.geo.townships import township_coverage
    from sim.regions import unit_groups
    from sim.run import _per_year
    from sim.services import ServiceContext
    from sim.services.eldercare import INSTITUTION_TYPES
    path = copy.parent / "units.csv"
    path.write_text(path.read_text(encoding="utf-8").replace(",990001001,test fixture,seat in 甲镇", ",,test fixture,"),
                    encoding="utf-8")
    s = load_scenario(copy)
    pop, _ = project_population(s, RunOptions(replications=2, seed=1))
    items, _ = build_items(s)
    items = items.with_online(np.tile(np.where([p in (None, "") for p in items.project], -np.inf, np.inf), (2, 1)))
    years = np.arange(2020, 2031)
    ctx = ServiceContext(years=years, units=list(pop.units), region_unit="990000", pop=pop.pop,
                         deaths=_per_year(pop.deaths, len(years)), disabled=pop.disabled,
                         semi_disabled=pop.semi_disabled, items=items, params=s.parameters(), base_facts={},
                         groups=unit_groups(Hierarchy.from_scenario(s)))
    mask = ctx.mask(INSTITUTION_TYPES)
    cov = township_coverage(ctx, mask, "beds")
    np.testing.assert_allclose(cov[:, :, 0], [[1, 0.5, 0.5, 0, 0, 0]] * 2)   # projects never online here
    _, share = ctx.unit_coverage(mask, "beds")
    np.testing.assert_allclose(cov.sum(axis=1), share * ctx.U)


@pytest.mark.parametrize("path", [FIX / "regions.yaml"] + _shipped_multi_county(), ids=lambda p: p.stem)
def test_per_county_counts_for_all_counties_at_once_equal_the_county_loop(path, monkeypatch):
    """The per-county facility counts computed for every county at once (no loop over counties) are the
    numbers of the service models run on each county's sub-context, to the bit: every county quantity
    and every county share, on the fixture and every shipped multi-county scenario."""
    from sim.buildout.from_scenario import run_portfolio
    from sim.regions import RegionalQuantities
    from sim.run import service_quantities

    s = load_scenario(path)
    opt = RunOptions(replications=6, seed=9, population_draws=3)
    pop, _ = project_population(s, opt)
    build = run_portfolio(s, s.parameters(), 6, 9, True, opt.policy, False)
    got = {}
    for vectorised in (True, False):
        monkeypatch.setattr(RegionalQuantities, "vectorised", vectorised)
        units: dict = {}
        q, _ = service_quantities(s, opt, pop, build.phase_online, phases=build.phase_map, unit_values=units)
        got[vectorised] = (q, {k: v for k, v in units.items() if k != "_regional"})
    assert got[True][1].keys() == got[False][1].keys()
    assert [k for k in got[True][1] if k[0] == "county"], "no per-county quantity to compare"
    for key in got[False][1]:
        np.testing.assert_array_equal(got[True][1][key], got[False][1][key], err_msg=str(key))
    for key in got[False][0]:
        np.testing.assert_array_equal(got[True][0][key], got[False][0][key], err_msg=key)
