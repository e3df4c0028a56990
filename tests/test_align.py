"""Alignment: self-comparison, nothing lost, recovery of known alignments, real version pairs."""
from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from compare.errors import ExitStatus
from compare import api
from compare.align import compare, longest_increasing
from compare.cli import main
from compare.tfidf import corpus_stats
from compare.load import load_bytes
from compare.sections import load_plan, parse
from conftest import DATA, SEED, needs_corpus, real_corpus_files
from perturb import difflib_baseline, links, make_variant, score_links, unit_ids_by_position

FIXTURES = [DATA / "sections" / n for n in ("plan_style.txt", "law_style.md", "mixed_style.txt", "html_style.html")]


def _compare(a, b, corpus_files=()):
    stats = corpus_stats([a, b], list(corpus_files))
    return compare(a, b, stats)


def _every_section_once(c):
    ids_a = [x for p in c.pairs for x in p.a]
    ids_b = [y for p in c.pairs for y in p.b]
    assert sorted(ids_a) == sorted(s.id for s in c.a.walk())
    assert sorted(ids_b) == sorted(s.id for s in c.b.walk())


@pytest.mark.parametrize("path", [SEED] + FIXTURES, ids=lambda p: p.name)
def test_self_comparison_is_all_same(path):
    doc = load_plan(path)
    c = _compare(doc, load_plan(path))
    assert {p.kind for p in c.pairs} == {"same"}
    assert all(p.score == 1.0 and p.a == p.b for p in c.pairs)
    assert c.score == 1.0
    _every_section_once(c)


def test_fixture_pairs_every_section_once_and_in_reading_order():
    a, b = load_plan(FIXTURES[0]), load_plan(DATA / "sections" / "html_style.html")
    c = _compare(a, b)
    _every_section_once(c)
    order_a = {s.id: i for i, s in enumerate(a.walk())}
    positions = [order_a[p.a[0]] for p in c.pairs if p.a]
    assert positions == sorted(positions)
    assert 0.0 <= c.score <= 1.0 and all(0.0 <= p.score <= 1.0 for p in c.pairs)


def test_longest_increasing_marks_the_moved_one():
    assert longest_increasing([0, 1, 5, 2, 3, 4]) == {0, 1, 3, 4, 5}
    assert longest_increasing([]) == set()


def _recover(doc, donor, seed, corpus_files=(), edit_share=0.4):
    variant = make_variant(doc, donor, seed=seed, edit_share=edit_share)
    b = parse(load_bytes(variant.text.encode("utf-8"), f"variant-of-{doc.name}.txt"))
    position = unit_ids_by_position(b)
    truth = links([(ids, [position[p] for p in ps]) for ids, ps in variant.truth])
    c = _compare(doc, b, corpus_files)
    _every_section_once(c)
    predicted = links([(p.a, p.b) for p in c.pairs if p.role == "unit" and p.a and p.b])
    kinds = {p.kind for p in c.pairs}
    return score_links(predicted, truth), score_links(difflib_baseline(doc, b), truth), kinds


def test_recovers_known_alignment_on_the_seed():
    seed = load_plan(SEED)
    donor = load_plan(FIXTURES[1])
    (p, r, f1), (_, _, base_f1), kinds = _recover(seed, donor, seed=3)
    assert f1 >= 0.95, (p, r, f1)
    assert {"split", "merge", "only_a", "only_b"} <= kinds


# The figures the README prints for the synthetic test, as (precision, recall, F1).
SYNTHETIC = (0.983, 0.997, 0.990)
SYNTHETIC_BASELINE = (0.998, 0.961, 0.979)


