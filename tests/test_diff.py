"""The diff engine: fast-diff-match-patch (C++) against the pure-Python reference."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.diff import DELETE, INSERT, diff_chars, diff_tokens

TEXT = st.text(alphabet="金融机构，。ab\n\ue000\U000f0000", max_size=80)


@settings(max_examples=300, deadline=None)
@given(TEXT, TEXT)
def test_fast_diff_is_the_reference_diff(a, b):
    """The same diffs, character for character, including private-use and supplementary code points."""
    assert diff_chars(a, b, fast=True) == diff_chars(a, b, fast=False)
    assert "".join(t for op, t in diff_chars(a, b) if op != INSERT) == a
    assert "".join(t for op, t in diff_chars(a, b) if op != DELETE) == b


def test_the_fast_engine_is_in_use():
    """Installed with the package; a fallback to the pure-Python engine would cost 30x on long pairs."""
    import fast_diff_match_patch  # noqa: F401

    words = ["支持", "小额贷款", "公司", "规范", "发展", "。"] * 500
    edited = words[:1000] + ["鼓励"] + words[1001:]
    diffs = diff_tokens(words, edited)
    assert [op for op, _ in diffs].count(INSERT) == 1 and [op for op, _ in diffs].count(DELETE) == 1


# Token cuts of 支持发展绿色金融。 : 支持|发展|绿色|金融|。
CUT_TEXT, CUT_ENDS = "支持发展绿色金融。", [2, 4, 6, 8, 9]


@pytest.mark.parametrize("start, end, tokens", [
    (0, 9, ["支持", "发展", "绿色", "金融", "。"]),
    (2, 6, ["发展", "绿色"]),
    (1, 5, ["持", "发展", "绿"]),  # cut inside the first and the last token
    (3, 3, []),
    (5, 2, []),
    (8, 9, ["。"]),
    (7, 12, ["融", "。", ""]),  # past the text: the slice ends it
])
def test_tokens_in_cuts_at_the_ends_and_keeps_every_character(start, end, tokens):
    from compare.diff import tokens_in
    from compare.tokenize import Segmentation

    seg = Segmentation(CUT_TEXT, CUT_ENDS)
    got = tokens_in(seg, start, end)
    assert [t for t in got if t] == [t for t in tokens if t]
    assert "".join(got) == CUT_TEXT[start:end] if start < end else got == []


@pytest.mark.parametrize("start, end, expected", [
    (0, 9, [("支持", 0, 2), ("发展", 2, 4), ("绿色", 4, 6), ("金融", 6, 8), ("。", 8, 9)]),
    (1, 5, [("持", 1, 2), ("发展", 2, 4), ("绿", 4, 5)]),
    (4, 4, []),
    (9, 12, []),  # after the last token: nothing
])
def test_force_tokens_carry_their_offsets(start, end, expected):
    from compare.force import _tokens
    from compare.tokenize import Segmentation

    assert _tokens(Segmentation(CUT_TEXT, CUT_ENDS), start, end) == expected


@pytest.mark.parametrize("a, b, shared_a, shared_b", [
    # the bigram 绿色 金融 stands on both sides; 发展 alone is neither a domain term nor 4 characters
    (["支持", "发展", "绿色", "金融"], ["绿色", "金融", "发展"], ["绿色金融"], ["绿色金融"]),
    # no shared bigram: nothing marked
    (["支持", "发展"], ["发展", "支持"], [], []),
    # a 4-character token counts alone; punctuation inside a shared run stays in it
    (["小额贷款公司", "应当", "依法"], ["设立", "小额贷款公司"], ["小额贷款公司"], ["小额贷款公司"]),
    (["绿色", "，", "金融", "改革"], ["绿色", "金融"], ["绿色，金融"], ["绿色金融"]),
    ([], ["绿色", "金融"], [], []),
])
def test_shared_phrases_mark_what_both_sides_hold(a, b, shared_a, shared_b):
    from compare.diff import shared_phrases

    side_a, side_b = shared_phrases(a, b)
    assert "".join(s.text for s in side_a) == "".join(a) and "".join(s.text for s in side_b) == "".join(b)
    assert [s.text for s in side_a if s.op == 1] == shared_a
    assert [s.text for s in side_b if s.op == 1] == shared_b
    for side in (side_a, side_b):  # runs are maximal: no two neighbours share an op
        assert all(x.op != y.op for x, y in zip(side, side[1:]))
