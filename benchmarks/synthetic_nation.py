"""A synthetic national region built by replicating Hunan's 122 counties (benchmarks only, not a plan).

    python benchmarks/synthetic_nation.py OUT_DIR [--copies 23]

Writes ``OUT_DIR/nation.yaml`` and ``OUT_DIR/nation/*.csv``: ``scenarios/hunan`` repeated ``copies``
times (23 -> 2,806 county-level units, about China's 2,800) under one unit of level ``country``.
Copy 0 keeps Hunan's ids; copy c >= 1 suffixes every unit, facility and programme id with
``_c<c>``.  Each copy keeps Hunan's census figures, facilities and programmes; a programme of copy c
allocates only within its own province (``within``), so every copy is placed exactly as Hunan is.
The region's base population, the base facts that count people or things and the money are Hunan's times the number of copies (the
per-capita figures stay Hunan's); targets are Hunan's, read over the whole region.  Every figure is
Hunan's, so its sources still apply; the region itself is fictitious and exists only to measure speed
and memory at national scale (issue 14).  Maps need real boundaries, so run it with ``--no-maps``.
"""

from __future__ import annotations

import argparse
import csv
import shutil
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
HUNAN = ROOT / "scenarios" / "hunan"
PROVINCE = "430000"
NATION = "000000"
# base facts that count people or things, or money: scaled with the number of copies (the others
# are rates, shares or per-capita figures and stay Hunan's)
SCALED_UNITS = ("人", "万人", "人次", "户", "个", "万个", "所", "家", "张", "万张", "处", "名", "亿元", "万元")


def _read(path: Path) -> tuple[list[str], list[dict]]:
    with open(path, newline="", encoding="utf-8") as f:
        r = csv.DictReader(f)
        return list(r.fieldnames or []), list(r)


def _write(path: Path, fields: list[str], rows: list[dict]) -> None:
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        w.writerows(rows)


def _uid(uid: str, c: int) -> str:
    """Unit id of copy c (copy 0 keeps Hunan's ids)."""
    return uid if c == 0 or not uid or uid == NATION else f"{uid}_c{c:02d}"


def _ids(field: str, c: int) -> str:
    """A ``;``-separated list of unit ids, mapped to copy c."""
    return ";".join(_uid(u.strip(), c) for u in field.split(";")) if field else field


def _scaled(value: str, copies: int) -> str:
    return repr(float(value) * copies) if value not in ("", None) else value


def build(out: Path, copies: int = 23) -> Path:
    """Write the synthetic national scenario into ``out``; returns the YAML path.

    ``ValueError`` if ``copies`` < 1."""
    if copies < 1:
        raise ValueError("copies must be >= 1")
    d = out / "nation"
    d.mkdir(parents=True, exist_ok=True)
    for f in HUNAN.glob("*.csv"):
        shutil.copy(f, d / f.name)

    fields, units = _read(HUNAN / "units.csv")
    rows = [{k: "" for k in fields} | {"id": NATION, "name_zh": "全国（合成）", "level": "country",
                                       "kind_zh": "合成", "source": "synthetic: benchmarks/synthetic_nation.py",
                                       "note": f"Hunan's 122 counties x {copies} (benchmark only)"}]
    for u in rows[:1]:
        u["villages"] = str(sum(int(x["villages"] or 0) for x in units if x["id"] == PROVINCE) * copies)
        u["communities"] = str(sum(int(x["communities"] or 0) for x in units if x["id"] == PROVINCE) * copies)
    for c in range(copies):
        for u in units:
            row = {**u, "id": _uid(u["id"], c), "parent": _uid(u["parent"], c) if u["parent"] else NATION}
            if c:
                row["name_zh"] = f"{u['name_zh']}{c}"
            if "seat" in row and row["seat"]:
                row["seat"] = _uid(row["seat"], c)
            rows.append(row)
    _write(d / "units.csv", fields, rows)

    fields, demo = _read(HUNAN / "unit_demography.csv")
    _write(d / "unit_demography.csv", fields,
           [{**r, "unit": _uid(r["unit"], c)} for c in range(copies) for r in demo])

    fields, facs = _read(HUNAN / "facilities.csv")
    _write(d / "facilities.csv", fields,
           [{**f, "id": f["id"] + (f"_c{c:02d}" if c else ""), "unit": _uid(f["unit"], c)}
            for c in range(copies) for f in facs])

    fields, progs = _read(HUNAN / "programmes.csv")
    if "within" not in fields:
        fields.append("within")
    rows = []
    for c in range(copies):
        for p in progs:
            rows.append({**p, "id": p["id"] + (f"_c{c:02d}" if c else ""), "named_units": _ids(p["named_units"], c),
                         "within": _uid(p.get("within") or PROVINCE, c)})
    _write(d / "programmes.csv", fields, rows)

    fields, facts = _read(HUNAN / "base_facts.csv")
    for f in facts:
        if f["unit"] in SCALED_UNITS:
            f["value"] = _scaled(f["value"], copies)
        if f.get("unit_id"):
            f["unit_id"] = NATION if f["unit_id"] == PROVINCE else f["unit_id"]
    _write(d / "base_facts.csv", fields, facts)

    fields, demo = _read(HUNAN / "demography.csv")
    for r in demo:
        if r["id"] == "demography.base_population":
            r["value"] = str(int(float(r["value"])) * copies)
    _write(d / "demography.csv", fields, demo)

    fields, fund = _read(HUNAN / "funding.csv")
    for f in fund:
        f["amount"] = _scaled(f["amount"], copies)
    _write(d / "funding.csv", fields, fund)

    spec = yaml.safe_load((ROOT / "scenarios" / "hunan.yaml").read_text(encoding="utf-8"))
    spec["id"] = "nation"
    spec["name"] = f"synthetic nation: Hunan x {copies} ({122 * copies} county-level units; benchmark only)"
    spec["region"] = {**spec["region"], "name": "全国（合成）", "level": "country", "unit": NATION,
                      "source": "synthetic: benchmarks/synthetic_nation.py (Hunan's units repeated)"}
    spec["region"].pop("seat", None)
    spec["tables"] = {k: ([v.replace("hunan/", "nation/") for v in val] if isinstance(val, list)
                          else val.replace("hunan/", "nation/")) for k, val in spec["tables"].items()}
    path = out / "nation.yaml"
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False), encoding="utf-8")
    return path


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("out", type=Path)
    ap.add_argument("--copies", type=int, default=23)
    a = ap.parse_args(argv)
    print(build(a.out, a.copies))


if __name__ == "__main__":
    main(sys.argv[1:])
