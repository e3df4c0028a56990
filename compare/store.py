"""The corpus index: one SQLite file (default ``corpus/.compare/index.sqlite``).

It holds each plan's metadata, content hash, text, token boundaries, sections
and clauses with spans and content tokens, and the document frequency of
every token over all sections. Re-indexing is incremental: files whose size,
mtime and hash are unchanged are not touched; changed files are replaced;
deleted files are removed. Each file is written in one transaction, with its
own document-frequency counts, so an interrupted run (Ctrl-C, a killed process)
leaves an index that is consistent, only incomplete; the next run indexes what
is missing. Parsing and tokenizing run in a process pool.

The IDF (``ln((1 + n) / (1 + df)) + 1``, scikit-learn's smooth idf, over all
sections) and the TF-IDF rows of plans, units and clauses are derived from the
stored tokens once per index state and kept in the same file, so a query reads
only those and the texts of its hits.
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

from .errors import CompareError, IndexProblem
from .index import PARSER_VERSION
from .tokenize import dictionary_fingerprint

SCHEMA_VERSION = "4"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
  id INTEGER PRIMARY KEY, path TEXT UNIQUE, name TEXT, sha256 TEXT, size INTEGER, mtime_ns INTEGER,
  title TEXT, date TEXT, issuers TEXT, doc_number TEXT, format TEXT, encoding TEXT, chars INTEGER,
  text TEXT, token_ends BLOB, df TEXT, n_units INTEGER);
CREATE TABLE IF NOT EXISTS sections (
  doc_id INTEGER, sid TEXT, ord INTEGER, level INTEGER, number TEXT, title TEXT, parent TEXT, role TEXT,
  start INTEGER, end INTEGER, tokens TEXT, path TEXT, PRIMARY KEY (doc_id, sid));
CREATE TABLE IF NOT EXISTS clauses (
  doc_id INTEGER, cid TEXT, sid TEXT, ord INTEGER, start INTEGER, end INTEGER, tokens TEXT,
  PRIMARY KEY (doc_id, cid));
CREATE TABLE IF NOT EXISTS matrices (name TEXT PRIMARY KEY, state TEXT, data BLOB);
"""


def default_index_path(corpus: Path) -> Path:
    """``CORPUS/.compare/index.sqlite``; for a read-only corpus folder, a file in the user's cache folder."""
    corpus = Path(corpus)
    if os.access(corpus, os.W_OK) or (corpus / ".compare").is_dir():
        return corpus / ".compare" / "index.sqlite"
    from .tokenize import cache_dir

    key = hashlib.sha256(str(corpus.resolve()).encode("utf-8")).hexdigest()[:16]
    return cache_dir() / "indexes" / f"{corpus.name}-{key}.sqlite"


@dataclass
class IndexReport:
    """What an index run did."""

    added: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)
    unchanged: int = 0
    skipped: list[str] = field(default_factory=list)  # "path: reason"
    chars: int = 0  # characters parsed and tokenized in this run

    @property
    def changed(self) -> bool:
        return bool(self.added or self.updated or self.removed)

    def summary(self) -> str:
        parts = [f"{len(self.added)} added", f"{len(self.updated)} updated", f"{len(self.removed)} removed",
                 f"{self.unchanged} unchanged"]
        if self.skipped:
            parts.append(f"{len(self.skipped)} skipped")
        return ", ".join(parts)


def connect(path: Path) -> sqlite3.Connection:
    """Open (creating) the index; rebuild it from scratch if it is damaged or from another version."""
    path.parent.mkdir(parents=True, exist_ok=True)
    for attempt in (1, 2):
        try:
            db = sqlite3.connect(path, isolation_level=None)
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("PRAGMA synchronous=NORMAL")
            db.executescript(SCHEMA)
            version = _meta(db, "version")
            wanted = f"{SCHEMA_VERSION}/{PARSER_VERSION}/{dictionary_fingerprint()}"
            if version not in (None, wanted):
                raise sqlite3.DatabaseError(f"index built by another version ({version})")
            if version is None:
                db.execute("INSERT OR REPLACE INTO meta VALUES ('version', ?)", (wanted,))
            db.execute("SELECT count(*) FROM documents").fetchone()
            return db
        except sqlite3.DatabaseError:
            if attempt == 2:
                raise IndexProblem("cannot open or rebuild the index", str(path)) from None
            try:
                db.close()
            except Exception:  # noqa: BLE001 - best effort before deleting a damaged file
                pass
            for suffix in ("", "-wal", "-shm"):
                Path(str(path) + suffix).unlink(missing_ok=True)
    raise AssertionError("unreachable")  # pragma: no cover


