"""Read a scenario: the YAML file, its `extends` chain and its CSV tables, into one validated Scenario.

Everything that can be wrong with user input is caught here, in one pass: each problem becomes an
InputError naming the file, the row and the field, and all of them are raised together at the end
(``sim.errors.InputErrors``), so a user fixes a scenario in one round, not one error per run.  A
value set by a variant's ``patch`` is reported against the variant YAML, not the base CSV.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import InputError, Problems
from .parameters import ParameterSet, ParamSpec
from .schema import REQUIRED_TABLES, TABLE_MODELS, Row
from .whatif import apply_what_if

META_KEYS = ("id", "name", "plan", "region", "base_year", "horizon", "period", "tables", "what_if")
VARIANT_KEYS = ("extends", "patch", "add", "remove")

# Full-width forms that Chinese input methods type in place of ASCII: digits ０-９, ；，：．etc.
FULLWIDTH = re.compile(r"[\uFF01-\uFF5E\u3000\u3001\u3002]")
# Columns holding free text (Chinese names, notes, sources): full-width punctuation is fine there.
FREE_TEXT = {"name_zh", "kind_zh", "category_zh", "site_zh", "content_zh", "status_zh", "note", "source",
             "source_a", "source_b", "value_a", "value_b", "why", "topic", "value_text", "confidence", "name"}
TEXT_UNIT_TABLES = {"parameters", "targets", "base_facts"}   # their `unit` column is a measurement unit


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
    table_files: dict[str, list[str]] = field(default_factory=dict)   # table -> its CSV paths
    defaults: dict[str, dict] = field(default_factory=dict)   # parameter id -> default used (see sim.domains)
    notices: list[str] = field(default_factory=list)          # rescaled shares and alike (validate prints them)
    known_ids: dict[str, set[str]] = field(default_factory=dict)   # ids of every row read, valid or not
    broken_tables: set[str] = field(default_factory=set)      # tables whose file could not be read
    allocations: list = field(default_factory=list)           # sim.allocation.Placement of every programme

    def rows(self, table: str) -> list[Row]:
        return self.tables.get(table, [])

    def by_id(self, table: str) -> dict[str, Row]:
        return {r.id: r for r in self.rows(table)}

    @property
    def region_unit(self) -> str:
        return str(self.region["unit"])

    def parameters(self) -> ParameterSet:
        """The parameter table, with the registry's defaults for parameters it does not give
        (each default used is listed in ``self.defaults``) and every draw truncated to its domain."""
        from .domains import with_defaults
        return with_defaults(parameter_set(self.rows("parameters"), self.table_files.get("parameters")), self)

    def base_facts(self) -> dict[str, float]:
        return {f.id: f.value for f in self.rows("base_facts")}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form: money in yuan, dates as fractional years."""
        return {
            "id": self.id, "name": self.name, "plan": self.plan, "region": self.region,
            "base_year": self.base_year, "horizon": self.horizon, "period": list(self.period),
            "money_unit": "yuan", "extends_chain": self.chain, "what_if": self.what_if,
            "parameter_defaults": self.defaults,
            "tables": {name: [_clean(r.model_dump()) for r in rows] for name, rows in self.tables.items()},
        }


def parameter_set(rows: list[Row], files: list[str] | None = None) -> ParameterSet:
    from .domains import domain_of
    return ParameterSet({
        p.id: ParamSpec(id=p.id, value=p.value, unit=p.unit or "", distribution=p.distribution,
                        low=p.low, high=p.high, valid_from=p.valid_from, valid_to=p.valid_to,
                        confidence=p.confidence or "", source=p.source, note=p.note or "",
                        domain=domain_of(p.id))
        for p in rows
    }, files=list(files or []))


def load_parameters(*paths: str | Path) -> ParameterSet:
    """Parameter tables on their own (outside a scenario), validated like a scenario's."""
    return parameter_set(load_table("parameters", *paths), [str(p) for p in paths])


