"""What queries read from the corpus index: the :class:`Corpus`, and the data derived once per index state
from the stored tokens (the IDF, the TF-IDF rows of plans, units and clauses, the near-identical groups),
kept with a checksum in the index file's ``matrices`` table. Writing the index is :mod:`compare.store`."""
from __future__ import annotations

import hashlib
import io
import json
import sqlite3
from array import array
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path

from .errors import IndexProblem
from .indexfile import Damage, clause_columns, clauses_of, connect, meta, quick_check, sections_of
from .reuse_index import load as reuse_lookup


@dataclass
class Corpus:
    """The indexed corpus, ready for queries: metadata, the IDF and TF-IDF rows.

    Rows of ``unit_rows`` and ``clause_rows`` are grouped by plan, in plan order;
    ``unit_doc`` / ``clause_doc`` give each row's plan (an index into ``docs``).
    Clause texts are read from the snapshot of the index the rows were loaded
    from, so a run that updates the index meanwhile changes no answer.
    """

    docs: list[dict]  # id, key, path, name, title, date, chars, issuers, sha256, match_sha, seed
    stats: object  # index.Stats over the corpus
    doc_rows: object  # CSR: one row per plan (all its sections' tokens)
    unit_rows: object
    unit_doc: object  # numpy int array
    clause_rows: object
    clause_doc: object  # numpy int array
    index_path: Path
    snapshot: sqlite3.Connection | None = field(default=None, repr=False, compare=False)
    groups: list[list[int]] = field(default_factory=list)  # near-identical plans (≥ 2 each), counted first first
    reuse: object = None  # reuse_index.ReuseLookup: the reuse clusters kept in the index, where current

    def __post_init__(self):
        self.copies_of: dict[int, list[int]] = {k: [j for j in g if j != k] for g in self.groups for k in g}
        self.counted = [True] * len(self.docs)  # False for a plan that is a duplicate of a counted one
        for g in self.groups:
            for k in g[1:]:
                self.counted[k] = False
        self._outlines: dict[int, list[tuple]] = {}  # doc id -> its clauses' (id, section id, path, start, end)

    def duplicates(self, k: int) -> list[str]:
        """Names of the plans near-identical to plan ``k``."""
        return [self.docs[j]["name"] for j in self.copies_of.get(k, [])]

    def clause(self, row: int) -> tuple[str, str, str, str]:
        """(clause id, section id, section path as written, text) of a clause row."""
        import numpy as np

        doc_k = int(self.clause_doc[row])
        ord_ = row - int(np.searchsorted(self.clause_doc, doc_k))
        db = self.snapshot or sqlite3.connect(self.index_path)
        doc_id = self.docs[doc_k]["id"]
        try:
            outline = self._outlines.get(doc_id)
            if outline is None:  # read once a plan: a query's hits fall in few plans, many times each
                sections = sections_of(db, doc_id)
                path_of = {s[0]: s[-1] for s in sections}
                outline = self._outlines[doc_id] = [(cid, sid, path_of[sid], start, end)
                                                    for cid, sid, start, end, _, _ in clauses_of(db, doc_id, sections)]
            cid, sid, path, start, end = outline[ord_]
            text = db.execute("SELECT substr(text, ?, ?) FROM documents WHERE id = ?",
                              (start + 1, end - start, doc_id)).fetchone()[0]
        except (sqlite3.DatabaseError, TypeError, IndexError, KeyError, Damage) as exc:
            raise IndexProblem(f"cannot read a clause ({exc}); run compare index to check the index",
                               str(self.index_path)) from None
        finally:
            if db is not self.snapshot:
                db.close()
        return cid, sid, path, text

    def close(self) -> None:
        """End the snapshot (it also ends when the Corpus is garbage-collected)."""
        if self.snapshot is not None:
            self.snapshot.close()
            self.snapshot = None


