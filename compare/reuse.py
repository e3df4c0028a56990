"""Corpus-wide text reuse: every clause of every plan against the clauses of all other plans.

The job is a fixed graph of pure tasks over *partitions* (consecutive runs of
the corpus's plan files, in name order); :mod:`compare.reuse_engine` runs it
in this process or on Dask. Nothing here imports Dask, and nothing reads the
SQLite index: each partition task reads its plan files itself.

1. ``parse_partition``: load, parse and tokenize the plans (the loaders, section
   parser, clauses and tokenizer of every other command); a bad file is skipped
   and counted. Each plan's document frequencies go to ``tfidf.add_frequencies``, and
   :func:`compare.tfidf.build` makes the one IDF, as the index does.
2. ``band_records``: a MinHash signature (``NUM_PERM`` permutations) of each
   clause's set of content tokens, cut into ``BANDS`` bands of ``ROWS``; each
   band's hash picks a shuffle bucket. Clauses with fewer than ``MIN_TOKENS``
   content tokens take no part.
3. ``bucket_candidates``: clauses sharing a band hash are candidate pairs
   (plans differ). Exact copies (same tokens) collapse to their first copy,
   which is paired with every other copy; a band group still over
   ``WINDOW`` clauses pairs each with the next ``WINDOW`` only, so a stock
   phrase never makes a quadratic bucket.
4. ``attach`` and ``verify``: a distributed join that brings both clauses'
   TF-IDF rows together; a candidate is kept when their cosine (the score
   ``compare clauses`` gives) is at least the threshold.

:func:`assemble` turns the verified edges into reuse clusters (connected
components), first-said plans and plan → plan diffusion edges. Clause ids
(``gid``) are ``partition × STRIDE + position``, so their order is the
corpus order whatever the partitioning, and so is every result.
"""
from __future__ import annotations

import hashlib
from dataclasses import dataclass, field

NUM_PERM = 120  # MinHash permutations
BANDS, ROWS = 40, 3  # LSH bands × rows per band (= NUM_PERM): P(candidate) = 1 − (1 − J³)⁴⁰, ~0.93 at Jaccard 0.4
MIN_TOKENS = 3  # clauses with fewer content tokens are not reuse evidence
WINDOW = 100  # a band group larger than this pairs each clause with the next WINDOW only
STRIDE = 1 << 32  # gid = partition × STRIDE + position in the partition
DEFAULT_THRESHOLD = 0.8  # cosine at which two clauses count as one reused clause (rank.BOILERPLATE_NEAR)


@dataclass
class Part:
    """One partition's plans and clauses (what workers pass on; never the full text)."""

    index: int
    plans: list[dict] = field(default_factory=list)  # name, title, date, path, clauses
    skipped: list[str] = field(default_factory=list)  # "path: reason (skipped)"
    df: dict = field(default_factory=dict)  # document frequency over the partition's units
    n_units: int = 0
    clause_plan: list[int] = field(default_factory=list)  # each clause's plan, as a position in ``plans``
    clause_ids: list[str] = field(default_factory=list)
    sections: list[str] = field(default_factory=list)  # section path as written, e.g. "第三章/第十条"
    texts: list[str] = field(default_factory=list)
    tokens: list[list[str]] = field(default_factory=list)

    def plan_gid(self, local: int) -> int:
        return self.index * STRIDE + local


def parse_partition(index: int, paths: list[str], max_bytes: int | None = None) -> Part:
    """Load, parse and tokenize the plans at ``paths`` (files every worker can read)."""
    from .errors import CompareError
    from .sections import load_plan
    from .tfidf import plan_frequencies, skipped_note
    from .tokenize import Segmentation

    part = Part(index)
    for path in paths:
        try:
            doc = load_plan(path, _Read(max_bytes))
        except CompareError as exc:
            part.skipped.append(skipped_note(exc))
            continue
        seg = Segmentation.of(doc.text)
        df, n = plan_frequencies(doc, seg)
        for term, k in df.items():
            part.df[term] = part.df.get(term, 0) + k
        part.n_units += n
        local = len(part.plans)
        where: dict[str, str] = {}
        count = 0
        for s in doc.walk():
            where[s.id] = (where[s.parent] + "/" if s.parent else "") + s.number
            for c in s.clauses:
                part.clause_plan.append(local)
                part.clause_ids.append(c.id)
                part.sections.append(where[s.id])
                part.texts.append(c.text)
                part.tokens.append(seg.tokens(*c.span))
                count += 1
        part.plans.append({"name": doc.name, "title": doc.title, "date": doc.date, "path": doc.path,
                           "sha256": doc.sha256, "clauses": count})
    return part


