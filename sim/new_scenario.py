"""``run_sim.py new-scenario NAME --units units.csv``: a complete scenario skeleton for a new county.

From the user's admin units (the county and its townships) this writes ``scenarios/NAME.yaml`` and
``scenarios/NAME/`` with every table the models need, so that ``validate`` passes and ``run`` runs
at once:

* ``units.csv``: the user's rows; a blank ``source`` is marked ``assumption:``; a ``population``
  column, if given for every township, becomes the base population and the townships' ``pop_share``;
* ``demography.csv``, ``service_parameters.csv``, ``buildout_parameters.csv``: every parameter row of
  the shipped Tongdao scenario (national and provincial defaults with their published sources).  A
  row whose value is Tongdao's own, or Hunan's / Huaihua's, has its source rewritten as
  ``assumption: <whose value>; replace ... (was: <original source>)``.  The base population and the
  community service floor area are scaled to the new county and marked ``derived:`` / ``assumption:``;
* ``base_facts.csv``: every base-year fact the service models read (``BASE_FACT_IDS``): villages and
  communities from units.csv, the others Tongdao's rate per resident times the new population (or
  Tongdao's share), each marked ``assumption:``;
* ``facilities.csv``, ``projects.csv``, ``project_outputs.csv``: headers only (nothing exists, nothing
  planned until the user enters it); ``funding.csv``: a zero envelope per source;
* ``targets.csv``: three example targets copied from the Tongdao plan (nursing-bed share, township
  coverage of comprehensive care institutions, township social-work stations), marked ``assumption:``;
* ``DATA_NOTES.md``: the list of what to replace.

Everything is written into a hidden folder and renamed at the end; an existing scenario of the same
name is never touched (InputError).
"""

from __future__ import annotations

import csv
import os
import re
import shutil
import tempfile
from pathlib import Path

from .errors import InputError

REPO = Path(__file__).resolve().parent.parent
TEMPLATE = REPO / "scenarios" / "tongdao"
TEMPLATE_YAML = REPO / "scenarios" / "tongdao.yaml"
TEMPLATE_POPULATION = 201047        # Tongdao 七普 residents (demography.base_population of the template)
TEMPLATE_VILLAGES = 162             # Tongdao villages + communities (003_d8a032d88d4cf936.txt:110)
PARAMETER_FILES = ("demography.csv", "service_parameters.csv", "buildout_parameters.csv")
EXAMPLE_TARGETS = ("M12", "M13", "S33")
TOP_LEVELS = ("province", "prefecture", "city", "county", "district")
_ID = re.compile(r"^[a-z0-9_]+$")
_COUNTY_SPECIFIC = ("003_d8a032d88d4cf936", "通道", "wlnch", "Tongdao")
_PROVINCIAL = ("Hunan", "湖南", "Huaihua", "怀化", "抚州")

# Base facts the service models read, as Tongdao's figure per resident (or a share, kept as is).
# (id, name_zh, Tongdao value, unit, per resident?, Tongdao source)
BASE_FACTS = (
    ("tekun_rural", "特困供养人员", 648, "人", True, "003_d8a032d88d4cf936.txt:58"),
    ("tekun_institutional", "特困集中供养人数", 96, "人", True, "003_d8a032d88d4cf936.txt:58"),
    ("tekun_disabled_housed_all", "对生活不能自理的特困人员集中供养率", 53, "%", False, "003_d8a032d88d4cf936.txt:189"),
    ("vagrant_relief_2016_2020", "流浪乞讨救助（2016-2020累计）", 1039, "人次", True, "003_d8a032d88d4cf936.txt:112"),
    ("social_workers", "社工（乡镇社工站）", 17, "人", True, "003_d8a032d88d4cf936.txt:110"),
    ("dibao_persons_all", "城乡低保对象人数", 6726, "人", True, "003_d8a032d88d4cf936.txt:299"),
    ("orphans", "孤儿", 16, "人", True, "003_d8a032d88d4cf936.txt:112"),
    ("de_facto_unsupported_children", "事实无人抚养儿童", 47, "人", True, "003_d8a032d88d4cf936.txt:112"),
)