def state_key(db) -> str:
    h = hashlib.sha256((meta(db, "version") or "").encode())
    for path, sha in db.execute("SELECT path, sha256 FROM documents ORDER BY path"):
        h.update(f"{path}\0{sha}\n".encode())
    return h.hexdigest()[:24]


def _blob_get(db, name, state):
    row = db.execute("SELECT sha256, data FROM matrices WHERE name = ? AND state = ?", (name, state)).fetchone()
    if row is None:
        return None
    if not isinstance(row[1], bytes) or hashlib.sha256(row[1]).hexdigest() != row[0]:
        raise Damage(f"checksum of the derived {name} data fails")
    return row[1]


def _blob_put(db, name, state, data: bytes):
    db.execute("INSERT OR REPLACE INTO matrices VALUES (?, ?, ?, ?)",
               (name, state, hashlib.sha256(data).hexdigest(), data))


def load_corpus(db, index_path: Path, corpus: Path, timeout: float, extra: dict[str, Path]) -> "Corpus":
    """Derive what the current state lacks, then read it all in one snapshot that the Corpus keeps."""
    import numpy as np
    from scipy import sparse

    state = state_key(db)
    present = {name for (name,) in db.execute("SELECT name FROM matrices WHERE state = ?", (state,))}
    if not {"stats", "docs", "units", "clauses", "duplicates"} <= present:  # the index changed: check, derive
        quick_check(db)
        if "stats" not in present:
            _blob_put(db, "stats", state, _derive_stats(db))
        docs = indexed_docs(db, corpus, extra)
        _build_rows(db, docs, _stats(_blob_get(db, "stats", state)), state)
        _blob_put(db, "duplicates", state, _derive_duplicates(db, docs, state))
    snap = connect(index_path, timeout)  # the lock is still held: this snapshot is the state just derived
    try:
        snap.execute("BEGIN")
        docs = indexed_docs(snap, corpus, extra)
        stats = _stats(_blob_get(snap, "stats", state))
        groups = _groups(docs, _blob_get(snap, "duplicates", state))
        rows = {}
        for name in ("docs", "units", "clauses"):
            with np.load(io.BytesIO(_blob_get(snap, name, state)), allow_pickle=False) as z:
                matrix = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
                rows[name] = (matrix, z["doc"].copy())
        reuse = reuse_lookup(snap, docs, rows["clauses"][1])
    except BaseException:
        snap.close()
        raise
    return Corpus(docs=docs, stats=stats, doc_rows=rows["docs"][0], unit_rows=rows["units"][0],
                  unit_doc=rows["units"][1], clause_rows=rows["clauses"][0], clause_doc=rows["clauses"][1],
                  index_path=index_path, snapshot=snap, groups=groups, reuse=reuse)


def _stats(blob: bytes):
    from .tfidf import Stats

    data = json.loads(blob)
    return Stats(vocabulary={t: k for k, t in enumerate(data["terms"])}, idf=data["idf"], n_units=data["n_units"])


def indexed_docs(db, corpus: Path, extra: dict[str, Path] | None = None) -> list[dict]:
    """The documents in plan order; ``path`` is the file as found under ``corpus`` as spelled (an ``extra``
    plan's own path); title, date and issuers as the kept ``--meta`` entries override them."""
    from .meta import meta_for

    extra = extra or {}
    overrides = {f: {k: v for k, v in (("title", t), ("date", d), ("issuers", i)) if v is not None}
                 for f, t, d, i in db.execute("SELECT file, title, date, issuers FROM overrides")}
    keys = ("id", "key", "name", "title", "date", "chars", "issuers", "sha256", "match_sha")
    docs = [dict(zip(keys, row)) for row in db.execute(
        "SELECT id, path, name, title, date, chars, issuers, sha256, match_sha FROM documents ORDER BY path")]
    for d in docs:
        d["seed"] = d["key"] in extra
        d["path"] = str(extra[d["key"]]) if d["key"] in extra else str(corpus / d["key"])
        d.update(meta_for(overrides, d["key"]))
        if isinstance(d["issuers"], str):
            try:
                d["issuers"] = json.loads(d["issuers"])
            except ValueError:
                raise Damage(f"bad issuers for {d['key']}") from None
    return docs


