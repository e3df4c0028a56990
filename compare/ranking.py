"""Corpus queries: plans most like a plan, clauses most like a clause, and the plan × plan matrix.

Nothing here builds a dense all-pairs clause matrix: query rows are multiplied
with the corpus's sparse TF-IDF rows in column blocks of ``BLOCK`` clauses,
keeping a running top-k per query row and per-plan maxima.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from .tfidf import section_tokens
from .models import Document, Role, roles
from .derived import Corpus
from .tokenize import Segmentation

BLOCK = 20000  # corpus rows per block of a sparse product: bounds memory at about (query rows × BLOCK) floats
NEAR_IDENTICAL = 0.9  # cosine at which two clauses count as the same clause for provenance
BOILERPLATE_NEAR = 0.8  # cosine at which a clause counts as present in a plan, for boilerplate
BOILERPLATE_SHARE = 0.3  # a clause present in at least this share of plans (and 3) is boilerplate
BOILERPLATE_WEIGHT = 0.5  # boilerplate hits are ranked with their score times this


@dataclass
class PlanQuery:
    """One plan's rows in the corpus's TF-IDF space."""

    doc: Document
    unit_ids: list[str]
    unit_rows: object
    clause_ids: list[str]
    clause_texts: list[str]
    clause_rows: object
    doc_row: object


def is_self(d: dict, doc: Document) -> bool:
    """Is corpus document ``d`` the query plan itself (same path or same bytes)?"""
    return d["path"] == doc.path or d.get("sha256") == doc.sha256


def own_plans(q: "PlanQuery", corpus: Corpus, keep_duplicates: bool = False) -> set[int]:
    """The corpus plans that are the query plan: itself, and (unless ``keep_duplicates``) its near-identical
    copies (same text after normalization, whole-plan cosine ≥ DUPLICATE_COSINE, or a copy of those)."""
    from .derived import DUPLICATE_COSINE
    from .store import match_digest

    own = {k for k, d in enumerate(corpus.docs) if is_self(d, q.doc)}
    if keep_duplicates or not corpus.docs:
        return own
    digest = match_digest(q.doc.text)
    scores = (q.doc_row @ corpus.doc_rows.T).toarray()[0]
    own |= {k for k, d in enumerate(corpus.docs) if d.get("match_sha") == digest or scores[k] >= DUPLICATE_COSINE}
    return own | {j for k in list(own) for j in corpus.copies_of.get(k, [])}


def listed(corpus: Corpus, own: set[int], keep_duplicates: bool = False) -> list[int]:
    """The plans a query lists: not the query plan; a group of near-identical plans once (unless kept)."""
    return [k for k in range(len(corpus.docs)) if k not in own and (keep_duplicates or corpus.counted[k])]


def folded(corpus: Corpus, k: int, keep_duplicates: bool = False) -> list[str]:
    """The near-identical plans counted in plan ``k``'s row: none with ``keep_duplicates``, where each is
    listed on its own row (or is the query plan, which is never a row)."""
    return [] if keep_duplicates else corpus.duplicates(k)


def query_plan(doc: Document, corpus: Corpus, cache: str | None = None) -> PlanQuery:
    seg = Segmentation.of(doc.text, cache)
    role = roles(doc)
    units = [s for s in doc.walk() if role[s.id] == Role.UNIT]
    clauses = [c for s in doc.walk() for c in s.clauses]
    stats = corpus.stats
    return PlanQuery(
        doc=doc, unit_ids=[s.id for s in units],
        unit_rows=stats.vectors([section_tokens(doc, seg, s, deep=True) for s in units]),
        clause_ids=[c.id for c in clauses], clause_texts=[c.text for c in clauses],
        clause_rows=stats.vectors([seg.tokens(*c.span) for c in clauses]),
        doc_row=stats.vectors([[t for s in doc.walk() for t in section_tokens(doc, seg, s)]]),
    )


def query_text(text: str, corpus: Corpus) -> object:
    from .tokenize import segment

    return corpus.stats.vectors([Segmentation(text, segment(text)).tokens()])


def scan(query_rows, corpus_rows, doc_index, n_docs: int, k: int = 0, floor: float = 0.0):
    """One blocked pass over the corpus rows (grouped by plan, ``doc_index`` giving each row's plan).

    Returns (per_doc, scores, rows): per_doc is (query rows × plans), each query row's best cosine
    among each plan's rows; scores/rows hold, per query row, up to k best corpus rows with cosine
    ≥ ``floor`` (and > 0), best first, ties by row number (empty when k is 0).
    """
    import numpy as np

    n = query_rows.shape[0]
    per_doc = np.zeros((n, n_docs))
    found: list[list[tuple[float, int]]] = [[] for _ in range(n)]
    if n and corpus_rows.shape[0]:
        doc_index = np.asarray(doc_index)
        for lo in range(0, corpus_rows.shape[0], BLOCK):
            hi = min(lo + BLOCK, corpus_rows.shape[0])
            block = (query_rows @ corpus_rows[lo:hi].T).toarray()
            docs = doc_index[lo:hi]
            starts = np.concatenate(([0], np.flatnonzero(np.diff(docs)) + 1))
            maxima = np.maximum.reduceat(block, starts, axis=1)
            targets = docs[starts]
            per_doc[:, targets] = np.maximum(per_doc[:, targets], maxima)
            if k:
                qi, cj = np.nonzero(block >= max(floor, 1e-12))
                for q, c, v in zip(qi.tolist(), cj.tolist(), block[qi, cj].tolist()):
                    found[q].append((v, lo + c))
            if k:  # keep the lists short: the k best so far (ties by row)
                for q in range(n):
                    if len(found[q]) > 4 * k:
                        found[q] = sorted(found[q], key=lambda x: (-round(x[0], 9), x[1]))[:k]
    ranked = [sorted(f, key=lambda x: (-round(x[0], 9), x[1]))[:k] for f in found]
    scores = [[v for v, _ in r] for r in ranked]
    rows = [[c for _, c in r] for r in ranked]
    return np.clip(per_doc, 0.0, 1.0), scores, rows


def per_doc_max(query_rows, corpus_rows, doc_index: list[int], n_docs: int):
    """(query rows × documents): each query row's best cosine among each document's rows."""
    return scan(query_rows, corpus_rows, doc_index, n_docs)[0]


# ---------------------------------------------------------------- rank

@dataclass
class PlanRank:
    name: str
    title: str
    date: str | None
    path: str
    score: float  # cosine of the two plans' whole TF-IDF vectors, in [0, 1]
    coverage: float  # share of the query plan's units whose best match in this plan has cosine ≥ threshold, in [0, 1]
    shared_clauses: int  # query clauses whose best match in this plan is ≥ the clause threshold
    duplicates: list[str] = field(default_factory=list)  # near-identical plans counted in this row


def rank_plans(q: PlanQuery, corpus: Corpus, top: int = 10, threshold: float = 0.2,
               clause_threshold: float = 0.5, keep_duplicates: bool = False) -> list[PlanRank]:
    """Corpus plans most similar to the query plan, best first (ties by name); the plan itself (and its
    copies) left out, near-identical plans counted once unless ``keep_duplicates``.

    ``coverage`` is a cosine reach, not ``compare run``'s pairing: a unit counts when any unit of the other
    plan has cosine ≥ ``threshold`` with it, whether or not it stands out from the background as an
    aligned pair must. It is an upper bound on the share ``run`` pairs.
    """
    import numpy as np

    n = len(corpus.docs)
    if not n:
        return []
    doc_scores = np.clip((q.doc_row @ corpus.doc_rows.T).toarray()[0], 0, 1)
    unit_max = per_doc_max(q.unit_rows, corpus.unit_rows, corpus.unit_doc, n)
    clause_max = per_doc_max(q.clause_rows, corpus.clause_rows, corpus.clause_doc, n)
    out = []
    for k in listed(corpus, own_plans(q, corpus, keep_duplicates), keep_duplicates):
        d = corpus.docs[k]
        coverage = float((unit_max[:, k] >= threshold).mean()) if unit_max.shape[0] else 0.0
        out.append(PlanRank(d["name"], d["title"], d["date"], d["path"], round(float(doc_scores[k]), 4),
                            round(coverage, 4), int((clause_max[:, k] >= clause_threshold).sum()),
                            folded(corpus, k, keep_duplicates)))
    out.sort(key=lambda r: (-r.score, r.name))
    return out[:top]


# ---------------------------------------------------------------- clauses

QUERY_ID = "query"  # the query_id of a --query text's hits (JSON and CSV keep it; the table names it in its language)


@dataclass
class ClauseHit:
    query_id: str  # the query clause's id, or QUERY_ID
    query_text: str
    rank: int
    score: float  # cosine in [0, 1]
    plan: str
    title: str
    date: str | None
    section: str  # path of section numbers as written
    clause_id: str
    text: str
    boilerplate: bool  # the query clause is a stock phrase found in many plans
    plans_with_it: int  # searched plans holding a clause at cosine ≥ BOILERPLATE_NEAR to the query clause (one
    # value per query clause, read for ``boilerplate``; it counts copies of the query, not this hit's group)
    group: int = 0  # near-identical hits of one query clause share a number (1, 2, …); 0: a hit alone in its group
    group_plans: int = 1  # plans holding a clause of this hit's group (among the candidates found, and the plans of
    # its reuse cluster); 1 for a hit alone
    group_first_plan: str | None = None  # the earliest-dated plan holding a clause of the group (None: none dated)
    group_first_date: str | None = None
    earliest: bool = True  # this hit's plan is dated as early as any plan of its group; a hit alone is its earliest
    weight: float = 0.0  # score used for ordering: halved for boilerplate
    reuse_cluster: int = 0  # the group's reuse cluster (compare reuse, kept in the index); 0: none current


@dataclass
class ClauseResults:
    hits: list[ClauseHit] = field(default_factory=list)
    queries: int = 0
    # a query clause's id → where it stands in the query plan, as written, and its number there: the table's
    # label for it ("二、/（七）/24、", 1), where the JSON and CSV keep the id
    query_places: dict[str, tuple[str, int]] = field(default_factory=dict)


def query_places(doc: Document, clause_ids: list[str]) -> dict[str, tuple[str, int]]:
    """Each clause id ("<section id>#<n>") of ``doc`` → (its section's numbers as written, n)."""
    paths = doc.written_paths()
    out = {}
    for cid in clause_ids:
        sid, _, n = cid.rpartition("#")
        if sid in paths and n.isdigit():
            out[cid] = (paths[sid], int(n))
    return out


def near_groups(rows: list[int], corpus: Corpus) -> list[int]:
    """For corpus clause rows, a group label each: single-link components at cosine ≥ NEAR_IDENTICAL, each
    labelled by its first row's position. (A clause copied into many plans has many near-identical hits:
    the components come from scipy's graph search, not a Python loop over every pair.)"""
    import numpy as np
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import connected_components

    if not rows:
        return []
    sub = corpus.clause_rows[rows]
    _, component = connected_components(csr_matrix((sub @ sub.T).toarray() >= NEAR_IDENTICAL), directed=False)
    first = np.full(component.max() + 1, len(rows), dtype=np.int64)
    np.minimum.at(first, component, np.arange(len(rows)))
    return first[component].tolist()


def provenance_groups(rows: list[int], corpus: Corpus) -> tuple[list[int], dict[int, set[int]], dict[int, int]]:
    """Groups of candidate clause rows for provenance: (a label per row, plans per label, reuse cluster per label).

    Near-identical rows (``near_groups``) form groups; where the index holds current reuse results
    (``compare reuse``), groups whose clauses lie in one reuse cluster are joined, and a group's plans
    are all the plans of its reuse clusters too (the corpus-wide, better-founded count), so its first
    plan is the earliest of all of them. A group's reuse cluster is the smallest id among its clusters.
    """
    labels = near_groups(rows, corpus)
    cluster_of = corpus.reuse.cluster_of if corpus.reuse is not None else {}
    parent = {g: g for g in labels}

    def root(g):
        while parent[g] != g:
            g = parent[g]
        return g

    first_label: dict[int, int] = {}
    for r, g in zip(rows, labels):
        c = cluster_of.get(r)
        if c is not None:
            a, b = root(g), root(first_label.setdefault(c, g))
            parent[max(a, b)] = min(a, b)
    labels = [root(g) for g in labels]
    members: dict[int, set[int]] = {}
    for r, g in zip(rows, labels):
        members.setdefault(g, set()).add(int(corpus.clause_doc[r]))
    reused: dict[int, int] = {}
    for c, g in sorted(first_label.items()):
        g = root(g)
        members[g] |= set(corpus.reuse.plans_of.get(c, ()))
        reused.setdefault(g, c)
    return labels, members, reused


def similar_clauses(query_rows, query_ids: list[str], query_texts: list[str], corpus: Corpus, top: int = 5,
                    min_score: float = 0.3, exclude: set[int] | None = None, per_plan: int = 3,
                    keep_duplicates: bool = False) -> ClauseResults:
    """For each query row, the most similar corpus clauses, boilerplate down-weighted, with provenance.

    Plans in ``exclude`` (the query plan and its copies) are left out; of near-identical plans only one
    is searched unless ``keep_duplicates``; at most ``per_plan`` hits come from one plan. A query clause
    is boilerplate when a near-identical clause (cosine ≥ ``BOILERPLATE_NEAR``) stands in at least
    ``BOILERPLATE_SHARE`` of the plans (and 3); its hits are marked and ranked at ``BOILERPLATE_WEIGHT`` ×
    score. Provenance belongs to a group of near-identical hits (cosine ≥ ``NEAR_IDENTICAL`` with one
    another, among all candidates found for the query clause; joined, and widened to all their plans,
    by the reuse clusters the index holds: see :func:`provenance_groups`): its earliest-dated plan, and
    whether each hit's plan is that early.
    """
    import numpy as np

    exclude = exclude or set()
    n_docs = len(corpus.docs)
    searched = set(listed(corpus, exclude, keep_duplicates))
    included = np.array([k in searched for k in range(n_docs)], dtype=bool)
    common = max(3, BOILERPLATE_SHARE * max(1, int(included.sum())))
    hidden = n_docs - len(searched)
    per_doc, scores, rows = scan(query_rows, corpus.clause_rows, corpus.clause_doc, n_docs,
                                 max(50, top * 10) + hidden * 20, floor=min_score)
    results = ClauseResults(queries=len(query_ids))
    for qi in range(len(query_ids)):
        plans = int(((per_doc[qi] >= BOILERPLATE_NEAR) & included).sum())
        boiler = plans >= common
        candidates = [(float(v), int(r)) for v, r in zip(scores[qi], rows[qi])
                      if v >= min_score and v > 0 and included[int(corpus.clause_doc[r])]]
        labels, members, reused = provenance_groups([r for _, r in candidates], corpus)
        per_count: dict[int, int] = {}
        chosen = []
        for (score, row), g in zip(candidates, labels):
            doc_k = int(corpus.clause_doc[row])
            if per_count.get(doc_k, 0) >= per_plan:
                continue
            per_count[doc_k] = per_count.get(doc_k, 0) + 1
            chosen.append((score, row, g))
            if len(chosen) == top:
                break
        numbers: dict[int, int] = {}  # groups numbered in the order their first hit is shown
        for rank, (score, row, g) in enumerate(chosen, start=1):
            doc_k = int(corpus.clause_doc[row])
            d = corpus.docs[doc_k]
            cid, sid, path, text = corpus.clause(row)
            group_docs = members[g]
            dated = sorted((corpus.docs[k]["date"], corpus.docs[k]["name"]) for k in group_docs
                           if corpus.docs[k]["date"])
            first_date, first_plan = dated[0] if dated else (None, None)
            alone = len(group_docs) == 1  # its own group: its plan is the group's first, and the earliest
            number = 0 if alone else numbers.setdefault(g, len(numbers) + 1)
            results.hits.append(ClauseHit(
                query_ids[qi], query_texts[qi], rank, round(score, 4), d["name"], d["title"], d["date"],
                path, cid, text, boiler, plans, number, len(group_docs), first_plan, first_date,
                alone or (d["date"] is not None and first_date is not None
                          and d["date"][:len(first_date)] <= first_date),
                round(score * (BOILERPLATE_WEIGHT if boiler else 1.0), 4), reused.get(g, 0)))
    if len(query_ids) > 1:  # across a plan's clauses, the strongest non-boilerplate matches first
        order = {q: i for i, q in enumerate(query_ids)}
        best = {}
        for h in results.hits:
            best[h.query_id] = max(best.get(h.query_id, 0.0), h.weight)
        results.hits.sort(key=lambda h: (-best[h.query_id], order[h.query_id], h.rank))
    return results


# ---------------------------------------------------------------- matrix

@dataclass
class Matrix:
    plans: list[dict]  # name, title, date, path in clustered order
    similarity: list[list[float]]  # plan × plan cosine in [0, 1], same order
    seed: dict  # the seed plan's name and title
    rows: list[dict]  # the seed's units: id, label, level
    columns: list[dict]  # corpus plans for the coverage table, most similar first
    coverage: list[list[float]]  # seed unit × column plan: best match cosine in [0, 1]
    reports: list[str | None] = field(default_factory=list)  # per column: the pairwise report's file name, if written
    listed: int = 0  # the plans the query lists before the ``top`` cut (len(plans) where none was cut)
    own_copies: list[str] = field(default_factory=list)  # the query plan's near-identical copies: the plan itself


def cluster_order(sim) -> list[int]:
    """Leaf order of average-linkage clustering on 1 − cosine, so families of plans sit together."""
    import numpy as np

    n = sim.shape[0]
    if n < 3:
        return list(range(n))
    from scipy.cluster.hierarchy import leaves_list, linkage
    from scipy.spatial.distance import squareform

    distance = np.clip(1.0 - sim, 0.0, 1.0)
    np.fill_diagonal(distance, 0.0)
    distance = (distance + distance.T) / 2
    return [int(i) for i in leaves_list(linkage(squareform(distance, checks=False), method="average", optimal_ordering=True))]


def build_matrix(q: PlanQuery, corpus: Corpus, top: int = 40, keep_duplicates: bool = False) -> Matrix:
    """The query plan's ``top`` most similar plans (seeds included; near-identical plans once unless
    ``keep_duplicates``), clustered, with the query plan's coverage in each."""
    import numpy as np

    own = own_plans(q, corpus, keep_duplicates)
    keep = listed(corpus, own, keep_duplicates)
    n_listed = len(keep)
    doc_scores = np.clip((q.doc_row @ corpus.doc_rows.T).toarray()[0], 0, 1)
    keep = sorted(keep, key=lambda k: (-doc_scores[k], corpus.docs[k]["name"]))[:top]
    rows = corpus.doc_rows[keep]
    sim = np.clip((rows @ rows.T).toarray(), 0, 1)
    order = cluster_order(sim)
    plans = [corpus.docs[keep[i]] for i in order]
    unit_max = per_doc_max(q.unit_rows, corpus.unit_rows, corpus.unit_doc, len(corpus.docs))
    by_id = {s.id: s for s in q.doc.walk()}
    return Matrix(
        plans=[{k: p[k] for k in ("name", "title", "date", "path")} | {"duplicates": folded(corpus, keep[i], keep_duplicates)}
               for p, i in zip(plans, order)],
        similarity=[[round(float(sim[i, j]), 3) for j in order] for i in order],
        seed={"name": q.doc.name, "title": q.doc.title},
        rows=[{"id": u, "label": by_id[u].caption(20),
               "level": by_id[u].level} for u in q.unit_ids],
        columns=[{k: corpus.docs[i][k] for k in ("name", "title", "date", "path")} for i in keep],
        # cut, not rounded: 0.1996 read 0.20 and was shaded covered, where rank's coverage (≥ 0.2) has it not
        coverage=[[int(float(unit_max[r, i]) * 10000) / 10000 for i in keep] for r in range(len(q.unit_ids))],
        listed=n_listed,
        own_copies=sorted(corpus.docs[k]["name"] for k in own if not is_self(corpus.docs[k], q.doc)),
    )
