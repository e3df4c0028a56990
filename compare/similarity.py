"""Similarity primitives shared by the aligner: cosine and containment of TF-IDF rows, significance
over a background, optimal one-to-one assignment, and the longest in-order run.
"""
from __future__ import annotations


SMALL_COMPONENT = 4096  # cells; larger components of the candidate graph go to scipy's solver


def assign(sim, threshold: float, admissible=None) -> list[tuple[int, int]]:
    """Optimal one-to-one (row, col) pairs over admissible cells with sim ≥ threshold.

    Maximizes the number of pairs first, then their summed sim (each pair gains sim + 1). Equal
    gains resolve by a tiny tie-breaker on the cells' indexes, so every run gives the same pairs. The candidate graph is solved one connected
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
    # Gain of a pair: 1 + sim, less a tiny tie-breaker by index among the rows and columns in play.
    rank_r, rank_c = np.cumsum(ok.any(axis=1)) - 1, np.cumsum(ok.any(axis=0)) - 1
    width = int(rank_c[-1]) + 1
    gain = 1.0 + sim[rows, cols].astype(np.float64) - (rank_r[rows] * width + rank_c[cols]) * 1e-12
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


def significance(sim):
    """z-score of each cell against its row's and its column's background; the smaller of the two."""
    import numpy as np

    if sim.size == 0:
        return np.zeros_like(sim)
    z_row = (sim - sim.mean(axis=1, keepdims=True)) / (sim.std(axis=1, keepdims=True) + 1e-6)
    z_col = (sim - sim.mean(axis=0, keepdims=True)) / (sim.std(axis=0, keepdims=True) + 1e-6)
    return np.minimum(z_row, z_col)


def longest_increasing(seq: list[int]) -> set[int]:
    """Indexes (into seq) of one longest strictly increasing subsequence; ties resolved to the earliest."""
    import bisect

    tails, tails_idx, prev = [], [], [-1] * len(seq)
    for i, x in enumerate(seq):
        k = bisect.bisect_left(tails, x)
        if k == len(tails):
            tails.append(x)
            tails_idx.append(i)
        else:
            tails[k], tails_idx[k] = x, i
        prev[i] = tails_idx[k - 1] if k else -1
    keep, i = set(), tails_idx[-1] if tails_idx else -1
    while i >= 0:
        keep.add(i)
        i = prev[i]
    return keep


def cosine(x, y):
    """Cosine between two row sets, dense float32 array (len(x) × len(y)), clipped to [0, 1]."""
    import numpy as np

    if x.shape[0] == 0 or y.shape[0] == 0:
        return np.zeros((x.shape[0], y.shape[0]), dtype=np.float32)
    return np.clip((x @ y.T).toarray().astype(np.float32), 0.0, 1.0)


def containment(x, y):
    """Share of each x row's squared TF-IDF weight on terms present in each y row, in [0, 1]."""
    import numpy as np

    if x.shape[0] == 0 or y.shape[0] == 0:
        return np.zeros((x.shape[0], y.shape[0]), dtype=np.float32)
    present = y.copy()
    present.data[:] = 1.0
    return np.clip((x.multiply(x) @ present.T).toarray().astype(np.float32), 0.0, 1.0)
