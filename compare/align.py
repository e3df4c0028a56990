"""Align two parsed plans from evidence: unit pairs, groups, containers, partial moves, clause pairs.

Sections play one of three roles:

- **units**: where a plan's substance lies, the numbered measures or articles,
  each *with its items*: every section that has no children, or is an article
  (第X条/款), and is not inside an article;
- **items**: sections inside an article, such as its （一）（二） list;
- **containers**: every other section (一、, （一） groups, 第X章).

How it decides, in the order a reader would (README "How alignment works"):

1. **Evidence**: the TF-IDF cosine of two units (for a short unit, the share of shared characters
   where that is higher), and its significance: z-scores against the background each unit has
   with every unit of the other plan (the smaller of the two), read in two views, jieba words and
   character bigrams, the larger counting.
2. **Anchors**: optimal one-to-one assignment over pairs with cosine ≥ the floor (0.2) and
   significance ≥ 3.5; identical texts always pair. Where a plan has too few units to give a
   background (an excerpt), a pair is also evident when the two are each other's best match and
   one holds most of the other's words. **Gaps**: between in-order anchors, the units left over
   are assigned again at significance ≥ 1.5.
3. **Groups**: a leftover unit joins the pair whose other side contains most of it (≥ 0.6 of its weight,
   significant) or shares a sentence with it (each other's best match, cosine ≥ 0.4). A unit still alone
   and its best match, each the other's best, at the floor and significant at GROUP_Z, pair (or it joins
   the match's group).
4. **Citations**: two articles that both cite articles of their plan by number (违反本条例第十条)
   pair only if a cited article of one is grouped with one cited by the other; steps 2–3 rerun.
5. **Containers** pair by the unit pairs beneath them and by equal titles; **partial moves** are
   sentences, each the other's best match (cosine ≥ 0.5, no runner-up within 80%), standing outside
   their unit's counterpart; pairs out of B's order are *moved* (not between a plan in measures and one
   in articles, whose orders say nothing of each other); items align inside unit pairs; the
   rest is only_a / only_b. A 1:1 pair whose
   sections carry different numbers of one style (第五条 ↔ 第六条) is flagged ``renumbered``.

A reviewer's decisions (:mod:`compare.decisions`) come first: their pairs are kept as given, their sections
and unpaired cells are closed to every step, and their pairs are anchors the rest is aligned around.
"""
from __future__ import annotations

import re
from dataclasses import replace

from .decisions import Resolved
from .groups import MIN_BACKGROUND, evident_cells, unit_groups
from .models import Comparison, Document, Kind, Options, Pair, Role, Section, genres_apart, roles, units_of
from .normalize import match_form
from .numbering import longest_increasing, match_marker
from .sentences import MOVE_MIN_CHARS, best_clause_matches, clause_links, partial_moves, top_clause_pairs
from .similarity import assign, containment, cosine, shared_characters, significance, words_found_in
from .tfidf import Stats, section_tokens
from .tokenize import Segmentation

_SPACE = re.compile(r"\s+")
_NOT_CHARACTERS = re.compile(r"[\s\W_]+")  # spaces and punctuation: not what two short articles share

FLOOR = 0.2  # default min cosine of a unit pair (Options.threshold)
SENTENCE_COSINE = 0.4  # two sentences, each the other's best match, this alike: text the units share
NEAREST_MIN = 0.1  # half the floor: below it two units share little but stock words, and no nearest is named
SHORT_UNIT_CHARS = 30  # a unit shorter than this (characters, punctuation aside) is scored by shared characters too


def deep_text(doc: Document, s: Section) -> str:
    """A section's title, body and descendants without its own number, for equality tests."""
    return _SPACE.sub("", match_form(doc.text[s.title_start:s.end]))


def _deep_texts(norm: str, sections) -> dict[str, str]:
    """:func:`deep_text` of every section, sliced from the whole text's matching form (``norm``; match_form
    keeps every character's place) with its spaces taken out once, not once per section and ancestor."""
    from itertools import accumulate

    spaceless = _SPACE.sub("", norm)
    kept = list(accumulate((not ch.isspace() for ch in norm), initial=0))  # \s is str.isspace
    return {s.id: spaceless[kept[s.title_start]:kept[s.end]] for s in sections}


