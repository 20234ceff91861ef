"""Read one printed figure: a number with its comparator and unit, as a plan prints it.

``parse_value('≥55')`` -> Figure(55, '>=', '', '55'); ``'＞30平方米'`` -> (30, '>', '平方米');
``'75%'`` -> (75, None, '%'); ``'1.3倍'`` -> (1.3, None, '倍'); ``'100个'`` -> (100, None, '个');
``'不低于居民上年度人均消费支出增速'`` -> a target in words (value None); ``'——'``, ``'-'``, ``'/'`` -> empty.
Chinese numerals (``十五``, ``一百零三``) are read with ``cn2an`` (:func:`cn_number`).

Comparators are those of the scenario format (``>=``, ``>``, ``<=``, ``<``, ``==``): ``≥ 不低于 不少于
以上 达到 达 力争 确保`` -> ``>=``; ``＞ > 超过 高于`` -> ``>``; ``≤ 不超过 不高于 以内 以下 控制在`` -> ``<=``;
``＜ <`` -> ``<``.  A bare figure has no comparator of its own (the caller decides, and says so).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

UNITS = ("万平方米", "平方米", "m2", "万人次", "人次", "万人", "万户", "万张", "万个", "万元", "亿元", "元/人·月",
         "元/人·年", "%", "‰", "倍", "个", "张", "人", "名", "户", "座", "所", "家", "处", "亩", "元", "公里", "项",
         "床", "间", "次", "辆", "套", "支", "级", "岁", "年", "小时", "天")
_UNIT_RE = "|".join(re.escape(u) for u in sorted(UNITS, key=len, reverse=True))
NUMBER = r"\d+(?:\.\d+)?"
_VALUE = re.compile(rf"^(?P<pre>[^\d]*?)(?P<num>{NUMBER})\s*(?P<unit>{_UNIT_RE})?(?P<post>.*)$")
_EMPTY = {"", "-", "--", "—", "——", "/", "—-", "无", "/ ", "－"}
GE_WORDS = ("≥", ">=", "不低于", "不少于", "达到", "达", "以上", "力争", "确保", "提高到", "增加到", "至少")
GT_WORDS = (">", "超过", "高于")
LE_WORDS = ("≤", "<=", "不超过", "不高于", "以内", "以下", "控制在")
LT_WORDS = ("<",)


@dataclass(frozen=True)
class Figure:
    value: float | None        # None: a target stated in words (``text``)
    comparator: str | None
    unit: str
    printed: str               # the number exactly as printed (after normalisation), e.g. "0.35", "55"
    text: str                  # the whole cell / phrase


def comparator_of(text: str) -> str | None:
    """The comparator a phrase states (``≥``, ``不低于``, ``以上`` ...), or None."""
    for words, op in ((LE_WORDS, "<="), (GE_WORDS, ">="), (GT_WORDS, ">"), (LT_WORDS, "<")):
        if any(w in text for w in words):
            return op
    return None


def parse_value(cell: str) -> Figure | None:
    """A value cell of a table (see the module docstring); None for an empty cell."""
    s = cell.strip().replace(" ", "")
    if s in _EMPTY:
        return None
    m = _VALUE.match(s)
    if not m or (m.group("pre") and not re.fullmatch(r"[≥≤><=约]*|不低于|不少于|不超过|达到|超过|高于", m.group("pre"))):
        return Figure(None, comparator_of(s), "", "", s)
    post = m.group("post")
    if post and not re.fullmatch(r"(以上|以下|以内|左右)?", post):
        return Figure(None, comparator_of(s), "", "", s)
    op = comparator_of(m.group("pre") + post)
    return Figure(float(m.group("num")), op, m.group("unit") or "", m.group("num"), s)


def unit_in_name(name: str) -> tuple[str, str]:
    """``'福利彩票销售网点数(万个)'`` -> (``'福利彩票销售网点数'``, ``'万个'``); the unit in brackets at the end."""
    m = re.match(r"^(.*?)\s*[(（]\s*([^()（）]{1,8})\s*[)）]\s*$", name)
    if m and (m.group(2) in UNITS or m.group(2) in ("人/元/年", "人/元/月") or len(m.group(2)) <= 3):
        return m.group(1), m.group(2)
    return name, ""


def cn_number(text: str) -> int | None:
    """A count printed in Chinese numerals (``十五`` -> 15) or digits; None if it is neither."""
    text = text.strip()
    if text.isdigit():
        return int(text)
    import cn2an        # imported here: it takes most of a second to load

    try:
        v = cn2an.cn2an(text, "strict")
    except (ValueError, KeyError, TypeError):
        return None
    return int(v) if float(v).is_integer() else None


def fmt(v: float) -> str:
    """A number written back without a trailing .0 (``55.0`` -> ``55``)."""
    return f"{v:.10g}"
