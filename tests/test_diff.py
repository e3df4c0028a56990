"""The diff engine: fast-diff-match-patch (C++) against the pure-Python reference."""
from __future__ import annotations

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