class _Read:
    """The reading options a corpus plan gets: its own format and encoding sniffed, the size cap given."""

    format = encoding = None

    def __init__(self, max_bytes):
        self.max_bytes = max_bytes


def partition_frequencies(part: Part) -> tuple[dict, int]:
    return part.df, part.n_units


def fit_stats(frequencies: tuple[dict, int]):
    """The corpus IDF, by the builder every command uses."""
    from .tfidf import build

    return build([frequencies])


def vectorize(part: Part, stats):
    """The partition's clause rows: L2-normalized TF-IDF, CSR (the rows ``compare clauses`` scores with)."""
    return stats.vectors(part.tokens)


# ---------------------------------------------------------------- candidates (MinHash LSH)

def _seeds():
    import numpy as np

    rng = np.random.default_rng(20240612)  # fixed: signatures are the same on every worker and every run
    return rng.integers(0, np.iinfo(np.uint64).max, NUM_PERM, dtype=np.uint64, endpoint=True)


def _mix(x):
    """splitmix64's finalizer, on a uint64 array: each seed gives an independent-looking hash of the tokens."""
    import numpy as np

    with np.errstate(over="ignore"):
        x = x ^ (x >> np.uint64(30))
        x = x * np.uint64(0xBF58476D1CE4E5B9)
        x = x ^ (x >> np.uint64(27))
        x = x * np.uint64(0x94D049BB133111EB)
        return x ^ (x >> np.uint64(31))


def _token_hash(token: str) -> int:
    return int.from_bytes(hashlib.blake2b(token.encode("utf-8"), digest_size=8).digest(), "little")


def signatures(token_lists: list[list[str]]):
    """(clauses × NUM_PERM) uint64 MinHash signatures of each clause's token set (all-max for an empty one)."""
    import numpy as np

    seeds = _seeds()
    out = np.full((len(token_lists), NUM_PERM), np.iinfo(np.uint64).max, dtype=np.uint64)
    known: dict[str, int] = {}
    hashes, owner = [], []
    for i, tokens in enumerate(token_lists):
        for t in set(tokens):
            h = known.get(t)
            if h is None:
                h = known[t] = _token_hash(t)
            hashes.append(h)
            owner.append(i)
    hv_all, owner_all = np.array(hashes, dtype=np.uint64), np.array(owner, dtype=np.int64)
    step = 1 << 16  # tokens per block: bounds memory at step × NUM_PERM × 8 bytes
    for lo in range(0, len(hv_all), step):
        hv, who = hv_all[lo:lo + step], owner_all[lo:lo + step]
        values = _mix(hv[:, None] ^ seeds)
        starts = np.flatnonzero(np.r_[True, who[1:] != who[:-1]])
        rows = who[starts]
        out[rows] = np.minimum(out[rows], np.minimum.reduceat(values, starts, axis=0))
    return out


def band_keys(sig, band: int):
    """One 64-bit key per clause for band ``band`` of the signatures (a fixed integer mix, the same everywhere)."""
    import numpy as np

    h = np.full(sig.shape[0], np.uint64(0x9E3779B97F4A7C15 ^ (band + 1)), dtype=np.uint64)
    with np.errstate(over="ignore"):
        for col in range(band * ROWS, (band + 1) * ROWS):
            h = (h ^ sig[:, col]) * np.uint64(0xBF58476D1CE4E5B9)
            h ^= h >> np.uint64(31)
    return h


def _exact_key(tokens: list[str]) -> int:
    digest = hashlib.blake2b("\x1f".join(tokens).encode("utf-8"), digest_size=8).digest()
    return int.from_bytes(digest, "little") >> 1  # fits int64


RECORD = [("key", "<u8"), ("gid", "<i8"), ("plan", "<i8"), ("exact", "<i8")]


def band_records(part: Part, n_buckets: int) -> list:
    """For each shuffle bucket, a structured array of (band key, clause gid, plan gid, exact-copy key)."""
    import numpy as np

    keep = [i for i, t in enumerate(part.tokens) if len(set(t)) >= MIN_TOKENS]
    sig = signatures([part.tokens[i] for i in keep])
    n = len(keep)
    recs = np.zeros(n * BANDS, dtype=RECORD)
    if n:
        for band in range(BANDS):
            recs["key"][band * n:(band + 1) * n] = band_keys(sig, band)
        gids = np.array([part.index * STRIDE + i for i in keep], dtype=np.int64)
        plans = np.array([part.plan_gid(part.clause_plan[i]) for i in keep], dtype=np.int64)
        exact = np.array([_exact_key(part.tokens[i]) for i in keep], dtype=np.int64)
        recs["gid"], recs["plan"], recs["exact"] = np.tile(gids, BANDS), np.tile(plans, BANDS), np.tile(exact, BANDS)
    bucket = recs["key"] % np.uint64(max(1, n_buckets))
    return [recs[bucket == j] for j in range(n_buckets)]


