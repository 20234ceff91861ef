"""Fuzz: single-cell mutations of every table of every shipped scenario (issue 9, checks).

Each mutation (text in a number, an unknown id, a negative amount, NaN, an out-of-domain value, a
deleted column, bad bytes, full-width digits, an empty cell) is written into a copy of scenarios/,
then ``validate`` and, if it passes, a tiny ``run -n 2`` are called in-process.  Every mutation must
either run or be refused with ``error:`` lines and exit code 2 (no results folder); never a traceback,
never a hang.  The sample is drawn with a fixed seed and bounded so the test stays well under a
minute (about 10 s of CPU); ``FUZZ_N=400 FUZZ_RUNS=40 python -m pytest tests/test_fuzz.py`` tries more.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import random
import shutil
import signal
import time
from dataclasses import dataclass
from pathlib import Path

import pytest

from sim.cli import main

REPO = Path(__file__).resolve().parents[1]
SCENARIOS = REPO / "scenarios"
N = int(os.environ.get("FUZZ_N", "26"))      # mutations validated in the default run
RUNS = int(os.environ.get("FUZZ_RUNS", "2"))  # of those that validate, how many are also run (-n 2)
SEED = int(os.environ.get("FUZZ_SEED", "9"))
PER_CALL_SECONDS = 180                       # a call taking longer is a hang (wall clock: generous for a
                                             # loaded machine; a province validate takes ~10 s idle)
RUN_UNITS = 200                              # only scenarios with at most this many units are also run

KINDS = ("text", "unknown_id", "negative", "nan", "huge", "delete_column", "bad_bytes", "fullwidth", "empty",
         "zero", "semicolons")


@dataclass
class Mutation:
    file: Path          # relative to scenarios/
    kind: str
    row: int | None = None
    column: str | None = None
    value: str | None = None
    scenario: str = "tongdao.yaml"

    def __str__(self) -> str:
        where = f"{self.file}" + (f":{self.row}" if self.row else "") + (f" [{self.column}]" if self.column else "")
        return f"{self.kind} at {where} -> {self.value!r} (scenario {self.scenario})"


def table_files() -> list[Path]:
    """Every CSV table of every shipped scenario, relative to scenarios/."""
    return sorted(_readers())


def _readers() -> dict[Path, list[str]]:
    """{table file relative to scenarios/: the shipped YAMLs that read it, smallest region first}."""
    from sim.loader import load_scenario
    out: dict[Path, list[tuple[int, str]]] = {}
    for yaml_path in sorted(SCENARIOS.glob("*.yaml")):
        s = load_scenario(yaml_path)
        size = len(s.rows("units"))
        for paths in s.table_files.values():
            for p in paths:
                rel = Path(p).resolve().relative_to(SCENARIOS.resolve())
                out.setdefault(rel, []).append((size, yaml_path.name))
    return {f: [name for _, name in sorted(v)] for f, v in out.items()}


def _same_region(names: list[str]) -> list[str]:
    """The first YAML and its variants (``tongdao.yaml``, ``tongdao_budget_cut.yaml`` ...)."""
    region = names[0].removesuffix(".yaml").split("_")[0]
    return [n for n in names if n.removesuffix(".yaml").split("_")[0] == region]


def _interleave(files: list[Path]) -> list[Path]:
    """The files in round-robin order over their folders, so that a short sample hits every scenario."""
    by_dir: dict[Path, list[Path]] = {}
    for f in files:
        by_dir.setdefault(f.parent, []).append(f)
    queues = [by_dir[d] for d in sorted(by_dir)]
    out: list[Path] = []
    while any(queues):
        for q in queues:
            if q:
                out.append(q.pop(0))
    return out


def _read(path: Path) -> tuple[list[str], list[list[str]]]:
    with path.open(encoding="utf-8-sig", newline="") as fh:
        rows = list(csv.reader(fh))
    return rows[0], rows[1:]


def _write(path: Path, header: list[str], rows: list[list[str]]) -> None:
    with path.open("w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh)
        w.writerow(header)
        w.writerows(rows)


def sample(rng: random.Random, files: list[Path], n: int) -> list[Mutation]:
    """``n`` mutations, cycling over the files (round robin over the scenario folders) so every
    scenario is hit; each is checked with a YAML that reads the mutated file (the smallest region's
    one when several do, and a random one of those for files shared by variants of one region)."""
    readers = _readers()
    order = _interleave(sorted(files))
    out = []
    for i in range(n):
        f = order[i % len(order)]
        header, rows = _read(SCENARIOS / f)
        kind = rng.choice(KINDS)
        m = Mutation(f, kind, scenario=rng.choice(_same_region(readers[f])))
        if kind == "bad_bytes":
            out.append(m)
            continue
        m.column = rng.choice(header)
        m.row = rng.randrange(len(rows)) + 2 if rows else None
        m.value = {
            "text": "abc", "unknown_id": "ZZ_unknown", "negative": "-5", "nan": "nan", "huge": "1e12",
            "fullwidth": "１２", "empty": "", "zero": "0", "semicolons": "1;2",
            "delete_column": None,
        }[kind]
        if kind == "huge" and rng.random() < 0.5:
            m.value = "-1e12"
        out.append(m)
    return out


def apply(m: Mutation, root: Path, rng: random.Random) -> None:
    path = root / m.file
    if m.kind == "bad_bytes":
        raw = path.read_bytes()
        at = rng.randrange(len(raw))
        m.value = f"bytes ff fe at offset {at}"
        path.write_bytes(raw[:at] + b"\xff\xfe" + raw[at:])
        return
    header, rows = _read(path)
    col = header.index(m.column)
    if m.kind == "delete_column":
        _write(path, header[:col] + header[col + 1:], [r[:col] + r[col + 1:] for r in rows])
        return
    if m.row is not None:
        rows[m.row - 2][col] = m.value
    _write(path, header, rows)


class Hang(Exception):
    pass


def _alarm(signum, frame):
    raise Hang()


def call(args: list[str]) -> tuple[int, str]:
    """``main(args)`` in-process with a hang guard: (exit code, stderr)."""
    err = io.StringIO()
    old = signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(PER_CALL_SECONDS)
    try:
        with contextlib.redirect_stderr(err), contextlib.redirect_stdout(io.StringIO()):
            code = main(args)
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
    return code, err.getvalue()


def check(m: Mutation, root: Path, out: Path, do_run: bool = True) -> tuple[str | None, str]:
    """(what went wrong or None, what happened: "refused" | "ran" | "valid, not run")."""
    yaml_path = root / m.scenario
    try:
        code, err = call(["validate", str(yaml_path)])
        problem = _refusal_problem(code, err, "validate")
        if problem or code == 2:
            return problem, "refused"
        if not do_run:
            return None, "valid, not run"
        code, err = call(["run", str(yaml_path), "-n", "2", "--seed", "1", "--out", str(out), "--no-maps"])
        problem = _refusal_problem(code, err, "run")
        if problem:
            return problem, "run"
        if code == 2:
            return ("run refused but left a results folder" if out.exists()
                    else "validate passed but run refused: " + err[:300]), "run"
        return None, "ran"
    except Hang:
        return f"hang (> {PER_CALL_SECONDS} s)", "hang"
    except BaseException as exc:  # noqa: BLE001 - a traceback is exactly what the fuzz looks for
        return f"traceback: {type(exc).__name__}: {exc}", "traceback"


def _refusal_problem(code: int, err: str, what: str) -> str | None:
    lines = [ln for ln in err.splitlines() if ln]
    if code not in (0, 2):
        return f"{what} exit code {code}: {err[:300]}"
    if code == 2:
        if not lines or not all(ln.startswith(("error: ", "... and ")) for ln in lines):
            return f"{what} refused without one-line errors: {err[:300]}"
        if any("<input>" in ln for ln in lines):
            return f"{what} error names no file: {err[:300]}"
    elif any(not ln.startswith("warning: ") for ln in lines):
        return f"{what} succeeded but printed to stderr: {err[:300]}"
    return None


def _units(yaml_path: Path) -> int:
    """Rows of the scenario's units table (a mutated table may not load: count its lines)."""
    import yaml
    data = yaml.safe_load((SCENARIOS / yaml_path.name).read_text(encoding="utf-8"))
    while "tables" not in data or "units" not in data.get("tables", {}):
        data = yaml.safe_load((SCENARIOS / data["extends"]).read_text(encoding="utf-8"))
    return sum(1 for _ in (SCENARIOS / data["tables"]["units"]).open(encoding="utf-8-sig")) - 1