def load_table(name: str, *paths: str | Path) -> list[Row]:
    """One table from one or more CSV files, validated row by row, ids unique across the files."""
    problems = Problems()
    raw: list[_RawRow] = []
    for p in paths:
        raw += _table_rows(name, Path(p), {}, problems, {})
    rows = _validate_table(name, raw, problems)
    problems.raise_if_any()
    return rows


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
    except OSError as exc:
        raise InputError(path, "file", f"cannot be read ({exc.strerror or exc})") from None
    files[str(path)] = hashlib.sha256(raw).hexdigest()
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise InputError(path, "encoding", "file is UTF-16 (Excel 'Unicode text'): save it as 'CSV UTF-8'", row=1)
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = raw[: exc.start].count(b"\n") + 1
        raise InputError(path, "encoding", "file is not UTF-8 (save it as 'CSV UTF-8' / UTF-8 text)", row=line) from None
    if "\x00" in text:
        line = text[: text.index("\x00")].count("\n") + 1
        raise InputError(path, "encoding", "file contains NUL bytes: not a text file (save it as 'CSV UTF-8')", row=line)
    return text


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


def _separator_problem(header_line: str, header: list[str]) -> str | None:
    """What is wrong with a header that is not comma-separated, in words, or None."""
    if len(header) > 1:
        return None
    for sep, words in (("\t", "tab-separated (Excel 'Text (Tab delimited)')"),
                       (";", "semicolon-separated (Excel in a locale that uses ';')"),
                       ("；", "separated by full-width semicolons (；)"),
                       ("，", "separated by full-width commas (，)")):
        if sep in header_line:
            return f"the file is {words}: columns must be separated by ASCII commas (save as 'CSV UTF-8')"
    return None


def _read_csv(path: Path, files: dict[str, str], problems: Problems) -> tuple[list[str], list[tuple[int, dict[str, Any]]]]:
    """Header and rows as (line number, {column: text or None}); the header is line 1.

    File-level problems (missing, not UTF-8, malformed, wrong separator) raise; a row with too many
    cells is added to ``problems`` and skipped.
    """
    text = _read_text(path, files)
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    try:
        header = next(reader)
    except StopIteration:
        raise InputError(path, "header", "empty file: a header row is required") from None
    except csv.Error as exc:
        raise InputError(path, "csv", f"malformed CSV: {exc}", row=1) from None
    header = [h.strip() for h in header]
    sep = _separator_problem(text.splitlines()[0] if text else "", header)
    if sep:
        raise InputError(path, "csv", sep, row=1)
    dup = {h for h in header if header.count(h) > 1 and h}
    if dup:
        raise InputError(path, sorted(dup)[0], "column appears twice in the header", row=1)
    for h in header:
        if FULLWIDTH.search(h):
            raise InputError(path, h, "full-width characters in the column name: use ASCII letters, digits and "
                             "punctuation (half-width, 半角)", row=1)
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for cells in reader:
            line = reader.line_num
            if not any(c.strip() for c in cells):
                continue
            if len(cells) > len(header):
                problems.add(path, "csv", f"{len(cells)} cells but the header has {len(header)} columns", row=line)
                continue
            cells = cells + [""] * (len(header) - len(cells))
            rows.append((line, {h: (c.strip() or None) for h, c in zip(header, cells) if h}))
    except csv.Error as exc:
        raise InputError(path, "csv", f"malformed CSV: {exc}", row=reader.line_num) from None
    return header, rows


# ---------------------------------------------------------------- extends

def _merge(base: dict, over: dict) -> dict:
    out = dict(base)
    for k, v in over.items():
        out[k] = _merge(out[k], v) if isinstance(v, dict) and isinstance(out.get(k), dict) else v
    return out


def _absolute_tables(tables: Any, yaml_path: Path, problems: Problems) -> dict[str, list[Path]]:
    if tables is None:
        return {}
    if not isinstance(tables, dict):
        problems.add(yaml_path, "tables", "must map table names to CSV paths")
        return {}
    out: dict[str, list[Path]] = {}
    for name, value in tables.items():
        if name not in TABLE_MODELS:
            problems.add(yaml_path, f"tables.{name}", f"unknown table (known: {', '.join(TABLE_MODELS)})")
            continue
        paths = value if isinstance(value, list) else [value]
        if not paths or not all(isinstance(p, str) and p for p in paths):
            problems.add(yaml_path, f"tables.{name}", "give a CSV path or a list of CSV paths")
            continue
        out[name] = [(yaml_path.parent / p).resolve() for p in paths]
    return out