def bucket_candidates(n_parts: int, *records) -> list:
    """Candidate pairs (a < b, plans differ, or exact copies) from one bucket's records, split by a's partition."""
    import numpy as np

    recs = np.concatenate(records) if records else np.zeros(0, dtype=RECORD)
    recs = recs[np.lexsort((recs["gid"], recs["key"]))]
    pairs: list[tuple[int, int]] = []
    if len(recs):
        starts = np.flatnonzero(np.r_[True, recs["key"][1:] != recs["key"][:-1]])
        ends = np.r_[starts[1:], len(recs)]
        for s, e in zip(starts.tolist(), ends.tolist()):
            if e - s > 1:
                pairs.extend(_group_pairs(recs[s:e]))
    arr = np.array(sorted(set(pairs)), dtype=np.int64).reshape(-1, 2)
    owner = arr[:, 0] // STRIDE
    return [arr[owner == k] for k in range(n_parts)]


def _group_pairs(group) -> list[tuple[int, int]]:
    """Pairs in one band group (sorted by gid): copies star-linked to their first copy, then the distinct ones.

    Two distinct clauses are paired unless all their copies stand in one and the same plan.
    """
    firsts: dict[int, int] = {}  # exact key -> gid of its first copy
    plans: dict[int, set] = {}  # exact key -> plans holding a copy
    out = []
    for gid, plan, exact in zip(group["gid"].tolist(), group["plan"].tolist(), group["exact"].tolist()):
        if exact in firsts:
            out.append((firsts[exact], gid))
            plans[exact].add(plan)
        else:
            firsts[exact], plans[exact] = gid, {plan}
    reps = [(gid, plans[exact]) for exact, gid in firsts.items()]
    for i, (ga, pa) in enumerate(reps):
        for gb, pb in reps[i + 1:i + 1 + WINDOW]:
            if len(pa) > 1 or pa != pb:
                out.append((ga, gb))
    return out


def attach(part: Part, rows, n_parts: int, *pair_lists) -> list:
    """Deduplicate the candidates whose first clause lies here; send each, with that clause's row, to b's partition."""
    import numpy as np

    pairs = np.concatenate(pair_lists) if pair_lists else np.zeros((0, 2), dtype=np.int64)
    pairs = np.unique(pairs.reshape(-1, 2), axis=0)
    owner = pairs[:, 1] // STRIDE
    out = []
    for k in range(n_parts):
        mine = pairs[owner == k]
        out.append((mine, rows[(mine[:, 0] - part.index * STRIDE).tolist()]))
    return out


def verify(part_index: int, rows, threshold: float, *halves):
    """(a, b, cosine) of the candidates arriving here whose TF-IDF cosine is ≥ ``threshold``; and how many came."""
    import numpy as np

    edges, seen = [], 0
    for pairs, rows_a in halves:
        if not len(pairs):
            continue
        seen += len(pairs)
        rows_b = rows[(pairs[:, 1] - part_index * STRIDE).tolist()]
        scores = np.asarray(rows_a.multiply(rows_b).sum(axis=1)).ravel()
        keep = np.round(scores, 9) >= threshold
        edges.extend(zip(pairs[keep, 0].tolist(), pairs[keep, 1].tolist(), scores[keep].tolist()))
    return edges, seen


def describe(part: Part, gids: list[int]) -> dict[int, tuple]:
    """gid -> (plan gid, clause id, section path, text) for the clauses asked for."""
    out = {}
    for gid in gids:
        i = gid - part.index * STRIDE
        out[gid] = (part.plan_gid(part.clause_plan[i]), part.clause_ids[i], part.sections[i], part.texts[i])
    return out


def plans_of(part: Part) -> tuple[dict[int, dict], list[str], int]:
    """(plan gid -> plan, skipped files, clauses) of a partition: what the driver keeps of it."""
    return {part.plan_gid(k): p for k, p in enumerate(part.plans)}, part.skipped, len(part.texts)


# ---------------------------------------------------------------- clusters, first said, diffusion edges

@dataclass
class Cluster:
    id: int
    size: int  # plans holding the clause
    clauses: int  # clause occurrences (a plan may hold it twice)
    first_plan: str  # the plan that said it first: earliest date, ties (and undated plans, last) by name
    first_date: str | None
    boilerplate: bool  # a stock clause: see :func:`is_boilerplate`
    text: str  # the clause as the first plan has it
    plans: list[dict]  # {plan, title, date, sections: [section paths]} in date order


@dataclass
class Member:
    cluster: int
    plan: str
    title: str
    date: str | None
    path: str
    section: str
    clause: str
    text: str
    first: bool


