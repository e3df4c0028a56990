"""The corpus index: one SQLite file (default ``corpus/.compare/index.sqlite``).

It holds each plan's metadata, content hash, text, token boundaries, its content
tokens (as ids into the plan's own vocabulary, in order of first occurrence), its
sections and clauses (in its own row) with spans and the run of content tokens
each covers, and the document frequency of every token over all sections. Plans are keyed by their name inside the corpus
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
and the texts of its hits (:mod:`compare.derived`).
"""
from __future__ import annotations

import hashlib
import json
import os
from array import array
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CompareError, Note
from .indexfile import default_index_path, ownership, pack_outline, rebuilt_note, session, transaction
from .lock import locked
from .derived import load_corpus

LOCK_TIMEOUT = 300.0  # seconds a run waits for another run's lock (or SQLite's) before giving up


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
        def start_over(reason) -> None:
            for name in ("added", "updated", "removed", "skipped"):
                getattr(self, name).clear()
            self.unchanged = self.chars = 0
            self.warnings.append(rebuilt_note(index_path, reason))

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
    import numpy as np

    from .models import roles
    from .load import load_bytes
    from .sections import parse
    from .normalize import match_form_bulk
    from .tfidf import unit_frequencies
    from .tokenize import Segmentation

    try:
        if data is None:
            from .load import read_bytes

            data = read_bytes(path)
        doc = parse(load_bytes(data, path))
    except CompareError as exc:
        return {"path": path, "error": exc.note()}
    seg = Segmentation.build(doc.text, match_form_bulk(doc.text))
    terms, ids = seg.vocabulary()  # the plan's own vocabulary: a section or clause is a run of its token ids
    role = roles(doc)
    walk = list(doc.walk())
    clause_spans = [c.span for s in walk for c in s.clauses]
    spans = np.array([(s.title_start, s.span[1]) for s in walk] + clause_spans, dtype=np.int64)
    ranges = seg.token_ranges(spans.reshape(-1, 2))  # a section's = tfidf.section_tokens(doc, seg, s)
    runs = ranges[:len(walk)]
    firsts, counts = ranges[:, 0].tolist(), (ranges[:, 1] - ranges[:, 0]).tolist()
    sections, paths = [], doc.written_paths()
    for order, s in enumerate(walk):
        sections.append((s.id, s.level, s.number, s.title, s.parent, role[s.id], s.span[0], s.span[1],
                         firsts[order], counts[order], paths[s.id]))
    clauses, row = [], len(walk)  # their ranges follow the sections'
    for k, s in enumerate(walk):
        for c in s.clauses:
            clauses.append((k, c.span[0], c.span[1], firsts[row], counts[row]))
            row += 1
    df, n_units = unit_frequencies(ids, runs, len(terms))  # = tfidf.plan_frequencies(doc, seg), as counts by id
    return {
        "path": path, "name": doc.name, "sha256": doc.sha256, "title": doc.title, "date": doc.date,
        "issuers": json.dumps(doc.issuers, ensure_ascii=False), "doc_number": doc.doc_number, "format": doc.format,
        "encoding": doc.encoding, "text": doc.text, "token_ends": array("I", seg.ends).tobytes(),
        "outline": pack_outline(sections, clauses), "warnings": doc.warnings,
        "df": df.tobytes(), "n_units": n_units,
        "match_sha": match_digest(doc.text, seg.norm),
        "terms": "\n".join(terms), "token_ids": ids.tobytes(),
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
    :func:`compare.meta.read_meta`) replaces the metadata overrides the index keeps.
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
    from .load import os_error, read_bytes

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
            # a known plan whose stat changed is parsed only if its bytes did; a new one is read by its worker
            digest = hashlib.sha256(read_bytes(p)).hexdigest() if old else None
        except CompareError as exc:
            _skip(db, report, old, exc.note())
            continue
        except OSError as exc:  # worded as the loader words it: run --all meets both and warns once
            _skip(db, report, old, os_error(exc, str(p)).note())
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
            report.warnings += record["warnings"]  # what reading it found (an impossible date, no headings): said once, when it is read
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

    context = _fork_context()
    warm(segmenter=context is not None)  # once here: forked workers inherit it (and jieba's cache file is written once)
    if context is not None:
        import numpy  # noqa: F401  (what parse_file imports, inherited in the same way)

        from . import load, sections, tfidf  # noqa: F401
    pool = ProcessPoolExecutor(max_workers=jobs, initializer=_init_worker, initargs=(str(cache_dir()),),
                               mp_context=context)
    try:
        yield from pool.map(parse_file, paths, chunksize=8)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _fork_context():
    """multiprocessing's fork context on Linux, where forking is safe and the default: workers forked after the
    segmenter is loaded share it (building it costs each process 0.15 s of CPU, of about 5 s for 1,000 plans).
    None elsewhere (macOS and Windows spawn workers, which load their own)."""
    import multiprocessing
    import sys

    if not sys.platform.startswith("linux") or "fork" not in multiprocessing.get_all_start_methods():
        return None
    return multiprocessing.get_context("fork")