@dataclass
class _Layer:
    path: Path
    data: dict[str, Any]


def _layers(path: Path, files: dict[str, str], problems: Problems, seen: tuple[Path, ...] = ()) -> list[_Layer]:
    """The extends chain, most derived first.  A file that cannot be read at all raises."""
    path = path.resolve()
    if path in seen:
        cycle = " -> ".join(p.name for p in (*seen, path))
        raise InputError(seen[-1], "extends", f"circular extends: {cycle}")
    data = _read_yaml(path, files)
    for key in sorted(set(map(str, data)) - set(META_KEYS) - set(VARIANT_KEYS)):
        problems.add(path, key, f"unknown key (known: {', '.join(META_KEYS + VARIANT_KEYS)})")
    layer = _Layer(path, data)
    parent = data.get("extends")
    if parent is None:
        return [layer]
    if not isinstance(parent, str):
        raise InputError(path, "extends", "must be the path of another scenario YAML file")
    parent_path = (path.parent / parent)
    if not parent_path.is_file():
        raise InputError(path, "extends", f"no such scenario file: {parent}")
    return [layer, *_layers(parent_path, files, problems, (*seen, path))]


# ---------------------------------------------------------------- rows

def _required_fields(model: type[Row]) -> list[str]:
    return [name for name, f in model.model_fields.items() if f.is_required()]


@dataclass
class _RawRow:
    path: Path           # file the row comes from (the variant YAML for added rows)
    line: int | None     # line in that file (None for rows added by a variant)
    data: dict[str, Any]
    field_prefix: str = ""  # e.g. "add.projects[0]." for rows added by a variant
    # column -> (variant YAML, key) for cells set by a patch: their problems are reported there
    origin: dict[str, tuple[Path, str]] = field(default_factory=dict)

    def where(self, col: str) -> tuple[Path, str, int | None]:
        """(file, field, row) to report a problem with column ``col`` of this row."""
        if col in self.origin:
            path, key = self.origin[col]
            return path, key, None
        return self.path, self.field_prefix + col, self.line


def _table_rows(name: str, path: Path, files: dict[str, str], problems: Problems,
                headers: dict[str, set[str]]) -> list[_RawRow]:
    """A table file's raw rows; file problems and missing required columns go to ``problems``
    (the file then contributes no rows, so its absence does not cascade into other errors)."""
    try:
        header, rows = _read_csv(path, files, problems)
    except InputError as exc:
        problems.extend(exc)
        headers.setdefault(name, set()).add("\0broken")
        return []
    headers.setdefault(name, set()).update(header)
    missing = [c for c in _required_fields(TABLE_MODELS[name]) if c not in header]
    for c in missing:
        problems.add(path, c, "missing required column", row=1)
    if missing:
        headers[name].add("\0broken")
        return []
    return [_RawRow(path, line, data) for line, data in rows]


def _fullwidth_cells(table: str, raw: _RawRow, model: type[Row]) -> dict[str, str]:
    """Cells of code or number columns that contain full-width characters -> the characters."""
    out = {}
    for col, v in raw.data.items():
        if col not in model.model_fields or col in FREE_TEXT or (col == "unit" and table in TEXT_UNIT_TABLES):
            continue
        chars = FULLWIDTH.findall(str(v)) if isinstance(v, str) else []
        if chars:
            out[col] = "".join(dict.fromkeys(chars))
    return out


def _validate_table(name: str, raw: list[_RawRow], problems: Problems) -> list[Row]:
    model = TABLE_MODELS[name]
    validated: list[Row] = []
    first: dict[str, tuple[Path, int | None]] = {}
    for r in raw:
        row = _validate_row(name, model, r, problems)
        rid = r.data.get("id")
        rid = None if rid is None else str(_id_text(rid))
        if rid is not None:
            if rid in first:
                prev_path, prev_line = first[rid]
                at = f"{prev_path.name}:{prev_line}" if prev_line else prev_path.name
                problems.add(r.path, r.field_prefix + "id", f"duplicate id {rid!r} (also at {at})", row=r.line)
                continue
            first[rid] = (r.path, r.line)
        if row is not None:
            validated.append(row)
    return validated