UNITS_COLUMNS = ("id", "name_zh", "level", "kind_zh", "parent", "villages", "communities", "lon", "lat",
                 "pop_share", "source", "note")
FACILITY_COLUMNS = ("id", "name_zh", "facility_type", "unit", "ownership", "functions", "beds", "beds_nursing",
                    "plots", "area_m2", "households", "staff", "count", "opened", "source", "note")
PROJECT_COLUMNS = ("id", "name_zh", "category_zh", "facility_type", "unit", "site_zh", "action", "content_zh",
                   "investment_total", "investment_plan", "money_unit", "start", "end", "status_zh", "funding",
                   "priority", "source", "note")
OUTPUT_COLUMNS = ("id", "project", "facility", "facility_type", "name_zh", "unit", "ownership", "functions",
                  "spread", "beds", "beds_nursing", "plots", "area_m2", "households", "staff", "count", "source",
                  "note")
FUNDING_COLUMNS = ("id", "funding_source", "name_zh", "year", "amount", "money_unit", "source", "note")
FUNDING_SOURCES = (("central", "中央预算内投资及中央专项资金"), ("provincial", "省级资金"), ("county", "县级财政"),
                   ("lottery", "福利彩票公益金"), ("social", "社会资本"))


def _read_csv(path: Path) -> tuple[list[str], list[dict]]:
    try:
        with open(path, encoding="utf-8-sig", newline="") as f:
            reader = csv.DictReader(f)
            rows = [{k.strip(): (v or "").strip() for k, v in r.items() if k is not None} for r in reader]
            header = [h.strip() for h in (reader.fieldnames or [])]
    except FileNotFoundError:
        raise InputError(path, "--units", "file not found") from None
    except UnicodeDecodeError:
        raise InputError(path, "encoding", "not UTF-8 (save as \"CSV UTF-8\")") from None
    return header, rows


def write_csv(path: Path, columns, rows) -> None:
    """A CSV table in UTF-8 with the given columns (missing values blank, extra keys ignored)."""
    with open(path, "w", encoding="utf-8", newline="") as f:
        w = csv.DictWriter(f, fieldnames=list(columns), extrasaction="ignore", lineterminator="\n")
        w.writeheader()
        for r in rows:
            w.writerow({c: r.get(c, "") for c in columns})


def _num(path: Path, line: int, field: str, text: str, integer: bool = False) -> float | None:
    if text == "":
        return None
    try:
        v = float(text)
    except ValueError:
        raise InputError(path, field, f"{text!r} is not a number", row=line) from None
    if v < 0 or (integer and not v.is_integer()):
        raise InputError(path, field, f"{text!r} must be a {'whole ' if integer else ''}number >= 0", row=line)
    return v


