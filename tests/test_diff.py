"""The diff engine: fast-diff-match-patch (C++) against the pure-Python reference."""
from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.diff import DELETE, EQUAL, INSERT, diff_chars, diff_tokens, sides

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


@settings(max_examples=200, deadline=None)
@given(TEXT, TEXT)
def test_kept_runs_leave_both_engines_alike_and_lossless(a, b):
    """Equal runs named as kept split the cleanup into stretches; the engines still agree, nothing is lost."""
    def kept(run, before, after):
        return run[2] >= 3 or run[2] > after[0] - run[0] - run[2]

    diffs = diff_chars(a, b, fast=True, kept=kept)
    assert diffs == diff_chars(a, b, fast=False, kept=kept)
    assert "".join(t for op, t in diffs if op != INSERT) == a
    assert "".join(t for op, t in diffs if op != DELETE) == b


# Beijing's 2020 and 2024 business-environment regulations, 第十二条 → 第十三条: the closing sentence is kept
# word for word, between a paragraph the revision deleted and one it added.
KEPT_A = ("前款第二项、第三项所称一般经营项目，是指市场主体不需要经过有关政府部门行政许可即可以开展的经营项目。\n"
          "市场主体简化注册登记手续的具体办法，由市市场监督管理部门制定，并向社会公布。")
KEPT_B = ("简化注册登记手续的具体办法，由市市场监督管理部门制定，并向社会公布。\n"
          "在中国（北京）自由贸易试验区试点商事主体登记确认制改革，最大限度尊重经营主体自主经营权。")
KEPT = "简化注册登记手续的具体办法，由市市场监督管理部门制定，并向社会公布。"


def test_a_sentence_kept_between_deleted_and_added_text_shows_as_kept(monkeypatch):
    from compare import diff
    from compare.tokenize import pieces

    assert (EQUAL, KEPT) in diff_tokens(pieces(KEPT_A), pieces(KEPT_B))
    # diff-match-patch's own cleanup, unbounded, folds it into the edits around it: struck and inserted whole
    monkeypatch.setattr(diff, "KEEP_EQUAL_CHARS", 10**9)
    assert not any(op == EQUAL and "简化注册登记" in text for op, text in diff_tokens(pieces(KEPT_A), pieces(KEPT_B)))


def _unit_pair_views(tmp_path, a_text, b_text):
    from compare.align import compare
    from compare.diff import pair_views
    from compare.sections import load_plan
    from compare.tfidf import corpus_stats
    from compare.tokenize import Segmentation

    (tmp_path / "a.md").write_text(a_text, encoding="utf-8")
    (tmp_path / "b.md").write_text(b_text, encoding="utf-8")
    a, b = load_plan(tmp_path / "a.md"), load_plan(tmp_path / "b.md")
    c = compare(a, b, corpus_stats([a, b], []))
    pair = next(p for p in c.pairs if p.a == ["2"] and p.b == ["2"])
    return pair_views(c, pair, Segmentation.of(a.text), Segmentation.of(b.text))


def test_an_item_renumbered_between_a_deleted_item_and_an_added_one_shows_its_words_as_kept(tmp_path):
    """One diff over the article matches the item numbers （三）（四） and strikes the item's words on both
    sides; aligned clause by clause, the words the two items share show as kept."""
    opening = "第一条 为了优化营商环境，制定本条例。\n"
    head = "第二条 政府有关部门应当采取下列措施简化注册登记手续：\n（一）申请人承诺所提交的材料真实、合法、有效的，实行形式审查；\n"
    a = (opening + head + "（二）设立一般经营项目的市场主体，可以按照《国民经济行业分类》中的大类登记经营范围；\n"
         "（三）多个市场主体可以使用同一地址作为登记住所；\n（四）市场主体设立分支机构，可以申请在其营业执照上注明分支机构住所。\n")
    b = (opening + head + "（二）允许多个经营主体使用同一地址作为登记住所；\n"
         "（三）推行企业住所标准化登记，以跨部门数据互联互通方式对申请人自主申报的住所信息进行智能匹配校验；\n"
         "（四）经营主体设立分支机构，可以申请在其营业执照上注明分支机构住所。\n")
    views_a, views_b = _unit_pair_views(tmp_path, a, b)
    kept_a = "".join(s.text for s in views_a["diff"] if s.op == EQUAL)
    kept_b = "".join(s.text for s in views_b["diff"] if s.op == EQUAL)
    assert "使用同一地址作为登记住所" in kept_a and "使用同一地址作为登记住所" in kept_b
    assert "".join(s.text for s in views_a["diff"]) in a and "".join(s.text for s in views_b["diff"]) in b


def test_a_word_between_two_quotes_is_not_struck_and_inserted_whole():
    """The cleanup measures runs in tokens, and 自贸试验区 is one token between two one-token quotes: it struck
    the word and inserted it whole. Measured in characters, the word outweighs the quotes and stays common."""
    a = ["（", "以下简称", "“", "自贸试验区", "”", "）", "。"]
    b = ["（", "以下简称", "自贸试验区", "）", "。"]
    side_a, side_b = sides(diff_tokens(a, b))
    assert [(s.op, s.text) for s in side_a] == [(EQUAL, "（以下简称"), (DELETE, "“"), (EQUAL, "自贸试验区"),
                                                (DELETE, "”"), (EQUAL, "）。")]
    assert {s.op for s in side_b} == {EQUAL} and "".join(s.text for s in side_b) == "".join(b)
    # ... and a word coincidentally shared between long rewrites is still folded into them
    rewritten_a = ["加强", "对", "金融机构", "的", "日常", "监督管理", "和", "风险", "评估", "工作"]
    rewritten_b = ["建立", "地方", "金融", "组织", "的", "统一", "信息", "报送", "制度", "体系"]
    assert [s.op for s in sides(diff_tokens(rewritten_a, rewritten_b))[0]] == [DELETE]
