"""A results folder appears whole or not at all; --overwrite replaces only a folder this program
wrote and never deletes anything else (issue 9 item 4)."""

from __future__ import annotations

import json
import os
import stat

import pytest

import sim.cli as cli
from sim.cli import main
from sim.errors import InputError
from sim.outputs import MANIFEST, WRITTEN_BY, atomic_folder, check_destination

from conftest import REPO

TONGDAO = REPO / "scenarios" / "tongdao.yaml"


def _ours(dest, files=("indicators.csv",)):
    """A folder as this program leaves it: the files and a manifest that lists them."""
    dest.mkdir()
    for f in files:
        (dest / f).write_text("old")
    (dest / MANIFEST).write_text(json.dumps({"written_by": WRITTEN_BY, "files": [*files, MANIFEST]}))
    return dest


def _snapshot(root):
    return {str(p.relative_to(root)): (p.read_bytes() if p.is_file() else None) for p in sorted(root.rglob("*"))}


def test_failure_leaves_no_folder(tmp_path):
    dest = tmp_path / "run1"
    with pytest.raises(RuntimeError):
        with atomic_folder(dest) as tmp:
            (tmp / "indicators.csv").write_text("half")
            raise RuntimeError("model failed")
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []          # no partial folder left behind


def test_existing_folder_is_not_overwritten_without_asking(tmp_path):
    dest = _ours(tmp_path / "run1")
    with pytest.raises(InputError) as info:
        with atomic_folder(dest):
            pass
    assert info.value.field == "--out" and "already exists" in info.value.message
    assert (dest / "indicators.csv").read_text() == "old"


def test_overwrite_replaces_a_folder_we_wrote(tmp_path):
    dest = _ours(tmp_path / "run1", ("indicators.csv", "stale.csv"))
    with atomic_folder(dest, overwrite=True) as tmp:
        (tmp / "new.csv").write_text("new")
    assert sorted(p.name for p in dest.iterdir()) == ["new.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run1"]     # no hidden leftovers


@pytest.mark.parametrize("make", ["user_file", "sub_folder", "no_manifest", "foreign_manifest", "plain_file"])
def test_overwrite_refuses_anything_not_ours_and_leaves_it_untouched(tmp_path, make):
    dest = tmp_path / "run1"
    if make == "user_file":
        _ours(dest)
        (dest / "my_notes.txt").write_text("三年的笔记")
    elif make == "sub_folder":
        _ours(dest)
        (dest / "maps").mkdir()
        (dest / "maps" / "a.png").write_bytes(b"png")
    elif make == "no_manifest":
        dest.mkdir()
        (dest / "indicators.csv").write_text("someone else's")
    elif make == "foreign_manifest":
        dest.mkdir()
        (dest / MANIFEST).write_text(json.dumps({"files": ["x"]}))
    else:
        dest.write_text("a file, not a folder")
    before = _snapshot(tmp_path)
    with pytest.raises(InputError) as info:
        with atomic_folder(dest, overwrite=True) as tmp:
            (tmp / "new.csv").write_text("new")
    assert info.value.field == "--out" and "nothing was changed" in info.value.message
    assert _snapshot(tmp_path) == before


def test_results_folder_has_normal_permissions(tmp_path):
    old = os.umask(0o022)
    try:
        with atomic_folder(tmp_path / "run1") as tmp:
            (tmp / "a.csv").write_text("x")
    finally:
        os.umask(old)
    assert stat.S_IMODE((tmp_path / "run1").stat().st_mode) == 0o755


def test_cli_overwrite_round_trip_and_refusal(tmp_path, capsys):
    out = tmp_path / "td"
    args = ["run", str(TONGDAO), "-n", "2", "--no-maps", "--no-report", "--out", str(out)]
    assert main(args) == 0
    man = json.loads((out / MANIFEST).read_text(encoding="utf-8"))
    assert man["written_by"] == WRITTEN_BY and set(man["files"]) == {p.name for p in out.iterdir()}
    assert man["command"] == ["run_sim.py", *args]
    assert main(args + ["--overwrite"]) == 0                      # our own folder: replaced
    (out / "notes.md").write_text("my notes")
    before = _snapshot(out)
    capsys.readouterr()
    assert main(args + ["--overwrite"]) == 2
    err = capsys.readouterr().err
    assert err.startswith("error: ") and err.count("\n") == 1 and "notes.md" in err and "Traceback" not in err
    assert _snapshot(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["td"]


def test_check_destination_refuses_before_the_run(tmp_path):
    dest = tmp_path / "x"
    dest.mkdir()
    (dest / "mine.txt").write_text("x")
    with pytest.raises(InputError):
        check_destination(dest, overwrite=True)
    check_destination(tmp_path / "new", overwrite=False)         # a new folder is fine


def test_default_run_records_its_command(tmp_path, monkeypatch, capsys):
    """`python run_sim.py` with no arguments: the manifest says so, and names what it expanded to."""
    monkeypatch.setattr(cli, "DEFAULT_RESULTS", tmp_path)
    monkeypatch.setattr(cli, "DEFAULT_REPLICATIONS", 3)
    assert main([]) == 0
    man = json.loads((tmp_path / "tongdao" / MANIFEST).read_text(encoding="utf-8"))
    assert man["command"] == ["run_sim.py"]
    assert man["command_text"] == "run_sim.py"
    assert man["arguments"][:2] == ["run", str(cli.DEFAULT_SCENARIO)] and "--overwrite" in man["arguments"]


def test_sub_folders_we_wrote_are_ours_but_a_user_file_inside_one_is_not(tmp_path):
    dest = tmp_path / "run1"
    with atomic_folder(dest) as tmp:
        (tmp / "maps").mkdir()
        (tmp / "maps" / "a.png").write_bytes(b"png")
        (tmp / "a.csv").write_text("x")
        from sim.outputs import list_files
        (tmp / MANIFEST).write_text(json.dumps({"written_by": WRITTEN_BY, "files": list_files(tmp)}))
    check_destination(dest, overwrite=True)                       # all ours: may be replaced
    (dest / "maps" / "my_annotations.png").write_bytes(b"mine")
    before = _snapshot(tmp_path)
    with pytest.raises(InputError) as info:
        check_destination(dest, overwrite=True)
    assert "maps/my_annotations.png" in info.value.message
    assert _snapshot(tmp_path) == before
