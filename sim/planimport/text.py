"""Plan text as converted from PDF or Word: read it, normalise each line, find cells and paragraphs.

The converters that produce the seeds (and most county plans found online) flatten a table one cell
per line (a line starting with a tab is a cell; a cell broken over two lines continues on a line
without a tab), or one row per line with tab-separated cells; they leave page markers (``- 12 -``,
``第3页``, form feeds), Word bookmarks (``[bookmark: _Toc123]``), Markdown emphasis and headings,
full-width digits (``２０２５``) and lines broken in the middle of a sentence.

:func:`read_plan` keeps every physical line with its 1-based number (the number an editor shows:
lines are split on ``\\n`` only), so every figure read later can cite ``<file>:<line>``.
:func:`normalise` is the one text rule used everywhere: Unicode NFKC (full-width digits and
punctuation to ASCII: ``２０２５`` -> ``2025``, ``（`` -> ``(``, ``％`` -> ``%``, ``＞`` -> ``>``, ``㎡``
-> ``m2``), bookmarks and images removed, spaces next to Chinese characters removed (``2025 年`` ->
``2025年``).  Errors: :class:`sim.errors.InputError` for a missing file, a folder, or a file that is
not UTF-8 text.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from ..errors import InputError

_MARKUP = re.compile(r"\[(?:bookmark|image)[^\]]*\]")
_EMPHASIS = re.compile(r"\*\*|__")
_HEADING = re.compile(r"^\s*#{1,6}\s+")
_SPACE_CJK = re.compile(r"[ \u3000\u00a0]+(?=[^\x00-\x7f])|(?<=[^\x00-\x7f])[ \u3000\u00a0]+")
_PAGE = re.compile(r"^\s*(?:[-—–~_]+\s*\d{1,4}\s*[-—–~_]+|第\s*\d{1,4}\s*页(?:\s*[,/]?\s*共\s*\d{1,4}\s*页)?|"
                   r"(?:page|Page|PAGE)\s*\d{1,4}(?:\s*(?:of|/)\s*\d{1,4})?|\d{1,4}\s*/\s*\d{1,4})\s*$")
SENTENCE_END = "。！？；：!?;:"


def normalise(raw: str) -> str:
    """One line of plan text in the form every reader uses (see the module docstring); no tabs kept."""
    s = raw.replace("\f", " ").replace("\ufeff", "")
    s = _MARKUP.sub("", s)
    s = unicodedata.normalize("NFKC", s)
    s = _EMPHASIS.sub("", s)
    s = _HEADING.sub("", s)
    s = s.replace("\t", " ")
    s = _SPACE_CJK.sub("", s)
    return re.sub(r" {2,}", " ", s).strip()


def is_page_marker(raw: str) -> bool:
    """``- 12 -``, ``—12—``, ``第3页``, ``第 3 页 共 40 页``, ``Page 3 of 40``, ``3/40`` or a form feed alone."""
    s = unicodedata.normalize("NFKC", raw.replace("\f", " ")).strip()
    return (not s and "\f" in raw) or bool(s and _PAGE.match(s))


@dataclass
class Line:
    no: int            # 1-based line number in the file
    raw: str
    text: str          # normalise(raw)
    kind: str          # "blank", "page", "cell" (starts with a tab), "row" (tab-separated cells), "text"
    cells: list[str] = field(default_factory=list)   # for "cell" and "row": the normalised cells


@dataclass
class PlanText:
    path: Path
    lines: list[Line]

    @property
    def name(self) -> str:
        return self.path.name

    def cite(self, no: int) -> str:
        return f"{self.name}:{no}"

    def line(self, no: int) -> Line:
        return self.lines[no - 1]


def _classify(no: int, raw: str) -> Line:
    if is_page_marker(raw):
        return Line(no, raw, "", "page")
    text = normalise(raw)
    body = raw.rstrip(" \r")
    if body.startswith("\t") and "\t" not in body[1:].rstrip("\t"):
        return Line(no, raw, text, "cell", [normalise(body[1:])])
    if "\t" in body.strip(" "):
        cells = body.split("\t")
        while len(cells) > 1 and not cells[-1].strip():
            cells.pop()
        return Line(no, raw, text, "row", [normalise(c) for c in cells])
    return Line(no, raw, text, "blank" if not text else "text")


def read_plan(path: str | Path) -> PlanText:
    """Read a plan text file (UTF-8, with or without BOM); raises InputError with one clear line."""
    path = Path(path)
    if not path.exists():
        raise InputError(path, "PLAN", "file not found")
    if not path.is_file():
        raise InputError(path, "PLAN", "is not a file")
    data = path.read_bytes()
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[:exc.start].count(b"\n") + 1
        raise InputError(path, "encoding", f"not UTF-8 text (byte {exc.start}); convert the plan to UTF-8 "
                         "(e.g. iconv -f GB18030 -t UTF-8)", row=line) from None
    if "\x00" in text:
        raise InputError(path, "encoding", "holds NUL bytes: a binary file (PDF, DOCX?), not plain text; "
                         "convert the plan to text first")
    raw_lines = text.split("\n")
    if raw_lines and raw_lines[-1] == "":
        raw_lines.pop()
    return PlanText(path, [_classify(i, r.rstrip("\r")) for i, r in enumerate(raw_lines, start=1)])


@dataclass
class Paragraph:
    """Consecutive text lines joined where a sentence was broken; ``spans`` maps text offsets to lines."""
    text: str
    spans: list[tuple[int, int]]      # (offset where the line's text starts, line number)

    @property
    def first_line(self) -> int:
        return self.spans[0][1]

    def line_at(self, offset: int) -> int:
        no = self.spans[0][1]
        for start, n in self.spans:
            if start <= offset:
                no = n
            else:
                break
        return no


_STARTS_ITEM = re.compile(r"^(?:第.{1,3}[章节条]|[一二三四五六七八九十]+、|[(（][一二三四五六七八九十\d]+[)）]|"
                          r"\d+[、.．]|——|专栏|表\s*\d)")


def paragraphs(plan: PlanText) -> list[Paragraph]:
    """Text lines (not table cells) as paragraphs: a line not ending a sentence (``。；：！？``) and at
    least 25 characters long is continued by the next text line, across blank lines and page markers,
    unless that line starts a new item (``一、``, ``(二)``, ``3.``, ``第二节``, ``——``, ``专栏``).
    Table cells are paragraphs of their own (one per cell line)."""
    out: list[Paragraph] = []
    cur: Paragraph | None = None
    for ln in plan.lines:
        if ln.kind in ("blank", "page"):
            continue
        if ln.kind in ("cell", "row"):
            cur = None
            out.append(Paragraph(ln.text, [(0, ln.no)]))
            continue
        joinable = (cur is not None and len(cur.text) - cur.spans[-1][0] >= 25
                    and cur.text[-1] not in SENTENCE_END and not _STARTS_ITEM.match(ln.text))
        if joinable:
            cur.spans.append((len(cur.text), ln.no))
            cur.text += ln.text
        else:
            cur = Paragraph(ln.text, [(0, ln.no)])
            out.append(cur)
    return out
