"""Sentence-level evidence: clause alignment inside a pair, each clause's best match across the plans,
the most similar clause pairs, and partial moves (sentences that now stand in another unit).

The functions take the aligner's two sides (a plan with its segmentation, TF-IDF statistics and
sections by id); they never decide unit pairs themselves.
"""
from __future__ import annotations

import re
from typing import NamedTuple

from .normalize import match_form
from .models import ClauseLink, ClausePair, Kind, Move, Role
from .similarity import assign, cosine
from .patterns import lazy_compile
from .sparse import dot_t_blocks

_SPACE = re.compile(r"\s+")
MOVE_COSINE = 0.5  # a sentence match strong enough to say the sentence moved (with MOVE_RATIO)
# Lowe's ratio test: a match says where a sentence went only if no other sentence, on either side, comes
# within this share of it. Stock wording (逾期不改正的，处一万元以上三万元以下罚款) matches several sentences
# almost equally and says nothing about where text went.
MOVE_RATIO = 0.8
MOVE_MIN_CHARS = 12  # shorter sentences (制定本条例。) say nothing about where text went

_THIS_LAW = r"本(?:条例|法|规定|办法|细则|决定)"
_LAW_FORMULA = lazy_compile(
    rf"(?:{_THIS_LAW}自[^。；]{{1,30}}?起施行"  # takes effect
    rf"|{_THIS_LAW}适用于[^。；]{{1,60}}|[^。；，]{{1,40}}适用{_THIS_LAW}"  # scope, either way round
    rf"|(?:违反{_THIS_LAW}(?:规定)?的(?:行为)?[，,])?(?:法律|行政法规|法律、(?:行政)?法规)[^。；，]{{0,20}}"
    r"(?:另有|已有)[^。；，]{0,10}规定的[，,]从其规定"  # other laws' penalties come first
    r")[。；]?")


def is_law_formula(text: str) -> bool:
    """Whether a sentence is one of the formulas every law carries: when it takes effect (本条例自2014年3月1日
    起施行), what it applies to (本条例适用于…自由贸易试验区; 海南自由贸易港建设和管理活动适用本法), or that other
    laws' penalties come first (…已有法律责任规定的，从其规定). Two laws that both say one say nothing of
    each other: such a sentence is neither reuse (compare reuse) nor a partial move."""
    return _LAW_FORMULA.fullmatch("".join(text.split())) is not None


def clause_rows(side, clauses):
    return side.stats.rows([side.seg.tokens(*c.span) for c in clauses])


def pair_clauses(side, ids, role):
    """A pair's clauses: a unit's with its items; a container's or an item's own."""
    return side.clauses(ids) if role == Role.UNIT else [c for i in ids for c in side.by_id[i].clauses]


def clause_links(A, B, pair, options) -> list[ClauseLink]:
    """Clause alignment inside a pair, in A's order with B-only clauses where they stand in B."""
    ca, cb = pair_clauses(A, pair.a, pair.role), pair_clauses(B, pair.b, pair.role)
    if not ca or not cb:
        return [ClauseLink(c.id, None, 0.0, Kind.ONLY_A) for c in ca] + [ClauseLink(None, c.id, 0.0, Kind.ONLY_B) for c in cb]
    sim = cosine(clause_rows(A, ca), clause_rows(B, cb))
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
                    links.append(ClauseLink(None, cb[next_b].id, 0.0, Kind.ONLY_B))
                next_b += 1
            next_b = max(next_b, j + 1)
            same = norm_a[i] == norm_b[j]
            links.append(ClauseLink(c.id, cb[j].id, 1.0 if same else round(float(sim[i, j]), 4), Kind.SAME if same else Kind.CHANGED))
        else:
            links.append(ClauseLink(c.id, None, 0.0, Kind.ONLY_A))
    links += [ClauseLink(None, cb[j].id, 0.0, Kind.ONLY_B) for j in range(next_b, len(cb)) if j not in used_b]
    return links


BLOCK_ROWS = 2048  # clause rows per block of the sparse product: memory stays flat however long the plans


class ClauseMatches(NamedTuple):
    """Each clause's most similar clause in the other plan, both ways. Cosines in [0, 1]; a runner-up is
    the second-highest cosine (equal to the best where two clauses tie; 0 where there is no second)."""

    a: list  # A's clauses, in reading order
    b: list
    best_b: object  # int array: per A clause, the index in ``b`` of its best match (lowest index of ties)
    score_b: object  # float array: that match's cosine
    best_a: object  # per B clause, the index in ``a`` of its best match
    score_a: object
    runner_up_b: object  # per A clause, the cosine of its second-best B clause
    runner_up_a: object  # per B clause, the cosine of its second-best A clause