def _id_text(v: Any) -> Any:
    return str(int(v)) if isinstance(v, float) and v.is_integer() else v


def _validate_row(table: str, model: type[Row], raw: _RawRow, problems: Problems) -> Row | None:
    """The validated row, or None after adding each of its problems to ``problems``."""
    wide = _fullwidth_cells(table, raw, model)
    for col, chars in wide.items():
        file, fld, line = raw.where(col)
        problems.add(file, fld, f"{raw.data[col]!r} contains full-width characters ({chars}): type ASCII digits "
                     "and punctuation (half-width, 半角: , ; : . 0-9)", row=line)
    try:
        row = model.model_validate(raw.data)
    except ValidationError as exc:
        for err in exc.errors():
            loc, msg = _error_text(model, raw, err)
            if loc in wide:
                continue
            file, fld, line = raw.where(loc or "row")
            problems.add(file, fld, msg, row=line)
        return None
    if wide:
        return None
    row._file, row._line = str(raw.path), raw.line
    row._origin = {k: (str(p), key) for k, (p, key) in raw.origin.items()}
    return row


def _error_text(model: type[Row], raw: _RawRow, err: dict) -> tuple[str, str]:
    """(column, message) of one pydantic error, in the words a planner reads."""
    loc = ".".join(str(p) for p in err["loc"])
    msg = err["msg"].removeprefix("Value error, ")
    head, sep, rest = msg.partition(": ")
    if sep and (head in model.model_fields or not loc):
        loc, msg = head, rest
    value = raw.data.get(loc)
    if err["type"] == "missing":
        msg = "required value is empty"
    elif err["type"] == "literal_error":
        msg = f"{value!r} is not allowed: {err['msg'].removeprefix('Input should be ')}"
    elif err["type"] == "finite_number":
        msg = f"{value!r} is not a finite number"
    elif err["type"] in ("float_parsing", "int_parsing", "int_from_float", "float_type", "int_type"):
        msg = f"{value!r} is not a number" + (" (a whole number is required)" if "int" in err["type"] else "")
    elif err["type"] in ("string_type", "dict_type"):
        msg = f"{value!r} is not text" if err["type"] == "string_type" else f"{value!r}: {msg}"
    return loc, msg


def _apply_variant(table: str, rows: list[_RawRow], layer: _Layer, columns: set[str],
                   problems: Problems) -> list[_RawRow]:
    """Apply one layer's remove / patch / add to a table's raw rows (all its files together)."""
    path, data = layer.path, layer.data
    model = TABLE_MODELS[table]
    known_cols = set(model.model_fields) | columns
    index = {str(_id_text(r.data.get("id"))): i for i, r in enumerate(rows)}
    dropped: set[int] = set()
    removes = (data.get("remove") or {}).get(table) or []
    if not isinstance(removes, list):
        problems.add(path, f"remove.{table}", "give a list of row ids")
        removes = []
    for rid in removes:
        if str(rid) not in index:
            problems.add(path, f"remove.{table}", f"no row with id {rid!r} to remove")
            continue
        dropped.add(index[str(rid)])
    if table == "project_outputs":   # removing a project removes what it adds (its outputs go with it)
        gone = (data.get("remove") or {}).get("projects") or []
        gone = {str(g) for g in gone} if isinstance(gone, list) else set()
        dropped |= {i for i, r in enumerate(rows) if str(_id_text(r.data.get("project"))) in gone}
    patches = (data.get("patch") or {}).get(table) or {}
    if not isinstance(patches, dict):
        problems.add(path, f"patch.{table}", "map row ids to {column: new value}")
        patches = {}
    for rid, changes in patches.items():
        key = f"patch.{table}.{rid}"
        if str(rid) not in index or index[str(rid)] in dropped:
            problems.add(path, key, f"no row with id {rid!r} in {table}")
            continue
        if not isinstance(changes, dict):
            problems.add(path, key, "give a mapping of column: new value")
            continue
        i = index[str(rid)]
        old = rows[i]
        new_data, origin = dict(old.data), dict(old.origin)
        for c, v in changes.items():
            c = str(c)
            if c not in known_cols:
                problems.add(path, f"{key}.{c}", f"unknown column {c!r} of table {table}")
                continue
            if c == "id":
                problems.add(path, f"{key}.{c}", "a patch cannot change a row's id (remove it and add a new row)")
                continue
            new_data[c] = _cell(v)
            origin[c] = (path, f"{key}.{c}")
        rows[i] = _RawRow(old.path, old.line, new_data, old.field_prefix, origin)
    added = (data.get("add") or {}).get(table) or []
    if not isinstance(added, list):
        problems.add(path, f"add.{table}", "give a list of rows")
        added = []
    out = [r for i, r in enumerate(rows) if i not in dropped]
    for k, new in enumerate(added):
        if not isinstance(new, dict):
            problems.add(path, f"add.{table}[{k}]", "each added row must be a mapping of column: value")
            continue
        for c in new:
            if str(c) not in known_cols:
                problems.add(path, f"add.{table}[{k}].{c}", f"unknown column {str(c)!r} of table {table}")
        out.append(_RawRow(path, None, {str(c): _cell(v) for c, v in new.items() if str(c) in known_cols},
                           f"add.{table}[{k}]."))
    return out