DUPLICATE_COSINE = 0.98  # whole-plan cosine at which two plans count as one document


def _derive_duplicates(db, docs: list[dict], state: str) -> bytes:
    """Groups of near-identical plans (same text after normalization, or whole-plan cosine ≥
    ``DUPLICATE_COSINE`` where their own dates do not name different years), as lists of keys; from the plan
    rows just derived. Two revisions of a law are near-identical but not copies: folding 证券公司风险处置条例
    2023 into its 2016 text hid the current law, whose penalty articles changed, behind the old one."""
    import numpy as np
    from scipy import sparse

    with np.load(io.BytesIO(_blob_get(db, "docs", state)), allow_pickle=False) as z:
        rows = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
    n = len(docs)
    parent = list(range(n))

    def root(k):
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    by_text: dict[str, int] = {}
    for k, d in enumerate(docs):
        if d["match_sha"] in by_text:
            parent[root(k)] = root(by_text[d["match_sha"]])
        else:
            by_text[d["match_sha"]] = k
    year = {path: (date or "")[:4] for path, date in db.execute("SELECT path, date FROM documents")}  # not --meta's
    for i, j in _near_identical_pairs(rows):
        a, b = year.get(docs[i]["key"], ""), year.get(docs[j]["key"], "")
        if a and b and a != b:
            continue  # two versions of a text, a revision apart
        parent[root(j)] = root(i)
    groups: dict[int, list[str]] = {}
    for k in range(n):
        groups.setdefault(root(k), []).append(docs[k]["key"])
    return json.dumps(sorted(g for g in groups.values() if len(g) > 1), ensure_ascii=False).encode("utf-8")


PROJECTED_COLUMNS = 1024  # the heaviest columns, where candidate pairs are screened (dense: n × 1024 floats)


def _near_identical_pairs(rows) -> list[tuple[int, int]]:
    """Pairs (i < j) of unit rows with cosine ≥ ``DUPLICATE_COSINE``, in the order i, then j.

    Every pair's product would cost O(n²) sparse work (13 s at 3,000 plans). Unit rows are within cosine t
    exactly when ‖x − y‖² ≤ 2 − 2t, and the squared distance of the heaviest columns S plus the square of the
    difference of the rest's norms never exceeds ‖x − y‖², so pairs past that bound (with room for rounding)
    are dropped and only the rest get their exact product, summed as the full product sums each cell."""
    import numpy as np

    n = rows.shape[0]
    squares = rows.multiply(rows)
    mass = np.asarray(squares.sum(axis=0)).ravel()
    heavy = np.sort(np.argsort(-mass, kind="stable")[:PROJECTED_COLUMNS])
    projected = rows[:, heavy].toarray()
    inside = (projected * projected).sum(axis=1)
    outside = np.sqrt(np.maximum(np.asarray(squares.sum(axis=1)).ravel() - inside, 0.0))
    reach = 2.0 - 2.0 * DUPLICATE_COSINE + 1e-6
    pairs = []
    for lo in range(0, n, 500):  # blocks of plans: memory bounded by a few 500 × n arrays
        hi = min(n, lo + 500)
        bound = projected[lo:hi] @ projected.T
        bound *= -2.0
        bound += inside[lo:hi, None]
        bound += inside[None, :]
        bound += np.square(outside[lo:hi, None] - outside[None, :])
        for i in range(lo, hi):
            near = np.flatnonzero(bound[i - lo, i + 1:] <= reach) + i + 1
            if len(near):
                cosines = (rows[i] @ rows[near].T).toarray()[0]
                pairs += [(i, int(j)) for j in near[cosines >= DUPLICATE_COSINE]]
    return pairs