def read_units(path: Path) -> tuple[list[dict], dict, float | None]:
    """The user's units: (rows in the scenario's units.csv format, the top unit, base population or None).

    Columns: ``id, name_zh, level`` (required), ``parent`` (the county's id for each township),
    ``kind_zh, villages, communities, lon, lat, source, note`` and optionally ``population`` (census
    residents of each township; or of the county row alone).  Exactly one row is the region (level
    county / district / city / prefecture / province, blank parent); every other row is a township
    whose parent is that region.
    """
    path = Path(path)
    header, rows = _read_csv(path)
    for col in ("id", "name_zh", "level"):
        if col not in header:
            raise InputError(path, col, "missing required column", row=1)
    if not rows:
        raise InputError(path, "id", "no rows: give the county and its townships")
    tops = [r for r in rows if r.get("level") in TOP_LEVELS and not r.get("parent")]
    if len(tops) != 1:
        raise InputError(path, "level", f"exactly one row must be the region (level {'/'.join(TOP_LEVELS)}, "
                         f"blank parent); found {len(tops)}")
    top = tops[0]
    ids = set()
    pops: dict[str, float] = {}
    out = []
    for i, r in enumerate(rows, start=2):
        if not r.get("id"):
            raise InputError(path, "id", "empty id", row=i)
        if r["id"] in ids:
            raise InputError(path, "id", f"duplicate id {r['id']!r}", row=i)
        ids.add(r["id"])
        if not r.get("name_zh"):
            raise InputError(path, "name_zh", "required value is empty", row=i)
        if r is not top:
            if r.get("level") != "township":
                raise InputError(path, "level", f"{r.get('level')!r}: every row but the region is a township", row=i)
            if r.get("parent") != top["id"]:
                raise InputError(path, "parent", f"{r.get('parent')!r}: a township's parent is the region "
                                 f"{top['id']!r}", row=i)
        for col in ("villages", "communities"):
            _num(path, i, col, r.get(col, ""), integer=True)
        pop = _num(path, i, "population", r.get("population", ""))
        if pop is not None:
            pops[r["id"]] = pop
        row = {c: r.get(c, "") for c in UNITS_COLUMNS}
        if not row["source"]:
            row["source"] = "assumption: entered with new-scenario without a source; name it (区划代码, census bulletin)"
        out.append(row)
    towns = [r for r in out if r is not out[rows.index(top)]]
    if not towns:
        raise InputError(path, "level", "no townships: give at least one row with level township")
    base_pop = None
    town_pops = [pops.get(t["id"]) for t in towns]
    if all(p is not None for p in town_pops) and sum(town_pops) > 0:
        base_pop = float(sum(town_pops))
        for t, p in zip(towns, town_pops):
            t["pop_share"] = f"{p / base_pop:.10g}"
            t["source"] += "; derived: pop_share = population / the townships' total"
    elif top["id"] in pops:
        base_pop = pops[top["id"]]
    region = out[rows.index(top)]
    vil = sum(int(float(t["villages"] or 0)) for t in towns)
    com = sum(int(float(t["communities"] or 0)) for t in towns)
    if not region["villages"] and not region["communities"]:
        region["villages"], region["communities"] = str(vil), str(com)
    return out, region, base_pop


def _mark(row: dict) -> dict:
    """A template parameter row, its source marked ``assumption:`` where the value is Tongdao's or Hunan's."""
    src = row["source"]
    if any(k in src for k in _COUNTY_SPECIFIC):
        if not src.startswith("assumption:"):
            row["source"] = f"assumption: Tongdao's value; replace with your county's (was: {src})"
            row["confidence"] = "assumption"
        else:
            row["source"] = f"assumption: Tongdao's assumption; check it for your county ({src[len('assumption:'):].strip()})"
    elif any(k in src for k in _PROVINCIAL) and not src.startswith("assumption:"):
        row["source"] = f"assumption: a Hunan value; replace it if your county is in another province (was: {src})"
        row["confidence"] = "assumption"
    return row


def parameter_rows(file: str, base_pop: float | None, population: float, villages: int, pop_given: bool) -> tuple[list[str], list[dict]]:
    header, rows = _read_csv(TEMPLATE / file)
    out = []
    for r in rows:
        r = dict(r)
        if r["id"] == "demography.base_population":
            r["value"] = f"{population:.0f}"
            r["source"] = ("derived: the townships' population column in units.csv (summed)" if pop_given else
                           f"assumption: Tongdao's residents per village or community ({TEMPLATE_POPULATION} / "
                           f"{TEMPLATE_VILLAGES}) x this county's {villages}; replace with the census total (七普公报)")
            r["confidence"] = "derived" if pop_given else "assumption"
            r["note"] = ""
        elif r["id"] == "community.base_area_m2":
            f = villages / TEMPLATE_VILLAGES
            for k in ("value", "low", "high"):
                if r.get(k):
                    r[k] = f"{float(r[k]) * f:.0f}"
            r["source"] = (f"assumption: 150 m² (80-250) of community service floor area per village or community "
                           f"(Tongdao's assumption) x {villages}; replace with the county's survey")
            r["confidence"] = "assumption"
            r["note"] = ""
        else:
            r = _mark(r)
        out.append(r)
    return header, out


