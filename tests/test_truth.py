"""Alignment against truth made by reading: five real plan pairs (462 labels), two held out, and the seed plan
against four laws (tests/data/truth)."""
from __future__ import annotations

import pytest

from compare import api
from conftest import needs_corpus, SEED, SHARED_CORPUS
from truth import (Score, baseline_links, heldout_files, load_truth, move_links, plan_names, plan_vs_law_files,
                   plan_vs_law_heldout_files, score, tool_links, truth_files)

# Measured with the defaults (README "How alignment works"); asserted with a small margin.
MIN_RECALL, MAX_NEGATIVES, MIN_ONLY = 0.88, 0.04, 0.91  # measured 0.903, 0.027, 0.926
# What issue 8 asks for. Negatives and only are met; recall is not yet: see the README for why.
TARGET_RECALL, TARGET_NEGATIVES, TARGET_ONLY = 0.95, 0.03, 0.90
# Held out (two pairs labelled after the aligner was built; no rule changed after they were scored).
HELDOUT_RECALL, HELDOUT_NEGATIVES, HELDOUT_ONLY = 0.83, 0.03, 0.92  # measured 0.855, 0.000, 0.941
# The seed plan against laws (plan-vs-law/): the genres apart. Two pairs the below-floor rule was built on,
# two held out (scored before it: 0.286, 0.025, 0.946; after: the figures below).
PLAN_VS_LAW_RECALL, PLAN_VS_LAW_NEGATIVES, PLAN_VS_LAW_ONLY = 0.37, 0.03, 0.97  # measured 0.394, 0.000, 1.000
PLAN_VS_LAW_HELDOUT_RECALL, PLAN_VS_LAW_HELDOUT_NEGATIVES, PLAN_VS_LAW_HELDOUT_ONLY = 0.33, 0.06, 0.89
# measured 0.357, 0.050, 0.919


def test_truth_files_are_well_formed_and_cover_both_plans():
    files = truth_files()
    assert len(files) >= 5 and len(heldout_files()) >= 2
    assert len(plan_vs_law_files()) >= 2 and len(plan_vs_law_heldout_files()) >= 2
    labels = [row for f in files for row in load_truth(f)]
    assert len(labels) >= 250
    assert sum(r.label == "negative" for r in labels) >= 40
    members = {(f.name, side, x) for f in files for r in load_truth(f) if r.label == "group"
               for side, x in (("a", r.a), ("b", r.b))}
    assert len(members) >= 25
    for f in files + heldout_files() + plan_vs_law_files() + plan_vs_law_heldout_files():
        assert {r.label for r in load_truth(f)} <= {"clear", "group", "related", "part", "negative", "only_a", "only_b"}
        rows = load_truth(f)
        assert all(r.group for r in rows if r.label == "group")
        assert len({(r.label, r.a, r.b) for r in rows}) == len(rows), f"duplicate rows in {f.name}"


def plan_path(name: str):
    """A labelled plan: the seed, or a plan of the shared corpus."""
    return SEED if name == SEED.stem else SHARED_CORPUS / f"{name}.md"


def _measure(files):
    tool, base, per_pair = Score(), Score(), {}
    for f in files:
        a, b = plan_names(f)
        c = api.compare(str(plan_path(a)), str(plan_path(b)), str(SHARED_CORPUS))
        labels = load_truth(f)
        got = score(labels, *tool_links(c), move_links(c))
        per_pair[f.stem] = got
        tool.add(got)
        base.add(score(labels, *baseline_links(c.a, c.b)))
    return tool, base, per_pair


@needs_corpus
def test_every_labelled_article_exists_in_its_plan():
    from compare.sections import load_plan
    from truth import articles

    for f in truth_files() + heldout_files() + plan_vs_law_files() + plan_vs_law_heldout_files():
        a, b = plan_names(f)
        arts_a = articles(load_plan(plan_path(a)))
        arts_b = articles(load_plan(plan_path(b)))
        for r in load_truth(f):
            assert r.a is None or r.a in arts_a, (f.name, r.a)
            assert r.b is None or r.b in arts_b, (f.name, r.b)
        named_a = {r.a for r in load_truth(f) if r.label != "negative"}
        named_b = {r.b for r in load_truth(f) if r.label != "negative"}
        assert set(arts_a) <= named_a and set(arts_b) <= named_b, f"{f.name}: an article has no label"


def _measured_set(name: str, files):
    """A module fixture ``name``: the figures on the pairs ``files()`` lists (skipped without the real plans)."""
    @pytest.fixture(scope="module", name=name)
    def fixture():
        if not SHARED_CORPUS.is_dir():
            pytest.skip(f"the real plans are not here: {SHARED_CORPUS} is absent")
        return _measure(files())

    return fixture