def _groups(docs: list[dict], blob: bytes) -> list[list[int]]:
    """Duplicate groups as plan indexes, the plan counted first: a seed, then the earliest dated, then by key."""
    try:
        keys = json.loads(blob)
    except ValueError:
        raise Damage("bad duplicate groups") from None
    position = {d["key"]: k for k, d in enumerate(docs)}
    out = []
    for group in keys:
        members = [position[key] for key in group if key in position]
        members.sort(key=lambda k: (not docs[k]["seed"], docs[k]["date"] is None, docs[k]["date"] or "",
                                    docs[k]["key"]))
        if len(members) > 1:
            out.append(members)
    return sorted(out)


def _derive_stats(db) -> bytes:
    """The IDF from each document's stored frequencies (uint32 counts over its own terms), by
    :func:`compare.tfidf.build`."""
    from .tfidf import build

    total: dict[str, int] = {}  # summed plan by plan: the plans' counts are never all held at once
    n_units = 0
    for path, counts, units, terms in db.execute(
            "SELECT d.path, d.df, d.n_units, t.terms FROM documents d LEFT JOIN tokens t ON t.doc_id = d.id "
            "ORDER BY d.path"):
        vocabulary = terms.split("\n") if isinstance(terms, str) and terms else []
        if (not isinstance(counts, bytes) or not isinstance(terms, str) or type(units) is not int
                or len(counts) != 4 * len(vocabulary)):
            raise Damage(f"bad document frequencies for {path}")
        n_units += units
        get = total.get
        for term, k in zip(vocabulary, array("I", counts)):
            if k:  # a term of the preamble alone is in no unit
                total[term] = get(term, 0) + k
    stats = build([(total, n_units)])
    return json.dumps({"terms": list(stats.vocabulary), "idf": stats.idf, "n_units": stats.n_units},
                      ensure_ascii=False).encode("utf-8")


def _plan_columns(db, doc_id: int, column, local_columns: dict):
    """A plan's content tokens as corpus columns (int64, -1 for a term the IDF lacks). ``local_columns``
    keeps each plan's vocabulary as columns (int32) for the next pass over the plans."""
    import numpy as np

    local = local_columns.get(doc_id)
    if local is None:  # the vocabulary is read and mapped once; later passes read the ids alone
        row = db.execute("SELECT terms, ids FROM tokens WHERE doc_id = ?", (doc_id,)).fetchone()
        terms, ids = row if row else (None, None)
        if isinstance(terms, str):
            local = local_columns[doc_id] = np.fromiter(map(column, terms.split("\n") if terms else [], repeat(-1)),
                                                        dtype=np.int32, count=terms.count("\n") + 1 if terms else 0)
    else:
        row = db.execute("SELECT ids FROM tokens WHERE doc_id = ?", (doc_id,)).fetchone()
        ids = row[0] if row else None
    if local is None or not isinstance(ids, bytes) or len(ids) % 4:
        raise Damage("a plan's tokens are missing")
    ids = np.frombuffer(ids, dtype=np.uint32)
    if ids.size and int(ids.max()) >= len(local):
        raise Damage("a plan's token ids are out of range")
    return local[ids]


def _checked(runs: list, n_tokens: int) -> list:
    """``runs``, rows whose last two fields are a run of the plan's tokens (first, count), checked."""
    for *_, first, count in runs:
        if not (isinstance(first, int) and isinstance(count, int) and 0 <= first and 0 <= count
                and first + count <= n_tokens):
            raise Damage("a section or clause outside its plan's tokens")
    return runs


def section_runs(db, doc_id: int, n_tokens: int) -> list[tuple]:
    """(sid, parent, role, first, count) of each of a plan's sections, in order, checked."""
    return _checked([(s[0], s[4], s[5], s[8], s[9]) for s in sections_of(db, doc_id)], n_tokens)


