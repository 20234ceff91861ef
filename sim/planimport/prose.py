"""Quantitative targets in the prose and the boxes (专栏) of the plan's 14th-plan part.

A target is a figure with a target unit (``%``, ``‰``, ``个``, ``张``, ``所``, ``户``, ``座``, ``人`` …) or the
word ``全覆盖`` (-> 100 %), in a sentence that looks forward (it names a year from 2021 on, ``十四五``,
``到20xx``, or stands in a box or the goals section), with a target cue next to it: a comparator
(``不低于``, ``≥``, ``达到``, ``以上`` …, see :mod:`.figures`) or a building verb (``建设``, ``新建``,
``新增``, ``建成`` …).  The target's name is the clause before the figure; its year is the year the
sentence names (else the plan's target year, and the note says so); it is ``indicative`` unless the
sentence says 约束性 (the plan prints no attribute outside its main-indicator table).

Sentences split over two lines are joined first (:func:`.text.paragraphs`); the cited line is the
line on which the figure is printed.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .figures import GE_WORDS, GT_WORDS, LE_WORDS, comparator_of, fmt
from .mapping import propose_quantity
from .sections import boxes, review_end
from .text import PlanText, paragraphs

TARGET_UNITS = ("万平方米", "平方米", "万人次", "人次", "万人", "万个", "万张", "%", "‰", "倍", "个", "张", "所", "家", "户", "座", "人",
                "名", "处", "项", "条", "支", "次", "床")
_UNITS = "|".join(re.escape(u) for u in sorted(TARGET_UNITS, key=len, reverse=True))
_FIG = re.compile(rf"(?<![\d.:/])(\d+(?:\.\d+)?)\s*({_UNITS})(?!\d)")
_FULL = re.compile(r"全覆盖")
_YEAR = re.compile(r"(20[2-3]\d)年")
_FORWARD = re.compile(r"十四五|到20[2-3]\d|20[2-3]\d年(前|底|末)?|力争|确保|规划期")
_BUILD = ("建设", "新建", "建成", "新增", "改造", "培育", "打造", "创建", "设立", "实现", "增加", "提升", "发展", "配备", "实施", "建",
          "完成", "建立", "开通")
_CUE_BEFORE = 10


@dataclass
class ProseResult:
    targets: list[dict] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)
    sentences_seen: int = 0


def _sentences(text: str):
    start = 0
    for m in re.finditer(r"[。;!?]", text):
        yield start, text[start:m.end()]
        start = m.end()
    if start < len(text):
        yield start, text[start:]


def _name(clause: str) -> str:
    s = re.sub(r"^[\d]+[、.]\s*|^[(（]?[一二三四五六七八九十\d]+[)）、]\s*", "", clause)
    s = re.sub(r"^(到|至|在)?20\d\d年(底|末|前)?(前)?[,、]?", "", s)
    s = re.sub(r"^(力争|确保|争取)?(“十四五”|十四五)(期间|时期|末)?[,、]?", "", s)
    s = re.sub(r"^(力争|确保|争取|实现|全州|全省|全市|全县)+", lambda m: m.group(0) if m.group(0) in ("全州", "全省", "全市", "全县") else "", s)
    for w in (*GE_WORDS, *GT_WORDS, *LE_WORDS, "分别", "总体", "均"):
        if s.endswith(w):
            s = s[: -len(w)]
    return s.strip(" ,、:“”\"")


def read_prose_targets(plan: PlanText, target_year: int, skip_lines: set[int]) -> ProseResult:
    """Targets of the prose and boxes after the review; ``skip_lines`` are table lines read elsewhere."""
    out = ProseResult()
    start = review_end(plan)
    box = boxes(plan)
    k = 0
    for para in paragraphs(plan):
        if para.first_line < start or para.first_line in skip_lines:
            continue
        for off, sent in _sentences(para.text):
            line0 = para.line_at(off)
            in_box = line0 in box
            if not (_FORWARD.search(sent) or in_box):
                continue
            out.sentences_seen += 1
            years = [(m.start(), int(m.group(1))) for m in _YEAR.finditer(sent)]
            hits = [(m.start(), m.end(), float(m.group(1)), m.group(2), m.group(1)) for m in _FIG.finditer(sent)]
            hits += [(m.start(), m.end(), 100.0, "%", m.group(0)) for m in _FULL.finditer(sent)]
            for s0, s1, value, unit, printed in sorted(hits):
                before = sent[max(0, s0 - _CUE_BEFORE):s0]
                after = sent[s1:s1 + 3]
                clause = re.split(r"[,:]", sent[:s0])[-1]
                if sent[s1:s1 + 1] in ("年", "月") or re.match(r"^[—\-~]", after):
                    continue
                if re.search(r"单个|床均|每床|按每|人均面积", clause):
                    out.skipped.append((para.line_at(off + s0), f"{printed}{unit} in '{clause[-24:]}': a norm per "
                                                                 "unit, not a target"))
                    continue
                rng = re.search(r"(\d+(?:\.\d+)?)\s*[至—\-~]\s*$", sent[:s0])
                range_note = ""
                if rng:
                    range_note = f"a range {rng.group(1)}至{printed}{unit}: the lower end is the target"
                    value, printed = float(rng.group(1)), sent[rng.start():s0 + len(printed)]
                    s0 = rng.start()
                    clause = re.split(r"[,:]", sent[:s0])[-1]
                if printed.startswith("全") or printed.startswith("全面"):
                    comp, cue = ">=", "全覆盖 -> 100%"
                else:
                    comp = comparator_of(before + after[:2] if not after.startswith("以上") else "以上")
                    cue = comp and "comparator"
                    if comp is None and re.search(r"确保|力争|争取|达到|提高到|实现", clause):
                        comp, cue = ">=", "a target word in the clause (确保/力争/达到/实现)"
                    if comp is None and any(w in clause[-12:] for w in _BUILD):
                        comp, cue = ">=", "a building verb: read as at least"
                    if comp is None:
                        out.skipped.append((para.line_at(off + s0), f"{printed}{unit} in '{sent[max(0, s0 - 20):s1 + 4]}': "
                                                                     "no comparator or target verb next to it"))
                        continue
                name = _name(clause) or _name(sent[:s0])
                noun = re.split(r"[,;。、(:]", sent[s1:])[0][:20]
                if noun and (len(name) < 4 or any(name.endswith(w) for w in (*_BUILD, "有", "拥有", "至少", "建"))):
                    name = f"{name}{noun}"
                if len(name) < 2:
                    out.skipped.append((para.line_at(off + s0), f"{printed}{unit}: no name before the figure"))
                    continue
                prior = [y for p, y in years if p < s0] or [y for _, y in years]
                notes = []
                if prior:
                    year = prior[-1]
                else:
                    year = target_year
                    notes.append(f"year not printed in the sentence: the plan's target year {target_year}")
                if "分别" in sent[:s0]:
                    notes.append("the sentence lists several targets (分别): check which name goes with this figure")
                if printed.startswith("全"):
                    notes.append("全覆盖 read as 100%")
                if range_note:
                    notes.append(range_note)
                line = para.line_at(off + s0)
                end_line = para.line_at(off + s1 - 1)
                cite = plan.cite(line)
                if end_line != line:
                    cite += f"; {plan.cite(end_line)}"
                    notes.append(f"the figure is broken over lines {line}-{end_line}")
                k += 1
                q = propose_quantity(name, unit)
                if q:
                    notes.append(f"quantity {q} proposed from the name (check it)")
                notes.append(f"cue: {cue}")
                if in_box:
                    notes.append(f"box: {box[line0]}")
                binding = "binding" if "约束性" in sent else "indicative"
                if binding == "indicative":
                    notes.append("indicative: the plan prints no attribute for this target (assumption)")
                out.targets.append({
                    "id": f"S{k:03d}", "name_zh": name[-40:], "unit": unit, "year": year, "comparator": comp,
                    "value": fmt(value), "value_text": "", "binding": binding,
                    "kind": "computed" if q else "tracked", "quantity": q or "", "main_table": "no",
                    "basis": "plan: prose" + (" (box)" if in_box else ""),
                    "source": cite, "printed": printed,
                    "note": "; ".join(notes)})
    return out