def _title_key(doc: Document, s: Section) -> str:
    return _SPACE.sub("", match_form(s.title))


# ---------------------------------------------------------------- the comparison

class _Side:
    """One plan with its segmentation, roles and TF-IDF rows for its sections (with descendants)."""

    def __init__(self, doc: Document, stats: Stats, options: Options):
        self.doc = doc
        self.seg = Segmentation.of(doc.text, options.cache_dir)
        self.role = roles(doc)
        self.sections = list(doc.walk())
        self.by_id = {s.id: s for s in self.sections}
        self.order = {s.id: i for i, s in enumerate(self.sections)}
        self.deep = _deep_texts(self.seg.norm, self.sections)
        self.stats = stats
        self.vec = stats.rows([section_tokens(doc, self.seg, s, deep=True) for s in self.sections])
        self.row = {s.id: i for i, s in enumerate(self.sections)}
        self.unit_of = units_of(doc, self.role)  # section id → the unit holding it (itself for a unit)

    def ids(self, role: str) -> list[str]:
        return [s.id for s in self.sections if self.role[s.id] == role]

    def rows(self, ids):
        return self.vec.take([self.row[i] for i in ids])

    def clauses(self, ids):
        """The clauses of these sections and their descendants, in reading order."""
        return [c for i in ids for s in self.by_id[i].walk() for c in s.clauses]


def _kind(A: _Side, B: _Side, a_ids, b_ids, role: str = Role.UNIT) -> str:
    """same: texts equal after normalization; a container is compared by its own heading and text,
    not its children's (they are paired, and judged, on their own)."""
    if role == Role.CONTAINER:
        own = [_SPACE.sub("", match_form(side.doc.text[side.by_id[i].title_start:side.by_id[i].span[1]]))
               for side, ids in ((A, a_ids), (B, b_ids)) for i in ids]
        return Kind.SAME if own[0] == own[1] else Kind.CHANGED
    return Kind.SAME if "".join(A.deep[i] for i in a_ids) == "".join(B.deep[i] for i in b_ids) else Kind.CHANGED


