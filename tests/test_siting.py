"""`site` on Tongdao: the optimum equals brute force on the real instance, the tables agree with each
other, the overlay validates and runs, existing sites stay, bad input is one error line with exit 2
and no folder."""

import json

import numpy as np
import pandas as pd
import pytest
import yaml

from sim import cli
from sim.loader import load_scenario
from sim.optimize.siting_data import SERVICES, siting_data
from sim.optimize.siting_model import SitingInstance, brute_force

TONGDAO = "scenarios/tongdao.yaml"


@pytest.fixture(scope="module")
def sited(tmp_path_factory):
    """Regional care homes, the plan's four sites replaced by four chosen ones (MCLP, 30 km)."""
    out = tmp_path_factory.mktemp("site") / "regional"
    code = cli.main(["site", TONGDAO, "--service", "regional_care_home", "--facilities", "4", "--planned", "replace",
                     "--out", str(out)])
    assert code == 0
    return out


def test_optimum_equals_brute_force_on_tongdao(sited):
    solver = json.loads((sited / "solver.json").read_text(encoding="utf-8"))
    data = siting_data(load_scenario(TONGDAO), SERVICES["regional_care_home"], 2025, keep_planned=False)
    inst = SitingInstance(data.cost, data.weights, data.existing, 30.0, new=4)
    best, _ = brute_force(inst, "mclp")                     # C(11, 4) = 330 sets
    assert solver["status"] == "optimal"
    assert solver["objective"] == pytest.approx(best, rel=1e-9)
    # total demand = the projection's people aged 60+ in 2025, summed over townships
    cov = pd.read_csv(sited / "coverage.csv")
    assert cov.demand_total.iloc[-1] == pytest.approx(data.weights.sum())


def test_tables_agree(sited):
    sites = pd.read_csv(sited / "sites.csv", dtype={"unit": str})
    cov = pd.read_csv(sited / "coverage.csv").set_index("configuration")
    solver = json.loads((sited / "solver.json").read_text(encoding="utf-8"))
    assert sites.chosen.sum() == 4 == solver["new_sites"]
    assert sorted(sites.unit[sites.chosen]) == sorted(solver["chosen"])
    # covered demand from the per-township rows equals the objective and the coverage row
    covered = sites.demand[sites.km_to_nearest_open <= 30.0 + 1e-9].sum()
    assert covered == pytest.approx(solver["objective"]) == pytest.approx(cov.loc["optimised", "demand_covered"])
    # the plan's own four regional homes are evaluated on the same instance, and cannot beat the optimum
    assert cov.loc["plan's sites", "sites"] == 4
    assert cov.loc["plan's sites", "demand_covered"] <= cov.loc["optimised", "demand_covered"] + 1e-9
    assert (sited / "map_sites.png").stat().st_size > 10_000


def test_overlay_validates_and_runs(sited, tmp_path):
    data = yaml.safe_load((sited / "overlay.yaml").read_text(encoding="utf-8"))
    assert set(data) == {"extends", "id", "name", "remove", "add"}
    s = load_scenario(sited / "overlay.yaml")
    base = load_scenario(TONGDAO)
    added = [p for p in s.rows("projects") if p.id.startswith("SITE_")]
    sites = pd.read_csv(sited / "sites.csv", dtype={"unit": str})
    assert sorted(p.unit for p in added) == sorted(sites.unit[sites.chosen])
    # the plan's regional-home projects are replaced; every other project is untouched
    assert {p.id for p in base.rows("projects")} - {p.id for p in s.rows("projects")} == {"P02_03", "P02_04", "P02_05", "P02_08"}
    outs = [o for o in s.rows("project_outputs") if o.project.startswith("SITE_")]
    assert all("regional" in o.functions and o.beds == 323 for o in outs)   # median of 500, 200, 200, 445
    assert cli.main(["validate", str(sited / "overlay.yaml")]) == 0
    assert cli.main(["run", str(sited / "overlay.yaml"), "--deterministic", "-n", "1", "--no-maps", "--no-report",
                     "--out", str(tmp_path / "r")]) == 0
    projects = pd.read_csv(tmp_path / "r" / "projects.csv")
    assert {p.id for p in added} <= set(projects.project)