def _cell(v: Any) -> Any:
    if v is None or isinstance(v, bool):
        return None if v is None else str(v).lower()
    if isinstance(v, (int, float)):
        return v
    if isinstance(v, (dict, list)):
        return v
    return str(v)


# ---------------------------------------------------------------- the scenario

def load_scenario(path: str | Path) -> Scenario:
    """Load, resolve `extends`, validate every table and every cross-reference.

    Raises InputError (one problem) or InputErrors (several, all found in one pass).  The model
    inputs (parameters and base facts the models need, and their domains) are checked by
    :func:`sim.domains.validate_scenario`, which ``validate`` and ``run`` call.
    """
    problems = Problems()
    scenario = _load(Path(path), problems)
    problems.raise_if_any()
    assert scenario is not None
    return scenario


def _load(path: Path, problems: Problems) -> Scenario | None:
    """The scenario with every row that validates; all problems go to ``problems``.

    Returns None only when the YAML itself cannot be read (nothing else can then be checked).
    """
    files: dict[str, str] = {}
    try:
        layers = _layers(path, files, problems)
    except InputError as exc:
        problems.extend(exc)
        return None
    merged: dict[str, Any] = {}
    table_paths: dict[str, list[Path]] = {}
    for layer in reversed(layers):     # resolve table paths at the layer that names them, base first
        own = {k: v for k, v in layer.data.items() if k not in VARIANT_KEYS and k != "tables"}
        merged = _merge(merged, own)
        table_paths.update(_absolute_tables(layer.data.get("tables"), layer.path, problems))
    top = layers[0].path
    meta = _check_meta(merged, top, problems)
    for name in REQUIRED_TABLES:
        if name not in table_paths:
            problems.add(top, f"tables.{name}", "required table is not given")
    for layer in layers:
        for key in ("patch", "add", "remove"):
            block = layer.data.get(key)
            if block is not None and not isinstance(block, dict):
                problems.add(layer.path, key, "must map table names to rows")
                layer.data[key] = {}
                continue
            for t in list(block or {}):
                if t not in TABLE_MODELS:
                    problems.add(layer.path, f"{key}.{t}", f"unknown table (known: {', '.join(TABLE_MODELS)})")
                elif t not in table_paths:
                    problems.add(layer.path, f"{key}.{t}", "the scenario has no such table to change")

    tables: dict[str, list[Row]] = {}
    headers: dict[str, set[str]] = {}
    known_ids: dict[str, set[str]] = {}
    for name, paths in table_paths.items():
        raw: list[_RawRow] = []
        for p in paths:
            raw += _table_rows(name, p, files, problems, headers)
        for layer in reversed(layers):
            raw = _apply_variant(name, raw, layer, headers.get(name, set()), problems)
        known_ids[name] = {str(_id_text(r.data["id"])) for r in raw if r.data.get("id") is not None}
        if name == "funding":
            known_ids["funding_source"] = {str(r.data["funding_source"]) for r in raw if r.data.get("funding_source")}
        tables[name] = _validate_table(name, raw, problems)
    broken = {name for name, cols in headers.items() if "\0broken" in cols}
    scenario = Scenario(path=top, tables=tables, files=files, chain=[str(l.path) for l in layers],
                        table_files={n: [str(p) for p in ps] for n, ps in table_paths.items()},
                        known_ids=known_ids, broken_tables=broken, **meta)
    _check_references(scenario, known_ids, broken, problems)
    _check_sums(scenario, problems)
    _check_regions(scenario, known_ids, broken, problems)   # programmes become projects here
    try:   # after the programmes are expanded, so a what-if applies to their projects too
        scenario.tables = apply_what_if(scenario.tables, merged.get("what_if"), top)
    except InputError as exc:
        problems.extend(exc)
    return scenario


