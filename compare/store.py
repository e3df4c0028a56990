"""The corpus index: one SQLite file (default ``corpus/.compare/index.sqlite``).

It holds each plan's metadata, content hash, text, token boundaries, sections
and clauses with spans and content tokens, and the document frequency of
every token over all sections. Re-indexing is incremental: files whose size,
mtime and hash are unchanged are not touched; changed files are replaced;
deleted files are removed. Each file is written in one transaction together
with its document-frequency updates, so an interrupted run (Ctrl-C, a killed
process) leaves an index that is consistent, only incomplete; the next run
indexes what is missing. Parsing and tokenizing run in a process pool.

TF-IDF rows for plans, units and clauses are derived from the stored tokens
with ``idf = ln((1 + n) / (1 + df)) + 1`` (scikit-learn's smooth idf) and kept
in the same file, keyed by the index state, so queries rebuild nothing.
"""
from __future__ import annotations

import hashlib
import io
import json
import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CompareError, IndexProblem
from .index import PARSER_VERSION
from .tokenize import dictionary_fingerprint

SCHEMA_VERSION = "2"
SCHEMA = """
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE IF NOT EXISTS documents (
  id INTEGER PRIMARY KEY, path TEXT UNIQUE, name TEXT, sha256 TEXT, size INTEGER, mtime_ns INTEGER,
  title TEXT, date TEXT, issuers TEXT, doc_number TEXT, format TEXT, encoding TEXT, chars INTEGER,
  text TEXT, token_ends TEXT);
CREATE TABLE IF NOT EXISTS sections (
  doc_id INTEGER, sid TEXT, ord INTEGER, level INTEGER, number TEXT, title TEXT, parent TEXT, role TEXT,
  start INTEGER, end INTEGER, tokens TEXT, PRIMARY KEY (doc_id, sid));
CREATE TABLE IF NOT EXISTS clauses (
  doc_id INTEGER, cid TEXT, sid TEXT, ord INTEGER, start INTEGER, end INTEGER, text TEXT, tokens TEXT,
  PRIMARY KEY (doc_id, cid));
CREATE TABLE IF NOT EXISTS df (term TEXT PRIMARY KEY, n INTEGER);
CREATE TABLE IF NOT EXISTS matrices (name TEXT PRIMARY KEY, state TEXT, data BLOB);
"""


def default_index_path(corpus: Path) -> Path:
    return Path(corpus) / ".compare" / "index.sqlite"


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
    sections, clauses = [], []
    for order, s in enumerate(doc.walk()):
        sections.append((s.id, order, s.level, s.number, s.title, s.parent, role[s.id], s.span[0], s.span[1],
                         " ".join(section_tokens(doc, seg, s))))
        for c in s.clauses:
            tokens = seg.tokens(*c.span)
            clauses.append((c.id, s.id, len(clauses), c.span[0], c.span[1], c.text, " ".join(tokens)))
    return {
        "path": path, "name": doc.name, "sha256": doc.sha256, "title": doc.title, "date": doc.date,
        "issuers": json.dumps(doc.issuers, ensure_ascii=False), "doc_number": doc.doc_number, "format": doc.format,
        "encoding": doc.encoding, "text": doc.text, "token_ends": json.dumps(seg.ends), "sections": sections,
        "clauses": clauses, "warnings": doc.warnings,
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
        yield from pool.map(parse_file, paths, chunksize=4)


def _delete(db, doc_id: int) -> None:
    db.execute("BEGIN IMMEDIATE")
    try:
        _drop_df(db, doc_id)
        for table in ("sections", "clauses"):
            db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        db.execute("DELETE FROM matrices")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


def _drop_df(db, doc_id):
    counts: dict[str, int] = {}
    for (tokens,) in db.execute("SELECT tokens FROM sections WHERE doc_id = ?", (doc_id,)):
        for term in set(tokens.split()):
            counts[term] = counts.get(term, 0) + 1
    db.executemany("UPDATE df SET n = n - ? WHERE term = ?", [(n, t) for t, n in counts.items()])
    db.execute("DELETE FROM df WHERE n <= 0")
    n_units = int(_meta(db, "n_units") or 0) - db.execute(
        "SELECT count(*) FROM sections WHERE doc_id = ? AND tokens != ''", (doc_id,)).fetchone()[0]
    db.execute("INSERT OR REPLACE INTO meta VALUES ('n_units', ?)", (str(n_units),))


def _write(db, r: dict, st: os.stat_result, old_id: int | None) -> None:
    """Replace one document, its sections, clauses and df counts, in one transaction."""
    db.execute("BEGIN IMMEDIATE")
    try:
        if old_id is not None:
            _drop_df(db, old_id)
            for table in ("sections", "clauses"):
                db.execute(f"DELETE FROM {table} WHERE doc_id = ?", (old_id,))
            db.execute("DELETE FROM documents WHERE id = ?", (old_id,))
        cur = db.execute(
            "INSERT INTO documents (path, name, sha256, size, mtime_ns, title, date, issuers, doc_number, format, "
            "encoding, chars, text, token_ends) VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (r["path"], r["name"], r["sha256"], st.st_size, st.st_mtime_ns, r["title"], r["date"], r["issuers"],
             r["doc_number"], r["format"], r["encoding"], len(r["text"]), r["text"], r["token_ends"]))
        doc_id = cur.lastrowid
        db.executemany("INSERT INTO sections VALUES (?,?,?,?,?,?,?,?,?,?,?)", [(doc_id, *s) for s in r["sections"]])
        db.executemany("INSERT INTO clauses VALUES (?,?,?,?,?,?,?,?)", [(doc_id, *c) for c in r["clauses"]])
        counts: dict[str, int] = {}
        units = 0
        for s in r["sections"]:
            terms = set(s[-1].split())
            units += bool(terms)
            for term in terms:
                counts[term] = counts.get(term, 0) + 1
        db.executemany("INSERT INTO df VALUES (?, ?) ON CONFLICT(term) DO UPDATE SET n = n + excluded.n",
                       list(counts.items()))
        n_units = int(_meta(db, "n_units") or 0) + units
        db.execute("INSERT OR REPLACE INTO meta VALUES ('n_units', ?)", (str(n_units),))
        db.execute("DELETE FROM matrices")
        db.execute("COMMIT")
    except BaseException:
        db.execute("ROLLBACK")
        raise