def clause_runs(db, doc_id: int, n_tokens: int) -> list[list]:
    """(first, count) of each of a plan's clauses, in order, checked."""
    return _checked(clause_columns(db, doc_id)[:, 3:].tolist(), n_tokens)


def stored_tokens(db, doc_id: int) -> list[str]:
    """A plan's content tokens as the index keeps them (its vocabulary, indexed by its token ids); a section's
    or clause's are ``[first:first + count]``."""
    from array import array

    terms, ids = db.execute("SELECT terms, ids FROM tokens WHERE doc_id = ?", (doc_id,)).fetchone()
    vocabulary = terms.split("\n") if terms else []
    return [vocabulary[k] for k in array("I", ids)]


def _gather(columns, runs):
    """``columns`` at the runs [(first, count)], one after the other, and the runs' counts: one numpy gather."""
    import numpy as np

    runs = np.array(runs, dtype=np.int64).reshape(-1, 2)
    firsts, counts = runs[:, 0], runs[:, 1]
    shift = np.repeat(firsts - (np.cumsum(counts) - counts), counts)  # output position -> token position
    return columns[np.arange(len(shift), dtype=np.int64) + shift], counts


def _build_rows(db, docs, stats, state) -> None:
    """Vectorize every plan, unit and clause from the stored tokens; store them for this state.

    Each plan's tokens are read as ids into its own vocabulary, mapped to the corpus's columns once per plan
    (a dict look-up per distinct term, not per token), gathered per plan by their runs, and streamed into
    the matrices: holding every token of 10,000 plans as Python strings took over 9 GB."""
    import numpy as np

    position = {d["id"]: k for k, d in enumerate(docs)}
    order = sorted(position, key=position.get)
    column = stats.vocabulary.get
    local_columns: dict[int, object] = {}  # a plan's vocabulary as columns, mapped on the first pass only

    def plan_rows():  # one row per plan: all its sections' tokens
        for doc_id in order:
            columns = _plan_columns(db, doc_id, column, local_columns)
            gathered, _ = _gather(columns, [run[3:] for run in section_runs(db, doc_id, len(columns))])
            yield gathered, [len(gathered)]

    unit_doc: list[int] = []

    def unit_rows():  # in plan order (docs sorted by path), a unit's whole text = itself and its items
        for doc_id in order:
            columns = _plan_columns(db, doc_id, column, local_columns)
            runs: dict[str, list] = {}
            unit_of: dict[str, str] = {}
            for sid, parent, role, a, k in section_runs(db, doc_id, len(columns)):
                if role == "unit":
                    runs[sid] = [(a, k)]
                    unit_of[sid] = sid
                elif role == "item" and parent in unit_of:
                    unit_of[sid] = unit_of[parent]
                    runs[unit_of[sid]].append((a, k))
            if runs:
                gathered, counts = _gather(columns, [run for unit in runs.values() for run in unit])
                per_unit = np.add.reduceat(counts, np.cumsum([0] + [len(r) for r in runs.values()])[:-1])
                unit_doc.extend([position[doc_id]] * len(runs))
                yield gathered, per_unit.tolist()

    clause_doc: list[int] = []

    def clause_rows():
        for doc_id in order:
            columns = _plan_columns(db, doc_id, column, local_columns)
            clauses = clause_runs(db, doc_id, len(columns))
            if clauses:
                gathered, counts = _gather(columns, clauses)
                clause_doc.extend([position[doc_id]] * len(clauses))
                yield gathered, counts.tolist()

    for name, rows, owner in (("docs", plan_rows, lambda: list(range(len(order)))),
                              ("units", unit_rows, lambda: unit_doc), ("clauses", clause_rows, lambda: clause_doc)):
        m = stats.rows_of_columns(rows()).to_scipy()
        buf = io.BytesIO()
        np.savez(buf, data=m.data, indices=m.indices, indptr=m.indptr, shape=np.array(m.shape),
                 doc=np.array(owner(), dtype=np.int64))
        del m
        _blob_put(db, name, state, buf.getvalue())