def compare(a: Document, b: Document, stats: Stats, options: Options | None = None,
            decided: Resolved | None = None) -> Comparison:
    """Align plan A against plan B around a reviewer's resolved decisions (see the module docstring)."""
    import numpy as np

    options = options or Options()
    decided = decided or Resolved()
    floor = options.threshold if options.threshold is not None else FLOOR
    options = replace(options, threshold=floor)
    A, B = _Side(a, stats, options), _Side(b, stats, options)
    ua, ub = A.ids(Role.UNIT), B.ids(Role.UNIT)
    va, vb = A.rows(ua), B.rows(ub)
    u_cos = cosine(va, vb)
    z = np.maximum(significance(u_cos), significance(_char_sim(A, B, ua, ub)))
    chars_a = [_NOT_CHARACTERS.sub("", A.deep[i]) for i in ua]
    chars_b = [_NOT_CHARACTERS.sub("", B.deep[j]) for j in ub]
    shared = shared_characters(chars_a, chars_b, SHORT_UNIT_CHARS)
    u_sim = np.maximum(u_cos, shared)
    identical = _identical(A, B, ua, ub)
    best = best_clause_matches(A, B)
    a_in_b, b_in_a = containment(va, vb), containment(vb, va)
    small = min(len(ua), len(ub)) < MIN_BACKGROUND
    if small:  # words that stand in the other's text count, however each text was segmented
        a_in_b = np.maximum(a_in_b, _text_containment(A, B, ua, ub))
        b_in_a = np.maximum(b_in_a, _text_containment(B, A, ub, ua))
    evident = evident_cells(u_sim, a_in_b, b_in_a, floor) if small else None
    evidence = (u_sim, z, identical, a_in_b, b_in_a, _shared_sentences(A, B, ua, ub, best), evident)
    fixed, forced = decided.veto(ua, ub), decided.groups(ua, ub)
    across_genres = genres_apart(a, b)
    groups = unit_groups(*evidence, floor, fixed, forced, across_genres)
    veto = (_citation_veto(A, B, ua, ub, groups) & ~identical) | fixed
    if (veto != fixed).any():
        groups = unit_groups(*evidence, floor, veto, forced, across_genres)
    scored = [([ua[i] for i in ga], [ub[j] for j in gb], _group_score(A, B, ua, ub, ga, gb, u_sim))
                   for ga, gb in groups]
    ordered = not across_genres  # a plan's measures and a law's articles share no order to keep
    pairs = _order_and_moves(A, B, scored, role=Role.UNIT, ordered=ordered)
    pairs += _order_and_moves(A, B, _containers(A, B, pairs, decided, by_children=ordered), role=Role.CONTAINER,
                              ordered=ordered)
    pairs += _items(A, B, [p for p in pairs if p.role == Role.UNIT], options)
    paired_a = {x for p in pairs for x in p.a}
    paired_b = {y for p in pairs for y in p.b}
    pairs += [Pair([s.id], [], 0.0, Kind.ONLY_A, A.role[s.id]) for s in A.sections if s.id not in paired_a]
    pairs += [Pair([], [s.id], 0.0, Kind.ONLY_B, B.role[s.id]) for s in B.sections if s.id not in paired_b]
    pairs = _reading_order(A, B, pairs, ordered)
    _nearest(pairs, ua, ub, np.where(fixed, -1.0, _nearest_evidence(u_cos, shared, chars_a, chars_b)))
    decided.mark(pairs)
    for p in pairs:
        p.clauses = clause_links(A, B, p, options)
    _items_kept_in_their_pair(pairs)
    return Comparison(
        a=a, b=b, pairs=pairs, clause_pairs=top_clause_pairs(best, options), score=document_score(A, B, pairs),
        matrix=[[round(float(x), 4) for x in row] for row in u_sim] if u_sim.size <= MATRIX_CELLS else [],
        units_a=ua, units_b=ub, threshold=round(floor, 4), moves=partial_moves(A, B, pairs, best),
        decisions=decided.applied, stale_decisions=decided.stale,
    )


def _items_kept_in_their_pair(pairs) -> None:
    """Set ``kept_in`` on each item left alone whose sentences its article's pair links to the other side."""
    linked: dict[str, str] = {}  # a clause id of either plan -> the clause the article pairs link it to
    for p in pairs:
        if p.role == Role.UNIT and p.a and p.b:
            linked.update((k.a, k.b) for k in p.clauses if k.a and k.b)
            linked.update((k.b, k.a) for k in p.clauses if k.a and k.b)
    for p in pairs:
        if p.role != Role.ITEM or (p.a and p.b):
            continue
        own = [k.a or k.b for k in p.clauses]
        other = [linked[c] for c in own if c in linked]  # a clause id is "<section id>#<n>"
        if other:
            p.kept_in = (tuple(dict.fromkeys(c.rsplit("#", 1)[0] for c in other)), len(other), len(own))


def _nearest_evidence(u_cos, shared, chars_a, chars_b):
    """What a unit left alone is matched to its nearest by: the cosine, and shared characters only between two
    short units. A short article's characters (应当、金融、管理) all stand somewhere in any longer one: ZJ 第三条, 29
    characters of principles, was the nearest of eight unrelated Shandong articles."""
    import numpy as np

    short_a = np.array([len(t) < SHORT_UNIT_CHARS for t in chars_a])[:, None]
    short_b = np.array([len(t) < SHORT_UNIT_CHARS for t in chars_b])[None, :]
    return np.maximum(u_cos, np.where(short_a & short_b, shared, 0.0))


def _nearest(pairs, ua, ub, sim):
    """On each unit left alone, the other plan's unit most like it (ties: the earlier), where the cosine is
    NEAREST_MIN or more: what a reviewer looks at first when a counterpart may have been missed."""
    row_a, row_b = {x: k for k, x in enumerate(ua)}, {y: k for k, y in enumerate(ub)}
    for p in pairs:
        if p.role != Role.UNIT or (p.a and p.b):
            continue
        if p.a and p.a[0] in row_a and len(ub):
            scores, ids = sim[row_a[p.a[0]]], ub
        elif p.b and p.b[0] in row_b and len(ua):
            scores, ids = sim[:, row_b[p.b[0]]], ua
        else:
            continue
        k = int(scores.argmax())
        if scores[k] >= NEAREST_MIN:
            p.nearest = (ids[k], round(float(scores[k]), 4))


