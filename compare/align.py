"""Align two parsed plans: section pairs, split/merge, moves, clause pairs, a document score.

Sections play one of three roles:

- **units**: where a plan's substance lies, the numbered measures or articles:
  every section that has no children, or is an article (第X条/款), and is not
  inside an article;
- **items**: sections inside an article, such as its （一）（二） list;
- **containers**: every other section (一、, （一） groups, 第X章).

Units are aligned first, on the TF-IDF cosine of their whole text, by optimal
one-to-one assignment (``scipy.optimize.linear_sum_assignment``) above
``Options.threshold``. Containers are aligned the same way, and a unit pair
whose parents are paired gets ``Options.parent_bonus`` during assignment
(never in its reported score). Units left over are tested for split/merge
against the pairs; pairs out of B's order (not in the longest increasing run)
are ``moved``. Items are aligned inside their paired units. The rest is
``only_a`` / ``only_b``: every section of both plans ends up in exactly one pair.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .index import Stats, section_tokens
from .load import match_form
from .models import ClauseLink, ClausePair, Comparison, Document, Options, Pair, Section
from .tokenize import Segmentation

ARTICLE_STYLES = ("tiao", "kuan")
_SPACE = re.compile(r"\s+")


# ---------------------------------------------------------------- roles

def roles(doc: Document) -> dict[str, str]:
    """Section id → "unit" | "item" | "container"."""
    out: dict[str, str] = {}

    def visit(s: Section, inside_unit: bool):
        if inside_unit:
            out[s.id] = "item"
        elif not s.children or s.style in ARTICLE_STYLES:
            out[s.id] = "unit"
        else:
            out[s.id] = "container"
        for c in s.children:
            visit(c, inside_unit or out[s.id] == "unit")

    for top in doc.sections:
        visit(top, False)
    return out


def deep_text(doc: Document, s: Section) -> str:
    """A section's title, body and descendants without its own number, for equality tests."""
    return _SPACE.sub("", match_form(doc.text[s.title_start:s.end]))


# ---------------------------------------------------------------- assignment

def assign(sim, threshold: float, bonus=None) -> list[tuple[int, int]]:
    """Optimal one-to-one (row, col) pairs maximizing sim (+ bonus); keep those with sim ≥ threshold."""
    import numpy as np

    if sim.size == 0:
        return []
    from scipy.optimize import linear_sum_assignment

    gain = sim + (bonus if bonus is not None else 0.0)
    # Tiny index-based tie-breaker: equal gains resolve the same way on every run.
    n, m = gain.shape
    tie = (np.arange(n)[:, None] * m + np.arange(m)[None, :]) * 1e-12
    rows, cols = linear_sum_assignment(-(gain - tie))
    return sorted((int(r), int(c)) for r, c in zip(rows, cols) if sim[r, c] >= threshold)


AUTO_FLOOR, AUTO_CEILING, AUTO_RATIO = 0.12, 0.3, 0.5


def auto_threshold(sim) -> float:
    """Half the median of each A unit's best cosine, kept within [0.12, 0.3].

    Versions of one plan match at 0.8–1.0, so the threshold rises to 0.3 and a
    repealed article is not paired with a new one on a shared topic. A plan
    and a regulation that implements it match at 0.1–0.3, so it falls to 0.12
    and topical correspondences still pair.
    """
    import numpy as np

    if sim.size == 0:
        return AUTO_CEILING
    return float(min(AUTO_CEILING, max(AUTO_FLOOR, AUTO_RATIO * float(np.median(sim.max(axis=1))))))


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


# ---------------------------------------------------------------- the comparison