# ---------------------------------------------------------------- reading

@dataclass
class Corpus:
    """The indexed corpus, ready for queries: metadata, the IDF and TF-IDF rows."""

    docs: list[dict]  # id, path, name, title, date, chars
    stats: object  # index.Stats over the corpus
    doc_rows: object  # CSR: one row per document (all its sections' tokens)
    units: list[tuple[int, str, str]]  # (doc index, section id, number) per unit row
    unit_rows: object
    clauses: list[tuple[int, str, str, str]]  # (doc index, clause id, section id, text)
    clause_rows: object
    section_numbers: dict  # (doc index, section id) -> path of numbers as written, e.g. "第二章/第九条"


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
        return _load(db), report
    finally:
        db.close()


def _load(db) -> "Corpus":
    import numpy as np
    from scipy import sparse

    from .index import Stats

    docs = [dict(zip(("id", "path", "name", "title", "date", "chars", "issuers", "sha256"), row)) for row in db.execute(
        "SELECT id, path, name, title, date, chars, issuers, sha256 FROM documents ORDER BY path")]
    position = {d["id"]: k for k, d in enumerate(docs)}
    n_units = int(_meta(db, "n_units") or 0)
    terms = db.execute("SELECT term, n FROM df ORDER BY term").fetchall()
    vocabulary = {t: k for k, (t, _) in enumerate(terms)}
    idf = [float(np.log((1 + n_units) / (1 + n)) + 1.0) for _, n in terms]
    stats = Stats(vocabulary=vocabulary, idf=idf, n_units=n_units)
    numbers, units = {}, []
    unit_tokens, doc_tokens = [], [[] for _ in docs]
    for doc_id, sid, number, parent, role, tokens in db.execute(
            "SELECT doc_id, sid, number, parent, role, tokens FROM sections ORDER BY doc_id, ord"):
        k = position[doc_id]
        numbers[(k, sid)] = (numbers.get((k, parent), "") + "/" if parent else "") + number
        toks = tokens.split()
        doc_tokens[k] += toks
        if role == "unit":
            units.append((k, sid, numbers[(k, sid)]))
            unit_tokens.append(toks)
    clauses, clause_tokens = [], []
    for doc_id, cid, sid, text, tokens in db.execute(
            "SELECT doc_id, cid, sid, text, tokens FROM clauses ORDER BY doc_id, ord"):
        clauses.append((position[doc_id], cid, sid, text))
        clause_tokens.append(tokens.split())
    state = state_key(db)
    rows = {}
    for name, lists in (("docs", doc_tokens), ("units", unit_tokens), ("clauses", clause_tokens)):
        cached = db.execute("SELECT data FROM matrices WHERE name = ? AND state = ?", (name, state)).fetchone()
        if cached:
            rows[name] = sparse.load_npz(io.BytesIO(cached[0]))
        else:
            rows[name] = stats.vectors(lists)
            buf = io.BytesIO()
            sparse.save_npz(buf, rows[name])
            db.execute("INSERT OR REPLACE INTO matrices VALUES (?, ?, ?)", (name, state, buf.getvalue()))
    return Corpus(docs=docs, stats=stats, doc_rows=rows["docs"], units=units, unit_rows=rows["units"],
                  clauses=clauses, clause_rows=rows["clauses"], section_numbers=numbers)