def _meta(db, key):
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


# ---------------------------------------------------------------- parsing (in workers)

def parse_file(path: str, data: bytes | None = None) -> dict:
    """Load, parse and tokenize one plan: a picklable record for the writer, or {'error': …}."""
    from .align import roles
    from .index import section_tokens
    from .load import load_bytes
    from .sections import parse
    from .tokenize import Segmentation, segment

    try:
        if data is None:
            from .load import read_bytes

            data = read_bytes(path)
        doc = parse(load_bytes(data, path))
    except CompareError as exc:
        return {"path": path, "error": str(exc)}
    seg = Segmentation(doc.text, segment(doc.text))
    role = roles(doc)
    sections, clauses, paths, df = [], [], {}, {}
    for order, s in enumerate(doc.walk()):
        paths[s.id] = (paths[s.parent] + "/" if s.parent else "") + s.number
        tokens = section_tokens(doc, seg, s)
        for term in set(tokens):
            df[term] = df.get(term, 0) + 1
        sections.append((s.id, order, s.level, s.number, s.title, s.parent, role[s.id], s.span[0], s.span[1],
                         " ".join(tokens), paths[s.id]))
        for c in s.clauses:
            tokens = seg.tokens(*c.span)
            clauses.append((c.id, s.id, len(clauses), c.span[0], c.span[1], " ".join(tokens)))
    return {
        "path": path, "name": doc.name, "sha256": doc.sha256, "title": doc.title, "date": doc.date,
        "issuers": json.dumps(doc.issuers, ensure_ascii=False), "doc_number": doc.doc_number, "format": doc.format,
        "encoding": doc.encoding, "text": doc.text, "token_ends": array("I", seg.ends).tobytes(), "sections": sections,
        "clauses": clauses, "warnings": doc.warnings,
        "df": json.dumps(df, ensure_ascii=False), "n_units": sum(1 for x in sections if x[9]),
    }


def _init_worker(cache):
    if cache:
        os.environ["COMPARE_CACHE_DIR"] = cache


# ---------------------------------------------------------------- indexing

def refresh(corpus: Path, index_path: Path | None = None, jobs: int | None = None, progress=None) -> IndexReport:
    """Bring the index of ``corpus`` up to date. ``progress(done, total, path)`` is called per file."""
    from .corpus import plan_files

    index_path = index_path or default_index_path(corpus)
    db = connect(index_path)
    report = IndexReport()
    files = {str(p): p for p in plan_files(Path(corpus))}
    known = {row[0]: row[1:] for row in db.execute("SELECT path, id, size, mtime_ns, sha256 FROM documents")}
    for path in sorted(set(known) - set(files)):
        _delete(db, known[path][0])
        report.removed.append(path)
    todo = []
    for path, p in files.items():
        st = p.stat()
        old = known.get(path)
        if old and old[1] == st.st_size and old[2] == st.st_mtime_ns:
            report.unchanged += 1
            continue
        data = p.read_bytes()
        digest = hashlib.sha256(data).hexdigest()
        if old and old[3] == digest:
            db.execute("UPDATE documents SET mtime_ns = ? WHERE id = ?", (st.st_mtime_ns, old[0]))
            report.unchanged += 1
            continue
        todo.append((path, st))
    total = len(todo)
    for done, record in enumerate(_parse_all([p for p, _ in todo], jobs), start=1):
        path = record["path"]
        if progress:
            progress(done, total, path)
        if "error" in record:
            report.skipped.append(record["error"])
            continue
        st = dict(todo)[path]
        _write(db, record, st, known.get(path, (None,))[0])
        (report.updated if path in known else report.added).append(path)
        report.chars += len(record["text"])
    db.close()
    return report