MATRIX_CELLS = 250_000  # past this (500 × 500 units) the heatmap is left out: no one reads it, it only costs memory


def _identical(A, B, ua, ub):
    import numpy as np

    out = np.zeros((len(ua), len(ub)), dtype=bool)
    where: dict[str, list[int]] = {}
    for j, y in enumerate(ub):
        where.setdefault(B.deep[y], []).append(j)
    for i, x in enumerate(ua):
        for j in where.get(A.deep[x], ()):
            out[i, j] = True
    return out


def _char_sim(A, B, ua, ub):
    """Cosine of character-bigram TF-IDF (log tf, smoothed IDF over both plans' units): the second view."""
    import numpy as np

    from .sparse import Rows

    grams = [[t[k:k + 2] for k in range(len(t) - 1)] for t in [A.deep[i] for i in ua] + [B.deep[j] for j in ub]]
    flat = np.array([g for gs in grams for g in gs] or [""])
    names, col = np.unique(flat, return_inverse=True)
    row = np.repeat(np.arange(len(grams)), [len(gs) for gs in grams])
    x = Rows.from_coo(row, col[:len(row)], np.ones(len(row)), (len(grams), len(names)))  # gram counts
    idf = np.log((1 + len(grams)) / (1 + np.bincount(x.indices, minlength=len(names)))) + 1
    weights = (1 + np.log(x.data)) * idf[x.indices]
    norms = np.sqrt(x.with_data(weights * weights).row_sums())
    x = x.with_data(weights * (1 / np.maximum(norms, 1e-12))[x.row_of_entry()])
    return cosine(x.take(slice(0, len(ua))), x.take(slice(len(ua), None)))


def _text_containment(X, Y, xs, ys):
    """Share of each X unit's weighted words found, as characters, in each Y unit's text (X rows × Y rows)."""
    rows = X.rows(xs)
    used = set(rows.indices.tolist())
    term_of = {k: _SPACE.sub("", match_form(t)) for t, k in X.stats.vocabulary.items() if k in used}
    return words_found_in(rows, term_of, [Y.deep[y] for y in ys])


def _shared_sentences(A, B, ua, ub, best):
    """(A unit row, B unit row) → how many sentences they share: pairs each the other's best match
    in the two plans, at cosine ≥ SENTENCE_COSINE, both at least MOVE_MIN_CHARS long."""
    ca, cb, best_j, score, best_i = best.a, best.b, best.best_b, best.score_b, best.best_a
    row_a, row_b = {x: k for k, x in enumerate(ua)}, {y: k for k, y in enumerate(ub)}
    out: dict[tuple[int, int], int] = {}
    for i, c in enumerate(ca):
        j = int(best_j[i])
        if score[i] < SENTENCE_COSINE or int(best_i[j]) != i:
            continue
        x, y = row_a.get(A.unit_of.get(c.section_id)), row_b.get(B.unit_of.get(cb[j].section_id))
        if x is None or y is None or min(len(_SPACE.sub("", c.text)), len(_SPACE.sub("", cb[j].text))) < MOVE_MIN_CHARS:
            continue
        out[x, y] = out.get((x, y), 0) + 1
    return out


_CITED = re.compile(r"本(?:条例|法|办法|规定|细则)((?:第[零〇一二三四五六七八九十百千]+[条款项]|[（(][一二三四五六七八九十]+[)）]|[、，和及或与至])+)")
_ARTICLE = re.compile(r"第[零〇一二三四五六七八九十百千]+条")


