"""Partial moves: a sentence that now stands in a unit other than its unit's counterpart is reported only
where the match is unambiguous (each the other's best, no runner-up within MOVE_RATIO on either side)."""
from __future__ import annotations

import pytest

from compare import sentences
from compare.align import _Side, compare
from compare.models import Options
from compare.sections import load_plan
from compare.tfidf import corpus_stats

PREAMBLE = ("第一条 为了规范融资租赁企业经营行为，防范金融风险，制定本办法。\n"
            "第二条 本办法适用于本市行政区域内融资租赁企业的监督管理。\n")
CONTROLS = "第三条 融资租赁企业应当建立健全内部控制制度，按季度向地方金融监督管理部门报送经营数据。"
CONTROLS_B = "第三条 融资租赁企业应当建立健全内部控制制度，按月向地方金融监督管理部门报送经营数据和财务报表。"
CHECKS = "第四条 地方金融监督管理部门应当建立融资租赁企业分类监管制度，对经营异常的企业开展现场检查。"
CHANGES = "第五条 融资租赁企业变更名称、注册资本或者主要股东的，应当在变更后十个工作日内报告。"
CHANGES_B = "第五条 融资租赁企业变更名称、注册资本或者主要股东的，应当在变更后五个工作日内报告。"
DEPOSITS = "融资租赁企业不得吸收或者变相吸收公众存款，不得发放或者受托发放贷款。"
FINE = "逾期不改正的，处一万元以上三万元以下罚款。"


def _plans(tmp_path, a_text, b_text):
    (tmp_path / "a.md").write_text(a_text, encoding="utf-8")
    (tmp_path / "b.md").write_text(b_text, encoding="utf-8")
    a, b = load_plan(tmp_path / "a.md"), load_plan(tmp_path / "b.md")
    return a, b, compare(a, b, corpus_stats([a, b], []))


def _number(doc, sid):
    return doc.section(sid).number


def test_a_sentence_that_moved_is_reported_with_where_it_went(tmp_path):
    a, b, c = _plans(tmp_path, PREAMBLE + CONTROLS + DEPOSITS + "\n" + CHECKS + "\n" + CHANGES + "\n",
                     PREAMBLE + CONTROLS_B + "\n" + CHECKS + "\n" + CHANGES_B + DEPOSITS + "\n")
    assert [(_number(a, m.a), _number(b, m.b), len(m.clauses), m.of) for m in c.moves] == [("第三条", "第五条", 1, 2)]
    (x, y), = c.moves[0].clauses
    moved_a = next(cl for s in a.walk() for cl in s.clauses if cl.id == x)
    moved_b = next(cl for s in b.walk() for cl in s.clauses if cl.id == y)
    assert moved_a.text == moved_b.text == DEPOSITS


OPENING = "第一条 为了规范融资租赁企业经营行为，防范金融风险，制定本办法。\n第二条 融资租赁企业应当依法经营，诚实守信。\n"
SCOPE = "本办法适用于本市行政区域内融资租赁企业的经营活动。"


@pytest.mark.parametrize("sentence, moved", [(DEPOSITS, True), (SCOPE, False)], ids=["provision", "scope formula"])
def test_a_laws_formula_is_not_a_move(tmp_path, sentence, moved):
    """What a law applies to, when it takes effect: every law says it, so two laws that both do say nothing of
    where text went (Hainan's 海南自由贸易港建设和管理活动适用本法 was reported as now standing in Hengqin 第二条)."""
    a, b, c = _plans(tmp_path, OPENING + CONTROLS + sentence + "\n" + CHECKS + "\n" + CHANGES + "\n",
                     OPENING + CONTROLS_B + "\n" + CHECKS + "\n" + CHANGES_B + sentence + "\n")
    assert [(_number(a, m.a), _number(b, m.b)) for m in c.moves] == ([("第三条", "第五条")] if moved else [])
    matches = sentences.best_clause_matches(*_sides(a, b))  # the sentences do match, each the other's best
    k = next(i for i, cl in enumerate(matches.a) if cl.text == sentence)
    assert matches.score_b[k] == pytest.approx(1.0) and matches.runner_up_b[k] < 0.8


