"""Excerpts, gaps and renumbering (issue 16): a plan need not start at 第一条, and a renumbered article is
still the same article.

The six alignment scenarios are those of law_diff's aligner tests (a public Chinese law-diff tool), with
the unchanged case; the expectations were written by reading the texts. Each runs twice: with the
statistics fitted over the two excerpts alone, and over the real corpus as `compare run` fits them.
"""
from __future__ import annotations

import json

import pytest

from compare import api
from compare.report import render_html
from compare.sections import check_lossless, load_plan
from conftest import needs_corpus, SHARED_CORPUS

# (name, A, B, pairs in reading order as (kind, A ids, B ids, renumbered), numbers of A, numbers of B)
SCENARIOS = [
    ("split",
     "第五条 网络运营者应当建立安全管理制度，采取技术措施。",
     "第五条 网络运营者应当建立安全管理制度。\n第六条 网络运营者应当采取技术措施。",
     [("split", ["5"], ["5", "6"], False)], ["第五条"], ["第五条", "第六条"]),
    ("merge",
     "第二十条 应当登记。\n第二十一条 应当备案。",
     "第二十条 应当登记和备案。",
     [("merge", ["20", "21"], ["20"], False)], ["第二十条", "第二十一条"], ["第二十条"]),
    ("renumbered",
     "第五条 测试内容保持不变",
     "第六条 测试内容保持不变",
     [("same", ["5"], ["6"], True)], ["第五条"], ["第六条"]),
    ("modified",
     "第三条 网络运营者应当制定应急预案。",
     "第三条 网络运营者应当制定网络安全应急预案，并定期演练。",
     [("changed", ["3"], ["3"], False)], ["第三条"], ["第三条"]),
    ("added_deleted",
     "第一条 旧条款内容。\n第二条 将被删除的条款。",
     "第一条 旧条款内容。\n第三条 新增的条款。",
     [("same", ["1"], ["1"], False), ("only_b", [], ["3"], False), ("only_a", ["2"], [], False)],
     ["第一条", "第二条"], ["第一条", "第三条"]),
    ("complex",
     "第一条 应当建立制度。\n第二条 应当采取措施。\n第三条 应当加强管理。\n第四条 将被删除。",
     "第一条 应当建立健全制度。\n第二条 应当采取措施。\n第五条 新增条款内容。",
     [("changed", ["1"], ["1"], False), ("same", ["2"], ["2"], False), ("only_b", [], ["5"], False),
      ("only_a", ["3"], [], False), ("only_a", ["4"], [], False)],
     ["第一条", "第二条", "第三条", "第四条"], ["第一条", "第二条", "第五条"]),
    ("unchanged",
     "第一条 这是一条完全没有变化的法条。",
     "第一条 这是一条完全没有变化的法条。",
     [("same", ["1"], ["1"], False)], ["第一条"], ["第一条"]),
]

# The least score a changed pair may have, by reading: the share of shared characters (Dice, punctuation
# aside). 网络运营者应当制定应急预案 (13) stands whole in its 22-character amended version: 2·13/35;
# 应当建立制度 (6) stands whole in 应当建立健全制度 (8): 2·6/14.
MIN_CHANGED_SCORE = {"modified": 2 * 13 / 35, "complex": 2 * 6 / 14}


def _write(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text + "\n", encoding="utf-8")
    return path


def _check_scenario(tmp_path, corpus, name, a_text, b_text, pairs, numbers_a, numbers_b):
    a, b = _write(tmp_path, f"{name}_a.txt", a_text), _write(tmp_path, f"{name}_b.txt", b_text)
    c = api.compare(str(a), str(b), str(corpus))
    for doc, numbers in ((c.a, numbers_a), (c.b, numbers_b)):
        check_lossless(doc)
        assert [s.number for s in doc.walk()] == numbers
        assert not doc.preamble_text.strip()
    assert [(p.kind, p.a, p.b, p.renumbered) for p in c.pairs] == pairs
    for p in c.pairs:
        if p.kind == "same":
            assert p.score == 1.0
        elif p.kind == "changed":
            assert p.score >= MIN_CHANGED_SCORE[name] - 1e-4, (name, p.score)
    return c


