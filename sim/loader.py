"""Read a scenario: the YAML file, its `extends` chain and its CSV tables, into one validated Scenario.

Everything that can be wrong with user input is caught here and raised as one InputError naming
the file, the row and the field, so later steps can trust their inputs.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import InputError
from .parameters import ParameterSet, ParamSpec
from .schema import REQUIRED_TABLES, TABLE_MODELS, Row
from .whatif import apply_what_if

META_KEYS = ("id", "name", "plan", "region", "base_year", "horizon", "period", "tables", "what_if")
VARIANT_KEYS = ("extends", "patch", "add", "remove")


@dataclass
class Scenario:
    """A fully resolved scenario: metadata plus validated rows of every table."""

    path: Path
    id: str
    name: str
    plan: str | None
    region: dict[str, Any]
    base_year: int
    horizon: int
    period: tuple[int, int]
    tables: dict[str, list[Row]]
    what_if: dict[str, Any] | None = None
    files: dict[str, str] = field(default_factory=dict)  # path -> sha256 of every file read
    chain: list[str] = field(default_factory=list)       # the extends chain, base last

    def rows(self, table: str) -> list[Row]:
        return self.tables.get(table, [])

    def by_id(self, table: str) -> dict[str, Row]:
        return {r.id: r for r in self.rows(table)}

    @property
    def region_unit(self) -> str:
        return str(self.region["unit"])

    def parameters(self) -> ParameterSet:
        return parameter_set(self.rows("parameters"))

    def base_facts(self) -> dict[str, float]:
        return {f.id: f.value for f in self.rows("base_facts")}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: money in yuan, dates as fractional years."""
        return {
            "id": self.id, "name": self.name, "plan": self.plan, "region": self.region,
            "base_year": self.base_year, "horizon": self.horizon, "period": list(self.period),
            "money_unit": "yuan", "extends_chain": self.chain, "what_if": self.what_if,
            "tables": {name: [_clean(r.model_dump()) for r in rows] for name, rows in self.tables.items()},
        }


def parameter_set(rows: list[Row]) -> ParameterSet:
    return ParameterSet({
        p.id: ParamSpec(id=p.id, value=p.value, unit=p.unit or "", distribution=p.distribution,
                        low=p.low, high=p.high, valid_from=p.valid_from, valid_to=p.valid_to,
                        confidence=p.confidence or "", source=p.source, note=p.note or "")
        for p in rows
    })


def load_parameters(*paths: str | Path) -> ParameterSet:
    """Parameter tables on their own (outside a scenario), validated like a scenario's."""
    return parameter_set(load_table("parameters", *paths))


def load_table(name: str, *paths: str | Path) -> list[Row]:
    """One table from one or more CSV files, validated row by row, ids unique across the files."""
    return _validate_table(name, [_RawRow(Path(p), line, data) for p in paths
                                  for line, data in _checked_csv(name, Path(p), {})])


def _clean(d: dict) -> dict:
    return {k: (None if isinstance(v, float) and not math.isfinite(v) else v) for k, v in d.items()}


# ---------------------------------------------------------------- files

def _read_text(path: Path, files: dict[str, str]) -> str:
    try:
        raw = path.read_bytes()
    except FileNotFoundError:
        raise InputError(path, "file", "no such file") from None
    except IsADirectoryError:
        raise InputError(path, "file", "is a directory, not a file") from None
    files[str(path)] = hashlib.sha256(raw).hexdigest()
    try:
        return raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, "encoding", "file is not UTF-8 (save it as 'CSV UTF-8' / UTF-8 text)", row=line) from None


def _read_yaml(path: Path, files: dict[str, str]) -> dict[str, Any]:
    text = _read_text(path, files)
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        problem = getattr(exc, "problem", None) or str(exc).splitlines()[0]
        raise InputError(path, "yaml", f"malformed YAML: {problem}", row=mark.line + 1 if mark else None) from None
    if not isinstance(data, dict):
        raise InputError(path, "yaml", "the scenario file must be a mapping of keys to values")
    return data