def _set_overrides(db, meta: dict[str, dict]) -> None:
    """Replace the kept ``--meta`` entries (they change no derived data: only what derived.indexed_docs reports)."""
    def work():
        db.execute("DELETE FROM overrides")
        db.executemany("INSERT INTO overrides VALUES (?, ?, ?, ?)", [
            (f, e.get("title"), e.get("date"),
             json.dumps(e["issuers"], ensure_ascii=False) if "issuers" in e else None)
            for f, e in sorted(meta.items())])

    transaction(db, work)


def _delete(db, doc_id: int) -> None:
    def work():
        db.execute("DELETE FROM tokens WHERE doc_id = ?", (doc_id,))
        db.execute("DELETE FROM documents WHERE id = ?", (doc_id,))
        db.execute("DELETE FROM matrices")

    transaction(db, work)


def _write(db, r: dict, sig: tuple, old_id: int | None) -> None:
    """Replace one document (``r["key"]``, its name in the corpus) with its sections, clauses and df counts."""
    def work():
        if old_id is not None:
            db.execute("DELETE FROM tokens WHERE doc_id = ?", (old_id,))
            db.execute("DELETE FROM documents WHERE id = ?", (old_id,))
        cur = db.execute(
            "INSERT INTO documents (path, name, sha256, size, mtime_ns, ctime_ns, inode, title, date, issuers, "
            "doc_number, format, encoding, chars, text, token_ends, df, n_units, match_sha, sections, clauses) "
            "VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?)",
            (r["key"], r["name"], r["sha256"], *sig, r["title"], r["date"], r["issuers"], r["doc_number"],
             r["format"], r["encoding"], len(r["text"]), r["text"], r["token_ends"], r["df"], r["n_units"],
             r["match_sha"], *r["outline"]))
        db.execute("INSERT INTO tokens VALUES (?, ?, ?)", (cur.lastrowid, r["terms"], r["token_ids"]))

    transaction(db, work)


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
        return load_corpus(db, index_path, corpus, timeout, extra or {})

    ownership(index_path, timeout)
    with locked(index_path, timeout):
        loaded = session(index_path, False, timeout, work, report.rebuilding(index_path))
    if loaded.reuse.status == "stale" and loaded.reuse.why == "version":
        report.warnings.append(Note("warn.reuse_other_version", f"{index_path}: the reuse results kept in the "
                                    "index were computed with another tokenizer or version of compare; not shown "
                                    "(run compare reuse again)", path=str(index_path)))
    elif loaded.reuse.status == "stale":
        report.warnings.append(Note("warn.reuse_stale", f"{index_path}: the reuse results kept in the index are "
                                    "older than the corpus's plans; not shown (run compare reuse again)",
                                    path=str(index_path)))
    return loaded, report