def _check_regions(s: Scenario, known: dict[str, set[str]], broken: set[str], problems: Problems) -> None:
    """Multi-county tables (docs/regions.md): unit_demography against the units and the region
    total; programmes expanded into projects and project outputs by ``sim.allocation``.  A problem
    found elsewhere (a broken row the allocation then trips on) is not reported twice."""
    try:
        _regions(s, known, broken, problems)
    except InputError as exc:
        problems.extend(exc)
    except (ValueError, KeyError, TypeError, ZeroDivisionError, IndexError) as exc:
        if not problems:   # not a consequence of a problem already reported
            where = (s.table_files.get("programmes") or s.table_files.get("units") or [s.path])[0]
            problems.add(where, "allocation", f"cannot place the programmes: {type(exc).__name__}: {exc}")


def _regions(s: Scenario, known: dict[str, set[str]], broken: set[str], problems: Problems) -> None:
    from .regions import COUNTY_LEVELS, Hierarchy
    if "units" in broken or not s.rows("units") or s.region_unit not in known.get("units", set()):
        return
    h = Hierarchy.from_scenario(s)
    units = known.get("units", set())
    demog = s.rows("unit_demography")
    # a row refused by its schema (negative population, shares off 100) is already reported: do not
    # report its county as missing too, nor the allocation that needs the population
    demog_files = {str(f) for f in s.table_files.get("unit_demography", [])}
    demog_refused = any(p.file in demog_files for p in problems.items)
    if demog:
        seen: dict[str, Row] = {}
        for d in demog:
            if d.unit not in units:
                problems.extend(bad(d, "unit", f"unknown admin unit {d.unit!r}{_hint(d.unit)}"))
            elif d.unit not in h or h.level(d.unit) == "township":
                problems.extend(bad(d, "unit", f"{d.unit} is not a county-level unit of the region "
                                    f"(level {h.level(d.unit) or '?'}, or not under {s.region_unit})"))
            elif d.unit in seen:
                problems.extend(bad(d, "unit", f"unit {d.unit} has two rows (also line {seen[d.unit]._line})"))
            seen.setdefault(d.unit, d)
        if "unit_demography" not in broken and not demog_refused:
            for c in h.counties():
                anc, cur = False, c
                while cur is not None:
                    anc = anc or cur in seen
                    cur = h.parent(cur)
                if not anc and not any(h.contains(c, u) for u in seen):
                    problems.add(s.table_files["unit_demography"][0], "unit",
                                 f"no row for county-level unit {c} ({h.name(c)}): every county needs its census figures")
            total = sum(d.base_population for d in seen.values() if h.level(d.unit) in COUNTY_LEVELS)
            region = next((p.value for p in s.rows("parameters") if p.id == "demography.base_population"), None)
            if region and total and abs(total / region - 1) > 0.005:
                s.notices.append(f"warning: unit_demography.csv: base_population: the county-level units add up to "
                                 f"{total:,.0f}, demography.base_population (the region) is {region:,.0f} "
                                 f"({100 * (total / region - 1):+.2f}%, more than 0.5% apart)")
    if s.rows("programmes") and "programmes" not in broken and not demog_refused:
        from .allocation import allocate, expand
        if {"projects", "project_outputs", "facilities"} & broken:
            return
        n_problems = len(problems)
        placements = allocate(s, h, problems=problems)
        if len(problems) > n_problems:
            return
        taken = {p.id for p in s.rows("projects")}
        projects, outputs = expand(s, placements)
        for p in projects:
            if p.id in taken:
                problems.extend(bad(p, "id", f"the allocated project id {p.id} is already in projects.csv"))
                return
        s.tables["projects"] = s.rows("projects") + projects
        s.tables["project_outputs"] = s.rows("project_outputs") + outputs
        known.setdefault("projects", set()).update(p.id for p in projects)
        s.allocations = placements