def _read_csv(path: Path, files: dict[str, str]) -> tuple[set[str], list[tuple[int, dict[str, Any]]]]:
    """Rows as (line number, {column: text or None}); the header is line 1."""
    text = _read_text(path, files)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(path, "header", "empty file: a header row is required") from None
    except csv.Error as exc:
        raise InputError(path, "csv", f"malformed CSV: {exc}", row=1) from None
    header = [h.strip() for h in header]
    dup = {h for h in header if header.count(h) > 1 and h}
    if dup:
        raise InputError(path, sorted(dup)[0], "column appears twice in the header", row=1)
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                raise InputError(path, "csv", f"{len(cells)} cells but the header has {len(header)} columns", row=line)
            cells = cells + [""] * (len(header) - len(cells))
            rows.append((line, {h: (c.strip() or None) for h, c in zip(header, cells) if h}))
    except csv.Error as exc:
        raise InputError(path, "csv", f"malformed CSV: {exc}", row=reader.line_num) from None
    return set(header), rows


# ---------------------------------------------------------------- extends

def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _absolute_tables(tables: Any, yaml_path: Path) -> dict[str, list[Path]]:
    if tables is None:
        return {}
    if not isinstance(tables, dict):
        raise InputError(yaml_path, "tables", "must map table names to CSV paths")
    out: dict[str, list[Path]] = {}
    for name, value in tables.items():
        if name not in TABLE_MODELS:
            raise InputError(yaml_path, f"tables.{name}", f"unknown table (known: {', '.join(TABLE_MODELS)})")
        paths = value if isinstance(value, list) else [value]
        if not paths or not all(isinstance(p, str) and p for p in paths):
            raise InputError(yaml_path, f"tables.{name}", "give a CSV path or a list of CSV paths")
        out[name] = [(yaml_path.parent / p).resolve() for p in paths]
    return out


@dataclass
class _Layer:
    path: Path
    data: dict[str, Any]


def _layers(path: Path, files: dict[str, str], seen: tuple[Path, ...] = ()) -> list[_Layer]:
    """The extends chain, most derived first."""
    path = path.resolve()
    if path in seen:
        cycle = " -> ".join(p.name for p in (*seen, path))
        raise InputError(seen[-1], "extends", f"circular extends: {cycle}")
    data = _read_yaml(path, files)
    unknown = set(data) - set(META_KEYS) - set(VARIANT_KEYS)
    if unknown:
        raise InputError(path, sorted(unknown)[0], f"unknown key (known: {', '.join(META_KEYS + VARIANT_KEYS)})")
    layer = _Layer(path, data)
    parent = data.get("extends")
    if parent is None:
        return [layer]
    if not isinstance(parent, str):
        raise InputError(path, "extends", "must be the path of another scenario YAML file")
    parent_path = (path.parent / parent)
    if not parent_path.exists():
        raise InputError(path, "extends", f"no such scenario file: {parent}")
    return [layer, *_layers(parent_path, files, (*seen, path))]


# ---------------------------------------------------------------- validation

def _required_fields(model: type[Row]) -> list[str]:
    return [name for name, f in model.model_fields.items() if f.is_required()]


def _required_fields(model: type[Row]) -> list[str]:
    return [name for name, f in model.model_fields.items() if f.is_required()]


@dataclass
class _RawRow:
    path: Path           # file the row comes from (the variant YAML for added rows)
    line: int | None     # line in that file (None for rows added by a variant)
    data: dict[str, Any]
    field_prefix: str = ""  # e.g. "add.projects[0]." for rows added by a variant


def _checked_csv(name: str, path: Path, files: dict[str, str]) -> list[tuple[int, dict[str, Any]]]:
    """A table file's rows, after checking that its header has the table's required columns."""
    header, rows = _read_csv(path, files)
    missing = [c for c in _required_fields(TABLE_MODELS[name]) if c not in header]
    if missing:
        raise InputError(path, missing[0], "missing required column", row=1)
    return rows


def _validate_table(name: str, raw: list[_RawRow]) -> list[Row]:
    model = TABLE_MODELS[name]
    validated: list[Row] = []
    first: dict[str, Row] = {}
    for r in raw:
        row = _validate_row(model, r)
        if row.id in first:
            prev = first[row.id]
            raise InputError(r.path, r.field_prefix + "id",
                             f"duplicate id {row.id!r} (also at {Path(prev._file).name}:{prev._line})", row=r.line)
        first[row.id] = row
        validated.append(row)
    return validated


