"""Write a run's results folder whole or not at all.

Files are written into a hidden temporary folder beside the destination and renamed into place at
the end, so an error or an interrupt never leaves a half-written results folder, and an existing
folder is replaced only when the user asked for it.
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


@contextmanager
def atomic_folder(dest: Path, overwrite: bool = False) -> Iterator[Path]:
    dest = Path(dest)
    if dest.exists() and not overwrite:
        raise InputError(dest, "--out", "results folder already exists (choose another --out or pass --overwrite)")
    dest.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    try:
        yield tmp
        if dest.exists():
            old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
            os.replace(dest, old)
            os.replace(tmp, dest)
            shutil.rmtree(old, ignore_errors=True)
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
