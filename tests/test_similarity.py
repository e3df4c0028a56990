"""The one-to-one assignment: optimal like scipy's solver, solved per component without it."""
import numpy as np
import pytest

from compare import similarity
from compare.similarity import assign


def _best_gain_scipy(sim, threshold, admissible):
    """Reference: the number of pairs, then their summed sim, maximized by scipy over the whole matrix."""
    from scipy.optimize import linear_sum_assignment

    ok = (sim >= threshold) & admissible
    gain = np.where(ok, 1.0 + sim, 0.0)
    rows, cols = linear_sum_assignment(gain, maximize=True)
    return sum(gain[r, c] for r, c in zip(rows, cols) if ok[r, c])


@pytest.mark.parametrize("seed", range(40))
def test_assignment_is_optimal_and_admissible(seed):
    rng = np.random.default_rng(seed)
    n, m = (int(x) for x in rng.integers(1, 16, 2))
    sim = rng.random((n, m)).astype(np.float32)
    if seed % 2:
        sim = np.round(sim, 1)  # many ties
    admissible = rng.random((n, m)) < rng.random()
    threshold = float(rng.choice([0.3, 0.6, 0.85]))
    pairs = assign(sim, threshold, admissible)
    assert len({r for r, _ in pairs}) == len(pairs) == len({c for _, c in pairs})
    assert all(sim[r, c] >= threshold and admissible[r, c] for r, c in pairs)
    got = sum(1.0 + sim[r, c] for r, c in pairs)
    assert got == pytest.approx(_best_gain_scipy(sim, threshold, admissible), abs=1e-5)
    assert assign(sim.copy(), threshold, admissible.copy()) == pairs  # deterministic


def test_ties_resolve_the_same_way_and_to_low_indexes():
    sim = np.full((3, 3), 0.5, dtype=np.float32)
    assert assign(sim, 0.2) == [(0, 0), (1, 1), (2, 2)]
    assert assign(np.full((1, 4), 0.5, dtype=np.float32), 0.2) == [(0, 0)]
    assert assign(np.full((4, 1), 0.5, dtype=np.float32), 0.2) == [(0, 0)]


def test_large_components_go_to_scipy_with_the_same_result(monkeypatch):
    rng = np.random.default_rng(7)
    sim = rng.random((30, 30)).astype(np.float32)
    small = assign(sim, 0.1)
    monkeypatch.setattr(similarity, "SMALL_COMPONENT", 10)
    assert assign(sim, 0.1) == small


def test_nothing_admissible_gives_no_pairs():
    assert assign(np.zeros((0, 3), dtype=np.float32), 0.2) == []
    assert assign(np.full((2, 2), 0.1, dtype=np.float32), 0.2) == []
