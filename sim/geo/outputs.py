"""Write the maps, ``coverage.gpkg`` and ``coverage_map.html`` into a results folder.

``write_geo_outputs`` is called by ``run`` on the folder being written (before it is renamed into
place) and by ``map RESULTS_DIR`` on an existing results folder (``redraw``), which re-reads the
scenario named in its ``manifest.json`` and the folder's CSV files.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path
from typing import Callable

from ..errors import InputError
from ..outputs import MANIFEST, WRITTEN_BY, write_json

REPO = Path(__file__).resolve().parent.parent.parent


def write_geo_outputs(folder: Path, scenario, progress: Callable[[str], None] | None = None) -> list[str]:
    """Draw every map and write the GIS files into ``folder``; returns the names written (empty when
    ``geodata/`` has no townships for the scenario's region)."""
    from .gis import write_gpkg, write_html
    from .layers import GeoMismatch, build_layers
    from .maps import draw_maps

    say = progress or (lambda msg: None)
    counties = _county_maps(Path(folder), scenario, say)   # county choropleths (sim/geo/counties.py)
    from ..regions import Hierarchy
    if Hierarchy.from_scenario(scenario).multi_county:
        say("maps: township maps are drawn for one-county regions; this region has several counties: "
            "county maps only")
        return counties
    say("maps: building township layers")
    try:
        layers = build_layers(Path(folder), scenario)
    except GeoMismatch as exc:
        say(f"maps: skipped: {exc}")
        return counties
    if layers is None:
        say(f"maps: no township geodata for region {scenario.region_unit}; skipped")
        return counties
    say(f"maps: drawing {len(layers.townships)} townships ({layers.boundary_kind} boundaries)")
    names = draw_maps(layers, Path(folder))
    say("maps: writing coverage.gpkg and coverage_map.html")
    names.append(write_gpkg(layers, Path(folder)))
    names.append(write_html(layers, Path(folder)))
    return counties + names


def _county_maps(folder: Path, scenario, say) -> list[str]:
    """P(county meets it) per county for every county-counted target (``county_indicators.csv``)."""
    import pandas as pd

    from .counties import draw_county_maps
    path = folder / "county_indicators.csv"
    if not path.is_file():
        return []
    table = pd.read_csv(path, encoding="utf-8-sig", dtype={"unit": str, "county": str})
    return draw_county_maps(folder, scenario, table, progress=say)


def redraw(results: Path, progress: Callable[[str], None] | None = None) -> list[str]:
    """Redraw the geographic outputs of an existing results folder written by this program."""
    from ..loader import load_scenario

    results = Path(results)
    man = results / MANIFEST
    try:
        data = json.loads(man.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        raise InputError(str(results), "RESULTS_DIR", f"not a results folder (no readable {MANIFEST})") from None
    if data.get("written_by") != WRITTEN_BY or "scenario_file" not in data:
        raise InputError(str(man), "written_by", "not a results folder written by this program")
    for need in ("townships.csv", "indicators.csv"):
        if not (results / need).is_file():
            raise InputError(str(results), need, "missing: re-run the scenario to write it")
    sc_path = Path(data["scenario_file"])
    if not sc_path.is_absolute():
        sc_path = REPO / sc_path
    scenario = load_scenario(sc_path)
    tmp = Path(tempfile.mkdtemp(prefix=".maps-", dir=results.parent))
    try:
        for name in ("townships.csv", "indicators.csv", "projects.csv", "county_indicators.csv"):
            if (results / name).is_file():
                shutil.copy2(results / name, tmp / name)
        names = write_geo_outputs(tmp, scenario, progress)
        for name in names:
            (tmp / name).replace(results / name)
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    data["files"] = sorted(set(data.get("files", [])) | set(names))
    write_json(man, data)
    return names
