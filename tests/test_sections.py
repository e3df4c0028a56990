"""Section parsing: table-driven cases (input file → expected outline), the seed, the real corpus."""
from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.serialize import outline_tree
from compare.sections import check_lossless, load_plan
from conftest import DATA, SEED, needs_corpus, real_corpus_files

CASES = sorted(p for p in (DATA / "sections").iterdir() if p.suffix != ".expected")


@pytest.mark.parametrize("case", CASES, ids=[p.name for p in CASES])
def test_outline_matches_expected(case):
    doc = load_plan(case)
    check_lossless(doc)
    assert outline_tree(doc, lang="en") == case.with_suffix(".expected").read_text(encoding="utf-8")


def test_seed_parses_as_written():
    doc = load_plan(SEED)
    check_lossless(doc)
    assert [s.number + s.title for s in doc.sections] == ["一、总体要求", "二、主要任务", "三、保障措施"]
    one, two, three = doc.sections
    assert [c.title for c in one.children] == ["指导思想", "基本原则", "战略目标"]
    assert [c.number for c in one.children[1].children] == ["1、", "2、", "3、", "4、"]
    assert [c.number for c in two.children] == [f"({n})" for n in "一二三四五六七"]
    items = [g for c in two.children for g in c.children]
    assert [int(g.number.rstrip("、")) for g in items] == list(range(1, 29))
    assert items[4].title == "推进金融市场一体化"
    assert items[27].title == "支持全国性交易所和金融机构在成渝地区设立交易系统和数据备份中心"
    assert items[4].text.startswith("推动在担保、不良资产处置")
    assert [c.title for c in three.children] == ["加强组织协调", "优化政策支持", "加强人才队伍建设", "强化监督管理"]
    assert three.children[0].text.startswith("坚持党中央对金融工作的集中统一领导")


def test_seed_metadata_and_preamble():
    doc = load_plan(SEED)
    assert doc.title == "成渝共建西部金融中心规划"
    assert doc.date == "2021-12-13"
    assert doc.issuers == ["中国人民银行", "国家发展改革委", "财政部", "银保监会", "证监会", "国家外汇管理局",
                           "重庆市人民政府", "四川省人民政府"]
    assert doc.preamble_text.startswith("《成渝共建西部金融中心规划》已经国务院同意")
    assert "2021年12月13日" in doc.preamble_text
    assert [b.kind for b in doc.boilerplate] == ["footer", "link", "navigation"]
    assert doc.boilerplate[0].text == "（文章来源：央行网站）"


def test_seed_clauses_split_on_sentence_ends_but_not_inside_quotes():
    doc = load_plan(SEED)
    item17 = doc.section("2/5/17")
    assert item17.clauses[0].text.startswith("鼓励成渝地区在与共建“一带一路”国家")
    for clause in item17.clauses:
        assert doc.text[clause.span[0]:clause.span[1]] == clause.text
        assert clause.text.count("“") == clause.text.count("”")
    joined = "".join(c.text for c in item17.clauses)
    assert joined == re.sub(r"\s", "", item17.text)


def test_inline_heading_and_reference_false_positives():
    doc = load_plan(DATA / "sections" / "plan_style.txt")
    headings = [s.number for s in doc.walk()]
    # 第三条规定…, 2025年…, 十四五…, 一带一路… stay in the body of the section before them
    assert not any(h.startswith(("第", "2025", "十", "一带")) for h in headings)
    assert "第三条规定的情形不在此列" in doc.section("2/1/4").text
    assert "一带一路沿线合作持续深化" in doc.section("2/2/5").text


@needs_corpus
@pytest.mark.parametrize("path", real_corpus_files(), ids=lambda p: p.stem)
def test_every_real_plan_parses_losslessly_with_all_articles(path):
    doc = load_plan(path)
    check_lossless(doc)
    body = doc.text
    # Articles found by an independent reading of the source: lines that open with 第X条 and a space.
    expected = len(re.findall(r"^第[一二三四五六七八九十百零]+条[ \u3000]", path.read_text(encoding="utf-8"), re.M))
    assert sum(1 for s in doc.walk() if s.style == "tiao") == expected
    assert [s.style for s in doc.sections] == ["zhang"] * len(doc.sections)
    assert doc.title and doc.title in body[:200]
    assert not doc.warnings


OUTLINES = sorted((DATA / "corpus_outlines").glob("*.expected"))


