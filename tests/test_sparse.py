"""compare.sparse: the numpy row-sparse matrices `compare run` uses instead of scipy.sparse.

Each operation is checked against a dense computation, and bit for bit against scipy.sparse (the
library it stands in for: a last-bit difference could move a score across a threshold)."""
from __future__ import annotations

import subprocess
import sys

import numpy as np
import pytest
from scipy import sparse as sp

from compare import sparse
from compare.sparse import Rows, dot_t, dot_t_blocks

from conftest import ROOT, SEED, needs_corpus, SHARED_CORPUS


def random_rows(rng, n_rows, n_cols, density):
    m = sp.random(n_rows, n_cols, density=density, random_state=int(rng.integers(1 << 30)), format="csr")
    m.data = rng.random(m.nnz) * 2.0
    m.sort_indices()
    return Rows(m.data, m.indices, m.indptr, n_cols), m


SHAPES = [  # (rows of x, rows of y, columns, density, TERMS_PER_BLOCK)
    (0, 5, 10, 0.5, 1 << 22),
    (5, 0, 10, 0.5, 1 << 22),
    (1, 1, 1, 1.0, 1 << 22),
    (7, 9, 40, 0.0, 1 << 22),  # no entries at all
    (30, 40, 200, 0.3, 1 << 22),
    (30, 40, 200, 0.3, 1),  # a block per x row: the product cap never splits a row
    (60, 20, 50, 0.9, 17),  # dense rows, more than 8 terms a cell (where pairwise sums would differ)
    (200, 150, 3000, 0.01, 64),
]


@pytest.mark.parametrize("per_column", [0, 256, 1 << 40])  # column by column always, by cost, never
@pytest.mark.parametrize("n_x, n_y, n_cols, density, cap", SHAPES)
def test_product_equals_dense_and_scipy_bit_for_bit(monkeypatch, n_x, n_y, n_cols, density, cap, per_column):
    rng = np.random.default_rng(n_x * 1000 + n_y)
    (x, sx), (y, sy) = random_rows(rng, n_x, n_cols, density), random_rows(rng, n_y, n_cols, density)
    monkeypatch.setattr(sparse, "TERMS_PER_BLOCK", cap)
    monkeypatch.setattr(sparse, "PRODUCTS_PER_COLUMN", per_column)
    got = dot_t(x, y)
    assert got.shape == (n_x, n_y) and got.dtype == np.float64
    np.testing.assert_allclose(got, x.toarray() @ y.toarray().T, rtol=1e-12, atol=1e-12)
    assert np.array_equal(got, (sx @ sy.T).toarray())
    for rows in (1, 3, 64):
        blocks = list(dot_t_blocks(x, y, rows))
        assert [lo for lo, _ in blocks] == list(range(0, n_x, rows))
        assert all(len(b) == min(rows, n_x - lo) for lo, b in blocks)
        if blocks:
            assert np.array_equal(np.vstack([b for _, b in blocks]), got)


@pytest.mark.parametrize("select", [[], [0], [3, 3, 1], slice(2, 9), slice(5, 2), slice(None, None, 2), [19]])
def test_row_selection_and_sums_equal_scipy(select):
    rng = np.random.default_rng(7)
    x, sx = random_rows(rng, 20, 60, 0.4)
    picked = x.take(select)
    expected = sx[select]
    assert picked.shape == expected.shape
    assert np.array_equal(picked.toarray(), expected.toarray())
    assert np.array_equal(picked.column_sums(), np.asarray(expected.sum(axis=0)).ravel())
    assert np.array_equal(picked.row_sums(), np.asarray(expected.sum(axis=1)).ravel())
    assert np.array_equal(picked.to_scipy().toarray(), expected.toarray())


@pytest.mark.parametrize("rows, cols, values, dense", [
    ([], [], [], [[0, 0], [0, 0]]),
    ([1, 0, 1, 1], [1, 0, 1, 0], [1, 2, 3, 4], [[2, 0], [4, 4]]),  # (1, 1) twice: summed
    ([0, 0], [1, 1], [1.5, -1.5], [[0, 0], [0, 0]]),  # a sum of 0 is no entry
    ([2, 0], [0, 1], [1, 1], [[0, 1], [0, 0], [1, 0]]),
])
def test_from_coo_sums_duplicates_and_sorts_columns(rows, cols, values, dense):
    m = Rows.from_coo(rows, cols, values, (len(dense), 2))
    assert m.toarray().tolist() == dense
    assert m.nnz == sum(1 for row in dense for v in row if v)
    for r in range(m.shape[0]):
        own = m.indices[m.indptr[r]:m.indptr[r + 1]]
        assert list(own) == sorted(own)