@needs_corpus
def test_recovers_known_alignments_on_real_plans_and_beats_difflib(record_property):
    """Every unit of every real plan perturbed; the IDF fitted over the corpus, as `compare run` does."""
    files = real_corpus_files()
    docs = [load_plan(p) for p in files] + [load_plan(SEED)]
    ours, theirs = [], []
    for i, doc in enumerate(docs):
        # The inserted units come from a plan of another family: a sentence copied from the same law's
        # other version is not new text, and the truth would call its correct pairing a false one.
        donor = docs[(i + len(docs) // 2) % len(docs)]
        mine, base, _ = _recover(doc, donor, seed=i, corpus_files=files, edit_share=1.0)
        ours.append(mine)
        theirs.append(base)
    mean = tuple(round(sum(x[k] for x in ours) / len(ours), 3) for k in range(3))
    base = tuple(round(sum(x[k] for x in theirs) / len(theirs), 3) for k in range(3))
    record_property("aligner_precision_recall_f1", mean)
    record_property("difflib_precision_recall_f1", base)
    print(f"aligner P/R/F1 = {mean}, difflib greedy P/R/F1 = {base}")
    assert all(abs(got - said) <= 0.01 for got, said in zip(mean + base, SYNTHETIC + SYNTHETIC_BASELINE)), \
        f"the README's synthetic figures {SYNTHETIC}, {SYNTHETIC_BASELINE} are stale: measured {mean}, {base}"
    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
    assert "precision {:.3f}, recall {:.3f}, F1 {:.3f}".format(*SYNTHETIC) in readme
    assert mean[2] >= 0.99 and mean[2] > base[2]
    assert min(x[2] for x in ours) >= 0.85


def _pair_of(c, side, sid):
    return next(p for p in c.pairs if sid in (p.a if side == "a" else p.b))


@needs_corpus
def test_aml_law_versions_pair_renumbered_articles(shared_corpus):
    c = api.compare(str(shared_corpus / "aml-law-2006.md"), str(shared_corpus / "aml-law-2024.md"), str(shared_corpus))
    _every_section_once(c)
    # 2006 第七条 (reporting money laundering) is 2024 第十一条; 第二十七条 is unchanged as 第四十六条
    assert _pair_of(c, "a", "1/7").b == ["1/11"]
    same = _pair_of(c, "a", "5/27")
    assert same.b == ["5/46"] and same.kind == "same" and same.score == 1.0
    assert _pair_of(c, "a", "7/37").b == ["7/65"]  # 本法自…起施行
    # 2024 第三条 (the Party's leadership of AML work) is new
    assert _pair_of(c, "b", "1/3").kind == "only_b"
    assert 0.3 < c.score < 0.8


@needs_corpus
def test_securities_regulation_versions_are_nearly_identical(shared_corpus):
    c = api.compare(str(shared_corpus / "securities-firm-risk-disposal-regulation-2016.md"),
                    str(shared_corpus / "securities-firm-risk-disposal-regulation-2023.md"), str(shared_corpus))
    units = [p for p in c.pairs if p.role == "unit"]
    assert all(p.a and p.b and p.a == p.b for p in units)  # same article numbers, none added or repealed
    assert sum(p.kind == "same" for p in units) >= 50
    assert c.score > 0.95


@needs_corpus
@pytest.mark.parametrize("other, a_id, b_article", [
    ("sh-local-financial-supervision-regulation-2020", "2/1/3", "第二条"),  # 地方金融组织
    ("zj-local-finance-regulation-2020", "2/6/22", "第二十三条"),  # 金融风险防范
])  # (seed 11 ↔ huzhou 第一条, cosine 0.20, and seed 18 ↔ hengqin 第五十四条, 0.13, share a topic, not provisions: no pair)
def test_seed_meets_the_matching_article(shared_corpus, other, a_id, b_article):
    c = api.compare(str(SEED), str(shared_corpus / f"{other}.md"), str(shared_corpus))
    pair = _pair_of(c, "a", a_id)
    assert b_article in [c.b.section(y).number for y in pair.b]


def test_run_json_is_deterministic_and_complete(tmp_path):
    runner = CliRunner()
    out1, out2 = tmp_path / "1.json", tmp_path / "2.json"
    for out in (out1, out2):
        result = runner.invoke(main, ["run", str(SEED), str(FIXTURES[0]), "--corpus", str(tmp_path), "--json", str(out),
                                      "--no-html"])
        assert result.exit_code == 0, result.output
    assert out1.read_bytes() == out2.read_bytes()
    data = json.loads(out1.read_text(encoding="utf-8"))
    assert set(data) >= {"a", "b", "pairs", "clause_pairs", "score"}
    assert sorted(x for p in data["pairs"] for x in p["a"]) == sorted(s["id"] for s in data["a"]["sections"])
    assert sorted(y for p in data["pairs"] for y in p["b"]) == sorted(s["id"] for s in data["b"]["sections"])
    assert {"id", "level", "number", "title", "chars", "parent"} <= set(data["a"]["sections"][0])
    # each pair's clause alignment covers every clause of its sections exactly once
    for p in data["pairs"]:
        assert {k["kind"] for k in p["clauses"]} <= {"same", "changed", "only_a", "only_b"}
        for side in ("a", "b"):
            own = sorted(c.id for sid in p[side] for c in load_plan(SEED if side == "a" else FIXTURES[0]).section(sid).clauses)
            assert sorted(k[side] for k in p["clauses"] if k[side]) == own


def test_run_bad_input_writes_nothing(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    empty = tmp_path / "empty.txt"
    empty.write_bytes(b"")
    out = tmp_path / "out.json"
    result = CliRunner().invoke(main, ["run", str(SEED), str(empty), "--json", str(out)], env={"COMPARE_LANG": "en"})
    assert result.exit_code == ExitStatus.BAD_INPUT and "empty file" in result.output
    assert not out.exists() and not list(tmp_path.glob(".out.json*"))


def test_bad_corpus_file_is_skipped_with_a_warning(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "broken.txt").write_bytes(b"\x81\x20\xfe\x20" * 50)
    (corpus / "fine.txt").write_text(FIXTURES[0].read_text(encoding="utf-8"), encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(SEED), str(FIXTURES[1]), "--corpus", str(corpus), "--json", "-",
                                       "--no-html"])
    assert result.exit_code == 0
    warned = [line for line in result.stderr.splitlines() if "broken.txt" in line]
    assert len(warned) == 1 and warned[0].endswith("（已跳过）")  # in the interface's language, like every warning
    assert "语料中 1 个文件无法读取，已跳过" in result.stderr  # and counted
    assert json.loads(result.stdout)["pairs"]


def _doc(tmp_path, name, text):
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return load_plan(path)


def test_containers_with_the_same_title_pair_and_spacing_is_no_change(tmp_path):
    """一、总体要求 meets 一、总体要求 (not stacked as only-A and only-B); 第一章 总则 = 第一章 总 则."""
    a = _doc(tmp_path, "a.md", "第一章 总则\n第一条 为了规范地方金融组织，促进地方金融健康发展，制定本条例。\n"
                               "第二条 本条例适用于本省行政区域内地方金融组织的监督管理。\n"
                               "第二章 监督管理\n第三条 小额贷款公司应当审慎经营，按照规定报送经营数据。\n")
    b = _doc(tmp_path, "b.md", "第一章 总 则\n第一条 为了规范地方金融组织，促进地方金融健康发展，制定本条例。\n"
                               "第二条 本条例适用于本市行政区域内地方金融组织的监督管理活动。\n"
                               "第二章 风险处置\n第三条 融资担保公司发生重大风险事件的，应当立即报告。\n")
    c = _compare(a, b)
    chapter_one = _pair_of(c, "a", a.sections[0].id)
    assert chapter_one.b == [b.sections[0].id] and chapter_one.kind == "same"
    plan = _doc(tmp_path, "plan.txt", "一、总体要求\n（一）指导思想。坚持稳中求进工作总基调，服务实体经济。\n"
                                      "二、主要任务\n1、支持小额贷款公司、融资担保公司规范发展，提升服务能力。\n")
    seed = _doc(tmp_path, "seed.txt", "一、总体要求\n（一）基本原则。坚持市场主导、政府引导，防范金融风险。\n"
                                      "二、重点工作\n1、推动跨境人民币结算便利化，扩大金融开放。\n")
    c = _compare(plan, seed)
    first = _pair_of(c, "a", plan.sections[0].id)
    assert first.b == [seed.sections[0].id], "the two 一、总体要求 must face each other"



def test_a_plans_headings_pair_with_a_laws_chapters_by_title_alone(tmp_path):
    """A plan's parts and a law's chapters are not one outline: a measure under 二、主要任务 paired with an article
    under 第一章 总则 made the two headings a pair. Across the genres only equal titles pair headings; two laws
    still pair chapters by the articles beneath them."""
    measure = "支持小额贷款公司、融资担保公司规范发展，提升服务实体经济能力，防范化解地方金融风险。"
    plan = _doc(tmp_path, "plan.txt", "一、总体要求\n（一）指导思想。坚持稳中求进工作总基调，服务实体经济。\n"
                                      f"二、主要任务\n1、{measure}\n2、推动跨境人民币结算便利化，扩大金融开放。\n")
    law = _doc(tmp_path, "law.md", f"第一章 总则\n第一条 {measure}\n第二条 本条例适用于本省行政区域内的地方金融组织。\n"
                                   "第二章 总体要求\n第三条 坚持稳中求进工作总基调，坚持市场主导、政府引导，服务实体经济。\n")
    c = _compare(plan, law)
    measure_pair = _pair_of(c, "a", plan.sections[1].children[0].id)
    assert measure_pair.b == [law.sections[0].children[0].id]  # the measure and the article pair
    heads = {tuple(p.a): p.b for p in c.pairs if p.role == "container"}
    assert heads[(plan.sections[1].id,)] == []  # 二、主要任务 is not 第一章 总则
    assert heads[(plan.sections[0].id,)] == [law.sections[1].id]  # 一、总体要求 = 第二章 总体要求, by title
    other = _doc(tmp_path, "law2.md", f"第一章 一般规定\n第一条 {measure}\n第二条 本条例适用于本市的地方金融组织。\n")
    chapters = _compare(law, other)
    assert _pair_of(chapters, "a", law.sections[0].id).b == [other.sections[0].id]  # two laws: by their articles



def test_an_item_folded_into_the_other_articles_text_says_where_it_stands(tmp_path):
    """Beijing 2020 第七十一条 lists three measures; 2024 第八十一条 keeps the third as its own text and drops the
    list. The third item has no item to pair with, but it is not dropped: the JSON says where its sentence is."""
    old = _doc(tmp_path, "old.md", "第一条 人民法院依法通过下列措施，提高知识产权案件的审理效率和质量：\n"
                                   "（一）推进繁简分流快速审理机制；\n（二）依法扩大独任制审理案件范围；\n"
                                   "（三）指派技术调查官参与专业技术性较强的知识产权案件诉讼活动。\n"
                                   "第二条 本市加强知识产权保护，建立知识产权侵权纠纷快速处理机制。\n")
    new = _doc(tmp_path, "new.md", "第一条 人民法院依法通过指派技术调查官参与专业技术性较强的知识产权案件诉讼活动等措施，"
                                   "提高知识产权案件的审理效率和质量。\n"
                                   "第二条 本市加强知识产权保护，建立知识产权侵权纠纷快速处理机制。\n")
    c = _compare(old, new)
    article = old.sections[0]
    assert _pair_of(c, "a", article.id).b == [new.sections[0].id]
    items = {p.a[0]: p for p in c.pairs if p.role == "item"}
    first, _, third = (items[s.id] for s in article.children)
    assert third.kind == "only_a" and third.kept_in == ((new.sections[0].id,), 1, 1)
    assert first.kind == "only_a" and first.kept_in is None  # dropped
    data = json.loads(c.to_json())
    shown = next(p for p in data["pairs"] if p["a"] == [article.children[2].id])
    assert shown["kept_in"] == {"ids": [new.sections[0].id], "sentences": 1, "of": 1}


_INF = float("-inf")


@pytest.mark.parametrize("groups, sim, z, expected", [
    # both alone, each the other's best, at the floor and significant: a new pair
    ([([0], [0])], [[0.9, 0.0], [0.0, 0.3]], [[5, 0], [0, 2.5]], [([0], [0]), ([1], [1])]),
    # A 1 alone, its mutual best B 0 already paired: A 1 joins that pair (a merge)
    ([([0], [0])], [[0.9, 0.1], [0.95, 0.1]], [[5, 0], [2.5, 0]], [([0, 1], [0])]),
    # not each other's best: B 1's best is A 0, which stays as it is
    ([([0], [0])], [[0.9, 0.5], [0.1, 0.3]], [[5, 3], [0, 2.5]], [([0], [0])]),
    # below the floor (0.2), or below GROUP_Z (2.0): nothing
    ([([0], [0])], [[0.9, 0.0], [0.0, 0.19]], [[5, 0], [0, 2.5]], [([0], [0])]),
    ([([0], [0])], [[0.9, 0.0], [0.0, 0.3]], [[5, 0], [0, 1.9]], [([0], [0])]),
    # a vetoed cell (cited articles apart) is -inf and never pairs
    ([([0], [0])], [[0.9, 0.0], [0.0, _INF]], [[5, 0], [0, 2.5]], [([0], [0])]),
])
def test_mutual_best_leftovers_pair_or_join(groups, sim, z, expected):
    import numpy as np
    from compare.groups import mutual_leftovers

    assert mutual_leftovers(groups, np.array(sim), np.array(z, dtype=float), 0.2) == expected


@pytest.mark.parametrize("sim_11, z_11, across_genres, paired", [
    (0.15, 3.2, True, True),  # a measure and its article: under the floor (0.2), over half of it, significant at 3
    (0.15, 3.2, False, False),  # two laws: the floor holds
    (0.15, 2.9, True, False),  # not significant enough to go under the floor
    (0.09, 3.2, True, False),  # under half the floor: nothing
    (0.25, 2.5, False, True),  # at the floor, the ordinary mutual best leftover (GROUP_Z)
])
def test_across_genres_a_significant_mutual_best_pairs_under_the_floor(sim_11, z_11, across_genres, paired):
    import numpy as np
    from compare.groups import unit_groups

    sim = np.array([[0.9, 0.05, 0.0], [0.05, sim_11, 0.02], [0.0, 0.03, 0.6]])
    z = np.array([[5.0, 0.0, 0.0], [0.0, z_11, 0.0], [0.0, 0.0, 4.0]])
    none = np.zeros((3, 3), dtype=bool)
    groups = unit_groups(sim, z, none, np.zeros((3, 3)), np.zeros((3, 3)), {}, None, 0.2, none,
                         across_genres=across_genres)
    assert (([1], [1]) in groups) == paired
    assert ([0], [0]) in groups and ([2], [2]) in groups


def _alone(a=(), b=(), role="unit", kind=None):
    from compare.models import Pair

    return Pair(list(a), list(b), 0.0, kind or ("only_a" if a else "only_b"), role)


@pytest.mark.parametrize("pair, expected", [
    (_alone(a=["a1"]), ("b2", 0.3)),  # A's row: its best B unit
    (_alone(b=["b1"]), ("a2", 0.15)),  # B's column: its best A unit
    (_alone(b=["b3"]), ("a1", 0.1)),  # a tie (0.1, 0.1): the earlier; exactly NEAREST_MIN still named
    (_alone(a=["a3"]), None),  # nothing reaches NEAREST_MIN (0.1)
    (_alone(a=["a2"]), ("b1", 0.15)),
    (_alone(a=["a1"], role="item"), None),  # items stand inside their article's pair: no nearest of their own
])
def test_a_unit_left_alone_names_its_nearest(pair, expected):
    import numpy as np
    from compare.align import NEAREST_MIN, _nearest

    assert NEAREST_MIN == 0.1
    sim = np.array([[0.05, 0.3, 0.1], [0.15, 0.09, 0.1], [0.0, 0.0, 0.0]], dtype=np.float32)
    _nearest([pair], ["a1", "a2", "a3"], ["b1", "b2", "b3"], sim)
    assert pair.nearest == expected


@needs_corpus
def test_nearest_on_real_plans_is_the_best_cell_and_never_a_pair(shared_corpus):
    c = api.compare(str(shared_corpus / "sh-local-financial-supervision-regulation-2020.md"),
                    str(shared_corpus / "sd-local-finance-regulation-2016.md"), str(shared_corpus))
    row, col = {x: k for k, x in enumerate(c.units_a)}, {y: k for k, y in enumerate(c.units_b)}
    named = 0
    for p in c.pairs:
        if p.role != "unit" or (p.a and p.b):
            assert p.nearest is None
            continue
        scores = c.matrix[row[p.a[0]]] if p.a else [r[col[p.b[0]]] for r in c.matrix]
        if p.nearest is None:
            assert max(scores) < 0.1
            continue
        named += 1
        other, score = p.nearest
        ids = c.units_b if p.a else c.units_a
        assert score == max(scores) and ids[scores.index(score)] == other
    assert named >= 30


def test_deep_texts_equal_each_sections_own_normalized_text(tmp_path):
    """A section's text for equality tests is sliced from the whole plan's matching form with the spaces
    taken out once; it must equal normalizing and unspacing that section's own text, for every kind of
    space (ideographic, no-break, line and paragraph separators, C0 separators, NEL)."""
    from compare.align import _deep_texts, deep_text
    from compare.sections import load_plan
    from compare.tokenize import Segmentation

    spaces = "\u3000\u00a0\u2028\u2029\x1c\x1d\x1e\x1f\x85\u200b\t\x0b\x0c \u2003"
    plan = tmp_path / "plan.txt"
    plan.write_text("示例条例\n第一章 总 则\n第一条 为了规范\u3000金融 活动，制定本条例。\n"
                    f"第二条 本条例{spaces}适用于下列机构：\n（一）小额贷款公司{spaces[::-1]}；\n（二）融资担保公司。\n"
                    "第二章 監督管理\n第三条 地方金融监督管理部门应当加强監管。\n", encoding="utf-8")
    doc = load_plan(plan)
    sections = list(doc.walk())
    assert len(sections) >= 6
    assert _deep_texts(Segmentation.of(doc.text).norm, sections) == {s.id: deep_text(doc, s) for s in sections}


_MATTERS = {  # three distinct matters, each worded alike in the plan and in the laws
    "loans": "支持小额贷款公司规范发展，小额贷款公司应当按照核准的业务范围发放贷款，不得吸收公众存款。",
    "talent": "完善金融人才引进机制，对高层次金融人才在住房、子女入学、医疗保障等方面给予支持。",
    "disputes": "建立金融纠纷多元化解机制，支持金融仲裁和金融调解组织依法开展金融纠纷调解工作。",
}


def _plan_in_measures(order):
    body = "".join(f"（{n}）{_MATTERS[m]}\n\n" for n, m in zip("一二三", order))
    return parse(load_bytes(f"某地金融发展规划\n\n一、主要任务\n\n{body}".encode("utf-8"), "plan.txt"))


def _law_in_articles(order, name):
    body = "".join(f"第{n}条　{_MATTERS[m]}\n\n" for n, m in zip("一二三", order))
    return parse(load_bytes(f"某省地方金融条例\n\n{body}".encode("utf-8"), name))


@pytest.mark.parametrize("genres_apart", [False, True])
def test_moved_only_where_the_two_plans_order_is_comparable(genres_apart):
    """Two laws keep an order: a matter out of it is moved. A law does not follow its plan's order:
    between measures and articles the same pairs are kept as they are, none moved."""
    a = _plan_in_measures(["loans", "talent", "disputes"]) if genres_apart \
        else _law_in_articles(["loans", "talent", "disputes"], "law-a.txt")
    b = _law_in_articles(["disputes", "loans", "talent"], "law-b.txt")
    c = _compare(a, b)
    units = [p for p in c.pairs if p.role == "unit"]
    assert len(units) == 3 and all(p.a and p.b for p in units)
    kinds = sorted(p.kind for p in units)
    assert kinds == (["same"] * 3 if genres_apart else ["moved", "same", "same"])


@pytest.mark.parametrize("genres_apart", [False, True])
def test_sections_only_in_b_stand_where_the_orders_allow(genres_apart):
    """Between two laws an article only in B stands after the pair holding the article before it; a law does
    not follow its plan's order, so there B's articles that A lacks follow all of A, in B's order."""
    a = _plan_in_measures(["loans", "talent"]) if genres_apart else _law_in_articles(["loans", "talent"], "law-a.txt")
    body = (f"第一条　本条例自公布之日起施行，由省人民政府负责解释。\n\n第二条　{_MATTERS['loans']}\n\n"
            "（一）在核准的区域内经营；\n\n（二）按月报送经营数据。\n\n"
            f"第三条　县级以上人民政府应当统筹推进农村信用体系建设和涉农保险发展。\n\n第四条　{_MATTERS['talent']}\n\n")
    b = parse(load_bytes(f"某省地方金融条例\n\n{body}".encode("utf-8"), "law-b.txt"))
    c = _compare(a, b)
    _every_section_once(c)
    order = [("A" if p.a else "B") + (c.b.section(p.b[0]).number if p.b and not p.a else "")
             for p in c.pairs if p.role != "container"]
    # 第二条's items （一）（二）, which A lacks, stay beside their article's pair either way
    if genres_apart:
        assert order == ["A", "B（一）", "B（二）", "A", "B第一条", "B第三条"]
    else:
        assert order == ["B第一条", "A", "B（一）", "B（二）", "B第三条", "A"]
    from compare.report import render_html

    page = render_html(c)
    assert ("按乙的顺序列于末尾" in page) is genres_apart  # the contents say where B's sections went
    assert ("余弦低至 0.10" in page) is genres_apart  # the header states the rule below the floor where it applies


def test_an_article_only_in_b_follows_the_pair_of_the_article_before_it_not_of_its_items():
    """AML 2006 第三十二条 split into 2024 第五十三、五十四、五十六、五十七条, whose items pair one by one. 第五十五条
    (only in B) came after 第五十四条's last item, whose own pair stands after the group and its other only-B
    articles, so it was shown after 第六十一条. It follows the group, in B's order, as 第五十八条 does."""
    from types import SimpleNamespace

    from compare.align import _reading_order
    from compare.models import Kind, Pair, Role

    ids = ["53", "53/1", "54", "54/1", "55", "56", "57", "58"]
    B = SimpleNamespace(sections=[SimpleNamespace(id=i) for i in ids], order={i: k for k, i in enumerate(ids)},
                        unit_of={i: i.split("/")[0] for i in ids})
    A = SimpleNamespace(order={"32": 0, "32/1": 1, "32/2": 2})
    group = Pair(["32"], ["53", "54", "56", "57"], 0.7, Kind.SPLIT)
    items = [Pair(["32/1"], ["53/1"], 0.8, Kind.CHANGED, Role.ITEM), Pair(["32/2"], ["54/1"], 0.8, Kind.CHANGED, Role.ITEM)]
    alone = [Pair([], ["55"], 0.0, Kind.ONLY_B), Pair([], ["58"], 0.0, Kind.ONLY_B)]
    order = [(p.a, p.b) for p in _reading_order(A, B, [*alone, *items, group]) if p.role == Role.UNIT]
    assert order == [(["32"], ["53", "54", "56", "57"]), ([], ["55"]), ([], ["58"])]
