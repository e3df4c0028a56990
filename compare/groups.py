"""Unit pairs and groups decided from evidence matrices (README "How alignment works", steps 2–3).

Every function here takes matrices over A's units (rows) and B's units (columns): ``sim`` (cosine in
[0, 1]), ``z`` (significance, standard deviations above the background), ``a_in_b`` / ``b_in_a`` (the
share of a unit's TF-IDF weight found in the other, in [0, 1]), and boolean ``veto`` / ``identical``
cells. They return groups as [(A rows, B rows)]; :mod:`compare.align` builds the evidence and turns
rows back into sections.
"""
from __future__ import annotations

from .numbering import longest_increasing
from .similarity import assign, significance

ANCHOR_Z = 3.5  # significance of an anchor pair
GAP_Z = 1.5  # significance of a pair that also keeps both plans' order
GROUP_CONTAINMENT, GROUP_Z = 0.6, 2.0  # a unit joins a group that holds most of it
# A plan's measures against a law's articles (the genres apart): under the floor, down to half of it, two
# leftovers that are each other's best match still pair where they stand this far above both backgrounds.
# A measure and the article that carries it out share less wording than two laws do (cosine 0.16–0.18 on the
# plan-vs-law truth set), but no less significance.
BELOW_FLOOR_Z, BELOW_FLOOR_SHARE = 3.0, 0.5  # significance needed; the lowest cosine, as a share of the floor
# Fewer units than this on a side and no cell can reach ANCHOR_Z (a z-score over n cells is at most √(n−1)):
# the background says nothing, and evident pairs stand in for significant ones.
MIN_BACKGROUND = 20


def unit_groups(sim, z, identical, a_in_b, b_in_a, shared, evident, floor, veto, forced=(), across_genres=False):
    """Anchors, gaps, then groups (containment, shared sentences, mutual best leftovers), never on a vetoed
    cell; the forced groups (a reviewer's pairs, their rows and columns vetoed) are anchors for the gaps and
    kept as given. ``across_genres``: a plan in measures against a plan in articles (BELOW_FLOOR_Z).

    ``evident`` is given (not None) only where a plan is too small for significance (MIN_BACKGROUND):
    its cells anchor, and a unit joins a group on containment judged against the larger plan alone
    (against nothing where both are small)."""
    import numpy as np

    z = np.where(veto, -np.inf, z)
    admissible = (z >= ANCHOR_Z) | identical if evident is None else (z >= ANCHOR_Z) | identical | evident
    anchors = assign(np.where(identical, 2.0, sim), floor, admissible & ~veto)
    fixed = [(ga[0], gb[0]) for ga, gb in forced]
    unit_pairs = anchors + fill_gaps(sim, z, anchors + fixed, floor, len(sim), sim.shape[1])
    groups = grow_groups(unit_pairs, np.where(veto, 0.0, a_in_b), np.where(veto.T, 0.0, b_in_a),
                     min_cells=0 if evident is None else MIN_BACKGROUND)
    groups = sentence_joiners(groups, shared, sim, z)
    if evident is None:
        sim = np.where(veto, -np.inf, sim)
        groups = mutual_leftovers(groups, sim, z, floor)
        if across_genres:
            groups = mutual_leftovers(groups, sim, np.where(z >= BELOW_FLOOR_Z, z, -np.inf),
                                      floor * BELOW_FLOOR_SHARE)
    return sorted(groups + [(list(ga), list(gb)) for ga, gb in forced])


def mutual_leftovers(groups, sim, z, floor):
    """A unit still in no group and its best match, where each is the other's best match at the floor or
    above and significant (GROUP_Z): both alone, they pair; the match in a group, the unit joins it.

    Vetoed cells are -inf in ``sim``. Returns [(A rows, B rows)] as ``groups``."""
    if sim.size == 0:
        return groups
    best_j, best_i = sim.argmax(axis=1), sim.argmax(axis=0)
    group_a = {i: k for k, (ga, _) in enumerate(groups) for i in ga}
    group_b = {j: k for k, (_, gb) in enumerate(groups) for j in gb}
    groups = [(list(ga), list(gb)) for ga, gb in groups]
    for i, j in enumerate(best_j.tolist()):
        if best_i[j] != i or sim[i, j] < floor or z[i, j] < GROUP_Z or (i in group_a and j in group_b):
            continue
        if i in group_a:
            groups[group_a[i]][1].append(j)
        elif j in group_b:
            groups[group_b[j]][0].append(i)
        else:
            groups.append(([i], [j]))
    return [(sorted(ga), sorted(gb)) for ga, gb in groups]


