"""Matching forms: the text every stage compares, character for character.

``match_form(text)`` has the same length as ``text``, so a span found in the
matching form is a span of the original. Stages match on it (tokenize,
sentences, align, diff) and show the original.
"""
from __future__ import annotations

from functools import lru_cache
from pathlib import Path

_FULLWIDTH_TO_ASCII = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH_TO_ASCII.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH_TO_ASCII.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_HALF_TO_FULL_PUNCT = str.maketrans("(),;:!?", "（），；：！？")


@lru_cache(maxsize=1)
def _match_table() -> dict[int, int]:
    table = dict(_FULLWIDTH_TO_ASCII)
    table.update({ord(k): ord(v) for k, v in {"\u00a0": " ", "\u3000": " ", "\t": " "}.items()})
    table.update(_HALF_TO_FULL_PUNCT)
    t2s = Path(__file__).with_name("data") / "t2s.txt"
    for line in t2s.read_text(encoding="utf-8").splitlines():
        if len(line) == 2:
            table[ord(line[0])] = ord(line[1])
    return table


def match_form(text: str) -> str:
    """Text for matching: same length as ``text``, character for character.

    Full-width digits and letters become ASCII, half-width punctuation becomes
    full-width, odd spaces become spaces, traditional characters simplified.
    """
    return text.translate(_match_table())
