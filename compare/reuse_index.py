"""Reuse results (from ``compare reuse``) kept in the corpus index, and read back for clauses.

Two tables of the index (see :mod:`compare.indexfile`): ``reuse_plans`` holds every
file the job was given, by its key in the corpus folder (the index's key), with
its sha256 (empty for a file the job skipped), name and date; ``reuse_members``
holds each clause of a reuse cluster by (plan key, clause id). A result is
*current* only while the corpus holds the same plans with the same bytes: for
``compare clauses`` the freshly refreshed index's plans are compared with
``reuse_plans``; for the pair report (which needs no index) the files' own
digests are. A stale result is never shown as current.
"""
from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class ReuseLookup:
    """What the index's reuse results say about the loaded corpus's clause rows."""

    status: str = "none"  # "none" (never run), "stale" (plans changed since, or see ``why``) or "current"
    why: str = ""  # for "stale": "plans" (changed since), or "version" (computed by another tokenizer or parser)
    cluster_of: dict[int, int] = field(default_factory=dict)  # clause row -> reuse cluster id
    plans_of: dict[int, list[int]] = field(default_factory=dict)  # cluster id -> plans (indexes into docs)


def save(index_path: Path, folder: Path, files: list[Path], result, lock_timeout: float | None = None) -> list:
    """Replace the reuse results kept in the index at ``index_path`` with ``result`` (a ReuseResult over
    ``files``, the plan files of ``folder``). Returns warnings (a damaged index rebuilt)."""
    from .indexfile import ownership, rebuilt_note, session, transaction, wanted_version
    from .lock import locked
    from .store import LOCK_TIMEOUT

    root = Path(folder)
    read = {os.path.abspath(p["path"]): p for p in result.plan_list}  # the workers read absolute paths
    plans = []
    for f in files:
        p = read.get(os.path.abspath(f))
        plans.append((_key(f, root), p["name"] if p else Path(f).stem, p["date"] if p else None,
                      p["sha256"] if p else ""))
    members = sorted({(_key(m.path, root), m.clause, m.cluster) for m in result.members})
    warnings = []

    def rebuilding(reason):
        warnings.append(rebuilt_note(index_path, reason))

    def work(db, _):
        def write():
            db.execute("DELETE FROM reuse_plans")
            db.execute("DELETE FROM reuse_members")
            db.executemany("INSERT INTO reuse_plans VALUES (?, ?, ?, ?)", sorted(plans))
            db.executemany("INSERT INTO reuse_members VALUES (?, ?, ?)", members)
            db.execute("INSERT OR REPLACE INTO meta VALUES ('reuse_threshold', ?)", (repr(result.threshold),))
            db.execute("INSERT OR REPLACE INTO meta VALUES ('reuse_version', ?)", (wanted_version(),))

        transaction(db, write)

    timeout = LOCK_TIMEOUT if lock_timeout is None else lock_timeout
    index_path = Path(index_path)
    ownership(index_path, timeout)
    with locked(index_path, timeout):
        session(index_path, False, timeout, work, rebuilding)
    return warnings


def _key(path, root: Path) -> str:
    """A plan's key: its name inside the corpus folder, as the index keys it. Symlinks are not followed: a plan
    linked in from elsewhere, or a dangling link, is named where it stands. ValueError outside the folder."""
    return Path(os.path.abspath(path)).relative_to(os.path.abspath(root)).as_posix()


def _made_by(db) -> str | None:
    """The index version the kept results were computed by (a rebuild keeps them: see indexfile.salvage);
    results saved before this was recorded were computed by the index's own version."""
    from .indexfile import meta

    return meta(db, "reuse_version") or meta(db, "version")


def _kept(db) -> dict[str, str]:
    """key -> sha256 of the plans the kept reuse result read (skipped files not included)."""
    return {k: s for k, s in db.execute("SELECT key, sha256 FROM reuse_plans") if s}


