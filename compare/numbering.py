"""Numbering markers of Chinese policy documents, and Chinese numerals.

A marker opens a paragraph: 第X编/章/节/条/款, 一、, （一）/(一), 1、/1./1．,
（1）/(1), ①, 附件/附表, 专栏. ``match_marker`` recognises one and returns
its style, its value as an int, the marker as written and the rest.
"""
from __future__ import annotations

from dataclasses import dataclass

from .patterns import lazy_compile

_DIGITS = {"零": 0, "〇": 0, "○": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5,
           "六": 6, "七": 7, "八": 8, "九": 9}
_UNITS = {"十": 10, "百": 100, "千": 1000}
CN_NUM = "零〇○一二两三四五六七八九十百千万"


def cn_to_int(text: str) -> int | None:
    """Value of a Chinese numeral such as 二十八 or 一百零三, or ASCII digits; None if neither."""
    if text.isdigit():
        return int(text)
    total, digit = 0, None
    for ch in text:
        if ch in _DIGITS:
            digit = _DIGITS[ch]
        elif ch == "万":  # 一万二千三百: what came before counts in ten thousands
            total = (total + (digit or 0) or 1) * 10000
            digit = None
        elif ch in _UNITS:
            total += (1 if digit is None else digit) * _UNITS[ch]
            digit = None
        else:
            return None
    return total + (digit or 0)


def int_to_cn(n: int) -> str:
    """Chinese numeral for 1..999: 28 -> 二十八."""
    digits = "零一二三四五六七八九"
    if n < 10:
        return digits[n]
    if n < 20:
        return "十" + (digits[n % 10] if n % 10 else "")
    if n < 100:
        return digits[n // 10] + "十" + (digits[n % 10] if n % 10 else "")
    rest = n % 100
    tail = "" if rest == 0 else ("零" + digits[rest] if rest < 10 else ("一" + int_to_cn(rest) if rest < 20 else int_to_cn(rest)))
    return digits[n // 100] + "百" + tail


LEGAL_RANK = {"bian": 0, "zhang": 1, "jie": 2, "tiao": 3, "kuan": 4}
LEGAL_UNIT = {"编": "bian", "章": "zhang", "节": "jie", "条": "tiao", "款": "kuan",
              "編": "bian", "節": "jie", "條": "tiao"}  # traditional script
CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"

_PATTERNS = [
    # up to 第一万二千三百四十五条 / 第99999条: the Civil Code runs to 第一千二百六十条, seven numerals
    ("legal", lazy_compile(rf"第([{CN_NUM}]{{1,9}}|\d{{1,5}})([编章节条款編節條])")),
    ("cn_dun", lazy_compile(rf"([{CN_NUM}]{{1,4}})[、．]")),
    ("cn_paren", lazy_compile(rf"[（(]([{CN_NUM}]{{1,4}})[）)]")),
    ("arabic_paren", lazy_compile(r"[（(](\d{1,3})[）)]")),
    ("arabic", lazy_compile(r"(\d{1,3})(?:[、．]|\.(?!\d))")),
    ("circled", lazy_compile(rf"([{CIRCLED}])")),
    ("annex", lazy_compile(rf"(附件|附表)\s*(\d{{1,2}}|[{CN_NUM}]{{1,3}})?\s*[:：]?\s*")),
    ("box", lazy_compile(rf"(专栏|專欄)\s*(\d{{1,2}}|[{CN_NUM}]{{1,3}})?\s*[:：]?\s*")),
]


@dataclass(frozen=True)
class Marker:
    style: str  # bian/zhang/jie/tiao/kuan/cn_dun/cn_paren/arabic_paren/arabic/circled/annex/box
    value: int
    written: str  # the marker as written, e.g. "第三章", "（五）", "17、"; for an implied one, its name (第二款)
    rest: str  # the paragraph after the marker
    implied: bool = False  # not written: an article's paragraph after its items, named as the law cites it


# every character a marker can open with (and any decimal digit, as \\d matches): others are tried no further
_OPENERS = frozenset("第（(附专專" + CN_NUM + CIRCLED)


def match_marker(paragraph: str) -> Marker | None:
    """The numbering marker that opens ``paragraph``, if any."""
    if not paragraph or (paragraph[0] not in _OPENERS and not paragraph[0].isdecimal()):
        return None
    for kind, pattern in _PATTERNS:
        m = pattern.match(paragraph)
        if not m:
            continue
        rest = paragraph[m.end():]
        if kind == "legal":
            value, style = cn_to_int(m.group(1)), LEGAL_UNIT[m.group(2)]
        elif kind == "circled":
            value, style = CIRCLED.index(m.group(1)) + 1, kind
        elif kind in ("annex", "box"):
            value, style = cn_to_int(m.group(2)) if m.group(2) else 1, kind
        else:
            value, style = cn_to_int(m.group(1)), kind
        if value is None or value == 0:
            return None
        written = m.group(0).rstrip()
        if kind in ("annex", "box"):
            written = written.rstrip(":： ")
        return Marker(style, value, written, rest)
    return None


def starts_with_marker(line: str) -> bool:
    return match_marker(line) is not None


def longest_increasing(seq: list[int]) -> set[int]:
    """Indexes (into seq) of one longest strictly increasing subsequence; ties resolved to the earliest."""
    import bisect

    tails, tails_idx, prev = [], [], [-1] * len(seq)
    for i, x in enumerate(seq):
        k = bisect.bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
            tails_idx.append(i)
        else:
            tails[k], tails_idx[k] = x, i
        prev[i] = tails_idx[k - 1] if k else -1
    keep, i = set(), tails_idx[-1] if tails_idx else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


def longest_increasing_earliest(values: list[int]) -> set[int]:
    """Indexes of one longest strictly increasing subsequence of ``values``; among equally long ones,
    the one that keeps the earliest numbers (in 5, 3 the 5 stays: the later number is the one that went back)."""
    # The patience method keeps the latest of equal candidates; run it backwards on negated values.
    return {len(values) - 1 - i for i in longest_increasing([-v for v in reversed(values)])}