class _Side:
    """One plan with its segmentation, roles and TF-IDF rows for its sections."""

    def __init__(self, doc: Document, stats: Stats, options: Options):
        self.doc = doc
        self.seg = Segmentation.of(doc.text, options.cache_dir)
        self.role = roles(doc)
        self.sections = list(doc.walk())
        self.by_id = {s.id: s for s in self.sections}
        self.order = {s.id: i for i, s in enumerate(self.sections)}
        self.deep = {s.id: deep_text(doc, s) for s in self.sections}
        self.stats = stats
        self.vec = stats.vectors([section_tokens(doc, self.seg, s, deep=True) for s in self.sections])
        self.row = {s.id: i for i, s in enumerate(self.sections)}

    def ids(self, role: str) -> list[str]:
        return [s.id for s in self.sections if self.role[s.id] == role]

    def rows(self, ids):
        return self.vec[[self.row[i] for i in ids]]

    def combined(self, ids):
        """One L2-normalized row for several sections' text together."""
        return _normalize(self.rows(ids).sum(axis=0))


def _normalize(dense_row):
    import numpy as np

    row = np.asarray(dense_row, dtype=np.float64).ravel()
    norm = float(np.sqrt((row * row).sum()))
    return row / norm if norm else row


def _sim(x, y):
    """Cosine between two row sets, dense array (len(x) × len(y)), clipped to [0, 1]."""
    import numpy as np

    if x.shape[0] == 0 or y.shape[0] == 0:
        return np.zeros((x.shape[0], y.shape[0]))
    return np.clip((x @ y.T).toarray(), 0.0, 1.0)


def _kind(A: _Side, B: _Side, a_ids, b_ids) -> str:
    return "same" if "".join(A.deep[i] for i in a_ids) == "".join(B.deep[i] for i in b_ids) else "changed"


def compare(a: Document, b: Document, stats: Stats, options: Options | None = None) -> Comparison:
    """Align plan A against plan B."""
    import numpy as np

    options = options or Options()
    A, B = _Side(a, stats, options), _Side(b, stats, options)
    pairs: list[Pair] = []
    ua, ub = A.ids("unit"), B.ids("unit")
    u_sim = _sim(A.rows(ua), B.rows(ub))
    threshold = options.threshold if options.threshold is not None else auto_threshold(u_sim)
    options = replace(options, threshold=threshold)

    # Containers first: their pairing steers the units through the parent bonus.
    ca, cb = A.ids("container"), B.ids("container")
    c_sim = _sim(A.rows(ca), B.rows(cb))
    c_pairs = assign(c_sim, options.threshold)
    paired_parent = {(ca[r], cb[c]) for r, c in c_pairs}
    bonus = np.zeros_like(u_sim)
    for i, x in enumerate(ua):
        for j, y in enumerate(ub):
            px, py = A.by_id[x].parent, B.by_id[y].parent
            if (px, py) in paired_parent or (px is None and py is None):
                bonus[i, j] = options.parent_bonus
    for i, x in enumerate(ua):  # identical texts always pair, whatever the bonus says
        for j, y in enumerate(ub):
            if A.deep[x] == B.deep[y]:
                bonus[i, j] += 1.0
    u_pairs = assign(u_sim, options.threshold, bonus * (u_sim > 0))

    groups = _split_merge(A, B, ua, ub, u_sim, u_pairs, options)
    unit_pairs = _order_and_moves(A, B, groups, role="unit")
    pairs += unit_pairs
    pairs += _order_and_moves(A, B, [([ca[r]], [cb[c]], float(c_sim[r, c])) for r, c in c_pairs], role="container")
    pairs += _items(A, B, unit_pairs, options)
    paired_a = {x for p in pairs for x in p.a}
    paired_b = {y for p in pairs for y in p.b}
    pairs += [Pair([s.id], [], 0.0, "only_a", A.role[s.id]) for s in A.sections if s.id not in paired_a]
    pairs += [Pair([], [s.id], 0.0, "only_b", B.role[s.id]) for s in B.sections if s.id not in paired_b]
    pairs = _reading_order(A, B, pairs)
    for p in pairs:
        p.clauses = _clause_links(A, B, p, options)

    return Comparison(
        a=a, b=b, pairs=pairs, clause_pairs=top_clause_pairs(A, B, options), score=document_score(A, B, pairs),
        matrix=[[round(float(x), 4) for x in row] for row in u_sim], units_a=ua, units_b=ub,
        threshold=round(threshold, 4),
    )


