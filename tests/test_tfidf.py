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
    from compare.ranking import query_plan, rank_plans
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


def test_corpus_plans_are_read_with_their_own_sniffing_not_as_options(tmp_path):
    from compare.models import Options

    corpus = _fixture_corpus(tmp_path / "corpus")
    for name in ("a", "b"):
        text = (corpus / "extra.txt").read_text(encoding="utf-8").replace("绿色", "普惠" if name == "a" else "科创")
        (tmp_path / f"{name}.txt").write_bytes(text.encode("gb18030"))
    options = Options(encoding="gb18030")
    a, b = load_plan(tmp_path / "a.txt", options), load_plan(tmp_path / "b.txt", options)
    warnings: list[str] = []
    forced = corpus_stats([a, b], plan_files(corpus), options, warnings)
    assert warnings == [] and forced.skipped == []  # A's --encoding was once applied to all: every file skipped
    sniffed = corpus_stats([load_plan(tmp_path / "a.txt"), load_plan(tmp_path / "b.txt")], plan_files(corpus))
    assert forced.key != sniffed.key  # keyed apart: A and B read otherwise could have other units
    assert forced.vocabulary == sniffed.vocabulary and forced.idf == sniffed.idf and "普惠" in forced.vocabulary


def test_every_cache_misses_when_what_it_depends_on_changes(tmp_path, monkeypatch):
    import compare
    from compare import tfidf, tokenize
    from compare.models import Options

    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path / "cache"))
    corpus = _fixture_corpus(tmp_path / "corpus")
    files = plan_files(corpus)
    a, b = load_plan(corpus / "law_style.md"), load_plan(corpus / "extra.txt")
    calls = {"build": 0, "segment": 0}
    real_build, real_segment = tfidf.build, tokenize.segment

    def counting(name, real):
        def wrapper(*args):
            calls[name] += 1
            return real(*args)
        return wrapper

    monkeypatch.setattr(tfidf, "build", counting("build", real_build))
    monkeypatch.setattr(tokenize, "segment", counting("segment", real_segment))

    def misses(options=None) -> tuple[bool, bool]:
        """(IDF cache missed, token cache missed) for one more run of compare's statistics."""
        tokenize.dictionary_fingerprint.cache_clear()
        tfidf.parser_fingerprint.cache_clear()
        tokenize._RECENT.clear()  # this process's memory: the disk cache is what is tested
        before = dict(calls)
        corpus_stats([a, b], files, options)
        Segmentation.of(a.text)
        return calls["build"] > before["build"], calls["segment"] > before["segment"]

    assert misses() == (True, True)
    assert misses() == (False, False)  # nothing changed: both hit
    data = tmp_path / "data"
    shutil.copytree(tokenize.DATA, data)
    (data / "t2s.txt").write_text((data / "t2s.txt").read_text(encoding="utf-8") + "\n丟 丢\n", encoding="utf-8")
    changes = {
        "package version": lambda m: m.setattr(compare, "__version__", "99.0"),
        "a data file (t2s.txt)": lambda m: m.setattr(tokenize, "DATA", data),
        "the tokenizer's version": lambda m: m.setattr(tokenize, "tokenizer", lambda: ("rjieba", "0.0.1")),
        "the tokenizer": lambda m: m.setattr(tokenize, "tokenizer", lambda: ("jieba", "0.42.1")),
        "the tokenizer rules": lambda m: m.setattr(tokenize, "TOKENIZER_VERSION", "x"),
    }
    for what, change in changes.items():
        with monkeypatch.context() as m:
            change(m)
            assert misses() == (True, True), what
        assert misses() == (False, False), what  # and back: the old entries are still there
    with monkeypatch.context() as m:
        m.setattr(tfidf, "PARSER_VERSION", "x")  # as would any edit of the loader's or parser's source
        assert misses() == (True, False)  # tokens depend on the text alone
    for options in (Options(encoding="utf-8"), Options(format="txt"), Options(max_bytes=1 << 20)):
        assert misses(options) == (True, False), options
    monkeypatch.setenv("COMPARE_MAX_MB", "7")
    assert misses() == (True, False)
    monkeypatch.delenv("COMPARE_MAX_MB")
    tokenize.dictionary_fingerprint.cache_clear()
    tfidf.parser_fingerprint.cache_clear()


def test_run_all_hashes_each_corpus_file_once(tmp_path, monkeypatch):
    from compare import api, tfidf

    corpus = _fixture_corpus(tmp_path / "corpus")
    hashed: list[str] = []
    real = tfidf._hash_file
    monkeypatch.setattr(tfidf, "_hash_file", lambda path, cap: hashed.append(str(path)) or real(path, cap))
    tfidf._DIGESTS.clear()
    written, skipped = api.run_all(str(corpus / "extra.txt"), str(tmp_path / "out"), corpus=str(corpus))
    assert len(written) == 6 and skipped == []  # 4 pairs, the seed and the matrix page
    seeds = [str(p) for p in api.seed_plans().values()]
    assert sorted(hashed) == sorted([str(p) for p in plan_files(corpus)] + seeds)  # once each, not once per pair
    (corpus / "law_style.md").write_text((corpus / "law_style.md").read_text(encoding="utf-8") + "\n第九条 新增。\n",
                                         encoding="utf-8")
    tfidf.file_digest(corpus / "law_style.md")
    assert hashed.count(str(corpus / "law_style.md")) == 2  # a changed file is hashed again


@pytest.mark.parametrize("chunk_tokens", [1 << 20, 3])
def test_rows_of_columns_are_the_rows_of_the_same_tokens(monkeypatch, chunk_tokens):
    """The corpus index hands rows over as columns, a plan at a time: bit for bit the rows of the tokens."""
    import numpy as np

    from compare import tfidf

    monkeypatch.setattr(tfidf, "CHUNK_TOKENS", chunk_tokens)
    units = [["金融", "中心", "金融"], ["普惠", "金融"], [], ["绿色", "债券", "试点", "中心"], ["跨境", "结算"]]
    stats = tfidf.fit(units)
    rows = units + [["未见", "金融"], []]  # a token the vocabulary lacks, an empty row
    column = lambda t: stats.vocabulary.get(t, -1)  # noqa: E731
    plans = [rows[:3], rows[3:4], rows[4:]]  # consecutive rows, handed over per plan
    chunks = [(np.array([column(t) for r in plan for t in r], dtype=np.int64), [len(r) for r in plan]) for plan in plans]
    want, got = stats.rows(rows), stats.rows_of_columns(iter(chunks))
    assert got.shape == want.shape
    for name in ("data", "indices", "indptr"):
        assert getattr(got, name).tolist() == getattr(want, name).tolist(), name
