"""Similarity primitives shared by the aligner: cosine and containment of TF-IDF rows, significance
over a background, the share of shared characters of short texts, and optimal one-to-one assignment
(the longest in-order run is :func:`compare.numbering.longest_increasing`).
"""
from __future__ import annotations


SMALL_COMPONENT = 4096  # cells; larger components of the candidate graph go to scipy's solver


def assign(sim, threshold: float, admissible=None) -> list[tuple[int, int]]:
    """Optimal one-to-one (row, col) pairs over admissible cells with sim ≥ threshold.

    Maximizes the number of pairs first, then their summed sim (each pair gains sim + 1). Equal
    gains resolve by tiny tie-breakers: pairs in order before pairs crosswise, then the cells' indexes. The candidate graph is solved one connected
    component at a time: components are small on real plans and solved here in pure Python, so a
    run rarely imports scipy.optimize (0.4 s); large ones go to ``linear_sum_assignment``.
    """
    import numpy as np

    if sim.size == 0:
        return []
    ok = sim >= threshold
    if admissible is not None:
        ok &= admissible
    if not ok.any():
        return []
    n = sim.shape[0]
    rows, cols = np.nonzero(ok)
    # Gain of a pair: 1 + sim, less tiny tie-breakers among the rows and columns in play: first by how far the
    # pair stands from the diagonal (two identical items, （三）其他措施 in two lists of one article, pair in
    # order, not crosswise: a sum of indexes is the same for both ways), then by index.
    rank_r, rank_c = np.cumsum(ok.any(axis=1)) - 1, np.cumsum(ok.any(axis=0)) - 1
    width = int(rank_c[-1]) + 1
    r_in, c_in = rank_r[rows], rank_c[cols]
    gain = 1.0 + sim[rows, cols].astype(np.float64) - np.abs(r_in - c_in) * 1e-7 - (r_in * width + c_in) * 1e-12
    out = []
    for comp_rows, comp_cols, cells in _components(rows.tolist(), cols.tolist(), n):
        r_at = {r: k for k, r in enumerate(comp_rows)}
        c_at = {c: k for k, c in enumerate(comp_cols)}
        weights = [[0.0] * len(comp_cols) for _ in comp_rows]
        for e in cells:
            weights[r_at[int(rows[e])]][c_at[int(cols[e])]] = float(gain[e])
        if len(comp_rows) * len(comp_cols) > SMALL_COMPONENT:
            matched = _assign_scipy(weights)
        else:
            matched = _assign_small(weights)
        out += [(comp_rows[i], comp_cols[j]) for i, j in matched if weights[i][j] > 0]
    return sorted(out)


def _components(rows: list[int], cols: list[int], n: int):
    """Connected components of the bipartite graph with edges (rows[e], cols[e]): (rows, cols, edges)."""
    parent = list(range(n + max(cols) + 1))

    def find(x):
        while parent[x] != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for r, c in zip(rows, cols):
        a, b = find(r), find(n + c)
        if a != b:
            parent[max(a, b)] = min(a, b)
    comps: dict[int, tuple[set, set, list]] = {}
    for e, (r, c) in enumerate(zip(rows, cols)):
        comp = comps.setdefault(find(r), (set(), set(), []))
        comp[0].add(r)
        comp[1].add(c)
        comp[2].append(e)
    for root in sorted(comps):
        comp_rows, comp_cols, cells = comps[root]
        yield sorted(comp_rows), sorted(comp_cols), cells


def _assign_small(weights: list[list[float]]) -> list[tuple[int, int]]:
    """Maximum-weight assignment of a small dense matrix (weights ≥ 0, 0 = no edge):
    the Hungarian method with potentials, O(n² m) for n rows ≤ m columns."""
    transposed = len(weights) > len(weights[0])
    w = [list(col) for col in zip(*weights)] if transposed else weights
    n, m = len(w), len(w[0])
    if n == 1:
        j = max(range(m), key=lambda j: (w[0][j], -j))
        pairs = [(0, j)]
    else:
        big = 2.0 + max(max(row) for row in w)
        cost = [[big - x for x in row] for row in w]
        inf = float("inf")
        u, v = [0.0] * (n + 1), [0.0] * (m + 1)
        match = [0] * (m + 1)  # column (1-based) → row (1-based), 0 = free
        for i in range(1, n + 1):
            match[0], j0 = i, 0
            minv, used, way = [inf] * (m + 1), [False] * (m + 1), [0] * (m + 1)
            while match[j0]:
                used[j0] = True
                i0, delta, j1 = match[j0], inf, 0
                row = cost[i0 - 1]
                for j in range(1, m + 1):
                    if not used[j]:
                        cur = row[j - 1] - u[i0] - v[j]
                        if cur < minv[j]:
                            minv[j], way[j] = cur, j0
                        if minv[j] < delta:
                            delta, j1 = minv[j], j
                for j in range(m + 1):
                    if used[j]:
                        u[match[j]] += delta
                        v[j] -= delta
                    else:
                        minv[j] -= delta
                j0 = j1
            while j0:
                j1 = way[j0]
                match[j0] = match[j1]
                j0 = j1
        pairs = [(match[j] - 1, j - 1) for j in range(1, m + 1) if match[j]]
    return [(j, i) for i, j in pairs] if transposed else pairs


def _assign_scipy(weights: list[list[float]]) -> list[tuple[int, int]]:
    import numpy as np
    from scipy.optimize import linear_sum_assignment

    rows, cols = linear_sum_assignment(np.asarray(weights), maximize=True)
    return list(zip(rows.tolist(), cols.tolist()))