def _split_merge(A, B, ua, ub, sim, u_pairs, options):
    """Extend 1:1 unit pairs into split (1 A : n B) and merge (n A : 1 B) groups."""
    a_of = {r: c for r, c in u_pairs}
    b_of = {c: r for r, c in u_pairs}
    groups = {r: ([r], [c]) for r, c in u_pairs}  # keyed by the A row of the original pair
    # A leftover B unit joins the pair whose A side it continues, if joining raises the match.
    for side_is_b in (True, False):
        leftovers = [j for j in range(len(ub)) if j not in b_of] if side_is_b else [i for i in range(len(ua)) if i not in a_of]
        for k in leftovers:
            scores = sim[:, k] if side_is_b else sim[k, :]
            best = max(((float(scores[x]), x) for x in (a_of if side_is_b else b_of)), default=(0.0, None))
            if best[1] is None or best[0] < max(options.split_threshold, options.threshold):
                continue
            key = best[1] if side_is_b else b_of[best[1]]
            ga, gb = groups[key]
            if (side_is_b and len(ga) > 1) or (not side_is_b and len(gb) > 1):
                continue  # no many-to-many groups
            before = _group_score(A, B, ua, ub, ga, gb)
            after = _group_score(A, B, ua, ub, ga if side_is_b else sorted(ga + [k]), sorted(gb + [k]) if side_is_b else gb)
            if after > before + 0.02:
                if side_is_b:
                    gb.append(k)
                    gb.sort()
                else:
                    ga.append(k)
                    ga.sort()
    out = []
    for ga, gb in groups.values():
        out.append(([ua[i] for i in ga], [ub[j] for j in gb], _group_score(A, B, ua, ub, ga, gb)))
    return out


def _group_score(A, B, ua, ub, ga, gb) -> float:
    if len(ga) == 1 and len(gb) == 1:
        x = A.rows([ua[ga[0]]])
        y = B.rows([ub[gb[0]]])
        return float(_sim(x, y)[0, 0])
    return float(max(0.0, min(1.0, A.combined([ua[i] for i in ga]) @ B.combined([ub[j] for j in gb]))))


def _order_and_moves(A, B, groups, role):
    """Pairs from (a ids, b ids, score) groups, with kinds; moved = not in the longest in-order run."""
    groups = sorted(groups, key=lambda g: A.order[g[0][0]])
    b_pos = [B.order[g[1][0]] for g in groups]
    in_order = longest_increasing(b_pos)
    out = []
    for i, (a_ids, b_ids, score) in enumerate(groups):
        kind = _kind(A, B, a_ids, b_ids)
        same = kind == "same"
        if len(b_ids) > 1:
            kind = "split"
        elif len(a_ids) > 1:
            kind = "merge"
        elif i not in in_order:
            kind = "moved"
        score = 1.0 if same else round(min(score, 0.9999), 4)
        out.append(Pair(a_ids, b_ids, score, kind, role))
    return out


def _items(A, B, unit_pairs, options):
    """Align the items inside each paired unit (one-to-one), e.g. an article's （一）（二） list."""
    out = []
    for p in unit_pairs:
        ia = [s.id for x in p.a for s in A.by_id[x].walk() if s.id != x]
        ib = [s.id for y in p.b for s in B.by_id[y].walk() if s.id != y]
        if not ia or not ib:
            continue
        sim = _sim(A.rows(ia), B.rows(ib))
        groups = [([ia[r]], [ib[c]], float(sim[r, c])) for r, c in assign(sim, options.threshold)]
        out += _order_and_moves(A, B, groups, role="item")
    return out