def _validate_row(model: type[Row], raw: _RawRow) -> Row:
    try:
        row = model.model_validate(raw.data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = ".".join(str(p) for p in err["loc"])
        msg = err["msg"].removeprefix("Value error, ")
        head, sep, rest = msg.partition(": ")
        if sep and (head in model.model_fields or not loc):
            loc, msg = head, rest
        if err["type"] == "missing":
            msg = "required value is empty"
        elif err["type"] == "literal_error":
            msg = f"{raw.data.get(loc)!r} is not allowed: {err['msg'].removeprefix('Input should be ')}"
        elif err["type"] == "finite_number":
            msg = f"{raw.data.get(loc)!r} is not a finite number"
        elif err["type"] in ("float_parsing", "int_parsing", "int_from_float"):
            msg = f"{raw.data.get(loc)!r} is not a number" + (" (a whole number is required)" if "int" in err["type"] else "")
        raise InputError(raw.path, raw.field_prefix + (loc or "row"), msg, row=raw.line) from None
    row._file, row._line = str(raw.path), raw.line
    return row


def _apply_variant(table: str, rows: list[_RawRow], layer: _Layer) -> list[_RawRow]:
    """Apply one layer's remove / patch / add to a table's raw rows (all its files together)."""
    path, data = layer.path, layer.data
    index = {r.data.get("id"): i for i, r in enumerate(rows)}
    dropped: set[int] = set()
    for rid in (data.get("remove") or {}).get(table) or []:
        if str(rid) not in index:
            raise InputError(path, f"remove.{table}", f"no row with id {rid!r} to remove")
        dropped.add(index[str(rid)])
    patches = (data.get("patch") or {}).get(table) or {}
    if not isinstance(patches, dict):
        raise InputError(path, f"patch.{table}", "map row ids to {column: new value}")
    for rid, changes in patches.items():
        if str(rid) not in index or index[str(rid)] in dropped:
            raise InputError(path, f"patch.{table}.{rid}", f"no row with id {rid!r} in {table}")
        if not isinstance(changes, dict):
            raise InputError(path, f"patch.{table}.{rid}", "give a mapping of column: new value")
        i = index[str(rid)]
        old = rows[i]
        rows[i] = _RawRow(old.path, old.line, {**old.data, **{str(c): _cell(v) for c, v in changes.items()}})
    added = (data.get("add") or {}).get(table) or []
    if not isinstance(added, list):
        raise InputError(path, f"add.{table}", "give a list of rows")
    out = [r for i, r in enumerate(rows) if i not in dropped]
    for k, new in enumerate(added):
        if not isinstance(new, dict):
            raise InputError(path, f"add.{table}[{k}]", "each added row must be a mapping of column: value")
        out.append(_RawRow(path, None, {str(c): _cell(v) for c, v in new.items()}, f"add.{table}[{k}]."))
    return out


def _cell(v: Any) -> Any:
    return None if v is None else (v if isinstance(v, (int, float)) and not isinstance(v, bool) else str(v))


def load_scenario(path: str | Path) -> Scenario:
    """Load, resolve `extends`, validate every table and every cross-reference."""
    path = Path(path)
    files: dict[str, str] = {}
    layers = _layers(path, files)
    # Resolve table paths at the layer that names them, then merge (base first).
    merged: dict[str, Any] = {}
    table_paths: dict[str, list[Path]] = {}
    for layer in reversed(layers):
        own = {k: v for k, v in layer.data.items() if k not in VARIANT_KEYS and k != "tables"}
        merged = _merge(merged, own)
        table_paths.update(_absolute_tables(layer.data.get("tables"), layer.path))
    top = layers[0].path
    meta = _check_meta(merged, top)
    for name in REQUIRED_TABLES:
        if name not in table_paths:
            raise InputError(top, f"tables.{name}", "required table is not given")
    for layer in layers:
        for key in ("patch", "add", "remove"):
            block = layer.data.get(key)
            if block is not None and not isinstance(block, dict):
                raise InputError(layer.path, key, "must map table names to rows")
            for t in (block or {}):
                if t not in TABLE_MODELS:
                    raise InputError(layer.path, f"{key}.{t}", "unknown table")
                if t not in table_paths:
                    raise InputError(layer.path, f"{key}.{t}", "the scenario has no such table to change")

    tables: dict[str, list[Row]] = {}
    for name, paths in table_paths.items():
        raw = [_RawRow(p, line, data) for p in paths for line, data in _checked_csv(name, p, files)]
        for layer in reversed(layers):
            raw = _apply_variant(name, raw, layer)
        tables[name] = _validate_table(name, raw)
    tables = apply_what_if(tables, merged.get("what_if"), top)
    scenario = Scenario(path=top, tables=tables, files=files, chain=[str(l.path) for l in layers], **meta)
    _check_references(scenario)
    return scenario


def _check_meta(m: dict[str, Any], path: Path) -> dict[str, Any]:
    for key in ("id", "name", "region", "base_year", "horizon"):
        if key not in m or m[key] in (None, ""):
            raise InputError(path, key, "required key is missing")
    if not isinstance(m["id"], str) or not m["id"].replace("_", "").isalnum():
        raise InputError(path, "id", "use letters, digits and _ only")
    for key in ("base_year", "horizon"):
        if not isinstance(m[key], int) or isinstance(m[key], bool):
            raise InputError(path, key, f"must be a year (integer), got {m[key]!r}")
    if not 1950 <= m["base_year"] <= 2100:
        raise InputError(path, "base_year", f"implausible year {m['base_year']}")
    if m["horizon"] < max(2025, m["base_year"] + 1) or m["horizon"] > 2100:
        raise InputError(path, "horizon", "must be at least 2025, after the base year, and at most 2100")
    region = m["region"]
    if not isinstance(region, dict) or "unit" not in region or "name" not in region:
        raise InputError(path, "region", "give region.name, region.level and region.unit (its id in units.csv)")
    region["unit"] = str(region["unit"])
    period = m.get("period") or [m["base_year"] + 1, 2025]
    if (not isinstance(period, list) or len(period) != 2 or not all(isinstance(y, int) for y in period)
            or period[1] < period[0]):
        raise InputError(path, "period", "give [first year, last year] of the plan period")
    return {"id": m["id"], "name": str(m["name"]), "plan": m.get("plan"), "region": region, "what_if": m.get("what_if"),
            "base_year": m["base_year"], "horizon": m["horizon"], "period": (period[0], period[1])}


def _bad(row: Row, fld: str, message: str) -> InputError:
    return InputError(row._file, fld, message, row=row._line)


def _check_references(s: Scenario) -> None:
    """Cross-table checks: every unit, project, target and funding source named must exist."""
    units = s.by_id("units")
    if s.region_unit not in units:
        raise InputError(s.path, "region.unit", f"unknown admin unit {s.region_unit!r} (not in the units table)")
    seat = s.region.get("seat")
    if seat is not None and str(seat) not in units:
        raise InputError(s.path, "region.seat", f"unknown admin unit {seat!r} (not in the units table)")
    for u in s.rows("units"):
        if u.parent is not None and u.parent not in units:
            raise _bad(u, "parent", f"unknown admin unit {u.parent!r}")
    for table in ("facilities", "projects", "project_outputs"):
        for r in s.rows(table):
            if r.unit not in units:
                raise _bad(r, "unit", f"unknown admin unit {r.unit!r}")
    projects = s.by_id("projects")
    for o in s.rows("project_outputs"):
        if o.project not in projects:
            raise _bad(o, "project", f"unknown project {o.project!r}")
    targets = s.by_id("targets")
    for m in s.rows("monitoring"):
        if m.target not in targets:
            raise _bad(m, "target", f"unknown target {m.target!r}")
    if s.rows("funding"):
        sources = {f.funding_source for f in s.rows("funding")}
        for p in s.rows("projects"):
            for src in (p.funding or {}):
                if src not in sources:
                    raise _bad(p, "funding", f"funding source {src!r} has no envelope in the funding table")
    for t in s.rows("targets"):
        if not s.base_year <= t.year <= s.horizon:
            raise _bad(t, "year", f"target year {t.year} is outside {s.base_year}-{s.horizon}")
