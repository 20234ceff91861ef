"""A synthetic province-sized region built by replicating Tongdao (benchmarks only, not a plan).

    python benchmarks/synthetic_region.py OUT_DIR [--copies 182] [--project-copies 33]

Writes ``OUT_DIR/synthetic.yaml`` and ``OUT_DIR/synthetic/*.csv``: Tongdao's 11 townships repeated
``copies`` times (182 -> 2,002 townships, the size quoted in issue 14) under one region unit, each
copy with Tongdao's facilities; Tongdao's 15 projects repeated ``project_copies`` times (33 -> 495
projects), copy j sited in township copy j (outputs that Tongdao spreads over the county stay
county-wide, and so spread over every township, in copy 0 only; in the other copies they stand in the
copy's seat township).  Population, base facts and money are Tongdao's times the number of copies
(so the per-capita figures stay Tongdao's).  Every figure is Tongdao's, so its sources still apply;
the region itself is fictitious and exists only to measure speed and memory.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
TONGDAO = ROOT / "scenarios" / "tongdao"
REGION = "431230"
SEAT = "431230_shuangjiang"
# base facts that count people or things: scaled with the number of township copies
SCALED_FACTS = {"pop_hukou", "pop_resident_census", "tekun_rural", "tekun_institutional",
                "vagrant_relief_2016_2020", "social_workers", "dibao_persons_all", "orphans",
                "de_facto_unsupported_children", "villages_communities", "townships", "area_km2"}


def _read(name: str) -> tuple[list[str], list[dict]]:
    with open(TONGDAO / name, newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        return list(r.fieldnames), list(r)


def _write(path: Path, fields: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def _tid(unit: str, c: int) -> str:
    """Township id of copy c (copy 0 keeps Tongdao's ids, so the seat stays valid)."""
    if unit == REGION or c == 0:
        return unit
    return f"{unit}_c{c:04d}"


def build(out: Path, copies: int = 182, project_copies: int = 33) -> Path:
    """Write the synthetic scenario into ``out``; returns the YAML path."""
    if copies < 1 or project_copies < 1:
        raise ValueError("copies and project_copies must be >= 1")
    d = out / "synthetic"
    d.mkdir(parents=True, exist_ok=True)
    for f in TONGDAO.glob("*"):
        shutil.copy(f, d / f.name)

    fields, units = _read("units.csv")
    region = [u for u in units if u["id"] == REGION]
    towns = [u for u in units if u["id"] != REGION]
    region[0]["villages"] = str(int(region[0]["villages"]) * copies)
    region[0]["communities"] = str(int(region[0]["communities"]) * copies)
    rows = list(region)
    for c in range(copies):
        for t in towns:
            rows.append({**t, "id": _tid(t["id"], c), "name_zh": t["name_zh"] + (f"{c}" if c else "")})
    _write(d / "units.csv", fields, rows)

    fields, facs = _read("facilities.csv")
    rows = []
    for c in range(copies):
        for f in facs:
            rows.append({**f, "id": f["id"] + (f"_c{c}" if c else ""), "unit": _tid(f["unit"], c)})
    _write(d / "facilities.csv", fields, rows)
    fac_ids = {f["id"] for f in facs}

    pfields, projs = _read("projects.csv")
    ofields, outs = _read("project_outputs.csv")
    prow, orow = [], []
    for c in range(project_copies):
        tc = c % copies
        for p in projs:
            q = {**p, "id": p["id"] + (f"_c{c}" if c else "")}
            if c and p["unit"] == REGION:   # county-wide projects of later copies: one site, no stages
                q.update(unit=_tid(SEAT, tc), delivery="at_end", stages="")
            else:
                q["unit"] = _tid(p["unit"], tc)
            prow.append(q)
        for o in outs:
            r = {**o, "id": o["id"] + (f"_c{c}" if c else ""), "project": o["project"] + (f"_c{c}" if c else "")}
            if o["facility"] in fac_ids:
                r["facility"] = o["facility"] + (f"_c{tc}" if tc else "")
            elif c:
                r["facility"] = o["facility"] + f"_c{c}"
            if c and o["unit"] == REGION:
                r.update(unit=_tid(SEAT, tc), spread="")
            else:
                r["unit"] = _tid(o["unit"], tc)
            orow.append(r)
    _write(d / "projects.csv", pfields, prow)
    _write(d / "project_outputs.csv", ofields, orow)

    fields, facts = _read("base_facts.csv")
    for f in facts:
        if f["id"] in SCALED_FACTS and f["value"]:
            f["value"] = repr(float(f["value"]) * copies)
    _write(d / "base_facts.csv", fields, facts)

    fields, demo = _read("demography.csv")
    for p in demo:
        if p["id"] == "demography.base_population":
            p["value"] = str(int(float(p["value"])) * copies)
    _write(d / "demography.csv", fields, demo)

    fields, fund = _read("funding.csv")
    for f in fund:
        if f["amount"]:
            f["amount"] = repr(float(f["amount"]) * project_copies)
    _write(d / "funding.csv", fields, fund)

    spec = yaml.safe_load((ROOT / "scenarios" / "tongdao.yaml").read_text(encoding="utf-8"))
    spec["id"] = "synthetic"
    spec["name"] = f"synthetic region: Tongdao x {copies} townships, x {project_copies} projects (benchmark only)"
    spec["tables"] = {k: ([v.replace("tongdao/", "synthetic/") for v in val] if isinstance(val, list)
                          else val.replace("tongdao/", "synthetic/")) for k, val in spec["tables"].items()}
    path = out / "synthetic.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--copies", type=int, default=182)
    ap.add_argument("--project-copies", type=int, default=33)
    a = ap.parse_args(argv)
    print(build(a.out, a.copies, a.project_copies))


if __name__ == "__main__":
    main(sys.argv[1:])
