"""A results folder appears whole or not at all, and is never silently overwritten."""

from __future__ import annotations

import pytest

from sim.errors import InputError
from sim.outputs import atomic_folder


def test_failure_leaves_no_folder(tmp_path):
    dest = tmp_path / "run1"
    with pytest.raises(RuntimeError):
        with atomic_folder(dest) as tmp:
            (tmp / "indicators.csv").write_text("half")
            raise RuntimeError("model failed")
    assert not dest.exists()
    assert list(tmp_path.iterdir()) == []          # no partial folder left behind


def test_existing_folder_is_not_overwritten_without_asking(tmp_path):
    dest = tmp_path / "run1"
    dest.mkdir()
    (dest / "keep.txt").write_text("old")
    with pytest.raises(InputError) as info:
        with atomic_folder(dest):
            pass
    assert info.value.field == "--out" and "already exists" in info.value.message
    assert (dest / "keep.txt").read_text() == "old"


def test_overwrite_replaces_whole_folder(tmp_path):
    dest = tmp_path / "run1"
    dest.mkdir()
    (dest / "stale.csv").write_text("old")
    with atomic_folder(dest, overwrite=True) as tmp:
        (tmp / "new.csv").write_text("new")
    assert sorted(p.name for p in dest.iterdir()) == ["new.csv"]
    assert sorted(p.name for p in tmp_path.iterdir()) == ["run1"]