def evident_cells(sim, a_in_b, b_in_a, floor):
    """Cells that pair without a background to stand out from: each unit the other's best match, at the
    floor or above, and one of the two holding most (GROUP_CONTAINMENT) of the other's weighted words.

    将被删除的条款 and 新增的条款 share 条款 and stay apart; 网络运营者应当制定应急预案 stands whole in
    its amended version."""
    import numpy as np

    if sim.size == 0:
        return np.zeros(sim.shape, dtype=bool)
    mutual = (sim >= sim.max(axis=1, keepdims=True)) & (sim >= sim.max(axis=0, keepdims=True))
    return mutual & (sim >= floor) & (np.maximum(a_in_b, b_in_a.T) >= GROUP_CONTAINMENT)


def fill_gaps(sim, z, anchors, floor, n_a, n_b):
    """Pairs among the units between consecutive in-order anchors, at the lower significance GAP_Z."""
    anchors = sorted(anchors)
    keep = longest_increasing([j for _, j in anchors])
    chain = [anchors[k] for k in sorted(keep)]
    used_a, used_b = {i for i, _ in anchors}, {j for _, j in anchors}
    out = []
    for (i0, j0), (i1, j1) in zip([(-1, -1)] + chain, chain + [(n_a, n_b)]):
        ia = [i for i in range(i0 + 1, i1) if i not in used_a]
        jb = [j for j in range(j0 + 1, j1) if j not in used_b]
        if ia and jb:
            sub_sim, sub_z = sim[ia][:, jb], z[ia][:, jb]
            out += [(ia[r], jb[c]) for r, c in assign(sub_sim, floor, sub_z >= GAP_Z)]
    return out


def grow_groups(unit_pairs, a_in_b, b_in_a, min_cells=0):
    """Grow 1:1 pairs into groups: a leftover unit joins the pair whose other side contains it.

    ``a_in_b[i, j]``: share of A unit i found in B unit j; ``b_in_a[j, i]``: of B unit j in A unit i.
    Returns [(A rows, B rows)] in A order.
    """
    groups = {i: ([i], [j]) for i, j in unit_pairs}  # keyed by the A row of the 1:1 pair
    b_of = {j: i for i, j in unit_pairs}
    for i, j in joiners(a_in_b, [i for i, _ in unit_pairs], [j for _, j in unit_pairs], min_cells):
        groups[b_of[j]][0].append(i)  # A unit i joins the pair holding B unit j
    for j, i in joiners(b_in_a, [j for _, j in unit_pairs], [i for i, _ in unit_pairs], min_cells):
        groups[i][1].append(j)  # B unit j joins the pair holding A unit i
    return [(sorted(ga), sorted(gb)) for _, (ga, gb) in sorted(groups.items())]


def joiners(contained, paired_rows, paired_cols, min_cells=0):
    """(row, col): each unpaired row and the paired col that contains it, where the containment is
    at least GROUP_CONTAINMENT and significant (GROUP_Z, over rows and columns of ``min_cells`` or more)."""
    import numpy as np

    if not paired_cols:
        return []
    z = significance(contained, min_cells)
    cols = np.array(sorted(paired_cols))
    taken = set(paired_rows)
    out = []
    for r in range(contained.shape[0]):
        if r in taken:
            continue
        c = int(cols[np.argmax(contained[r, cols])])
        if contained[r, c] >= GROUP_CONTAINMENT and z[r, c] >= GROUP_Z:
            out.append((r, c))
    return out


def sentence_joiners(groups, shared, sim, z):
    """A unit in no group joins the group whose other side shares a sentence with it (significance ≥ GAP_Z);
    most sentences first, then cosine, then index."""
    group_a = {i: k for k, (ga, _) in enumerate(groups) for i in ga}
    group_b = {j: k for k, (_, gb) in enumerate(groups) for j in gb}
    join_a: dict[int, tuple] = {}
    join_b: dict[int, tuple] = {}
    for (i, j), n in sorted(shared.items()):
        if z[i, j] < GAP_Z:
            continue
        if i not in group_a and j in group_b and (i not in join_a or (n, sim[i, j]) > join_a[i][:2]):
            join_a[i] = (n, sim[i, j], group_b[j])
        if j not in group_b and i in group_a and (j not in join_b or (n, sim[i, j]) > join_b[j][:2]):
            join_b[j] = (n, sim[i, j], group_a[i])
    for i, (_, _, k) in sorted(join_a.items()):
        groups[k][0].append(i)
    for j, (_, _, k) in sorted(join_b.items()):
        groups[k][1].append(j)
    return [(sorted(ga), sorted(gb)) for ga, gb in groups]
