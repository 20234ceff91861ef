"""Docs that run (issue 9 item 6): every command, YAML, CSV and Python example in README.md and
docs/*.md is executed here, at small N, in a sandbox copy of the repository.

Each fenced block with a language tag carries a marker on the line before it, so this test stays in
sync with the docs (a new block without a marker fails the test):

    <!-- doc-test: shell [GROUP] -->        run each `python ...` command (after `&&` splitting)
    <!-- doc-test: yaml PATH [GROUP] -->    write the block to PATH, then `validate` and `run -n 3` it
    <!-- doc-test: python [GROUP] -->       exec the block
    <!-- doc-test: write PATH [GROUP] -->   write the block to PATH (a file a later command reads)
    <!-- doc-test: append PATH [GROUP] -->  append the block's lines to PATH (rows added to a table)
    <!-- doc-test: skip REASON -->          not run, and the reason says why

Blocks of one GROUP share a sandbox (a copy of scenarios/ as the working directory) and run in
document order (a walk-through); other blocks each get their own.  Commands run in-process through
``sim.cli.main`` at small N: `-n`/`--replications` become 3 (the default run too), `replications=` 20,
runs get an `--out` inside the sandbox, benchmarks get their quick options; installation steps
(`python -m venv`, `pip install`, `. .venv/bin/activate`) are not run here (CI's clean clone runs them).
"""

from __future__ import annotations

import re
import shlex
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from conftest import REPO

DOCS = [REPO / "README.md", *sorted((REPO / "docs").glob("*.md"))]
MARK = re.compile(r"^<!--\s*doc-test:\s*(\w+)\s*(.*?)\s*-->\s*$")
FENCE = re.compile(r"^```(\S*)\s*$")
N = "3"
BENCH_QUICK = {"benchmarks/bench_population.py": ["--units", "20", "--reps", "2", "--years", "3"],
               "benchmarks/bench_buildout.py": ["--quick"]}


@dataclass
class Block:
    doc: Path
    line: int          # line of the opening fence
    lang: str
    kind: str
    args: list[str]
    text: str

    @property
    def where(self) -> str:
        return f"{self.doc.relative_to(REPO)}:{self.line}"


def blocks(doc: Path) -> list[Block]:
    lines = doc.read_text(encoding="utf-8").splitlines()
    out, i = [], 0
    while i < len(lines):
        m = FENCE.match(lines[i])
        if not m:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and not lines[j].startswith("```"):
            j += 1
        lang = m.group(1)
        prev = lines[i - 1] if i else ""
        mk = MARK.match(prev)
        kind, args = (mk.group(1), mk.group(2).split()) if mk else ("", [])
        if mk and kind == "skip":
            args = [mk.group(2)]
        out.append(Block(doc, i + 1, lang, kind, args, "\n".join(lines[i + 1:j]) + "\n"))
        i = j + 1
    return out


ALL = [b for d in DOCS for b in blocks(d)]
RUNNABLE = [b for b in ALL if b.lang]        # blocks without a language are diagrams and formulas


def test_every_example_block_has_a_marker():
    missing = [b.where for b in RUNNABLE if b.kind not in ("shell", "yaml", "python", "write", "append", "skip")]
    assert not missing, f"fenced blocks without a <!-- doc-test: ... --> marker: {missing}"
    for b in RUNNABLE:
        if b.kind == "skip":
            assert len(b.args[0]) > 10, f"{b.where}: a skipped block needs a reason"
    assert sum(b.kind != "skip" for b in RUNNABLE) >= 15     # the docs' examples are really run


# ----------------------------------------------------------------------------- the sandbox
@pytest.fixture
def sandbox(tmp_path, monkeypatch):
    """A copy of scenarios/ and an empty results/ as the working directory; commands run in-process
    (``sim.cli.main``), the default run and new-scenario write into the sandbox, not the repository."""
    import sim.cli as cli
    import sim.new_scenario as ns

    root = tmp_path / "sandbox"
    root.mkdir()
    shutil.copytree(REPO / "scenarios", root / "scenarios", ignore=shutil.ignore_patterns("__pycache__"))
    (root / "results").mkdir()
    seeds = REPO.parent / "shared" / "seeds"       # the seed plans beside the repository (import-plan examples)
    if seeds.is_dir():
        (tmp_path / "shared").mkdir()
        (tmp_path / "shared" / "seeds").symlink_to(seeds)
    monkeypatch.chdir(root)
    monkeypatch.setattr(cli, "DEFAULT_RESULTS", root / "results")
    monkeypatch.setattr(cli, "DEFAULT_REPLICATIONS", int(N))
    monkeypatch.setattr(ns, "REPO", root)
    return root


def _small(argv: list[str], sandbox: Path, k: int, outputs: bool = False) -> list[str]:
    """The command at small N, writing inside the sandbox.

    Maps and reports cost about 10 s a run and are tested on their own (test_geo_outputs,
    test_reports), so doc commands skip them unless the block is about them (``outputs``).
    """
    a = list(argv)
    if not outputs and len(a) > 2 and a[1] == "run_sim.py":
        if a[2] == "run":
            a += [f for f in ("--no-maps", "--no-report") if f not in a]
        elif a[2] == "compare" and "--no-report" not in a:
            a += ["--no-report"]
    for flag in ("-n", "--replications"):
        if flag in a:
            a[a.index(flag) + 1] = N
    if len(a) > 1 and a[1] in BENCH_QUICK:
        a += BENCH_QUICK[a[1]]
    if len(a) > 2 and a[1] == "run_sim.py" and a[2] == "run":
        if "-n" not in a and "--replications" not in a:
            a += ["-n", N]
        if "--out" not in a:
            a += ["--out", str(sandbox / "results" / f"doc-run-{k}")]
    return a