@pytest.mark.parametrize("name, a_text, b_text, pairs, numbers_a, numbers_b", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenario_with_the_statistics_of_the_two_excerpts(tmp_path, name, a_text, b_text, pairs, numbers_a, numbers_b):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    _check_scenario(tmp_path, corpus, name, a_text, b_text, pairs, numbers_a, numbers_b)


@needs_corpus
@pytest.mark.parametrize("name, a_text, b_text, pairs, numbers_a, numbers_b", SCENARIOS, ids=[s[0] for s in SCENARIOS])
def test_scenario_with_the_statistics_of_the_real_corpus(tmp_path, name, a_text, b_text, pairs, numbers_a, numbers_b):
    _check_scenario(tmp_path, SHARED_CORPUS, name, a_text, b_text, pairs, numbers_a, numbers_b)


def test_renumbered_pair_is_flagged_in_json_report_and_summary(tmp_path):
    from compare.models import Options
    from compare.report import summary_line

    name, a_text, b_text, pairs, _, _ = SCENARIOS[2]
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    c = _check_scenario(tmp_path, corpus, name, a_text, b_text, pairs, ["第五条"], ["第六条"])
    data = json.loads(c.to_json())
    assert [(p["kind"], p["score"], p["renumbered"]) for p in data["pairs"]] == [("same", 1.0, True)]
    # Two texts of different titles (here none: each is named by its file) are two documents: nothing was
    # renumbered, the numbers differ. Two versions of one document (one title) were renumbered.
    assert c.a.title != c.b.title and "编号不同：甲第五条 ↔ 乙第六条" in render_html(c) and "编号变更" not in render_html(c)
    # ... and two documents number their articles apart anyway: the card says so, the counts do not
    assert "编号不同" not in summary_line(c) and "numbered" not in summary_line(c, "en")
    assert "编号不同 1 处" not in render_html(c)
    c.a.title = c.b.title = "某省地方金融条例"
    assert "编号变更：甲第五条 → 乙第六条" in render_html(c)
    assert "renumbered: A 第五条 → B 第六条" in render_html(c, Options(lang="en"))
    assert "1 same; 1 renumbered" in summary_line(c, "en") and "编号变更 1 处" in summary_line(c)
    assert "编号变更 1 处" in render_html(c)
    assert "编号变更 1 处" in summary_line(c)
    unchanged = _check_scenario(tmp_path, corpus, *SCENARIOS[-1])
    assert "编号变更" not in render_html(unchanged) and not json.loads(unchanged.to_json())["pairs"][0]["renumbered"]


# ---------------------------------------------------------------- parsing excerpts

PLAN_EXCERPT = """（三）构建具有区域辐射力的金融市场体系
7、优化区域多层次资本市场服务。支持符合条件的企业在境内外上市融资，发展区域性股权市场。
8、打造股权投资基金发展高地。鼓励社会资本设立创业投资基金，依法依规开展投资。
9、促进保险业协同发展。支持保险机构跨区域经营，提升保险服务水平。
"""

AMENDMENT = """第十二条 地方金融组织应当按照规定向地方金融监督管理部门报送经营数据和重大事项。

第二十条 地方金融监督管理部门应当建立风险监测预警机制，依照本条例第十二条的规定汇总分析经营数据。

第四十五条 违反本条例第二十条规定的，由地方金融监督管理部门责令改正。
"""

# (name, text, outline as (id, number, title, level), {id: a phrase its own text must hold})
EXCERPTS = [
    ("plan fragment from （三）, items 7–9", PLAN_EXCERPT,
     [("3", "（三）", "构建具有区域辐射力的金融市场体系", 1), ("3/7", "7、", "优化区域多层次资本市场服务", 2),
      ("3/8", "8、", "打造股权投资基金发展高地", 2), ("3/9", "9、", "促进保险业协同发展", 2)],
     {"3/9": "支持保险机构跨区域经营"}),
    ("amendment listing three articles", AMENDMENT,
     [("12", "第十二条", "", 1), ("20", "第二十条", "", 1), ("45", "第四十五条", "", 1)],
     {"20": "依照本条例第十二条的规定", "45": "违反本条例第二十条规定的"}),
    ("a gap: 第二条 deleted", "第一条 旧条款内容。\n第三条 新增的条款。\n",
     [("1", "第一条", "", 1), ("3", "第三条", "", 1)], {"3": "新增的条款"}),
    ("an excerpted article's items from （三）", "第二十条 有下列情形之一的，应当报告：\n（三）发生重大风险事件；\n（五）其他重大事项。\n",
     [("20", "第二十条", "", 1), ("20/3", "（三）", "", 2), ("20/5", "（五）", "", 2)], {"20/5": "其他重大事项"}),
    # What stays body text: a citation opening a line, numbers that go back, a list inside a sentence.
    ("a citation opening a line", "第十二条 地方金融组织应当报送数据。\n第二十条规定的期限届满后，不再报送。\n",
     [("12", "第十二条", "", 1)], {"12": "第二十条规定的期限届满后"}),
    ("an article number that goes back", "第五条 应当登记。\n第六条 应当备案。\n第三条 应当报告。\n",
     [("5", "第五条", "", 1), ("6", "第六条", "", 1)], {"6": "第三条 应当报告。"}),
    ("an item number that goes back", "第八条 履行下列职责：\n（三）组织实施规划；\n（二）统筹推进试点。\n",
     [("8", "第八条", "", 1), ("8/3", "（三）", "", 2)], {"8/3": "（二）统筹推进试点。"}),
    ("a list inside a sentence", "第二条 备案材料包括：1、申请书；2、章程；3、验资证明。\n",
     [("2", "第二条", "", 1)], {"2": "1、申请书；2、章程；3、验资证明。"}),
]


@pytest.mark.parametrize("name, text, outline, holds", EXCERPTS, ids=[e[0] for e in EXCERPTS])
def test_excerpt_parses_with_its_own_numbers(tmp_path, name, text, outline, holds):
    doc = load_plan(_write(tmp_path, "excerpt.txt", text.rstrip("\n")))
    check_lossless(doc)
    assert [(s.id, s.number, s.title, s.level) for s in doc.walk()] == outline
    for sid, phrase in holds.items():
        assert phrase in doc.section(sid).text
    assert not doc.warnings


@needs_corpus
def test_real_article_whose_first_item_markers_were_lost_keeps_the_rest_as_items(shared_corpus):
    """sd-ftz 第八条: the source lost the markers （一）（二）; its items （三）–（六） are still items (before, a
    list that did not start at （一） was body text), and the two unnumbered duties stay in 第八条's own text."""
    doc = load_plan(shared_corpus / "sd-ftz-regulation-2020.md")
    check_lossless(doc)
    article = doc.section("2/8")
    assert [c.number for c in article.children] == ["（三）", "（四）", "（五）", "（六）"]
    assert "贯彻执行国家有关自贸试验区建设的法律" in article.text and "拟定自贸试验区发展规划和计划" in article.text
    assert article.children[-1].text == "统计发布自贸试验区公共数据信息。"


@needs_corpus
def test_excerpt_of_three_articles_meets_them_renumbered_in_the_whole_new_law(tmp_path, shared_corpus):
    """Three articles of the 2006 AML law, pasted alone, against the whole 2024 law: 第七条 is 第十一条,
    第二十七条 is 第四十六条 word for word, 第三十七条 (本法自…起施行) is 第六十五条; nothing else pairs."""
    import re

    source = (shared_corpus / "aml-law-2006.md").read_text(encoding="utf-8")
    lines = [line for line in source.splitlines() if re.match(r"第(七|二十七|三十七)条[ \u3000]", line)]
    excerpt = _write(tmp_path, "aml-2006-excerpt.txt", "\n\n".join(lines))
    c = api.compare(str(excerpt), str(shared_corpus / "aml-law-2024.md"), str(shared_corpus))
    paired = [(p.kind, [c.a.section(x).number for x in p.a], [c.b.section(y).number for y in p.b], p.renumbered)
              for p in c.pairs if p.role == "unit" and p.a and p.b]
    assert paired == [("changed", ["第七条"], ["第十一条"], True), ("same", ["第二十七条"], ["第四十六条"], True),
                      ("changed", ["第三十七条"], ["第六十五条"], True)]
    assert sum(p.kind == "only_b" for p in c.pairs if p.role == "unit") == len(c.units_b) - 3
