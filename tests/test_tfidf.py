"""One TF-IDF: `run` (corpus_stats) and the index (rank, clauses) build the same statistics, equal to scikit-learn's."""
from __future__ import annotations

import shutil

import pytest

from compare import store
from compare.corpus import plan_files
from compare.sections import load_plan
from compare.tfidf import build, corpus_stats, fit, frequencies, own_units
from compare.tokenize import Segmentation
from conftest import DATA

UNITS = [["绿色金融", "债券", "债券"], ["债券", "征信"], ["绿色金融", "征信", "征信", "征信"], ["贷"], []]


def _sklearn(units):
    from sklearn.feature_extraction.text import TfidfVectorizer

    return TfidfVectorizer(analyzer=lambda x: x, smooth_idf=True, sublinear_tf=True, norm="l2").fit(
        [u for u in units if u])


def test_fit_equals_sklearns_smooth_sublinear_tfidf():
    stats, ref = fit(UNITS), _sklearn(UNITS)
    assert stats.vocabulary == ref.vocabulary_ and stats.n_units == 4  # same columns, in the same (sorted) order
    assert stats.idf == pytest.approx(list(ref.idf_), rel=1e-15)
    ours = stats.vectors(UNITS).toarray()
    assert ours[:4] == pytest.approx(ref.transform(UNITS[:4]).toarray())
    assert (ours[4] == 0).all()
    assert build([frequencies(UNITS[:2]), frequencies(UNITS[2:])]).idf == stats.idf  # parts sum as one


def _fixture_corpus(folder):
    folder.mkdir()
    for name in ("law_style.md", "plan_style.txt", "mixed_style.txt", "html_style.html"):
        shutil.copy(DATA / "sections" / name, folder / name)
    (folder / "extra.txt").write_text("关于印发试行办法的通知\n\n第一条 支持发展绿色金融，推动绿色债券发行。\n"
                                      "第二条 完善征信体系，防范金融风险。\n第三条 本办法自发布之日起施行。\n",
                                      encoding="utf-8")
    return folder


def test_run_and_the_index_build_the_same_statistics(tmp_path):
    corpus = _fixture_corpus(tmp_path / "corpus")
    files = plan_files(corpus)
    a, b = load_plan(corpus / "law_style.md"), load_plan(corpus / "extra.txt")
    run = corpus_stats([a, b], files)  # what `compare run` fits: the corpus plus A and B (both in it)
    indexed, _ = store.open_corpus(corpus, tmp_path / "index.sqlite")  # what rank and clauses use
    assert len(indexed.docs) == len(files) == 5
    assert run.vocabulary == indexed.stats.vocabulary and len(run.vocabulary) > 100
    assert run.n_units == indexed.stats.n_units
    assert run.idf == pytest.approx(indexed.stats.idf, rel=1e-15)
    docs = [load_plan(p) for p in files]
    units = [u for d in docs for u in own_units(d, Segmentation.of(d.text))]
    ref = _sklearn(units)
    assert run.vocabulary == ref.vocabulary_ and run.idf == pytest.approx(list(ref.idf_), rel=1e-15)
    cached = corpus_stats([a, b], files)  # from the cache file
    assert cached.vocabulary == run.vocabulary and cached.idf == run.idf


def test_a_pair_scores_the_same_in_run_and_rank(tmp_path):
    from compare.rank import query_plan, rank_plans
    from compare.tfidf import section_tokens

    corpus = _fixture_corpus(tmp_path / "corpus")
    a, b = load_plan(corpus / "law_style.md"), load_plan(corpus / "extra.txt")
    run = corpus_stats([a, b], plan_files(corpus))
    indexed, _ = store.open_corpus(corpus, tmp_path / "index.sqlite")
    whole = [[t for s in d.walk() for t in section_tokens(d, Segmentation.of(d.text), s)] for d in (a, b)]
    rows = run.vectors(whole)
    run_score = round(float((rows[0] @ rows[1].T).toarray()[0, 0]), 4)
    ranked = {r.name: r.score for r in rank_plans(query_plan(a, indexed), indexed, top=10)}
    assert 0 < run_score < 1 and ranked["extra"] == run_score
