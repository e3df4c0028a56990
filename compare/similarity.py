"""Similarity primitives shared by the aligner: cosine and containment of TF-IDF rows, significance
over a background, optimal one-to-one assignment, and the longest in-order run.
"""
from __future__ import annotations


def assign(sim, threshold: float, admissible=None) -> list[tuple[int, int]]:
    """Optimal one-to-one (row, col) pairs maximizing sim over admissible cells with sim ≥ threshold."""
    import numpy as np

    if sim.size == 0:
        return []
    from scipy.optimize import linear_sum_assignment

    ok = sim >= threshold
    if admissible is not None:
        ok &= admissible
    if not ok.any():
        return []
    rows_used, cols_used = np.flatnonzero(ok.any(axis=1)), np.flatnonzero(ok.any(axis=0))
    sub = np.where(ok[np.ix_(rows_used, cols_used)], sim[np.ix_(rows_used, cols_used)], -1.0).astype(np.float64)
    # Tiny index-based tie-breaker: equal gains resolve the same way on every run.
    n, m = sub.shape
    sub -= (np.arange(n)[:, None] * m + np.arange(m)[None, :]) * 1e-12
    rows, cols = linear_sum_assignment(-sub)
    return sorted((int(rows_used[r]), int(cols_used[c])) for r, c in zip(rows, cols) if ok[rows_used[r], cols_used[c]])


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