def run_fuzz(tmp_path: Path, n: int, seed: int, runs: int = RUNS) -> tuple[list[str], dict[str, int]]:
    root = tmp_path / "scenarios"
    shutil.copytree(SCENARIOS, root)
    files = table_files()
    rng = random.Random(seed)
    failures: list[str] = []
    counts = {"ran": 0, "refused": 0, "valid, not run": 0}
    for i, m in enumerate(sample(rng, files, n)):
        original = (root / m.file).read_bytes()
        apply(m, root, rng)
        out = tmp_path / f"out{i}"
        small = _units(root / m.scenario) <= RUN_UNITS
        problem, what = check(m, root, out, do_run=small and counts["ran"] < runs)
        if problem:
            failures.append(f"{m}: {problem}")
        else:
            counts[what] += 1
        (root / m.file).write_bytes(original)
        shutil.rmtree(out, ignore_errors=True)
    return failures, counts


def test_every_mutation_runs_or_is_refused_with_one_line_errors(tmp_path):
    t0 = time.perf_counter()
    failures, counts = run_fuzz(tmp_path, N, SEED)
    assert not failures, f"{len(failures)} of {N} mutations broke:\n" + "\n".join(failures)
    assert counts["refused"] > 0 and counts["ran"] > 0, counts   # the sample exercises both paths
    assert len(table_files()) >= 10
    print(f"fuzz: {N} mutations, {counts}, {time.perf_counter() - t0:.1f} s")
