"""Reports a bureau can file, built from a results folder (a run's or a comparison's):

* ``html.build_html(folder)``: one self-contained ``report.html`` (tables, charts as inline images,
  the CJK font subset embedded; no network request when opened);
* ``xlsx.build_xlsx(folder)``: ``report.xlsx`` (openpyxl) with frozen headers, number formats and widths.

Both read only the folder's files (``tables.load_folder``), so ``run_sim.py report RESULTS_DIR`` rebuilds
them later exactly as ``run`` and ``compare`` wrote them.
"""

from __future__ import annotations

from pathlib import Path


def build_reports(folder: Path) -> list[Path]:
    """Write report.html and report.xlsx into ``folder``; returns their paths."""
    from .html import build_html
    from .tables import load_folder
    from .xlsx import build_xlsx

    folder = Path(folder)
    data = load_folder(folder)
    paths = [build_xlsx(data, folder / "report.xlsx"), build_html(data, folder / "report.html")]
    _list_in_manifest(folder, [p.name for p in paths])
    return paths


def _list_in_manifest(folder: Path, names: list[str]) -> None:
    """A folder rebuilt later (`report`) keeps listing every file it holds, so `--overwrite` still
    recognises it as ours (sim.outputs.check_destination)."""
    import json

    from ..outputs import MANIFEST, WRITTEN_BY, write_json

    path = folder / MANIFEST
    if not path.is_file():
        return
    try:
        man = json.loads(path.read_text(encoding="utf-8"))
    except ValueError:
        return
    if isinstance(man, dict) and man.get("written_by") == WRITTEN_BY and isinstance(man.get("files"), list):
        if not set(names) <= set(man["files"]):
            man["files"] = sorted(set(man["files"]) | set(names))
            write_json(path, man)
