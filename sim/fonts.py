"""A CJK font for every chart and map, shipped by a pip package (never a system font lookup).

The font is Noto Sans SC Regular (SIL Open Font License 1.1) from the PyPI package
``pylopdf-fonts-zh-cn``.  ``use_cjk_font()`` registers it with matplotlib and puts it first in
``font.family``, so Chinese labels render on any machine; ``cjk_font_path()`` gives the file for
other renderers (e.g. embedding a subset in an HTML report).

Errors: ``RuntimeError`` when the package is not installed (it is a dependency in
``pyproject.toml``), never a silent fallback to a font without CJK glyphs (which would draw boxes).
"""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

FONT_PACKAGE = "pylopdf_fonts_zh_cn"
FONT_FILE = "NotoSansSC-Regular.otf"
FONT_LICENSE = "SIL Open Font License 1.1 (Noto Sans SC, via the PyPI package pylopdf-fonts-zh-cn)"


@lru_cache(maxsize=1)
def cjk_font_path() -> Path:
    """Path of the shipped Noto Sans SC file.  Raises RuntimeError if the package is missing."""
    try:
        path = Path(str(resources.files(FONT_PACKAGE).joinpath(FONT_FILE)))
    except ModuleNotFoundError as exc:  # pragma: no cover - a dependency of the project
        raise RuntimeError(f"the CJK font package {FONT_PACKAGE!r} is not installed: "
                           "pip install pylopdf-fonts-zh-cn") from exc
    if not path.is_file():  # pragma: no cover
        raise RuntimeError(f"the CJK font file {FONT_FILE} is missing from {FONT_PACKAGE}")
    return path


@lru_cache(maxsize=1)
def use_cjk_font() -> str:
    """Register the shipped font with matplotlib and make it the default family.

    Returns the family name (``"Noto Sans SC"``).  Idempotent.
    """
    import matplotlib
    from matplotlib import font_manager

    path = cjk_font_path()
    font_manager.fontManager.addfont(str(path))
    name = font_manager.FontProperties(fname=str(path)).get_name()
    matplotlib.rcParams["font.family"] = [name, "DejaVu Sans"]
    matplotlib.rcParams["axes.unicode_minus"] = False  # the font lacks U+2212 in some builds
    return name
