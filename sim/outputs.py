"""Write a run's results folder whole or not at all, and never delete anything we did not write.

Files are written into a hidden temporary folder beside the destination and renamed into place at
the end, so an error or an interrupt never leaves a half-written results folder.  An existing
folder is replaced only when the user asked for it (``--overwrite``) *and* it is a folder this
program wrote: it holds a ``manifest.json`` with ``"written_by": "minzheng-sim"`` that lists every
file in the folder and its sub-folders (``list_files``).  A folder holding anything else (a user's notes, a sub-folder, a file the
manifest does not list) is refused and left untouched.
"""

from __future__ import annotations

import json
import os
import shutil
import tempfile
from contextlib import contextmanager
from pathlib import Path
from typing import Iterator

from .errors import InputError

WRITTEN_BY = "minzheng-sim"
MANIFEST = "manifest.json"


def _umask() -> int:
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def check_destination(dest: Path, overwrite: bool = False) -> None:
    """Raise InputError unless ``dest`` may be written: it does not exist, or ``overwrite`` is set
    and it is a results folder of ours holding only the files its manifest lists."""
    dest = Path(dest)
    if not dest.exists() and not dest.is_symlink():
        return
    if not overwrite:
        raise InputError(dest, "--out", "results folder already exists (choose another --out or pass --overwrite)")
    if dest.is_symlink() or not dest.is_dir():
        raise InputError(dest, "--out", "exists and is not a results folder; --overwrite replaces only a folder "
                         "this program wrote (nothing was changed)")
    man = dest / MANIFEST
    try:
        data = json.loads(man.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        data = None
    if not isinstance(data, dict) or data.get("written_by") != WRITTEN_BY or not isinstance(data.get("files"), list):
        raise InputError(dest, "--out", f"has no {MANIFEST} written by this program; --overwrite replaces only a "
                         "results folder this program wrote (nothing was changed)")
    ours = set(map(str, data["files"])) | {MANIFEST}
    foreign = sorted(rel for rel, p in _entries(dest) if p.is_symlink() or (not p.is_dir() and rel not in ours)
                     or (p.is_dir() and not any(f.startswith(rel + "/") for f in ours)))
    if foreign:
        raise InputError(dest, "--out", f"holds {foreign[0]!r}, which this program did not write "
                         f"({len(foreign)} such entr{'y' if len(foreign) == 1 else 'ies'}); move it away or choose "
                         "another --out (nothing was changed)")


def _entries(folder: Path):
    """(relative posix path, Path) of everything under ``folder``, depth first, symlinks not followed."""
    for p in sorted(folder.rglob("*")):
        yield p.relative_to(folder).as_posix(), p


def list_files(folder: Path) -> list[str]:
    """Every file under ``folder`` as a relative posix path (``maps/a.png``): what a manifest lists."""
    return sorted(rel for rel, p in _entries(Path(folder)) if p.is_file() and not p.is_symlink())


@contextmanager
def atomic_folder(dest: Path, overwrite: bool = False) -> Iterator[Path]:
    """Yield a hidden temporary folder; on success it becomes ``dest`` (mode 0777 minus the umask)."""
    dest = Path(dest)
    check_destination(dest, overwrite)
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    try:
        yield tmp
        os.chmod(tmp, 0o777 & ~_umask())      # mkdtemp makes 0700; a results folder is an ordinary folder
        check_destination(dest, overwrite)     # nothing foreign appeared while we were computing
        if dest.exists():
            old = Path(tempfile.mkdtemp(prefix=f".{dest.name}.old-", dir=dest.parent))
            os.replace(dest, old / dest.name)
            os.replace(tmp, dest)
            shutil.rmtree(old, ignore_errors=True)   # only our own files (checked above)
        else:
            os.replace(tmp, dest)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise


def write_json(path: Path, data) -> None:
    path.write_text(json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False) + "\n", encoding="utf-8")


def write_csv(path: Path, df) -> None:
    """CSV in UTF-8 with BOM, so Excel shows the Chinese names; floats rounded for byte-stable files."""
    df.to_csv(path, index=False, encoding="utf-8-sig", float_format="%.10g", lineterminator="\n")
