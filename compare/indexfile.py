"""The index file itself: what marks it as ours, its schema, what counts as damage, and the rebuild.

A file is an index of this tool when its SQLite header carries ``APPLICATION_ID``
(or, written by an older version, it has our tables); anything else is refused
and never replaced. Damage is only: not a database / malformed (SQLite says so,
or quick_check fails), another schema or version, or a failed check over data
derived from it (raised as :class:`Damage` by the reader). A locked file is
never damage. See :mod:`compare.store` for how the index is used.
"""
from __future__ import annotations

import errno
import hashlib
import os
import sqlite3
import stat
from array import array
from pathlib import Path

from .errors import IndexProblem, Note
from .tfidf import parser_fingerprint
from .tokenize import dictionary_fingerprint

APPLICATION_ID = 0x636D7049  # b"cmpI" in the SQLite header: this file is an index of compare
SCHEMA_VERSION = "10"
DEFAULT_NAME = "index.sqlite"
DISK_FULL = "disk full; the index keeps what it held before this run"
SCHEMA = """
CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT);
CREATE TABLE documents (
  id INTEGER PRIMARY KEY, path TEXT UNIQUE, name TEXT, sha256 TEXT, size INTEGER, mtime_ns INTEGER,
  ctime_ns INTEGER, inode INTEGER, title TEXT, date TEXT, issuers TEXT, doc_number TEXT, format TEXT,
  encoding TEXT, chars INTEGER, match_sha TEXT, n_units INTEGER, df BLOB, token_ends BLOB, text TEXT,
  sections TEXT, clauses BLOB);
CREATE TABLE tokens (doc_id INTEGER PRIMARY KEY, terms TEXT, ids BLOB);
CREATE TABLE matrices (name TEXT PRIMARY KEY, state TEXT, sha256 TEXT, data BLOB);
CREATE TABLE overrides (file TEXT PRIMARY KEY, title TEXT, date TEXT, issuers TEXT);
CREATE TABLE reuse_plans (key TEXT PRIMARY KEY, name TEXT, date TEXT, sha256 TEXT);
CREATE TABLE reuse_members (key TEXT, cid TEXT, cluster INTEGER, PRIMARY KEY (key, cid));
"""
_TABLES: dict[str, str] = {}  # name -> CREATE statement as SQLite stores it


def cache_indexes() -> Path:
    """Where indexes of read-only corpus folders live."""
    from .tokenize import cache_dir

    return cache_dir() / "indexes"


class Damage(Exception):
    """The index is ours but damaged: rebuild it. ``detail`` says what was found ("table clauses missing");
    the message reads "damaged (detail)"."""

    def __init__(self, detail: str):
        super().__init__(f"damaged ({detail})")
        self.detail = detail


class Outdated(Damage):
    """The index was built by another version of compare (its parser, tokenizer or schema): after an upgrade
    it is rebuilt once, and nothing was wrong with it. The message reads "built by … version of compare"."""

    def __init__(self, which: str = "another"):
        Exception.__init__(self, f"built by {which} version of compare")
        self.detail = str(self)


class OtherTokenizer(Outdated):
    """The index was built with another segmenter than this run's (``COMPARE_TOKENIZER`` switched, or rjieba
    installed or gone): its tokens are not this run's, so it is rebuilt; switching back rebuilds it again."""

    def __init__(self, old: str, new: str):
        Exception.__init__(self, f"built with the tokenizer {old}, this run uses {new}")
        self.detail = str(self)
        self.old, self.new = old, new


def rebuilt_note(index_path: Path, reason: Damage) -> Note:
    """The one warning of a rebuild: its reason (another tokenizer, an upgrade, damage with what was found)."""
    if isinstance(reason, OtherTokenizer):
        return Note("warn.rebuilt_tokenizer", f"{index_path}: index {reason} (COMPARE_TOKENIZER); rebuilt it "
                    "from the corpus", path=str(index_path), old=reason.old, new=reason.new)
    if isinstance(reason, Outdated):
        return Note("warn.rebuilt_version", f"{index_path}: index {reason}; rebuilt it from the corpus (once after "
                    "an upgrade)", path=str(index_path))
    return Note("warn.rebuilt", f"{index_path}: index {reason}; rebuilt it from the corpus",
                path=str(index_path), reason=reason.detail)


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


def connect(path: Path, timeout: float) -> sqlite3.Connection:
    db = sqlite3.connect(path, isolation_level=None, timeout=timeout, check_same_thread=False)
    db.execute("PRAGMA synchronous=NORMAL")
    return db