def test_column_counts_must_agree():
    with pytest.raises(ValueError, match="column counts differ"):
        dot_t(Rows([], [], [0], 3), Rows([], [], [0], 4))


@needs_corpus
def test_tfidf_rows_of_a_real_pair_score_as_scipy_did(tmp_path):
    """The aligner's products (cosine, containment, column sums) over the seed's and a real plan's
    sections, bit for bit as scipy.sparse computed them before."""
    from compare.align import _Side
    from compare.corpus import plan_files
    from compare.models import Options
    from compare.sections import load_plan
    from compare.similarity import containment, cosine
    from compare.tfidf import corpus_stats

    options = Options(cache_dir=str(tmp_path))
    a, b = load_plan(SEED), load_plan(SHARED_CORPUS / "zj-local-finance-regulation-2020.md")
    stats = corpus_stats([a, b], plan_files(SHARED_CORPUS), options)
    A, B = _Side(a, stats, options), _Side(b, stats, options)
    va, vb = A.vec, B.vec
    sa, sb = va.to_scipy(), vb.to_scipy()
    assert np.array_equal(cosine(va, vb), np.clip((sa @ sb.T).toarray().astype(np.float32), 0, 1))
    present = sb.copy()
    present.data[:] = 1.0
    assert np.array_equal(containment(va, vb),
                          np.clip((sa.multiply(sa) @ present.T).toarray().astype(np.float32), 0, 1))
    assert np.array_equal(va.column_sums(), np.asarray(sa.sum(axis=0)).ravel())


@needs_corpus
def test_compare_run_imports_no_scipy(tmp_path):
    """A `compare run` process stays off scipy (0.2–0.5 s of imports: the TF-IDF rows are compare.sparse), and
    off what only other paths need: numpy.ma (np.unique's mask check), logging (PDFs, jieba), sklearn."""
    probe = ("import runpy, sys\n"
             "before = set(sys.modules)\n"
             "sys.argv = ['compare'] + sys.argv[1:]\n"
             "try:\n"
             "    runpy.run_module('compare', run_name='__main__')\n"
             "except SystemExit as exit:\n"
             "    assert not exit.code, exit.code\n"
             "unwanted = ('scipy', 'sklearn', 'charset_normalizer', 'numpy.ma', 'logging')\n"
             "loaded = sorted(m for m in set(sys.modules) - before\n"
             "                if m in unwanted or m.startswith(tuple(u + '.' for u in unwanted)))\n"
             "print('LOADED', loaded, file=sys.stderr)\n")
    done = subprocess.run([sys.executable, "-c", probe, "run", str(SEED),
                           str(SHARED_CORPUS / "zj-local-finance-regulation-2020.md"), "--corpus", str(SHARED_CORPUS),
                           "--json", str(tmp_path / "r.json"), "-o", str(tmp_path / "r.html")],
                          capture_output=True, text=True, cwd=ROOT)
    assert done.returncode == 0, done.stderr
    assert "LOADED []" in done.stderr
    assert (tmp_path / "r.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")


def reference_rows(stats, token_lists):
    """The TF-IDF rows by their definition, one row at a time (how Stats.vectors computed them before)."""
    out = []
    for tokens in token_lists:
        counts: dict[int, int] = {}
        for t in tokens:
            if t in stats.vocabulary:
                counts[stats.vocabulary[t]] = counts.get(stats.vocabulary[t], 0) + 1
        cols = sorted(counts)
        weights = np.array([(1.0 + np.log(counts[c])) * stats.idf[c] for c in cols], dtype=np.float64)
        norm = float(np.sqrt((weights * weights).sum())) if cols else 0.0
        out.append((cols, weights / norm if norm else weights))
    return out


