"""Maps, coverage.gpkg and the interactive HTML map of a Tongdao run; the `map` command."""

from __future__ import annotations

import json
import shutil
import warnings
from pathlib import Path

import geopandas as gpd
import matplotlib.image as mpimg
import numpy as np
import pyogrio
import pytest

from sim.cli import main
from sim.geo.maps import MAPS
from sim.loader import load_scenario
from sim.outputs import MANIFEST
from sim.run import RunOptions, simulate, write_results

from conftest import REPO

CHROMIUM = Path("/usr/bin/chromium")


@pytest.fixture(scope="module")
def folder(tmp_path_factory):
    out = tmp_path_factory.mktemp("geo") / "td"
    res = simulate(load_scenario(REPO / "scenarios" / "tongdao.yaml"), RunOptions(replications=20, seed=3, maps=True))
    with warnings.catch_warnings():
        warnings.simplefilter("error")          # a missing glyph (or any other warning) fails the run
        write_results(res, out, False, None)
    return out


def test_every_map_is_written_in_png_and_svg_and_listed_in_the_manifest(folder):
    man = json.loads((folder / MANIFEST).read_text(encoding="utf-8"))
    for stem in MAPS:
        for ext in ("png", "svg"):
            assert (folder / f"{stem}.{ext}").is_file() and f"{stem}.{ext}" in man["files"]
    assert "coverage.gpkg" in man["files"] and "coverage_map.html" in man["files"]


@pytest.mark.parametrize("stem", MAPS)
def test_png_is_not_blank(folder, stem):
    img = mpimg.imread(folder / f"{stem}.png")[..., :3]
    non_white = (img < 0.95).any(axis=-1).mean()
    assert img.std() > 0.05 and non_white > 0.05, (stem, img.std(), non_white)


@pytest.mark.parametrize("stem", MAPS)
def test_svg_is_drawn(folder, stem):
    # text is drawn as paths (svg.fonttype = path), so the SVG needs no font on the reader's machine
    svg = (folder / f"{stem}.svg").read_text(encoding="utf-8")
    assert svg.count("<path") > 50


def test_geopackage_opens_with_one_row_per_township_and_a_crs(folder):
    path = folder / "coverage.gpkg"
    layers = {name for name, _ in pyogrio.list_layers(path)}
    assert layers == {"townships", "county", "facilities"}
    t = gpd.read_file(path, layer="townships")
    assert len(t) == 11 and t.crs.to_epsg() == 4326
    assert set(t["boundary"]) == {"approximate"} and t["boundary_note"].str.contains("APPROXIMATE").all()
    for col in ("name_zh", "code", "P_met_M13", "P_met_S32", "P_met_S33", "beds_per_1000_older",
                "access_e2sfca_beds_per_1000_older", "km_to_funeral_home", "km_to_relief_station"):
        assert col in t.columns, col
    assert t["P_met_S33"].between(0, 1).all()
    c = gpd.read_file(path, layer="county")
    assert len(c) == 1 and "P_met_M12" in c.columns
    info = pyogrio.read_info(path, layer="townships")
    assert info["crs"] == "EPSG:4326"


def test_catchment_distances_are_zero_at_the_facility_and_grow_away_from_it(folder):
    t = gpd.read_file(folder / "coverage.gpkg", layer="townships").set_index("township_id")
    assert t.loc["431230_shuangjiang", "km_to_funeral_home"] == 0
    assert (t["km_to_funeral_home"].drop("431230_shuangjiang") > 5).all()


def test_map_command_redraws_identical_files(folder, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    (copy / "map_p_covered.png").unlink()
    assert main(["map", str(copy)]) == 0
    out = capsys.readouterr().out
    assert "maps:" in out and "wrote 12 files" in out
    for stem in MAPS:
        assert (copy / f"{stem}.png").read_bytes() == (folder / f"{stem}.png").read_bytes(), stem
    assert (copy / "coverage.gpkg").read_bytes() == (folder / "coverage.gpkg").read_bytes()
    # folium's random element ids are renumbered, so the page is the same bytes too
    assert (copy / "coverage_map.html").read_bytes() == (folder / "coverage_map.html").read_bytes()


def test_map_command_on_a_folder_that_is_not_ours(tmp_path, capsys):
    assert main(["map", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and err[0].startswith("error: ")


@pytest.mark.skipif(not CHROMIUM.exists(), reason="Debian package chromium not installed (.ci/run installs it)")
def test_html_map_loads_offline_and_shows_every_township(folder):
    pw = pytest.importorskip("playwright.sync_api", reason="python package playwright not installed")
    names = set(gpd.read_file(folder / "coverage.gpkg", layer="townships")["name_zh"])
    outside: list[str] = []
    seen: set[str] = set()
    with pw.sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1000, "height": 900})

        def route(r):
            if r.request.url.startswith(("file://", "data:")):
                r.continue_()
            else:
                outside.append(r.request.url)
                r.abort()

        page.route("**/*", route)
        page.goto((folder / "coverage_map.html").as_uri())
        page.wait_for_timeout(500)
        paths = page.locator("path.leaflet-interactive")
        for i in range(paths.count()):
            box = paths.nth(i).bounding_box()
            if not box:
                continue
            # hover a point inside the polygon: its label point is where the tooltip opens
            page.mouse.move(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            page.wait_for_timeout(50)
            tip = page.evaluate("(document.querySelector('.leaflet-tooltip') || {}).innerText || ''")
            seen |= {n for n in names if n in tip}
        body = page.content()
        browser.close()
    assert outside == []
    assert all(n in body or n in seen for n in names)
    assert len(seen) >= 6          # hovering shows a township's indicators (centres of concave cells may miss)


def test_maps_are_skipped_with_a_reason_when_townships_do_not_match_geodata(folder, tmp_path, capsys):
    copy = tmp_path / "copy"
    shutil.copytree(folder, copy)
    csv = copy / "townships.csv"
    csv.write_text(csv.read_text(encoding="utf-8-sig").replace("431230_pingtan", "431230_newtown"), encoding="utf-8")
    assert main(["map", str(copy)]) == 0
    out = capsys.readouterr().out
    assert "maps: skipped: township 431230_newtown" in out and "nothing drawn" in out