def _reading_order(A, B, pairs):
    """A's reading order; an only-B pair goes right after the pair holding the B section before it."""
    placed = sorted((p for p in pairs if p.a), key=lambda p: A.order[p.a[0]])
    pair_of_b = {y: k for k, p in enumerate(placed) for y in p.b}
    after: dict[int, list[Pair]] = {}
    for p in sorted((p for p in pairs if not p.a), key=lambda p: B.order[p.b[0]]):
        anchor, pos = -1, B.order[p.b[0]] - 1
        while pos >= 0:
            k = pair_of_b.get(B.sections[pos].id)
            if k is not None:
                anchor = k
                break
            pos -= 1
        after.setdefault(anchor, []).append(p)
    out = after.get(-1, [])
    for k, p in enumerate(placed):
        out.append(p)
        out += after.get(k, [])
    return out


# ---------------------------------------------------------------- clauses

def _clause_rows(side: _Side, clauses):
    return side.stats.vectors([side.seg.tokens(*c.span) for c in clauses])


def _clause_links(A, B, pair, options) -> list[ClauseLink]:
    """Clause alignment inside a pair, in A's order with B-only clauses where they stand in B."""
    ca = [c for x in pair.a for c in A.by_id[x].clauses]
    cb = [c for y in pair.b for c in B.by_id[y].clauses]
    if not ca or not cb:
        return [ClauseLink(c.id, None, 0.0, "only_a") for c in ca] + [ClauseLink(None, c.id, 0.0, "only_b") for c in cb]
    sim = _sim(_clause_rows(A, ca), _clause_rows(B, cb))
    norm_a = [_SPACE.sub("", match_form(c.text)) for c in ca]
    norm_b = [_SPACE.sub("", match_form(c.text)) for c in cb]
    for i in range(len(ca)):
        for j in range(len(cb)):
            if norm_a[i] == norm_b[j]:
                sim[i, j] = 1.0
    matched = dict(assign(sim, options.clause_threshold))
    links, used_b, next_b = [], set(matched.values()), 0
    for i, c in enumerate(ca):
        j = matched.get(i)
        if j is not None:
            while next_b < j:  # B-only clauses before this match stay in B's order
                if next_b not in used_b:
                    links.append(ClauseLink(None, cb[next_b].id, 0.0, "only_b"))
                next_b += 1
            next_b = max(next_b, j + 1)
            same = norm_a[i] == norm_b[j]
            links.append(ClauseLink(c.id, cb[j].id, 1.0 if same else round(float(sim[i, j]), 4), "same" if same else "changed"))
        else:
            links.append(ClauseLink(c.id, None, 0.0, "only_a"))
    links += [ClauseLink(None, cb[j].id, 0.0, "only_b") for j in range(next_b, len(cb)) if j not in used_b]
    return links


def top_clause_pairs(A, B, options) -> list[ClausePair]:
    """For each clause of A its most similar clause of B; the best ``options.top_clauses``, ties by id order."""
    ca = [c for s in A.sections for c in s.clauses]
    cb = [c for s in B.sections for c in s.clauses]
    if not ca or not cb:
        return []
    sim = _sim(_clause_rows(A, ca), _clause_rows(B, cb))
    best = sim.argmax(axis=1)
    rows = [(float(sim[i, best[i]]), i, int(best[i])) for i in range(len(ca)) if sim[i, best[i]] >= options.clause_threshold]
    rows.sort(key=lambda r: (-round(r[0], 6), r[1], r[2]))
    return [ClausePair(ca[i].id, cb[j].id, round(min(score, 1.0), 4)) for score, i, j in rows[: options.top_clauses]]


def document_score(A, B, pairs) -> float:
    """Overall score in [0, 1]: the length-weighted mean of unit-pair scores over both plans.

    Each unit counts with its characters; a unit left only_a/only_b counts as 0.
    Two identical plans score 1.0; plans with nothing in common score 0.0.
    """
    def chars(side, ids):
        return sum(len(side.deep[i]) for i in ids)

    total = chars(A, A.ids("unit")) + chars(B, B.ids("unit"))
    if not total:
        return 0.0
    got = sum(p.score * (chars(A, p.a) + chars(B, p.b)) for p in pairs if p.role == "unit" and p.a and p.b)
    return round(min(1.0, got / total), 4)