def _citation_veto(A, B, ua, ub, groups):
    """Cells (A row, B row) where both units cite articles of their plan by number (本条例第十条) and no
    article cited by one is grouped with one cited by the other: what they sanction differs."""
    import numpy as np

    from .sparse import Rows, dot_t

    def cited_groups(side, ids, group_of):  # (does the unit cite at all, sparse: unit row × group it cites)
        number = {side.by_id[x].number.strip(): k for k, x in enumerate(ids) if side.by_id[x].style == "tiao"}
        cites, cells = np.zeros(len(ids), dtype=bool), set()
        for k, x in enumerate(ids):
            s = side.by_id[x]
            for m in _CITED.finditer(side.doc.text[s.title_start:s.end]):
                for n in _ARTICLE.findall(m.group(1)):
                    if number.get(n, k) != k:
                        cites[k] = True  # grouped or not
                        if number[n] in group_of:
                            cells.add((k, group_of[number[n]]))
        rows, cols = zip(*sorted(cells)) if cells else ((), ())
        return cites, Rows.from_coo(rows, cols, np.ones(len(rows)), (len(ids), len(groups)))

    cites_a, ca = cited_groups(A, ua, {i: g for g, (ga, _) in enumerate(groups) for i in ga})
    cites_b, cb = cited_groups(B, ub, {j: g for g, (_, gb) in enumerate(groups) for j in gb})
    return cites_a[:, None] & cites_b[None, :] & (dot_t(ca, cb) == 0)


def _group_score(A, B, ua, ub, ga, gb, sim) -> float:
    import numpy as np

    if len(ga) == 1 and len(gb) == 1:
        return float(sim[ga[0], gb[0]])
    x = A.rows([ua[i] for i in ga]).column_sums()
    y = B.rows([ub[j] for j in gb]).column_sums()
    norm = float(np.linalg.norm(x) * np.linalg.norm(y))
    return float(max(0.0, min(1.0, x @ y / norm))) if norm else 0.0


def _containers(A, B, unit_pairs, decided, by_children: bool = True):
    """Container pairs from the unit pairs beneath them (where ``by_children``), and from equal titles; a
    reviewer's kept as given. Between a plan in measures and a law in articles the two outlines are not one:
    one pair beneath made 二、主要任务 the counterpart of 第一章 总则, and 三、保障措施 of it too, so there only
    equal titles pair headings."""
    ca, cb = A.ids(Role.CONTAINER), B.ids(Role.CONTAINER)
    if not ca or not cb:
        return []
    import numpy as np

    index_a, index_b = {x: k for k, x in enumerate(ca)}, {y: k for k, y in enumerate(cb)}
    evidence = np.zeros((len(ca), len(cb)))
    size_a = np.zeros(len(ca))
    size_b = np.zeros(len(cb))

    def ancestors(side, sid):
        parent = side.by_id[sid].parent
        while parent is not None:
            yield parent
            parent = side.by_id[parent].parent

    for x in A.ids(Role.UNIT):
        for c in ancestors(A, x):
            size_a[index_a[c]] += 1
    for y in B.ids(Role.UNIT):
        for c in ancestors(B, y):
            size_b[index_b[c]] += 1
    for p in unit_pairs:
        for x in p.a:
            for y in p.b:
                for c in ancestors(A, x):
                    for d in ancestors(B, y):
                        evidence[index_a[c], index_b[d]] += 1
    share = evidence / np.maximum(1, np.minimum(size_a[:, None], size_b[None, :]))
    titles = np.array([[bool(A.by_id[x].title) and _title_key(A.doc, A.by_id[x]) == _title_key(B.doc, B.by_id[y])
                        for y in cb] for x in ca])
    if not by_children:
        share, evidence = np.zeros_like(share), np.zeros_like(evidence)
    gain = share + titles
    pairs = assign(gain, 1e-9, ((evidence > 0) | titles) & ~decided.veto(ca, cb))
    c_sim = cosine(A.rows(ca), B.rows(cb))
    return ([([ca[r]], [cb[c]], float(c_sim[r, c])) for r, c in pairs]
            + [([ca[r] for r in ga], [cb[c] for c in gb], _group_score(A, B, ca, cb, ga, gb, c_sim))
               for ga, gb in decided.groups(ca, cb)])