def test_stock_wording_found_in_two_places_is_not_a_move(tmp_path):
    """The same penalty sentence stands in two articles of B: it says nothing about where A's went."""
    a, b, c = _plans(tmp_path, PREAMBLE + CONTROLS + FINE + "\n" + CHECKS + "\n" + CHANGES + "\n",
                     PREAMBLE + CONTROLS_B + "\n" + CHECKS + FINE + "\n" + CHANGES_B + FINE + "\n")
    assert c.moves == []
    # the rule, not a weak match, keeps it out: the sentence's best match is exact
    matches = sentences.best_clause_matches(*_sides(a, b))
    fine = [i for i, cl in enumerate(matches.a) if cl.text == FINE]
    assert fine and matches.score_b[fine[0]] == pytest.approx(1.0) and matches.runner_up_b[fine[0]] == pytest.approx(1.0)


def _sides(a, b):
    stats = corpus_stats([a, b], [])
    return _Side(a, stats, Options()), _Side(b, stats, Options())


@pytest.mark.parametrize("block_rows", [1, 2, 3])
def test_runners_up_do_not_depend_on_the_block_size(tmp_path, monkeypatch, block_rows):
    a, b, _ = _plans(tmp_path, PREAMBLE + CONTROLS + FINE + DEPOSITS + "\n" + CHECKS + "\n" + CHANGES + "\n",
                     PREAMBLE + CONTROLS_B + FINE + "\n" + CHECKS + DEPOSITS + "\n" + CHANGES_B + FINE + "\n")
    whole = sentences.best_clause_matches(*_sides(a, b))
    monkeypatch.setattr(sentences, "BLOCK_ROWS", block_rows)
    blocked = sentences.best_clause_matches(*_sides(a, b))
    for field in ("best_b", "score_b", "best_a", "score_a", "runner_up_b", "runner_up_a"):
        assert getattr(blocked, field).tolist() == getattr(whole, field).tolist(), field
    # a runner-up is the second-highest cosine in its row or column of the full matrix
    import numpy as np
    from compare.sentences import clause_rows
    from compare.sparse import dot_t_blocks

    A, B = _sides(a, b)
    full = np.vstack([blk for _, blk in dot_t_blocks(clause_rows(A, whole.a), clause_rows(B, whole.b), 10_000)])
    assert np.allclose(whole.runner_up_b, np.clip(np.sort(full, axis=1)[:, -2], 0, 1))
    assert np.allclose(whole.runner_up_a, np.clip(np.sort(full, axis=0)[-2], 0, 1))


def test_the_moved_sentence_is_marked_in_both_cards(tmp_path):
    """In the report, the sentence itself is highlighted on both ends, titled with where it went or came from."""
    from compare.report import build_view

    a, b, c = _plans(tmp_path, PREAMBLE + CONTROLS + DEPOSITS + "\n" + CHECKS + "\n" + CHANGES + "\n",
                     PREAMBLE + CONTROLS_B + "\n" + CHECKS + "\n" + CHANGES_B + DEPOSITS + "\n")
    view = build_view(c)
    marked = {}  # (side, card's first section number) -> {note: the marked text, in the diff view}
    for pair in view["pairs"]:
        for side in ("a", "b"):
            for section in pair[side]:
                for part in ("title", "body"):
                    for seg in section["views"]["diff"][part]:
                        if seg.moved:
                            key = (side, pair[side][0]["number"])
                            marked.setdefault(key, {}).setdefault(seg.moved, "")
                            marked[key][seg.moved] += seg.text
    assert marked == {("a", "第三条"): {"此句现位于乙第五条": DEPOSITS},
                      ("b", "第五条"): {"此句来自甲第三条": DEPOSITS}}
