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

    data = load_folder(Path(folder))
    return [build_xlsx(data, Path(folder) / "report.xlsx"), build_html(data, Path(folder) / "report.html")]