measured = _measured_set("measured", truth_files)
heldout = _measured_set("heldout", heldout_files)
plan_vs_law = _measured_set("plan_vs_law", plan_vs_law_files)
plan_vs_law_heldout = _measured_set("plan_vs_law_heldout", plan_vs_law_heldout_files)


def _check(measured, label, record_property, min_recall, max_negatives, min_only, lead=0.05):
    """Print and record the figures, per pair and in all, then assert them and the lead in recall over the
    baseline (character bigrams, one-to-one at cosine 0.2)."""
    tool, base, per_pair = measured
    for name, s in per_pair.items():
        print(f"{name}: {s.line()}")
    print(f"{label}, tool:     {tool.line()}\n{label}, baseline: {base.line()}")
    record_property(label, tool.line())
    record_property(f"{label} baseline", base.line())
    assert tool.recall >= min_recall
    assert tool.negative_rate <= max_negatives
    assert tool.only_rate >= min_only
    assert tool.recall >= base.recall + lead
    return tool


@needs_corpus
def test_alignment_on_real_pairs_meets_the_measured_figures_and_beats_the_baseline(measured, record_property):
    _check(measured, "in-sample", record_property, MIN_RECALL, MAX_NEGATIVES, MIN_ONLY)


@needs_corpus
def test_alignment_on_held_out_pairs_meets_their_measured_figures(heldout, record_property):
    """Two pairs the aligner never saw while it was built: what to expect on new plans."""
    tool = _check(heldout, "held out", record_property, HELDOUT_RECALL, HELDOUT_NEGATIVES, HELDOUT_ONLY)
    assert tool.links >= 50 and tool.negatives >= 30 and tool.only >= 60


@needs_corpus
def test_alignment_of_the_seed_plan_against_laws_meets_its_measured_figures(plan_vs_law, record_property):
    """A plan's measures against a law's articles: few links are compelling across genres."""
    tool = _check(plan_vs_law, "plan vs law", record_property, PLAN_VS_LAW_RECALL, PLAN_VS_LAW_NEGATIVES,
                  PLAN_VS_LAW_ONLY)
    assert tool.links >= 30 and tool.negatives >= 35 and tool.only >= 60


@needs_corpus
def test_alignment_of_the_seed_plan_against_held_out_laws_meets_its_measured_figures(plan_vs_law_heldout,
                                                                                     record_property):
    tool = _check(plan_vs_law_heldout, "plan vs law, held out", record_property, PLAN_VS_LAW_HELDOUT_RECALL,
                  PLAN_VS_LAW_HELDOUT_NEGATIVES, PLAN_VS_LAW_HELDOUT_ONLY)
    assert tool.links >= 25 and tool.negatives >= 40 and tool.only >= 70


@needs_corpus
@pytest.mark.xfail(strict=True, reason="issue 8's recall target is not reached yet (README: How alignment works)")
def test_alignment_on_real_pairs_meets_the_issue_targets(measured):
    tool, _, _ = measured
    assert tool.recall >= TARGET_RECALL and tool.negative_rate <= TARGET_NEGATIVES and tool.only_rate >= TARGET_ONLY


@needs_corpus
def test_aml_articles_24_and_25_became_one_with_its_items(shared_corpus):
    """The issue's example: 2006 第二十四条 + 第二十五条 → 2024 第四十四条, one group, B's items inside it."""
    from truth import articles

    c = api.compare(str(shared_corpus / "aml-law-2006.md"), str(shared_corpus / "aml-law-2024.md"), str(shared_corpus))
    arts_a, arts_b = articles(c.a), articles(c.b)
    target = arts_b["第四十四条"]
    holding = [p for p in c.pairs if target in p.b]
    assert len(holding) == 1 and holding[0].role == "unit"
    assert arts_a["第二十五条"] in holding[0].a
    items = [s.id for s in c.b.section(target).walk() if s.id != target]
    assert items and not any(p.kind == "only_b" and p.b[0] in items and p.role == "unit" for p in c.pairs)


@needs_corpus
def test_terrorist_financing_is_linked_where_it_went(shared_corpus):
    """2006 第三十六条's words stand in 2024 第二条: a partial move, or a pair, says so."""
    from truth import articles

    c = api.compare(str(shared_corpus / "aml-law-2006.md"), str(shared_corpus / "aml-law-2024.md"), str(shared_corpus))
    a36, b2 = articles(c.a)["第三十六条"], articles(c.b)["第二条"]
    assert any(m.a == a36 and m.b == b2 for m in c.moves) or any(a36 in p.a and b2 in p.b for p in c.pairs)