@dataclass
class Edge:
    source: str  # the earlier plan
    target: str
    source_date: str | None
    target_date: str | None
    shared: int  # reuse clusters (not boilerplate) the two plans share


@dataclass
class ReuseResult:
    clusters: list[Cluster]
    members: list[Member]
    edges: list[Edge]
    plans: int  # plans read
    clauses: int  # clauses read
    skipped: list[str]  # bad files, "path: reason (skipped)"
    candidates: int  # candidate pairs verified
    all_pairs: int  # clause pairs across different plans that an exhaustive job would score
    verified: int  # candidate pairs at or above the threshold
    threshold: float
    plan_list: list[dict] = field(default_factory=list)  # name, title, date, path, sha256, clauses; in date order
    dashboard: str | None = None
    index: str | None = None  # the corpus index the clusters were kept in
    warnings: list = field(default_factory=list)  # notes from keeping them there (a damaged index rebuilt)


def is_boilerplate(n_plans_with_it: int, most_copies_in_one_plan: int, n_plans: int, text: str = "") -> bool:
    """A stock clause: in at least ``BOILERPLATE_SHARE`` of the plans and 3 (the rule of ``compare clauses``),
    or in at least 3 plans and repeated inside one of them (a formula, like 构成犯罪的，依法追究刑事责任), or
    one of the formulas every law carries (:func:`compare.sentences.is_law_formula`): when it takes effect
    (本条例自2014年3月1日起施行), what it applies to (本条例适用于…自由贸易试验区), and that other laws'
    penalties come first (…从其规定)."""
    from .ranking import BOILERPLATE_SHARE
    from .sentences import is_law_formula

    if n_plans_with_it >= max(3, BOILERPLATE_SHARE * max(1, n_plans)):
        return True
    if is_law_formula(text):
        return True
    return n_plans_with_it >= 3 and most_copies_in_one_plan >= 2


def date_key(plan: dict) -> tuple:
    """Order for "first said": dated plans by date, then undated ones; ties by name."""
    return (plan["date"] is None, plan["date"] or "", plan["name"])


def components(edges: list[tuple[int, int, float]]) -> list[list[int]]:
    """Connected components of the edge graph, each sorted, in order of their smallest gid."""
    parent: dict[int, int] = {}

    def find(x):
        while parent.setdefault(x, x) != x:
            parent[x] = parent[parent[x]]
            x = parent[x]
        return x

    for a, b, _ in edges:
        ra, rb = find(a), find(b)
        if ra != rb:
            parent[max(ra, rb)] = min(ra, rb)
    groups: dict[int, list[int]] = {}
    for x in parent:
        groups.setdefault(find(x), []).append(x)
    return [sorted(g) for _, g in sorted(groups.items())]


def assemble(groups: list[list[int]], info: dict[int, tuple], plans: dict[int, dict], n_plans: int):
    """Clusters (largest first), their members, and plan → plan edges from the reuse components."""
    built = []
    for group in groups:
        by_plan: dict[int, list[int]] = {}
        for gid in group:
            by_plan.setdefault(info[gid][0], []).append(gid)
        if len(by_plan) < 2:
            continue
        order = sorted(by_plan, key=lambda p: date_key(plans[p]))
        built.append((order, by_plan))
    built.sort(key=lambda c: (-len(c[0]), -sum(map(len, c[1].values())), date_key(plans[c[0][0]]),
                              info[c[1][c[0][0]][0]][1]))
    clusters, members, pair_counts = [], [], {}
    for cid, (order, by_plan) in enumerate(built, start=1):
        first = plans[order[0]]
        boiler = is_boilerplate(len(order), max(map(len, by_plan.values())), n_plans, info[by_plan[order[0]][0]][3])
        clusters.append(Cluster(cid, len(order), sum(map(len, by_plan.values())), first["name"], first["date"], boiler,
                                info[by_plan[order[0]][0]][3],
                                [{"plan": plans[p]["name"], "title": plans[p]["title"], "date": plans[p]["date"],
                                  "sections": [info[g][2] for g in by_plan[p]]} for p in order]))
        for p in order:
            for g in by_plan[p]:
                _, clause, section, text = info[g]
                members.append(Member(cid, plans[p]["name"], plans[p]["title"], plans[p]["date"], plans[p]["path"],
                                      section, clause, text, p == order[0]))
        if not boiler:
            for i, p in enumerate(order):
                for q in order[i + 1:]:
                    pair_counts[(p, q)] = pair_counts.get((p, q), 0) + 1
    edges = [Edge(plans[p]["name"], plans[q]["name"], plans[p]["date"], plans[q]["date"], n)
             for (p, q), n in pair_counts.items()]
    edges.sort(key=lambda e: (-e.shared, e.source, e.target))
    return clusters, members, edges