@pytest.mark.parametrize("units", [
    [],
    [[]],
    [["金融", "金融", "金融", "风险"], [], ["未知词"], ["风险", "金融"]],
    [["金融"] * k + ["风险", "监管", "创新", "服务", "实体", "经济", "支持", "发展"][:k] for k in range(12)],
])
@pytest.mark.parametrize("chunk", [1, 3, 1 << 20])  # tokens weighted at once: a flush inside a list's run too
def test_tfidf_rows_equal_their_definition_bit_for_bit(units, chunk, monkeypatch):
    from compare import tfidf
    from compare.tfidf import fit

    monkeypatch.setattr(tfidf, "CHUNK_TOKENS", chunk)

    stats = fit([["金融", "风险"], ["监管", "创新", "金融"], ["服务", "实体", "经济"], ["支持", "发展", "金融"]])
    rows = stats.rows(iter(units))  # any iterable, read once
    assert rows.shape == (len(units), len(stats.vocabulary))
    for r, (cols, weights) in enumerate(reference_rows(stats, units)):
        lo, hi = rows.indptr[r], rows.indptr[r + 1]
        assert rows.indices[lo:hi].tolist() == cols
        assert np.array_equal(rows.data[lo:hi], weights)
    assert np.array_equal(stats.vectors(units).toarray(), rows.toarray())


@needs_corpus
def test_tfidf_rows_of_the_real_corpus_equal_their_definition(tmp_path):
    from compare.corpus import plan_files
    from compare.models import Options
    from compare.sections import load_plan
    from compare.tfidf import corpus_stats, section_tokens
    from compare.tokenize import Segmentation

    files = plan_files(SHARED_CORPUS)[:6]
    docs = [load_plan(f) for f in files]
    stats = corpus_stats(docs[:2], files, Options(cache_dir=str(tmp_path)))
    units = []
    for d in docs:
        seg = Segmentation.of(d.text, str(tmp_path))
        units += [section_tokens(d, seg, s, deep=True) for s in d.walk()]
        units += [seg.tokens(*c.span) for s in d.walk() for c in s.clauses]
    rows = stats.rows(units)
    for r, (cols, weights) in enumerate(reference_rows(stats, units)):
        lo, hi = rows.indptr[r], rows.indptr[r + 1]
        assert rows.indices[lo:hi].tolist() == cols and np.array_equal(rows.data[lo:hi], weights), r


@pytest.mark.parametrize("texts", [
    [],
    [""],
    ["应当建立制度", "应当建立健全制度"],
    ["aab", "abab", "", "金融金融金", "𠀀𠀀a"],  # repeats, an empty text, a character beyond the BMP
])
def test_occurrence_rows_count_shared_characters_with_repeats(texts):
    from collections import Counter

    from compare.similarity import _occurrences

    rows = _occurrences(texts)
    expected = [[sum((Counter(a) & Counter(b)).values()) for b in texts] for a in texts]
    assert dot_t(rows, rows).tolist() == expected


@pytest.mark.parametrize("lengths", [
    [], [0], [0, 0, 3], list(range(20)),  # below 8 terms numpy adds in order
    [8, 9, 15, 16, 17, 127, 128, 129],  # 8 partial sums, with and without a remainder
    [130, 255, 256, 257, 1000, 4099],  # past 128 terms the halves are summed apart, recursively
    [5, 300, 5, 300, 0, 64],  # few runs of each length: summed one by one
    [7, 8, 129, 0] * 20, list(range(300)) * 16,  # many of each length: gathered, all of one length at once
])
def test_segment_sums_equal_numpy_sum_bit_for_bit(lengths):
    """Row norms are summed for all rows of one length at once; each must be the very sum numpy gives
    that row alone, or a TF-IDF weight could differ in its last bit from before."""
    rng = np.random.default_rng(len(lengths))
    values = rng.random(sum(lengths)) * 10.0 ** rng.uniform(-6, 6, sum(lengths))
    starts = np.concatenate([[0], np.cumsum(lengths, dtype=np.int64)])
    expected = [values[lo:hi].sum() for lo, hi in zip(starts, starts[1:])]
    got = sparse.segment_sums(values, lengths)
    assert got.dtype == np.float64 and got.tolist() == expected