@needs_corpus
@pytest.mark.parametrize("expected", OUTLINES, ids=lambda p: p.stem)
def test_real_plan_top_two_levels(expected, shared_corpus):
    doc = load_plan(shared_corpus / (expected.stem + ".md"))
    got = ["  " * (s.level - 1) + (s.number + " " + s.title).strip() for s in doc.walk() if s.level <= 2]
    assert got == expected.read_text(encoding="utf-8").splitlines()


@pytest.mark.parametrize("text", ["http://]]http://]]", "（文章来源：央行网站）", "www.pbc.gov.cn\n（来源：新华社）"])
def test_text_that_is_all_links_or_footers_is_the_plan_itself(text):
    """Found by the markup-soup property test: with every line taken for trailing boilerplate, the one
    section was empty (span 0..0). Nothing but boilerplate is the plan's own text."""
    from compare.load import load_bytes
    from compare.sections import parse

    doc = parse(load_bytes(text.encode("utf-8"), "soup.md"))
    check_lossless(doc)
    assert [s.text for s in doc.walk()] == [doc.text.strip()] and not doc.boilerplate


@pytest.mark.parametrize("numeral, value", [("二十八", 28), ("一百零三", 103), ("一千二百五十九", 1259), ("一万", 10000),
                                            ("一万零一", 10001), ("一万二千三百四十五", 12345), ("两百", 200), ("30000", 30000)])
def test_chinese_numerals_read_to_their_values(numeral, value):
    from compare.numbering import cn_to_int, match_marker

    assert cn_to_int(numeral) == value
    marker = match_marker(f"第{numeral}条　本条例自公布之日起施行。")  # the Civil Code runs to 第一千二百六十条
    assert marker is not None and (marker.style, marker.value) == ("tiao", value)


@pytest.mark.parametrize("text, outline", [
    # the paragraph after the list is the article's next 款, not more of its last item
    ("第八条 市场主体可以采取下列措施：\n（一）提示风险；\n（二）暂停业务。\n前款第二项所称暂停业务，不超过三个月。\n第九条 本条例自公布之日起施行。\n",
     ["8", "8/1", "8/2", "8/k2", "9"]),
    # paragraphs inside the list (an item that runs on before the next item): left as they were
    ("第八条 市场主体可以采取下列措施：\n（一）提示风险；\n提示应当书面作出。\n（二）暂停业务。\n第九条 本条例自公布之日起施行。\n",
     ["8", "8/1", "8/2", "9"]),
    # a second list, opened by the paragraph after the first: that paragraph is 第二款
    ("第八条 可以采取下列措施：\n（一）提示风险；\n（二）其他措施。\n已经形成重大风险的，还可以采取下列措施：\n（一）扣押财物；\n（二）其他措施。\n",
     ["8", "8/1", "8/2", "8/k2", "8/1~2", "8/2~2"]),
    # a citation opening the paragraph (第三条规定…) is body text of the 款, not a heading
    ("第二条 地方金融组织包括：\n（一）小额贷款公司；\n（二）融资担保公司。\n第三条规定的事项，依照有关法律执行。\n", ["2", "2/1", "2/2", "2/k2"]),
])
def test_paragraphs_after_an_articles_items_are_its_next_paragraph(tmp_path, text, outline):
    (tmp_path / "law.txt").write_text(text, encoding="utf-8")
    doc = load_plan(tmp_path / "law.txt")
    check_lossless(doc)
    assert [s.id for s in doc.walk()] == outline
    named = {s.id: s.number for s in doc.walk()}
    assert all(named[i] == "第二款" for i in outline if i.endswith("/k2"))


def _sentence_ends_by_hand(text):
    """The rule, written out: a stop outside brackets and quotes ends a sentence just after it; a newline
    ends one where it stands and closes any bracket left open."""
    from compare.sections import _BRACKETS, _CLOSERS

    ends, depth = [], 0
    for i, ch in enumerate(text):
        if ch in _BRACKETS:
            depth += 1
        elif ch in _CLOSERS:
            depth = max(0, depth - 1)
        elif ch == "\n":
            depth = 0
            ends.append(i)
        elif ch in "。；;！!？?" and depth == 0:
            ends.append(i + 1)
    return ends


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=list("金融发展，。；;！!？?\n （）()《》“”【】ab"), max_size=60))
def test_sentence_ends_follow_the_rule_with_and_without_brackets(text):
    from compare.sections import _sentence_ends

    assert _sentence_ends(text) == _sentence_ends_by_hand(text)
