"""The corpus index: one SQLite file (default ``corpus/.compare/index.sqlite``).

It holds each plan's metadata, content hash, text, token boundaries, sections
and clauses with spans and content tokens, and the document frequency of
every token over all sections. Plans are keyed by their name inside the corpus
folder, so ``cc``, ``./cc`` and its absolute path are one corpus. Re-indexing
is incremental: files whose size, mtime, ctime and inode are unchanged are not
read; files whose hash is unchanged are not parsed; changed files are replaced;
deleted files and files that no longer load are removed. Each file is written
in one transaction, with its own document-frequency counts, so an interrupted
run (Ctrl-C, kill -9, a full disk) leaves an index that is consistent, only
incomplete. Parsing and tokenizing run in a process pool (from ``POOL_FROM`` changed files on).

One run writes at a time: writers hold a lock on ``INDEX.lock`` (see
:mod:`compare.lock`), waiting up to ``LOCK_TIMEOUT`` seconds; queries read a
WAL snapshot. The file carries ``APPLICATION_ID``; a file that is not an index
of this tool is never replaced. A damaged index (not a database, a failed
quick_check, another schema or version, a failed checksum over derived data,
unreadable document frequencies or tokens) is rebuilt, with one warning in
the returned report.

The IDF (by :mod:`compare.tfidf`, the builder `compare run` uses too: each
section's own text a unit, ``ln((1 + n) / (1 + df)) + 1``) and the TF-IDF rows
of plans, units and clauses are derived from the stored tokens once per index
state and kept, with a checksum, in the same file, so a query reads only those
and the texts of its hits.
"""
from __future__ import annotations

import hashlib
import io
from array import array
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CompareError, IndexProblem, Note
from .indexfile import DEFAULT_NAME, Damage, cache_indexes, connect, meta, ownership, quick_check, session
from .lock import locked
from .reuse_index import load as reuse_lookup

LOCK_TIMEOUT = 300.0  # seconds a run waits for another run's lock (or SQLite's) before giving up