def _python(argv: list[str], where: str) -> None:
    """``python run_sim.py ...`` through ``sim.cli.main``; ``python benchmarks/x.py ...`` with runpy."""
    import contextlib
    import io
    import runpy

    from sim.cli import main

    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        if argv[1] == "run_sim.py":
            rc = main(argv[2:])
        elif argv[1] == "-m":           # python -m package.module args
            old = sys.argv
            sys.argv = argv[2:]
            try:
                runpy.run_module(argv[2], run_name="__main__", alter_sys=True)
                rc = 0
            except SystemExit as exc:
                rc = exc.code or 0
            finally:
                sys.argv = old
        else:
            old = sys.argv
            sys.argv = argv[1:]
            try:
                runpy.run_path(str(REPO / argv[1]), run_name="__main__")
                rc = 0
            except SystemExit as exc:
                rc = exc.code or 0
            finally:
                sys.argv = old
    assert rc == 0, f"{where}: {' '.join(argv)} exited {rc}: {err.getvalue()[-2000:]}"
    assert "Traceback" not in err.getvalue(), f"{where}: {err.getvalue()[-2000:]}"


def run_shell(block: Block, sandbox: Path) -> None:
    for k, raw in enumerate(block.text.splitlines()):
        line = raw.split("  #")[0].strip()
        if not line or line.startswith("#"):
            continue
        for part in (p.strip() for p in line.split("&&")):
            argv = shlex.split(part)
            if argv[:1] == ["."] or argv[:1] == ["source"] or "venv" in argv[:3] or argv[:2] == ["pip", "install"]:
                continue          # installation: done by CI's clean clone, not here
            if argv[0] in ("python", "python3", "python3.11") and argv[1:3] == ["-m", "pytest"]:
                continue          # this very test suite
            assert argv[0] in ("python", "python3", "python3.11"), f"{block.where}: unknown command {part!r}"
            if any(a.startswith("../shared/seeds/") for a in argv) and not (sandbox.parent / "shared" / "seeds").is_dir():
                pytest.skip(f"{block.where}: the seed plans are not beside this repository (../shared/seeds)")
            # (the default run, `python run_sim.py`, runs into the sandbox's results/ at small N)
            outputs = bool(re.search(r"\bmap\b|report|\.gpkg|\.html|\.xlsx", block.text))
            _python(_small(argv, sandbox, block.line * 100 + k, outputs), block.where)


def run_yaml(block: Block, sandbox: Path) -> None:
    path = sandbox / block.args[0]
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(block.text, encoding="utf-8")
    rel = str(path.relative_to(sandbox))
    _python(["python", "run_sim.py", "validate", rel], block.where)
    _python(["python", "run_sim.py", "run", rel, "-n", N, "--no-maps", "--no-report",
             "--out", str(sandbox / "results" / f"yaml-{block.line}")],
            block.where)


def run_python(block: Block, sandbox: Path) -> None:
    code = re.sub(r"replications=[\d_]+", "replications=20", block.text).replace("progress=True", "progress=False")
    exec(compile(code, block.where, "exec"), {"__name__": "__doc_example__"})


def run_block(block: Block, sandbox: Path) -> None:
    if block.kind == "shell":
        run_shell(block, sandbox)
    elif block.kind == "yaml":
        run_yaml(block, sandbox)
    elif block.kind == "python":
        run_python(block, sandbox)
    elif block.kind == "write":
        (sandbox / block.args[0]).write_text(block.text, encoding="utf-8")
    elif block.kind == "append":
        target = sandbox / block.args[0]
        assert target.exists(), f"{block.where}: {block.args[0]} does not exist at this step"
        text = target.read_text(encoding="utf-8-sig")
        target.write_text(text + ("" if text.endswith("\n") else "\n") + block.text, encoding="utf-8")


def _group(b: Block) -> str | None:
    n = {"shell": 0, "python": 0, "yaml": 1, "write": 1, "append": 1}.get(b.kind)
    return b.args[n] if n is not None and len(b.args) > n else None


SINGLE = [b for b in RUNNABLE if b.kind not in ("skip", "") and _group(b) is None]
GROUPS: dict[str, list[Block]] = {}
for _b in RUNNABLE:
    if _b.kind not in ("skip", "") and _group(_b):
        GROUPS.setdefault(f"{_b.doc.name}:{_group(_b)}", []).append(_b)


@pytest.mark.parametrize("block", SINGLE, ids=[b.where for b in SINGLE])
def test_example_runs(block, sandbox):
    run_block(block, sandbox)


@pytest.mark.parametrize("group", sorted(GROUPS), ids=sorted(GROUPS))
def test_walk_through_runs_in_order(group, sandbox):
    for block in GROUPS[group]:
        run_block(block, sandbox)