def _check_meta(m: dict[str, Any], path: Path, problems: Problems) -> dict[str, Any]:
    """The scenario's metadata; each problem is added and a placeholder kept so checking goes on."""
    for key in ("id", "name", "region", "base_year", "horizon"):
        if key not in m or m[key] in (None, ""):
            problems.add(path, key, "required key is missing")
    sid = m.get("id")
    if sid not in (None, "") and (not isinstance(sid, str) or not sid.replace("_", "").isalnum()):
        problems.add(path, "id", "use letters, digits and _ only")
    years = {}
    for key, fallback in (("base_year", 2020), ("horizon", 2035)):
        v = m.get(key)
        if v in (None, ""):
            years[key] = fallback
        elif not isinstance(v, int) or isinstance(v, bool):
            problems.add(path, key, f"must be a year (integer), got {v!r}")
            years[key] = fallback
        else:
            years[key] = v
    base_year, horizon = years["base_year"], years["horizon"]
    if not 1950 <= base_year <= 2100:
        problems.add(path, "base_year", f"implausible year {base_year}")
    if horizon < max(2025, base_year + 1) or horizon > 2100:
        problems.add(path, "horizon", "must be at least 2025, after the base year, and at most 2100")
    region = m.get("region")
    if region not in (None, "") and (not isinstance(region, dict) or "unit" not in region or "name" not in region):
        problems.add(path, "region", "give region.name, region.level and region.unit (its id in units.csv)")
    region = dict(region) if isinstance(region, dict) else {}
    region["unit"] = str(region.get("unit", ""))
    period = m.get("period") or [base_year + 1, 2025]
    if (not isinstance(period, list) or len(period) != 2 or not all(isinstance(y, int) for y in period)
            or period[1] < period[0]):
        problems.add(path, "period", "give [first year, last year] of the plan period")
        period = [base_year + 1, 2025]
    return {"id": str(sid or ""), "name": str(m.get("name") or ""), "plan": m.get("plan"), "region": region,
            "what_if": m.get("what_if"), "base_year": base_year, "horizon": horizon, "period": (period[0], period[1])}


def where(row: Row, fld: str) -> tuple[str, str, int | None]:
    """(file, field, row) for a problem with column ``fld`` of a validated row: the variant YAML
    and its key when a patch set that cell, else the CSV file and line."""
    origin = getattr(row, "_origin", None) or {}
    if fld in origin:
        return origin[fld][0], origin[fld][1], None
    return row._file, fld, row._line


def bad(row: Row, fld: str, message: str) -> InputError:
    file, key, line = where(row, fld)
    return InputError(file, key, message, row=line)


_bad = bad