def _code(exc: sqlite3.Error) -> int:
    """SQLite's primary result code of an error (from the message before Python 3.11)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF
    text = str(exc)
    for words, number in (("malformed", 11), ("not a database", 26), ("is full", 13), ("locked", 5),
                          ("readonly", 8), ("unable to open", 14), ("disk I/O", 10)):
        if words in text:
            return number
    return 1


def problem(exc: sqlite3.Error, path: Path) -> Exception:
    """The error to raise for a SQLite error: Damage for a damaged file, else a one-line IndexProblem."""
    code = _code(exc)
    if code in (11, 26):  # SQLITE_CORRUPT, SQLITE_NOTADB
        return Damage(str(exc))
    if code in (5, 6):  # SQLITE_BUSY, SQLITE_LOCKED: never taken for damage
        return IndexProblem(f"locked by another program ({exc}); try again when it has finished", str(path))
    if code == 13:
        return IndexProblem(DISK_FULL, str(path))
    if code == 8:
        return IndexProblem("cannot write the index (read-only)", str(path))
    return IndexProblem(f"cannot use the index ({exc})", str(path))


def wanted_version() -> str:
    """The index's version: its schema, the parser and the segmenter's dictionary; any change rebuilds it."""
    return f"{SCHEMA_VERSION}/{parser_fingerprint()}/{dictionary_fingerprint()}"


def segmenter() -> str:
    """The segmenter this run uses, as the meta row ``tokenizer`` records it ("rjieba 0.1.13"): the reason
    named when an index built with another is rebuilt."""
    from .tokenize import tokenizer

    return " ".join(tokenizer())


def expected_tables() -> dict[str, str]:
    if not _TABLES:
        mem = sqlite3.connect(":memory:")
        mem.executescript(SCHEMA)
        _TABLES.update(mem.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        mem.close()
    return _TABLES


def ownership(path: Path, timeout: float) -> str:
    """"new" (missing or empty), "ours" (an index of this tool, any version) or "damaged" (ours, not SQLite).

    Raises IndexProblem for anything else: it must not be replaced. A file that
    is not SQLite at all counts as a damaged index of ours only where the tool
    keeps indexes itself (named ``index.sqlite``, or in the cache folder).
    """
    try:
        st = path.stat()
        if not stat.S_ISREG(st.st_mode):
            raise IndexProblem("is not a regular file; --index takes an index file", str(path))
        with open(path, "rb") as fh:
            head = fh.read(100)
    except FileNotFoundError:
        return "new"
    except OSError as exc:
        raise IndexProblem(f"cannot read the index ({exc.strerror})", str(path)) from None
    if not head:
        return "new"
    if not head.startswith(b"SQLite format 3\0"):
        if path.name == DEFAULT_NAME or path.parent.resolve() == cache_indexes().resolve():
            return "damaged"
        raise IndexProblem("is not an index of compare (not a SQLite database); not replacing it, "
                           "give --index another file", str(path))
    app = int.from_bytes(head[68:72], "big")
    if app == APPLICATION_ID:
        return "ours"
    if app == 0:  # an index of compare before it set application_id, another program's database, or empty
        db = connect(path, timeout)
        try:
            tables = {name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
        except sqlite3.DatabaseError as exc:
            err = problem(exc, path)
            if isinstance(err, IndexProblem):
                raise err from None
            tables = {"?"}  # damaged and unmarked: not known to be ours
        finally:
            db.close()
        if not tables:
            return "new"
        if {"meta", "documents", "sections", "clauses"} <= tables:
            return "ours"
    raise IndexProblem(f"is a SQLite database of another application (application_id {app:#x}); not replacing "
                       "it, give --index another file", str(path))


def inspect(db: sqlite3.Connection, check: bool) -> None:
    """Raise Damage if the open index of ours is damaged or from another version."""
    if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
        raise Outdated("an older")
    tables = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
    missing = sorted(set(expected_tables()) - set(tables))
    if missing:
        raise Damage(f"table {', '.join(missing)} missing")
    version = meta(db, "version")
    if version != wanted_version():
        built = meta(db, "tokenizer")
        if built and built != segmenter():
            raise OtherTokenizer(built, segmenter())
        raise Outdated()
    if tables != expected_tables():
        raise Damage("tables altered")
    if check:
        quick_check(db)


def quick_check(db) -> None:
    result = [row[0] for row in db.execute("PRAGMA quick_check")]
    if result != ["ok"]:
        # SQLite lists every problem, a line each under "*** in database main ***": the warning is one line
        found = [line.strip() for row in result for line in str(row).splitlines()
                 if line.strip() and not line.startswith("***")] or ["failed"]
        more = f" and {len(found) - 1} more" if len(found) > 1 else ""
        raise Damage(f"quick_check: {found[0]}{more}")


def open_index(path: Path, check: bool, timeout: float) -> sqlite3.Connection:
    """Open the index for writing (the caller holds the lock): create it, or check it."""
    state = ownership(path, timeout)
    if state == "damaged":
        raise Damage("not a SQLite database")
    path.parent.mkdir(parents=True, exist_ok=True)
    db = connect(path, timeout)
    try:
        if state == "new":
            db.execute(f"PRAGMA application_id = {APPLICATION_ID}")  # the first write: the header carries it
            db.execute("PRAGMA journal_mode=WAL")
            db.execute("BEGIN IMMEDIATE")
            for statement in SCHEMA.split(";"):
                if statement.strip():
                    db.execute(statement)
            db.execute("INSERT INTO meta VALUES ('version', ?)", (wanted_version(),))
            db.execute("INSERT INTO meta VALUES ('tokenizer', ?)", (segmenter(),))
            db.execute("COMMIT")
        else:
            inspect(db, check)
    except BaseException:
        db.close()
        raise
    return db


def discard(path: Path) -> None:
    """Delete a damaged index of ours (the caller holds the lock)."""
    for suffix in ("", "-wal", "-shm"):
        try:
            Path(str(path) + suffix).unlink(missing_ok=True)
        except OSError as exc:
            raise IndexProblem(f"damaged, and cannot be removed ({exc.strerror})", str(path)) from None


# What a rebuild keeps: rows that the corpus cannot give again. The ``--meta`` overrides depend on no token;
# the reuse results are kept with the version they were computed by (meta ``reuse_version``), so results of
# another tokenizer or parser read as stale (reuse_index.load), and as current again once the index is back.
KEPT_TABLES = ("overrides", "reuse_plans", "reuse_members")
KEPT_META = ("reuse_threshold", "reuse_version")


def salvage(path: Path, timeout: float) -> dict | None:
    """The rows of ``KEPT_TABLES`` and ``KEPT_META`` of an index about to be rebuilt, where they can still be
    read (None where they cannot: a file that is not SQLite, a table gone or altered)."""
    try:
        db = connect(path, timeout)
    except sqlite3.Error:
        return None
    try:
        tables = dict(db.execute("SELECT name, sql FROM sqlite_master WHERE type = 'table'"))
        kept: dict = {"meta": {}}
        for name in KEPT_TABLES:
            if tables.get(name) == expected_tables()[name]:
                kept[name] = db.execute(f"SELECT * FROM {name}").fetchall()
        if tables.get("meta") == expected_tables()["meta"]:
            values = dict(db.execute("SELECT key, value FROM meta"))
            kept["meta"] = {k: values[k] for k in KEPT_META if k in values}
            if kept.get("reuse_plans") and "reuse_version" not in kept["meta"]:
                # saved before reuse_version was written: computed by the version of the index it was kept in
                kept["meta"]["reuse_version"] = values.get("version") or "?"
        return kept
    except sqlite3.Error:
        return None
    finally:
        db.close()


def transaction(db: sqlite3.Connection, work) -> None:
    """Run ``work()`` in one write transaction; roll back on any failure (SQLite may already have)."""
    db.execute("BEGIN IMMEDIATE")
    try:
        work()
        db.execute("COMMIT")
    except BaseException:
        if db.in_transaction:
            db.execute("ROLLBACK")
        raise


def restore(db: sqlite3.Connection, kept: dict) -> None:
    """Put the rows :func:`salvage` read into a new index."""
    def work():
        for name in KEPT_TABLES:
            rows = kept.get(name) or []
            if rows:
                db.executemany(f"INSERT INTO {name} VALUES ({', '.join('?' * len(rows[0]))})", rows)
        db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(kept["meta"].items()))

    transaction(db, work)


def session(path: Path, check: bool, timeout: float, work, rebuilding):
    """Under the lock: open the index and return ``work(db, rebuilt)``. Damage found on the way (before or
    during the work) is rebuilt once: what the corpus cannot give again is salvaged (the ``--meta``
    overrides, the reuse results), the file goes, ``rebuilding(damage)`` is called, the salvaged rows go
    into the new index and the work runs again. SQLite errors become one-line IndexProblems."""
    kept = None
    for rebuilt in (False, True):
        db = None
        try:
            try:
                db = open_index(path, check, timeout)
                if kept:
                    restore(db, kept)
                    kept = None
                return work(db, rebuilt)
            except sqlite3.DatabaseError as exc:
                raise problem(exc, path) from None
            except OSError as exc:
                if exc.errno == errno.ENOSPC:
                    raise IndexProblem(DISK_FULL, str(path)) from None
                raise
        except Damage as exc:
            if rebuilt:
                raise IndexProblem(f"{exc}, again after a rebuild", str(path)) from None
            if db is not None:
                db.close()
                db = None
            kept = salvage(path, timeout)
            discard(path)
            rebuilding(exc)
        finally:
            if db is not None:
                db.close()
    raise AssertionError("unreachable")  # pragma: no cover


def overrides(db) -> dict[str, dict]:
    """The ``--meta`` entries the index keeps, as :func:`compare.meta.read_meta` gives them: {file: {title,
    date, issuers}}, empty cells left out. ValueError for issuers that are not JSON."""
    import json

    out = {}
    for file, title, date, issuers in db.execute("SELECT file, title, date, issuers FROM overrides"):
        entry = {k: v for k, v in (("title", title), ("date", date)) if v is not None}
        if issuers is not None:
            entry["issuers"] = json.loads(issuers)
        out[file] = entry
    return out


def kept_overrides(path: Path) -> dict[str, dict]:
    """The ``--meta`` entries kept in the index file at ``path``, read without a lock or a refresh (the
    commands that need no index: run, profile, reuse). Empty without an index or where it cannot be read."""
    path = Path(path)
    if not path.is_file():
        return {}
    try:
        db = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return {}
    try:
        if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID:
            return {}
        return overrides(db)
    except (sqlite3.Error, ValueError):
        return {}
    finally:
        db.close()


def meta(db, key):
    row = db.execute("SELECT value FROM meta WHERE key = ?", (key,)).fetchone()
    return row[0] if row else None


# ---------------------------------------------------------------- a plan's outline

# A plan's sections and clauses are kept in its own row of `documents`, not in rows of their own: inserting
# those (some 200 a plan) was most of the writer's time. Sections: JSON, in document order, each a list of
# SECTION_FIELDS (start, end: character offsets; first, count: its run of the plan's content tokens; path:
# the numbers as written, "三/（二）"). Clauses: uint32, CLAUSE_FIELDS a clause, in order; a clause's id is its
# section's id and its number there ("3/2#1"), as the parser gives it.
SECTION_FIELDS = ("sid", "level", "number", "title", "parent", "role", "start", "end", "first", "count", "path")
CLAUSE_FIELDS = ("section", "start", "end", "first", "count")  # section: its index in the sections


def pack_outline(sections: list[tuple], clauses: list[tuple]) -> tuple[str, bytes]:
    """(sections, clauses) as `documents` keeps them: ``sections`` rows of SECTION_FIELDS, ``clauses`` rows of
    CLAUSE_FIELDS, each in document order."""
    import json

    return (json.dumps(sections, ensure_ascii=False, separators=(",", ":")),
            array("I", [v for row in clauses for v in row]).tobytes())


def sections_of(db, doc_id: int) -> list[list]:
    """A plan's sections: lists of SECTION_FIELDS, in document order. Damage where they cannot be read."""
    import json

    row = db.execute("SELECT sections FROM documents WHERE id = ?", (doc_id,)).fetchone()
    try:
        sections = json.loads(row[0])
        if isinstance(sections, list) and all(isinstance(s, list) and len(s) == len(SECTION_FIELDS)
                                              for s in sections):
            return sections
    except (TypeError, ValueError):
        pass
    raise Damage("a plan's sections cannot be read")


def clause_columns(db, doc_id: int):
    """A plan's clauses as an (n, len(CLAUSE_FIELDS)) int64 array. Damage where they cannot be read."""
    import numpy as np

    row = db.execute("SELECT clauses FROM documents WHERE id = ?", (doc_id,)).fetchone()
    blob = row[0] if row else None
    if not isinstance(blob, bytes) or len(blob) % (4 * len(CLAUSE_FIELDS)):
        raise Damage("a plan's clauses cannot be read")
    return np.frombuffer(blob, dtype=np.uint32).astype(np.int64).reshape(-1, len(CLAUSE_FIELDS))


def clauses_of(db, doc_id: int, sections: list[list]) -> list[tuple]:
    """A plan's clauses as (clause id, section id, start, end, first, count), in order; ``sections``: its
    :func:`sections_of`."""
    out, number, previous = [], 0, -1
    for section, start, end, first, count in clause_columns(db, doc_id).tolist():
        if section >= len(sections):
            raise Damage("a clause outside its plan's sections")
        number = number + 1 if section == previous else 1
        previous, sid = section, sections[section][0]
        out.append((f"{sid}#{number}", sid, start, end, first, count))
    return out