def test_existing_sites_are_kept_capacitated(tmp_path):
    """With the plan's sites kept, the capacitated model opens them plus P new ones, within capacity."""
    out = tmp_path / "cap"
    assert cli.main(["site", TONGDAO, "--service", "regional_care_home", "--facilities", "1", "--model", "cmclp",
                     "--radius", "20", "--out", str(out)]) == 0
    sites = pd.read_csv(out / "sites.csv", dtype={"unit": str})
    plan = set(sites.unit[sites.plan_site])
    assert plan == {"431230_shuangjiang", "431230_boyang", "431230_yatunbao", "431230_xianxi"}
    assert plan <= set(sites.unit[sites.open]) and sites.chosen.sum() == 1
    assert not (sites.chosen & sites.existing).any()
    used = sites.capacity_used[sites.open]
    assert np.all(used <= sites.capacity[sites.open] + 1e-6)
    assert sites.capacity_demand_served.sum() == pytest.approx(json.loads((out / "solver.json").read_text())["objective"])


@pytest.mark.parametrize("argv,field", [
    (["--service", "nursing_home", "--facilities", "2"], "--service"),
    (["--service", "regional_care_home", "--facilities", "0"], "--facilities"),
    (["--service", "regional_care_home", "--facilities", "2", "--radius", "-5"], "--radius"),
    (["--service", "regional_care_home", "--facilities", "2", "--model", "pcenter"], "--model"),
    (["--service", "regional_care_home"], "--facilities"),
    (["--service", "regional_care_home", "--facilities", "8"], "--facilities"),       # only 7 without a site
    (["--service", "minor_protection_station", "--facilities", "2"], "--unit-cost"),  # no plan project to derive it
])
def test_bad_input_is_one_line_and_no_folder(tmp_path, capsys, argv, field):
    out = tmp_path / "bad"
    assert cli.main(["site", TONGDAO, *argv, "--out", str(out)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: command line: " + field)
    assert not out.exists()


def test_user_distance_matrix(tmp_path):
    """A matrix of twice the road-km estimate with twice the radius picks the same sites and covers the
    same demand; a matrix missing a pair is one error line."""
    scen = load_scenario(TONGDAO)
    data = siting_data(scen, SERVICES["minor_protection_station"], 2025)
    rows = [{"origin": a, "destination": b, "cost": 2 * data.cost[i, j]}
            for i, a in enumerate(data.units) for j, b in enumerate(data.units)]
    csv = tmp_path / "minutes.csv"
    pd.DataFrame(rows).to_csv(csv, index=False)
    args = ["site", TONGDAO, "--service", "minor_protection_station", "--facilities", "2", "--unit-cost", "50"]
    assert cli.main([*args, "--radius", "20", "--out", str(tmp_path / "km")]) == 0
    assert cli.main([*args, "--radius", "40", "--distances", str(csv), "--out", str(tmp_path / "mat")]) == 0
    a = json.loads((tmp_path / "km" / "solver.json").read_text(encoding="utf-8"))
    b = json.loads((tmp_path / "mat" / "solver.json").read_text(encoding="utf-8"))
    assert b["objective"] == pytest.approx(a["objective"]) and "the user's matrix" in b["distance"]
    pd.DataFrame(rows[1:]).to_csv(csv, index=False)
    assert cli.main([*args, "--distances", str(csv), "--out", str(tmp_path / "bad")]) == 2
    assert not (tmp_path / "bad").exists()


def test_units_csv_points_and_plan_sites_replaced(mini, tmp_path):
    """A scenario without township geodata sites on the lon, lat of units.csv; with the plan's site
    replaced, the overlay removes the project that builds only this service and still validates."""
    units = mini.parent / "units.csv"
    df = pd.read_csv(units, dtype=str)
    df["lon"], df["lat"] = ["", "109.70", "109.90"], ["", "26.10", "26.10"]   # 101 and 102 about 20 km apart
    df.to_csv(units, index=False)
    out = tmp_path / "mini_site"
    assert cli.main(["site", str(mini), "--service", "care_home", "--facilities", "1", "--planned", "replace",
                     "--radius", "10", "--demand", "villages", "--out", str(out)]) == 0
    sites = pd.read_csv(out / "sites.csv", dtype={"unit": str}).set_index("unit")
    assert sites.loc["101", "existing"] and sites.loc["102", "plan_site"] and not sites.loc["102", "existing"]
    assert sites.loc["102", "chosen"] and sites.loc["102", "point"] == "units.csv"
    assert sites.loc["101", "km_to_nearest_open"] == 0 and sites.loc["102", "demand"] == 8   # villages + communities
    data = yaml.safe_load((out / "overlay.yaml").read_text(encoding="utf-8"))
    assert data["remove"] == {"projects": ["P1"]}
    assert data["add"]["projects"][0]["investment_total"] == pytest.approx(5000.0)   # P1's 0.5亿元, in 万元
    assert cli.main(["validate", str(out / "overlay.yaml")]) == 0
    assert not (out / "map_sites.png").exists()                                      # no township areas: no map