def base_fact_rows(region_id: str, population: float, base_year: int, villages: int) -> list[dict]:
    """A row for every base fact the service models read (``sim.services.context.BASE_FACT_IDS``):
    the county's villages and communities from units.csv, the rules of ``BASE_FACTS`` (Tongdao's rate
    per resident x this population, or Tongdao's share), and for any other fact Tongdao's figure;
    all but the first marked ``assumption:``."""
    from .services.context import BASE_FACT_IDS

    rules = {f[0]: f for f in BASE_FACTS}
    _, template = _read_csv(TEMPLATE / "base_facts.csv")
    tongdao = {r["id"]: r for r in template}
    rows = []
    for fid in BASE_FACT_IDS:
        if fid == "villages_communities":
            rows.append({"id": fid, "name_zh": "村（居）数", "year": base_year, "value": villages, "unit": "个",
                         "unit_id": region_id, "note": "",
                         "source": "derived: villages + communities of the townships in units.csv"})
            continue
        if fid in rules:
            _, name, value, unit, per_resident, src = rules[fid]
        elif fid in tongdao:
            r = tongdao[fid]
            name, value, unit, per_resident, src = r["name_zh"], r["value"], r["unit"], False, r["source"]
        else:
            raise RuntimeError(f"new-scenario has no default for base fact {fid!r}")
        if per_resident:
            v = round(float(value) / TEMPLATE_POPULATION * population)
            how = (f"assumption: Tongdao's rate per resident ({value} / {TEMPLATE_POPULATION}, {src}) x this "
                   f"county's {population:.0f} residents; replace with your county's figure")
        else:
            v = value
            how = f"assumption: Tongdao's value ({src}); replace with your county's"
        rows.append({"id": fid, "name_zh": name, "year": base_year, "value": v, "unit": unit, "unit_id": region_id,
                     "source": how, "note": ""})
    return rows


def example_targets() -> tuple[list[str], list[dict]]:
    header, rows = _read_csv(TEMPLATE / "targets.csv")
    out = []
    for r in rows:
        if r["id"] in EXAMPLE_TARGETS:
            r = dict(r)
            r["source"] = f"assumption: example target copied from the Tongdao plan ({r['source']}); replace with your plan's"
            r["note"] = ""
            out.append(r)
    return header, out