def _parse_all(paths: list[str], jobs: int | None):
    """Parse files, in a process pool when there are enough of them; yields records in path order."""
    jobs = jobs or min(os.cpu_count() or 1, 4)
    if jobs <= 1 or len(paths) < 4:
        for path in paths:
            yield parse_file(path)
        return
    from concurrent.futures import ProcessPoolExecutor

    from .tokenize import _jieba, cache_dir

    _jieba()  # build jieba's dictionary cache once, before the workers load it
    with ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(str(cache_dir()),)) as pool:
        yield from pool.map(parse_file, paths, chunksize=8)


def _delete(db, doc_id: int) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        for table in ("sections", "clauses"):
            db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        db.execute("DELETE FROM matrices")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _write(db, r: dict, st: os.stat_result, old_id: int | None) -> None:
    """Replace one document with its sections, clauses and df counts, in one transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if old_id is not None:
            for table in ("sections", "clauses"):
                db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (old_id,))
            db.execute("DELETE FROM documents WHERE id = ?", (old_id,))
        cur = db.execute(
            "INSERT INTO documents (path, name, sha256, size, mtime_ns, title, date, issuers, doc_number, format, "
            "encoding, chars, text, token_ends, df, n_units) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (r["path"], r["name"], r["sha256"], st.st_size, st.st_mtime_ns, r["title"], r["date"], r["issuers"],
             r["doc_number"], r["format"], r["encoding"], len(r["text"]), r["text"], r["token_ends"], r["df"],
             r["n_units"]))
        doc_id = cur.lastrowid
        db.executemany("INSERT INTO sections VALUES (?,?,?,?,?,?,?,?,?,?,?,?)", [(doc_id, *x) for x in r["sections"]])
        db.executemany("INSERT INTO clauses VALUES (?,?,?,?,?,?,?)", [(doc_id, *c) for c in r["clauses"]])
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


# ---------------------------------------------------------------- reading

@dataclass
class Corpus:
    """The indexed corpus, ready for queries: metadata, the IDF and TF-IDF rows.

    Rows of ``unit_rows`` and ``clause_rows`` are grouped by plan, in plan order;
    ``unit_doc`` / ``clause_doc`` give each row's plan (an index into ``docs``).
    """

    docs: list[dict]  # id, path, name, title, date, chars, issuers, sha256
    stats: object  # index.Stats over the corpus
    doc_rows: object  # CSR: one row per plan (all its sections' tokens)
    unit_rows: object
    unit_doc: object  # numpy int array
    clause_rows: object
    clause_doc: object  # numpy int array
    index_path: Path

    def clause(self, row: int) -> tuple[str, str, str, str]:
        """(clause id, section id, section path as written, text) of a clause row."""
        import numpy as np

        doc_k = int(self.clause_doc[row])
        ord_ = row - int(np.searchsorted(self.clause_doc, doc_k))
        db = sqlite3.connect(self.index_path)
        try:
            cid, sid, start, end = db.execute("SELECT cid, sid, start, end FROM clauses WHERE doc_id = ? AND ord = ?",
                                              (self.docs[doc_k]["id"], ord_)).fetchone()
            text = db.execute("SELECT substr(text, ?, ?) FROM documents WHERE id = ?",
                              (start + 1, end - start, self.docs[doc_k]["id"])).fetchone()[0]
            path = db.execute("SELECT path FROM sections WHERE doc_id = ? AND sid = ?",
                              (self.docs[doc_k]["id"], sid)).fetchone()[0]
        finally:
            db.close()
        return cid, sid, path, text


def state_key(db) -> str:
    h = hashlib.sha256((_meta(db, "version") or "").encode())
    for path, sha in db.execute("SELECT path, sha256 FROM documents ORDER BY path"):
        h.update(f"{path}\0{sha}\n".encode())
    return h.hexdigest()[:24]


def open_corpus(corpus: Path, index_path: Path | None = None, progress=None, refresh_first: bool = True):
    """Refresh the index if needed and load it for queries. Returns (Corpus, IndexReport)."""
    index_path = index_path or default_index_path(corpus)
    report = refresh(corpus, index_path, progress=progress) if refresh_first else IndexReport()
    db = connect(index_path)
    try:
        return _load(db, index_path), report
    finally:
        db.close()


def _blob_get(db, name, state):
    row = db.execute("SELECT data FROM matrices WHERE name = ? AND state = ?", (name, state)).fetchone()
    return row[0] if row else None


def _blob_put(db, name, state, data: bytes):
    db.execute("INSERT OR REPLACE INTO matrices VALUES (?, ?, ?)", (name, state, data))


def _load(db, index_path: Path) -> "Corpus":
    import numpy as np
    from scipy import sparse

    from .index import Stats

    docs = [dict(zip(("id", "path", "name", "title", "date", "chars", "issuers", "sha256"), row)) for row in db.execute(
        "SELECT id, path, name, title, date, chars, issuers, sha256 FROM documents ORDER BY path")]
    state = state_key(db)
    blob = _blob_get(db, "stats", state)
    if blob is None:
        df: dict[str, int] = {}
        n_units = 0
        for doc_df, units in db.execute("SELECT df, n_units FROM documents"):
            n_units += units
            for term, n in json.loads(doc_df).items():
                df[term] = df.get(term, 0) + n
        terms = sorted(df)
        idf = [float(np.log((1 + n_units) / (1 + df[t])) + 1.0) for t in terms]
        blob = json.dumps({"terms": terms, "idf": idf, "n_units": n_units}, ensure_ascii=False).encode("utf-8")
        _blob_put(db, "stats", state, blob)
    data = json.loads(blob)
    stats = Stats(vocabulary={t: k for k, t in enumerate(data["terms"])}, idf=data["idf"], n_units=data["n_units"])
    rows = {}
    for name in ("docs", "units", "clauses"):
        blob = _blob_get(db, name, state)
        if blob is None:
            _build_rows(db, docs, stats, state)
            blob = _blob_get(db, name, state)
        with np.load(io.BytesIO(blob), allow_pickle=False) as z:
            matrix = sparse.csr_matrix((z["data"], z["indices"], z["indptr"]), shape=tuple(z["shape"]))
            rows[name] = (matrix, z["doc"].copy())
    return Corpus(docs=docs, stats=stats, doc_rows=rows["docs"][0], unit_rows=rows["units"][0], unit_doc=rows["units"][1],
                  clause_rows=rows["clauses"][0], clause_doc=rows["clauses"][1], index_path=index_path)


def _build_rows(db, docs, stats, state) -> None:
    """Vectorize every plan, unit and clause from the stored tokens; store them for this state."""
    import numpy as np

    position = {d["id"]: k for k, d in enumerate(docs)}
    order = sorted(position, key=position.get)
    doc_tokens = {i: [] for i in order}
    unit_tokens, unit_doc = [], []
    for doc_id, role, tokens in db.execute("SELECT doc_id, role, tokens FROM sections ORDER BY doc_id, ord"):
        toks = tokens.split()
        doc_tokens[doc_id] += toks
    # units: in plan order (docs sorted by path), a unit's whole text = itself and its items
    for doc_id in order:
        items: dict[str, list[str]] = {}
        unit_of: dict[str, str] = {}
        units = []
        for sid, parent, role, tokens in db.execute(
                "SELECT sid, parent, role, tokens FROM sections WHERE doc_id = ? ORDER BY ord", (doc_id,)):
            if role == "unit":
                units.append(sid)
                items[sid] = tokens.split()
                unit_of[sid] = sid
            elif role == "item" and parent in unit_of:
                unit_of[sid] = unit_of[parent]
                items[unit_of[sid]] += tokens.split()
        for sid in units:
            unit_tokens.append(items[sid])
            unit_doc.append(position[doc_id])
    clause_tokens, clause_doc = [], []
    for doc_id in order:
        for (tokens,) in db.execute("SELECT tokens FROM clauses WHERE doc_id = ? ORDER BY ord", (doc_id,)):
            clause_tokens.append(tokens.split())
            clause_doc.append(position[doc_id])
    for name, lists, owner in (("docs", [doc_tokens[i] for i in order], list(range(len(order)))),
                               ("units", unit_tokens, unit_doc), ("clauses", clause_tokens, clause_doc)):
        m = stats.vectors(lists)
        buf = io.BytesIO()
        np.savez(buf, data=m.data, indices=m.indices, indptr=m.indptr, shape=np.array(m.shape),
                 doc=np.array(owner, dtype=np.int64))
        _blob_put(db, name, state, buf.getvalue())