def default_index_path(corpus: Path) -> Path:
    """``CORPUS/.compare/index.sqlite`` where that can be written; else a file in the user's cache folder."""
    corpus = Path(corpus)
    folder = corpus / ".compare"
    index = folder / DEFAULT_NAME
    if folder.is_dir():
        writable = os.access(folder, os.W_OK) and (not index.exists() or os.access(index, os.W_OK))
    else:
        writable = os.access(corpus, os.W_OK)
    if writable:
        return index
    key = hashlib.sha256(str(corpus.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_indexes() / f"{corpus.name}-{key}.sqlite"


@dataclass
class IndexReport:
    """What an index run did. ``warnings`` are one-line notes for the user (e.g. a damaged index rebuilt)."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # "path: reason"
    chars: int = 0  # characters parsed and tokenized in this run
    warnings: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def rebuilding(self, index_path: Path):
        """The callback for a rebuild: forget this run's progress, note why in one warning."""
        def start_over(reason: str) -> None:
            for name in ("added", "updated", "removed", "skipped"):
                getattr(self, name).clear()
            self.unchanged = self.chars = 0
            self.warnings.append(Note("warn.rebuilt", f"{index_path}: index {reason}; rebuilt it from the corpus",
                                      path=str(index_path), reason=reason))

        return start_over

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated", f"{len(self.removed)} removed",
                 f"{self.unchanged} unchanged"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts)


# ---------------------------------------------------------------- parsing (in workers)

def parse_file(path: str, data: bytes | None = None) -> dict:
    """Load, parse and tokenize one plan: a picklable record for the writer, or {'error': …}."""
    from .models import roles
    from .load import load_bytes
    from .sections import parse
    from .normalize import match_form_bulk
    from .tfidf import frequencies, section_tokens
    from .tokenize import Segmentation

    try:
        if data is None:
            from .load import read_bytes

            data = read_bytes(path)
        doc = parse(load_bytes(data, path))
    except CompareError as exc:
        return {"path": path, "error": str(exc)}
    seg = Segmentation.build(doc.text, match_form_bulk(doc.text))
    role = roles(doc)
    sections, clauses, paths, own = [], [], {}, []
    for order, s in enumerate(doc.walk()):
        paths[s.id] = (paths[s.parent] + "/" if s.parent else "") + s.number
        tokens = section_tokens(doc, seg, s)
        own.append(tokens)
        sections.append((s.id, order, s.level, s.number, s.title, s.parent, role[s.id], s.span[0], s.span[1],
                         " ".join(tokens), paths[s.id]))
        for c in s.clauses:
            clauses.append((c.id, s.id, len(clauses), c.span[0], c.span[1], " ".join(seg.tokens(*c.span))))
    df, n_units = frequencies(own)  # = tfidf.plan_frequencies(doc, seg), from the section tokens already cut
    return {
        "path": path, "name": doc.name, "sha256": doc.sha256, "title": doc.title, "date": doc.date,
        "issuers": json.dumps(doc.issuers, ensure_ascii=False), "doc_number": doc.doc_number, "format": doc.format,
        "encoding": doc.encoding, "text": doc.text, "token_ends": array("I", seg.ends).tobytes(), "sections": sections,
        "clauses": clauses, "warnings": doc.warnings,
        "df": json.dumps(df, ensure_ascii=False, sort_keys=True), "n_units": n_units,
        "match_sha": match_digest(doc.text, seg.norm),
    }


def match_digest(text: str, norm: str | None = None) -> str:
    """Hash of a plan's text in matching form with spacing and quote markers removed: equal for copies that
    differ only in width, script, spacing or layout. ``norm``: the matching form, where the caller has it."""
    from .normalize import match_form

    norm = match_form(text) if norm is None else norm
    # str.split() cuts at exactly the characters regex \s matches (str.isspace): = re.sub(r"[\s>]+", "", norm)
    return hashlib.sha256("".join(norm.replace(">", " ").split()).encode("utf-8")).hexdigest()


def _init_worker(cache):
    if cache:
        os.environ["COMPARE_CACHE_DIR"] = cache


# ---------------------------------------------------------------- indexing

def refresh(corpus: Path, index_path: Path | None = None, jobs: int | None = None, progress=None,
            check: bool = True, lock_timeout: float | None = None, extra: dict[str, Path] | None = None,
            meta: dict[str, dict] | None = None) -> IndexReport:
    """Bring the index of ``corpus`` up to date. ``progress(done, total, path)`` is called per file.

    ``check`` runs SQLite's quick_check first (about 0.2 s per 100 MB of index). ``extra`` adds plans from
    outside the folder under their own keys (the seeds, as ``seeds/NAME``). ``meta`` (from
    :func:`compare.load.read_meta`) replaces the metadata overrides the index keeps.
    """
    index_path = Path(index_path) if index_path else default_index_path(corpus)
    timeout = LOCK_TIMEOUT if lock_timeout is None else lock_timeout
    report = IndexReport()
    ownership(index_path, timeout)  # refuse another program's file before putting a lock file beside it
    with locked(index_path, timeout):
        session(index_path, check, timeout,
                lambda db, _: _update(db, Path(corpus), report, jobs, progress, extra, meta),
                report.rebuilding(index_path))
    return report


def _update(db, corpus: Path, report: IndexReport, jobs: int | None, progress, extra=None, meta=None) -> None:
    """Add, replace and remove documents so the index matches the corpus folder (and the ``extra`` plans)."""
    from .corpus import is_own_report, plan_files
    from .load import read_bytes

    if meta is not None:
        _set_overrides(db, meta)
    files = {p.relative_to(corpus).as_posix(): p for p in plan_files(corpus, sniff=False)}
    files.update(extra or {})
    known = {row[0]: row[1:] for row in db.execute(
        "SELECT path, id, size, mtime_ns, ctime_ns, inode, sha256 FROM documents")}
    for name in sorted(set(known) - set(files)):
        _delete(db, known[name][0])
        report.removed.append(str(corpus / name))
    todo = {}
    for name, p in files.items():
        old = known.get(name)
        try:
            st = p.stat()
            sig = (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)
            if old and tuple(old[1:5]) == sig:
                report.unchanged += 1
                continue
            if is_own_report(p):  # a report of ours saved among the plans: never a plan
                if old:
                    _delete(db, old[0])
                    report.removed.append(str(p))
                continue
            digest = hashlib.sha256(read_bytes(p)).hexdigest()
        except CompareError as exc:
            _skip(db, report, old, str(exc))
            continue
        except OSError as exc:
            _skip(db, report, old, f"{p}: cannot read ({exc.strerror})")
            continue
        if old and old[5] == digest:
            db.execute("UPDATE documents SET size = ?, mtime_ns = ?, ctime_ns = ?, inode = ? WHERE id = ?",
                       (*sig, old[0]))
            report.unchanged += 1
            continue
        todo[str(p)] = (name, sig)
    records = _parse_all(list(todo), jobs)
    try:
        for done, record in enumerate(records, start=1):
            path = record["path"]
            name, sig = todo[path]
            if progress:
                progress(done, len(todo), path)
            if "error" in record:
                _skip(db, report, known.get(name), record["error"])
                continue
            record["key"] = name
            _write(db, record, sig, known.get(name, (None,))[0])
            (report.updated if name in known else report.added).append(path)
            report.chars += len(record["text"])
    finally:
        records.close()  # stops the pool at once if writing failed


def _skip(db, report: IndexReport, old, reason: str) -> None:
    """A file that does not load (any more) is counted as skipped, and its old rows go."""
    report.skipped.append(reason)
    if old:
        _delete(db, old[0])


# A pool's start-up (each worker imports the package, numpy and the segmenter's dictionary: about 1 s on
# 2 cores) costs more than parsing a few dozen plans (about 12 ms each) in this process.
POOL_FROM = 64


def _parse_all(paths: list[str], jobs: int | None):
    """Parse files, in a process pool when there are enough of them; yields records in path order.

    ``jobs`` None: a pool of up to 4 workers from ``POOL_FROM`` files on; fewer are parsed in this process."""
    if jobs is None and len(paths) < POOL_FROM:
        jobs = 1
    jobs = jobs or min(os.cpu_count() or 1, 4)
    if jobs <= 1 or len(paths) < 4:
        for path in paths:
            yield parse_file(path)
        return
    from concurrent.futures import ProcessPoolExecutor

    from .tokenize import cache_dir, warm

    warm()  # jieba (the fallback) builds its dictionary cache once, before the workers load it
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(str(cache_dir()),))
    try:
        yield from pool.map(parse_file, paths, chunksize=8)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _transaction(db, work) -> None:
    """Run ``work()`` in one write transaction; roll back on any failure (SQLite may already have)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        work()
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def _set_overrides(db, meta: dict[str, dict]) -> None:
    """Replace the kept ``--meta`` entries (they change no derived data: only what _docs reports)."""
    def work():
        db.execute("DELETE FROM overrides")
        db.executemany("INSERT INTO overrides VALUES (?, ?, ?, ?)", [
            (f, e.get("title"), e.get("date"),
             json.dumps(e["issuers"], ensure_ascii=False) if "issuers" in e else None)
            for f, e in sorted(meta.items())])

    _transaction(db, work)


def _delete(db, doc_id: int) -> None:
    def work():
        for table in ("sections", "clauses"):
            db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        db.execute("DELETE FROM matrices")

    _transaction(db, work)


def _write(db, r: dict, sig: tuple, old_id: int | None) -> None:
    """Replace one document (``r["key"]``, its name in the corpus) with its sections, clauses and df counts."""
    def work():
        if old_id is not None:
            for table in ("sections", "clauses"):
                db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (old_id,))
            db.execute("DELETE FROM documents WHERE id = ?", (old_id,))
        cur = db.execute(
            "INSERT INTO documents (path, name, sha256, size, mtime_ns, ctime_ns, inode, title, date, issuers, "
            "doc_number, format, encoding, chars, text, token_ends, df, n_units, match_sha) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (r["key"], r["name"], r["sha256"], *sig, r["title"], r["date"], r["issuers"], r["doc_number"],
             r["format"], r["encoding"], len(r["text"]), r["text"], r["token_ends"], r["df"], r["n_units"],
             r["match_sha"]))
        doc_id = cur.lastrowid
        db.executemany("INSERT INTO sections VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", [(doc_id, *x) for x in r["sections"]])
        db.executemany("INSERT INTO clauses VALUES (?,?,?,?,?,?,?)", [(doc_id, *c) for c in r["clauses"]])

    _transaction(db, work)


# ---------------------------------------------------------------- reading

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
            cid, sid, start, end = db.execute("SELECT cid, sid, start, end FROM clauses WHERE doc_id = ? AND ord = ?",
                                              (doc_id, ord_)).fetchone()
            text = db.execute("SELECT substr(text, ?, ?) FROM documents WHERE id = ?",
                              (start + 1, end - start, doc_id)).fetchone()[0]
            path = db.execute("SELECT path FROM sections WHERE doc_id = ? AND sid = ?", (doc_id, sid)).fetchone()[0]
        except (sqlite3.DatabaseError, TypeError) as exc:
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


def open_corpus(corpus: Path, index_path: Path | None = None, progress=None, refresh_first: bool = True,
                lock_timeout: float | None = None, extra: dict[str, Path] | None = None,
                meta: dict[str, dict] | None = None):
    """Refresh the index if needed and load it for queries. Returns (Corpus, IndexReport).

    Damage met on the way is rebuilt (a warning in the report). SQLite's quick_check runs only when
    the index changed since the matrices were last derived (deriving reads every token anyway).
    """
    corpus = Path(corpus)
    index_path = Path(index_path) if index_path else default_index_path(corpus)
    timeout = LOCK_TIMEOUT if lock_timeout is None else lock_timeout
    report = IndexReport()

    def work(db, rebuilt):
        if refresh_first or rebuilt:
            _update(db, corpus, report, None, progress, extra, meta)
        elif meta is not None:
            _set_overrides(db, meta)
        return _load(db, index_path, corpus, timeout, extra or {})

    ownership(index_path, timeout)
    with locked(index_path, timeout):
        loaded = session(index_path, False, timeout, work, report.rebuilding(index_path))
    if loaded.reuse.status == "stale":
        report.warnings.append(Note("warn.reuse_stale", f"{index_path}: the reuse results kept in the index are "
                                    "older than the corpus's plans; not shown (run compare reuse again)",
                                    path=str(index_path)))
    return loaded, report


def _blob_get(db, name, state):
    row = db.execute("SELECT sha256, data FROM matrices WHERE name = ? AND state = ?", (name, state)).fetchone()
    if row is None:
        return None
    if not isinstance(row[1], bytes) or hashlib.sha256(row[1]).hexdigest() != row[0]:
        raise Damage(f"damaged (checksum of the derived {name} data fails)")
    return row[1]


def _blob_put(db, name, state, data: bytes):
    db.execute("INSERT OR REPLACE INTO matrices VALUES (?, ?, ?, ?)",
               (name, state, hashlib.sha256(data).hexdigest(), data))


def _load(db, index_path: Path, corpus: Path, timeout: float, extra: dict[str, Path]) -> "Corpus":
    """Derive what the current state lacks, then read it all in one snapshot that the Corpus keeps."""
    import numpy as np
    from scipy import sparse

    state = state_key(db)
    present = {name for (name,) in db.execute("SELECT name FROM matrices WHERE state = ?", (state,))}
    if not {"stats", "docs", "units", "clauses", "duplicates"} <= present:  # the index changed: check, derive
        quick_check(db)
        if "stats" not in present:
            _blob_put(db, "stats", state, _derive_stats(db))
        docs = _docs(db, corpus, extra)
        _build_rows(db, docs, _stats(_blob_get(db, "stats", state)), state)
        _blob_put(db, "duplicates", state, _derive_duplicates(db, docs, state))
    snap = connect(index_path, timeout)  # the lock is still held: this snapshot is the state just derived
    try:
        snap.execute("BEGIN")
        docs = _docs(snap, corpus, extra)
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


def _docs(db, corpus: Path, extra: dict[str, Path] | None = None) -> list[dict]:
    """The documents in plan order; ``path`` is the file as found under ``corpus`` as spelled (an ``extra``
    plan's own path); title, date and issuers as the kept ``--meta`` entries override them."""
    from .load import meta_for

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
                raise Damage(f"damaged (bad issuers for {d['key']})") from None
    return docs


DUPLICATE_COSINE = 0.98  # whole-plan cosine at which two plans count as one document


def _derive_duplicates(db, docs: list[dict], state: str) -> bytes:
    """Groups of near-identical plans (same text after normalization, or whole-plan cosine ≥
    ``DUPLICATE_COSINE``), as lists of keys; from the plan rows just derived."""
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
    for lo in range(0, n, 2000):  # blocks of plans: memory bounded by 2000 × n floats
        block = (rows[lo:lo + 2000] @ rows.T).toarray()
        for i, j in zip(*np.nonzero(block >= DUPLICATE_COSINE)):
            if lo + i < j:
                parent[root(int(j))] = root(lo + int(i))
    groups: dict[int, list[str]] = {}
    for k in range(n):
        groups.setdefault(root(k), []).append(docs[k]["key"])
    return json.dumps(sorted(g for g in groups.values() if len(g) > 1), ensure_ascii=False).encode("utf-8")


def _groups(docs: list[dict], blob: bytes) -> list[list[int]]:
    """Duplicate groups as plan indexes, the plan counted first: a seed, then the earliest dated, then by key."""
    try:
        keys = json.loads(blob)
    except ValueError:
        raise Damage("damaged (bad duplicate groups)") from None
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
    """The IDF from each document's stored frequencies, by :func:`compare.tfidf.build`."""
    from .tfidf import build

    parts = []
    for path, doc_df, units in db.execute("SELECT path, df, n_units FROM documents ORDER BY path"):
        try:
            counts = {str(t): int(n) for t, n in json.loads(doc_df).items()}
            parts.append((counts, int(units)))
        except (TypeError, ValueError, AttributeError):
            raise Damage(f"damaged (bad document frequencies for {path})") from None
    stats = build(parts)
    return json.dumps({"terms": list(stats.vocabulary), "idf": stats.idf, "n_units": stats.n_units},
                      ensure_ascii=False).encode("utf-8")


def _tokens(text) -> list[str]:
    if not isinstance(text, str):
        raise Damage("damaged (tokens missing)")
    return text.split()


def _build_rows(db, docs, stats, state) -> None:
    """Vectorize every plan, unit and clause from the stored tokens; store them for this state.

    Tokens are read plan by plan and streamed into the matrices: holding every token of 10,000 plans as
    Python strings took over 9 GB."""
    import numpy as np

    position = {d["id"]: k for k, d in enumerate(docs)}
    order = sorted(position, key=position.get)

    def plan_rows():
        for doc_id in order:
            yield [t for (tokens,) in db.execute("SELECT tokens FROM sections WHERE doc_id = ? ORDER BY ord",
                                                 (doc_id,)) for t in _tokens(tokens)]

    unit_doc: list[int] = []

    def unit_rows():  # in plan order (docs sorted by path), a unit's whole text = itself and its items
        for doc_id in order:
            items: dict[str, list[str]] = {}
            unit_of: dict[str, str] = {}
            units = []
            for sid, parent, role, tokens in db.execute(
                    "SELECT sid, parent, role, tokens FROM sections WHERE doc_id = ? ORDER BY ord", (doc_id,)):
                if role == "unit":
                    units.append(sid)
                    items[sid] = _tokens(tokens)
                    unit_of[sid] = sid
                elif role == "item" and parent in unit_of:
                    unit_of[sid] = unit_of[parent]
                    items[unit_of[sid]] += _tokens(tokens)
            for sid in units:
                unit_doc.append(position[doc_id])
                yield items[sid]

    clause_doc: list[int] = []

    def clause_rows():
        for doc_id in order:
            for (tokens,) in db.execute("SELECT tokens FROM clauses WHERE doc_id = ? ORDER BY ord", (doc_id,)):
                clause_doc.append(position[doc_id])
                yield _tokens(tokens)

    for name, rows, owner in (("docs", plan_rows, lambda: list(range(len(order)))),
                              ("units", unit_rows, lambda: unit_doc), ("clauses", clause_rows, lambda: clause_doc)):
        m = stats.vectors(rows())
        buf = io.BytesIO()
        np.savez(buf, data=m.data, indices=m.indices, indptr=m.indptr, shape=np.array(m.shape),
                 doc=np.array(owner(), dtype=np.int64))
        del m
        _blob_put(db, name, state, buf.getvalue())