def _check_references(s: Scenario, known: dict[str, set[str]], broken: set[str], problems: Problems) -> None:
    """Cross-table checks: every unit, project, target and funding source named must exist.

    ``known`` holds the ids of every row read, valid or not, so one bad row does not also make
    every reference to it an error; a table that could not be read is not checked against.
    """
    units = known.get("units", set())
    if "units" not in broken and "units" in known:
        if s.region_unit and s.region_unit not in units:
            problems.add(s.path, "region.unit", f"unknown admin unit {s.region_unit!r} (not in the units table)")
        seat = s.region.get("seat")
        if seat is not None and str(seat) not in units:
            problems.add(s.path, "region.seat", f"unknown admin unit {seat!r} (not in the units table)")
        for u in s.rows("units"):
            if u.parent is not None and u.parent not in units:
                problems.extend(bad(u, "parent", f"unknown admin unit {u.parent!r}{_hint(u.parent)}"))
        parent = {u.id: u.parent for u in s.rows("units")}
        for u in s.rows("units"):          # the parent chain must end at a top unit, not loop
            seen, cur = [u.id], u.parent
            while cur is not None and cur in parent and cur not in seen:
                seen.append(cur)
                cur = parent[cur]
            if cur is not None and cur in seen:
                problems.extend(bad(u, "parent", "circular parents: " + " -> ".join(seen + [cur])))
                break
        for table in ("facilities", "projects", "project_outputs"):
            for r in s.rows(table):
                if r.unit not in units:
                    problems.extend(bad(r, "unit", f"unknown admin unit {r.unit!r}{_hint(r.unit)}"))
        for f in s.rows("base_facts"):
            if f.unit_id is not None and f.unit_id not in units:
                problems.extend(bad(f, "unit_id", f"unknown admin unit {f.unit_id!r}{_hint(f.unit_id)}"))
    if "projects" not in broken:
        projects = known.get("projects", set())
        for o in s.rows("project_outputs"):
            if o.project not in projects:
                problems.extend(bad(o, "project", f"unknown project {o.project!r}{_hint(o.project)}"))
    facilities = s.by_id("facilities")
    for o in s.rows("project_outputs"):     # an output naming an existing facility enlarges it: same type
        f = facilities.get(o.facility) if o.facility else None
        if f is not None and f.facility_type != o.facility_type:
            problems.extend(bad(o, "facility_type", f"{o.facility_type!r} but it enlarges facility {f.id}, "
                                f"a {f.facility_type!r} (facilities.csv)"))
    if "targets" not in broken:
        targets = known.get("targets", set())
        for m in s.rows("monitoring"):
            if m.target not in targets:
                problems.extend(bad(m, "target", f"unknown target {m.target!r}{_hint(m.target)}"))
    if known.get("funding_source") and "funding" not in broken:
        sources = known["funding_source"]
        for p in s.rows("projects"):
            for src in (p.funding or {}):
                if src not in sources:
                    problems.extend(bad(p, "funding", f"funding source {src!r} has no envelope in the funding table"))
    for t in s.rows("targets"):
        if not s.base_year <= t.year <= s.horizon:
            problems.extend(bad(t, "year", f"target year {t.year} is outside {s.base_year}-{s.horizon}"))
    for m in s.rows("monitoring"):
        if not 1950 <= m.year <= s.horizon:
            problems.extend(bad(m, "year", f"monitoring year {m.year} is outside 1950-{s.horizon}"))


def _hint(ref: str) -> str:
    chars = FULLWIDTH.findall(str(ref))
    return f" (it contains full-width characters {''.join(chars)}: type ASCII, 半角)" if chars else ""


def _check_sums(s: Scenario, problems: Problems) -> None:
    """Totals that must agree: a unit's villages and communities with its townships', and the
    population shares of the townships under one parent (at most 1; rescaled to 1 when all given)."""
    units = s.rows("units")
    children: dict[str, list] = {}
    for u in units:
        if u.parent is not None:
            children.setdefault(u.parent, []).append(u)
    for u in units:
        kids = [k for k in children.get(u.id, []) if k.level == "township"]
        if not kids:
            continue
        for col in ("villages", "communities"):
            own = getattr(u, col)
            if own is None or any(getattr(k, col) is None for k in kids):
                continue
            total = sum(getattr(k, col) for k in kids)
            if total != own:
                problems.extend(bad(u, col, f"{own} {col} here but its {len(kids)} townships add up to {total}"))
        given = [k for k in kids if k.pop_share is not None]
        if given:
            total = sum(k.pop_share for k in given)
            if total > 1 + 1e-6:
                problems.extend(bad(given[-1], "pop_share", f"the pop_share of the townships under {u.id} add up "
                                    f"to {total:.4g}, more than 1"))
            elif len(given) == len(kids) and abs(total - 1) > 1e-6:
                if total <= 0:
                    problems.extend(bad(given[-1], "pop_share", f"the pop_share of the townships under {u.id} add up to 0"))
                else:
                    s.notices.append(f"pop_share of the townships under {u.id} add up to {total:.4g}: rescaled to 1")