def load(db, docs: list[dict], clause_doc) -> ReuseLookup:
    """The reuse results for a corpus just loaded (``docs`` in plan order, ``clause_doc`` each clause row's
    plan): current only when the index's corpus plans (seeds aside) are exactly the plans the job read."""
    import numpy as np

    if db.execute("SELECT 1 FROM reuse_plans LIMIT 1").fetchone() is None:
        return ReuseLookup()
    from .indexfile import clauses_of, meta, sections_of

    if _made_by(db) != meta(db, "version"):
        return ReuseLookup("stale", why="version")
    if _kept(db) != {d["key"]: d["sha256"] for d in docs if not d["seed"]}:
        return ReuseLookup("stale", why="plans")
    position = {d["key"]: k for k, d in enumerate(docs)}
    starts = np.searchsorted(np.asarray(clause_doc), np.arange(len(docs)))
    out = ReuseLookup("current")
    plans: dict[int, set[int]] = {}
    orders: dict[str, dict[str, int]] = {}  # a plan's clause ids -> their places in it
    for key, doc_id, cid, cluster in db.execute(
            "SELECT m.key, d.id, m.cid, m.cluster FROM reuse_members m JOIN documents d ON d.path = m.key").fetchall():
        if key not in orders:
            clauses = clauses_of(db, doc_id, sections_of(db, doc_id))
            orders[key] = {c[0]: n for n, c in enumerate(clauses)}
        ord_ = orders[key].get(cid)
        if ord_ is None:
            continue  # a clause the plan no longer has
        k = position[key]
        out.cluster_of[int(starts[k]) + ord_] = cluster
        plans.setdefault(cluster, set()).add(k)
    out.plans_of = {c: sorted(p) for c, p in plans.items()}
    return out


def for_plans(index_path: Path, folder: Path, docs: list, force=None) -> list[dict[str, dict]]:
    """For each Document in ``docs``: clause id -> {"cluster", "plans", "first_plan", "first_date"}, from the
    reuse results kept in the index, where they are current for the files in ``folder`` now. Reads only:
    without an index, or with one that cannot be read or is stale, every dict is empty. ``force``: the
    metadata in force (meta.MetaInForce), whose dates replace those the job read, as clauses has them."""
    from .corpus import plan_files
    from .errors import CompareError
    from .indexfile import APPLICATION_ID, wanted_version
    from .tfidf import file_digest

    empty = [{} for _ in docs]
    index_path = Path(index_path)
    if not index_path.is_file():
        return empty
    try:
        db = sqlite3.connect(f"{index_path.resolve().as_uri()}?mode=ro", uri=True, timeout=5)
    except sqlite3.Error:
        return empty
    try:
        if db.execute("PRAGMA application_id").fetchone()[0] != APPLICATION_ID or _made_by(db) != wanted_version():
            return empty
        kept = _kept(db)
        root = Path(folder)
        now = {}
        for f in plan_files(Path(folder)):
            try:
                now[_key(f, root)] = file_digest(f)
            except CompareError:
                continue
        if not kept or any(now.get(k) != s for k, s in kept.items()) or \
                any(k not in kept and db.execute("SELECT sha256 FROM reuse_plans WHERE key = ?", (k,)).fetchone()
                    is None for k in now):
            return empty
        out = []
        for doc in docs:
            try:
                key = _key(doc.path, root)
            except ValueError:  # not a corpus plan (a seed, a file elsewhere)
                out.append({})
                continue
            if kept.get(key) != doc.sha256:
                out.append({})
                continue
            from .reuse import date_key  # here: the Dask job's module, only where results are current

            found = {}
            for cid, cluster in db.execute("SELECT cid, cluster FROM reuse_members WHERE key = ?", (key,)):
                plans = [{"name": n, "date": force.entry(root / k).get("date", d) if force else d}
                         for k, n, d in db.execute(
                             "SELECT key, name, date FROM reuse_plans WHERE key IN "
                             "(SELECT key FROM reuse_members WHERE cluster = ?)", (cluster,))]
                first = min(plans, key=date_key)
                found[cid] = {"cluster": cluster, "plans": len(plans), "first_plan": first["name"],
                              "first_date": first["date"]}
            out.append(found)
        return out
    except sqlite3.Error:
        return empty
    finally:
        db.close()