def significance(sim, min_cells: int = 0):
    """z-score of each cell against its row's and its column's background; the smaller of the two.

    A row (column) of fewer than ``min_cells`` cells is no background and has no say (+inf): an excerpt
    of three articles tells nothing about what is usual for a unit of the other plan."""
    import numpy as np

    if sim.size == 0:
        return np.zeros_like(sim)
    z = np.full(sim.shape, np.inf)
    if sim.shape[1] >= min_cells:
        z = np.minimum(z, (sim - sim.mean(axis=1, keepdims=True)) / (sim.std(axis=1, keepdims=True) + 1e-6))
    if sim.shape[0] >= min_cells:
        z = np.minimum(z, (sim - sim.mean(axis=0, keepdims=True)) / (sim.std(axis=0, keepdims=True) + 1e-6))
    return z


def cosine(x, y):
    """Cosine between two row sets (:class:`compare.sparse.Rows`), dense float32 array (len(x) × len(y)),
    clipped to [0, 1]."""
    import numpy as np

    from .sparse import dot_t

    if x.shape[0] == 0 or y.shape[0] == 0:
        return np.zeros((x.shape[0], y.shape[0]), dtype=np.float32)
    return np.clip(dot_t(x, y).astype(np.float32), 0.0, 1.0)


def containment(x, y):
    """Share of each x row's squared TF-IDF weight on terms present in each y row, in [0, 1]."""
    import numpy as np

    from .sparse import dot_t

    if x.shape[0] == 0 or y.shape[0] == 0:
        return np.zeros((x.shape[0], y.shape[0]), dtype=np.float32)
    present = y.with_data(np.ones(y.nnz))
    return np.clip(dot_t(x.with_data(x.data * x.data), present).astype(np.float32), 0.0, 1.0)


def words_found_in(rows, term_of: dict[int, str], texts: list[str]):
    """Share of each TF-IDF row's squared weight on terms that stand in each text as characters, in [0, 1]
    (dense float32, rows × texts): 建立 and 制度 stand in 应当建立健全制度 though a segmenter cut 健全制度
    as one word. ``term_of``: column → term, in the texts' matching form."""
    import numpy as np

    out = np.zeros((rows.shape[0], len(texts)), dtype=np.float32)
    for r in range(rows.shape[0]):
        lo, hi = rows.indptr[r], rows.indptr[r + 1]
        weights = rows.data[lo:hi] ** 2
        total = float(weights.sum())
        if not total:
            continue
        terms = [term_of[k] for k in rows.indices[lo:hi]]
        for c, text in enumerate(texts):
            out[r, c] = sum(w for w, t in zip(weights, terms) if t and t in text) / total
    return np.clip(out, 0.0, 1.0)


def shared_characters(texts_a: list[str], texts_b: list[str], short: int):
    """Dice share of shared characters, 2·|common| / (|a| + |b|) in [0, 1], counted with repeats, for each
    pair in which the shorter text has fewer than ``short`` characters; 0 elsewhere (dense float32).

    Short articles hold too few words for a word cosine to say much: 应当建立制度 against 应当建立健全制度
    shares 6 of 8 characters (0.86) but only one of three words. ``texts``: the forms to compare,
    punctuation and spaces already left out.
    """
    import numpy as np

    out = np.zeros((len(texts_a), len(texts_b)), dtype=np.float32)
    short_a = [i for i, t in enumerate(texts_a) if 0 < len(t) < short]
    short_b = [j for j, t in enumerate(texts_b) if 0 < len(t) < short]
    if not short_a and not short_b:
        return out
    from .sparse import dot_t

    rows = _occurrences(texts_a + texts_b)  # the characters two texts share are a dot product
    xa, xb = rows.take(slice(0, len(texts_a))), rows.take(slice(len(texts_a), None))
    length_a = np.array([len(t) for t in texts_a], dtype=np.float32)
    length_b = np.array([len(t) for t in texts_b], dtype=np.float32)
    if short_a:
        common = dot_t(xa.take(short_a), xb)
        out[short_a] = 2 * common / np.maximum(1, length_a[short_a, None] + length_b[None, :])
    if short_b:
        common = dot_t(xa, xb.take(short_b))
        out[:, short_b] = 2 * common / np.maximum(1, length_a[:, None] + length_b[None, short_b])
    return np.clip(out, 0.0, 1.0)


def _occurrences(texts: list[str]):
    """Binary rows (:class:`compare.sparse.Rows`) over (character, k-th occurrence): the dot product of two
    rows counts the characters the texts share, repeats included (min of the two counts for each character)."""
    import numpy as np

    from .sparse import Rows

    lengths = np.array([len(t) for t in texts], dtype=np.int64)
    codes = np.frombuffer("".join(texts).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    text_of = np.repeat(np.arange(len(texts)), lengths)
    order = np.lexsort((codes, text_of))  # by text, then character; a character's occurrences in text order
    codes, text_of = codes[order], text_of[order]
    at = np.arange(len(codes))
    first = np.ones(len(codes), dtype=bool)
    first[1:] = (codes[1:] != codes[:-1]) | (text_of[1:] != text_of[:-1])
    occurrence = at - np.maximum.accumulate(np.where(first, at, 0))  # 0 for a character's first in its text
    _, column = np.unique(codes * (int(lengths.max(initial=0)) + 1) + occurrence, return_inverse=True)
    n_cols = max(1, int(column.max(initial=-1)) + 1)
    return Rows.from_coo(text_of, column.reshape(-1), np.ones(len(codes)), (len(texts), n_cols))