def new_scenario(name: str, units_csv: Path, scenarios_dir: Path | None = None, base_year: int = 2020,
                 horizon: int = 2035, period: tuple[int, int] = (2021, 2025)) -> Path:
    """Write ``<scenarios_dir>/<name>.yaml`` and ``<scenarios_dir>/<name>/``; return the YAML path.

    Raises InputError (nothing written) for a bad name, an existing scenario or bad units."""
    scenarios_dir = Path(scenarios_dir or REPO / "scenarios")
    if not _ID.match(name or ""):
        raise InputError("command line", "NAME", f"{name!r}: use lower-case letters, digits and _ (it becomes the id)")
    yaml_path = scenarios_dir / f"{name}.yaml"
    folder = scenarios_dir / name
    for p in (yaml_path, folder):
        if p.exists():
            raise InputError(p, "NAME", "already exists; choose another name (nothing was changed)")
    units, region, base_pop = read_units(units_csv)
    towns = [u for u in units if u is not region]
    villages = sum(int(float(t["villages"] or 0)) + int(float(t["communities"] or 0)) for t in towns)
    if base_pop is None and villages == 0:
        raise InputError(units_csv, "villages", "give the townships' villages and communities, or a population "
                         "column, so that the county's population can be set")
    population = base_pop if base_pop is not None else TEMPLATE_POPULATION / TEMPLATE_VILLAGES * villages

    scenarios_dir.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{name}.partial-", dir=scenarios_dir))
    try:
        write_csv(tmp / "units.csv", UNITS_COLUMNS, units)
        for file in PARAMETER_FILES:
            header, rows = parameter_rows(file, base_pop, population, villages, base_pop is not None)
            write_csv(tmp / file, header, rows)
        write_csv(tmp / "base_facts.csv", ("id", "name_zh", "year", "value", "unit", "unit_id", "source", "note"),
                   base_fact_rows(region["id"], population, base_year, villages))
        write_csv(tmp / "facilities.csv", FACILITY_COLUMNS, [])
        write_csv(tmp / "projects.csv", PROJECT_COLUMNS, [])
        write_csv(tmp / "project_outputs.csv", OUTPUT_COLUMNS, [])
        write_csv(tmp / "funding.csv", FUNDING_COLUMNS, [
            {"id": f"F_{s}_{period[0]}", "funding_source": s, "name_zh": zh, "year": period[0], "amount": 0,
             "money_unit": "万元", "source": "assumption: no envelope entered yet; enter the money you expect by source and year"}
            for s, zh in FUNDING_SOURCES])
        header, rows = example_targets()
        write_csv(tmp / "targets.csv", header, rows)
        (tmp / "DATA_NOTES.md").write_text(_notes(name, region, population, base_pop is not None), encoding="utf-8")
        os.chmod(tmp, 0o755)
        yaml_text = _yaml(name, region, base_year, horizon, period)
        os.replace(tmp, folder)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    yaml_path.write_text(yaml_text, encoding="utf-8")
    return yaml_path


def _yaml(name: str, region: dict, base_year: int, horizon: int, period: tuple[int, int]) -> str:
    return f"""# Written by `run_sim.py new-scenario {name}`: a skeleton that validates and runs.  Replace every
# row whose source starts with `assumption:` by your county's figures (see {name}/DATA_NOTES.md).
id: {name}
name: {region['name_zh']}
plan:                    # the plan's file name, if you have it as text
region:
  name: {region['name_zh']}
  level: {region['level']}
  unit: "{region['id']}"
  source: "{name}/units.csv"
base_year: {base_year}
horizon: {horizon}
period: [{period[0]}, {period[1]}]
tables:
  units: {name}/units.csv
  facilities: {name}/facilities.csv
  projects: {name}/projects.csv
  project_outputs: {name}/project_outputs.csv
  targets: {name}/targets.csv
  parameters:
    - {name}/demography.csv
    - {name}/service_parameters.csv
    - {name}/buildout_parameters.csv
  base_facts: {name}/base_facts.csv
  funding: {name}/funding.csv
"""


def _notes(name: str, region: dict, population: float, pop_given: bool) -> str:
    return f"""# {region['name_zh']}: what to replace

Written by `run_sim.py new-scenario {name}`. It validates and runs as it stands, but its figures are
defaults: every row whose `source` starts with `assumption:` is a value you should replace with your
county's own, giving its source (the plan's file and line, a published source, `derived: <rule>`).

- `demography.csv`: base population {population:.0f} ({'from the units.csv population column' if pop_given else "an assumption from Tongdao's residents per village"}),
  the census age shares (Tongdao's until you enter yours), the national fertility and mortality rows
  (published), the migration rate (Huaihua's).
- `service_parameters.csv`: norms and rates; those marked as Tongdao's or Hunan's need your values.
- `buildout_parameters.csv`: schedule risk and money rules (national audit figure and assumptions).
- `base_facts.csv`: 特困, 低保, relief, social workers, orphans: Tongdao's rates per resident until you enter yours.
- `facilities.csv`: empty: enter what exists in the base year (care homes, stations, funeral home ...).
- `projects.csv`, `project_outputs.csv`: empty: enter the plan's project table and what each project adds.
- `funding.csv`: zero envelopes: enter the money you expect by source and year.
- `targets.csv`: three example targets from the Tongdao plan: replace with your plan's indicators.
"""