def _order_and_moves(A, B, groups, role, ordered=True):
    """Pairs from (a ids, b ids, score) groups, with kinds; moved = not in the longest in-order run, where
    the two plans' order is comparable (``ordered``)."""
    groups = sorted(groups, key=lambda g: A.order[g[0][0]])
    b_pos = [B.order[g[1][0]] for g in groups]
    in_order = longest_increasing(b_pos)
    out = []
    for i, (a_ids, b_ids, score) in enumerate(groups):
        kind = _kind(A, B, a_ids, b_ids, role)
        same = kind == Kind.SAME
        if len(b_ids) > 1 and len(b_ids) >= len(a_ids):
            kind = Kind.SPLIT
        elif len(a_ids) > 1:
            kind = Kind.MERGE
        elif ordered and i not in in_order:
            kind = Kind.MOVED
        score = 1.0 if same else round(min(score, 0.9999), 4)
        out.append(Pair(a_ids, b_ids, score, kind, role, renumbered=_renumbered(A, B, a_ids, b_ids)))
    return out


def _renumbered(A, B, a_ids, b_ids) -> bool:
    """One section on each side, numbered in the same style, with different numbers (第五条 ↔ 第六条)."""
    if len(a_ids) != 1 or len(b_ids) != 1:
        return False
    x, y = A.by_id[a_ids[0]], B.by_id[b_ids[0]]
    mx, my = match_marker(match_form(x.number)), match_marker(match_form(y.number))
    return bool(mx and my) and mx.style == my.style and mx.value != my.value


def _items(A, B, unit_pairs, options):
    """Align the items inside each paired unit (one-to-one), e.g. an article's （一）（二） list."""
    out = []
    for p in unit_pairs:
        ia = [s.id for x in p.a for s in A.by_id[x].walk() if s.id != x]
        ib = [s.id for y in p.b for s in B.by_id[y].walk() if s.id != y]
        if not ia or not ib:
            continue
        sim = cosine(A.rows(ia), B.rows(ib))
        groups = [([ia[r]], [ib[c]], float(sim[r, c])) for r, c in assign(sim, options.threshold)]
        out += _order_and_moves(A, B, groups, role=Role.ITEM)
    return out


def _reading_order(A, B, pairs, ordered=True):
    """A's reading order; an only-B pair goes right after the pair holding the B section before it (for an
    article or a heading, the pair holding that section's article: an item's own pair may stand later, after
    its group). Where the two plans' orders say nothing of each other (not ``ordered``), only-B sections
    follow all of A, in B's order, except an item of a paired article, which stays beside its article."""
    placed = sorted((p for p in pairs if p.a), key=lambda p: A.order[p.a[0]])
    only_b = sorted((p for p in pairs if not p.a), key=lambda p: B.order[p.b[0]])
    tail = []
    if not ordered:
        paired_b = {y for p in placed for y in p.b}
        beside = [p.role == Role.ITEM and B.unit_of.get(p.b[0]) in paired_b for p in only_b]
        tail = [p for p, keep in zip(only_b, beside) if not keep]
        only_b = [p for p, keep in zip(only_b, beside) if keep]
    pair_of_b = {y: k for k, p in enumerate(placed) for y in p.b}
    after: dict[int, list[Pair]] = {}
    for p in only_b:
        anchor, pos = -1, B.order[p.b[0]] - 1
        by_unit = p.role != Role.ITEM
        while pos >= 0:
            before = B.sections[pos].id
            k = pair_of_b.get(B.unit_of.get(before, before) if by_unit else before)
            if k is not None:
                anchor = k
                break
            pos -= 1
        after.setdefault(anchor, []).append(p)
    out = after.get(-1, [])
    for k, p in enumerate(placed):
        out.append(p)
        out += after.get(k, [])
    return out + tail


def document_score(A, B, pairs) -> float:
    """Overall score in [0, 1]: the length-weighted mean of unit-pair scores over both plans.

    Each unit counts with its characters; a unit left only_a/only_b counts as 0.
    Two identical plans score 1.0; plans with nothing in common score 0.0.
    """
    def chars(side, ids):
        return sum(len(side.deep[i]) for i in ids)

    total = chars(A, A.ids(Role.UNIT)) + chars(B, B.ids(Role.UNIT))
    if not total:
        return 0.0
    got = sum(p.score * (chars(A, p.a) + chars(B, p.b)) for p in pairs if p.role == Role.UNIT and p.a and p.b)
    return round(min(1.0, got / total), 4)
