"""A small on-disk cache of derived arrays (start-up speed, issue 14).

Some inputs of every run are the same from run to run and cost seconds to derive: the parsed WPP
tables (sim/population/wpp.py) and the fitted standard life table (sim/population/lifetable.py).
They are kept as ``.npz`` files in ``$MINZHENG_SIM_CACHE``, else the user cache directory
(``$XDG_CACHE_HOME`` or ``~/.cache``)/minzheng-sim.  The key hashes everything the result depends on
(the arguments, the source file of the function, and the size and time of any data files), so a
changed input or a changed algorithm is computed afresh.  The arrays read back are the same floats
that were computed.  When the directory cannot be written the value is computed every time.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path
from typing import Callable

import numpy as np


def cache_dir() -> Path | None:
    env = os.environ.get("MINZHENG_SIM_CACHE")
    if env:
        return Path(env)
    base = os.environ.get("XDG_CACHE_HOME")
    if not base:
        home = Path.home()
        base = str(home / ".cache") if home.exists() else None
    return Path(base) / "minzheng-sim" if base else None


def file_stamp(path: Path) -> str:
    """Size and modification time of a file: part of a cache key."""
    st = Path(path).stat()
    return f"{path}:{st.st_size}:{st.st_mtime_ns}"


def cached(name: str, key: tuple, compute: Callable[[], dict[str, np.ndarray]]) -> dict[str, np.ndarray]:
    """``compute()`` (a dict of arrays), read from the cache when the same ``key`` was computed before."""
    folder = cache_dir()
    digest = hashlib.sha256(repr(key).encode()).hexdigest()[:24]
    path = None if folder is None else folder / f"{name}_{digest}.npz"
    if path is not None and path.exists():
        try:
            with np.load(path) as z:
                return {k: z[k] for k in z.files}
        except (OSError, ValueError, KeyError):
            pass                                   # unreadable: compute again
    out = compute()
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            tmp = path.with_name(f"{path.stem}.{os.getpid()}.tmp.npz")
            np.savez(tmp, **out)
            os.replace(tmp, path)                  # atomic: a concurrent run never reads half a file
        except OSError:
            pass
    return out


def source_stamp(module_file: str) -> str:
    """Hash of a module's source: a changed algorithm is a new cache key."""
    return hashlib.sha256(Path(module_file).read_bytes()).hexdigest()[:16]
