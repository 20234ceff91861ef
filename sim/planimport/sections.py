"""Where the review of the 13th plan (十三五) ends and the 14th plan's goals and tasks begin, and which
box (专栏) a line belongs to.

The review is the text before the first heading that opens the plan's outlook: 指导思想, 总体要求,
总体思路, 发展要求, 发展形势, 面临的形势 or 机遇和挑战 (a text line shorter than 60 characters; table of
contents rows are tab-separated and do not count).  A box starts at a line whose text begins with
``专栏`` and runs over the numbered items below it, until the first line that is neither an item nor a
cell.
"""

from __future__ import annotations

import re

from .text import PlanText

_OUTLOOK = re.compile(r"指导思想|总体要求|总体思路|发展要求|发展形势|面临的形势|机遇和挑战")
_ITEM = re.compile(r"^\s*(\d+[、.．]|[(（]\d+[)）]|[①-⑳])")


def review_end(plan: PlanText) -> int:
    """The line number of the first outlook heading (the review is the lines before it); 0 if none."""
    for ln in plan.lines:
        if ln.kind == "text" and len(ln.text) < 60 and _OUTLOOK.search(ln.text):
            return ln.no
    return 0


def boxes(plan: PlanText) -> dict[int, str]:
    """line number -> title of the box (专栏) the line belongs to."""
    out: dict[int, str] = {}
    title = None
    for ln in plan.lines:
        if ln.kind in ("blank", "page"):
            continue
        if ln.text.startswith("专栏"):
            title = ln.text
            out[ln.no] = title
            continue
        if title and (ln.kind == "cell" or _ITEM.match(ln.text)):
            out[ln.no] = title
        else:
            title = None
    return out