def best_clause_matches(A, B) -> ClauseMatches:
    """Each clause's best and second-best match in the other plan, both ways, block by block."""
    import numpy as np

    ca = [c for s in A.sections for c in s.clauses]
    cb = [c for s in B.sections for c in s.clauses]
    best = np.zeros(len(ca), dtype=np.int64)
    score = np.zeros(len(ca), dtype=np.float32)
    second = np.zeros(len(ca), dtype=np.float32)
    best_a = np.zeros(len(cb), dtype=np.int64)
    score_a = np.full(len(cb), -1.0, dtype=np.float32)
    second_a = np.full(len(cb), -1.0, dtype=np.float32)
    if ca and cb:
        for start, block in dot_t_blocks(clause_rows(A, ca), clause_rows(B, cb), BLOCK_ROWS):
            rows = slice(start, start + len(block))
            best[rows] = block.argmax(axis=1)  # first (lowest id) of equal maxima
            score[rows] = np.clip(block.max(axis=1), 0.0, 1.0)
            if block.shape[1] > 1:
                second[rows] = np.clip(np.partition(block, -2, axis=1)[:, -2], 0.0, 1.0)
            col, col_at = block.max(axis=0), block.argmax(axis=0)
            col_second = np.partition(block, -2, axis=0)[-2] if len(block) > 1 else np.full(len(cb), -1.0)
            # the second highest of this block's top two and the earlier blocks' top two
            second_a = np.maximum(np.minimum(score_a, col), np.maximum(second_a, col_second)).astype(np.float32)
            better = col > score_a  # strictly: an earlier block keeps its equal maxima
            best_a[better], score_a[better] = col_at[better] + start, col[better]
    return ClauseMatches(ca, cb, best, score, best_a, np.clip(score_a, 0.0, 1.0), second,
                         np.clip(second_a, 0.0, 1.0))


def top_clause_pairs(best: ClauseMatches, options) -> list[ClausePair]:
    """For each clause of A its most similar clause of B; the best ``options.top_clauses``, ties by id order."""
    ca, cb, best_j, score = best.a, best.b, best.best_b, best.score_b
    rows = [(float(score[i]), i, int(best_j[i])) for i in range(len(ca)) if score[i] >= options.clause_threshold]
    rows.sort(key=lambda r: (-round(r[0], 6), r[1], r[2]))
    return [ClausePair(ca[i].id, cb[j].id, round(min(s, 1.0), 4)) for s, i, j in rows[: options.top_clauses]]


def partial_moves(A, B, pairs, best: ClauseMatches) -> list[Move]:
    """Units of A part of whose sentences now stand in a B unit other than their counterpart: an A sentence
    and a B sentence that are each other's best match, at MOVE_COSINE or above, with no runner-up within
    MOVE_RATIO of it on either side, neither of them a law's formula (:func:`is_law_formula`)."""
    ca, cb, best_j, score = best.a, best.b, best.best_b, best.score_b
    partner = {x: set(p.b) for p in pairs if p.role == Role.UNIT for x in p.a}
    sentences: dict[str, int] = {}
    found: dict[tuple[str, str], list[tuple[str, str]]] = {}
    for i, c in enumerate(ca):
        x = A.unit_of.get(c.section_id)
        if x is None or len(_SPACE.sub("", c.text)) < MOVE_MIN_CHARS:
            continue
        sentences[x] = sentences.get(x, 0) + 1
        j = int(best_j[i])
        if (score[i] < MOVE_COSINE or int(best.best_a[j]) != i
                or max(best.runner_up_b[i], best.runner_up_a[j]) > MOVE_RATIO * score[i]
                or is_law_formula(c.text) or is_law_formula(cb[j].text)):
            continue
        y = B.unit_of.get(cb[j].section_id)
        if y is not None and y not in partner.get(x, ()):
            found.setdefault((x, y), []).append((c.id, cb[j].id))
    return [Move(a=x, b=y, clauses=links, of=sentences[x])
            for (x, y), links in sorted(found.items(), key=lambda kv: (A.order[kv[0][0]], B.order[kv[0][1]]))]
