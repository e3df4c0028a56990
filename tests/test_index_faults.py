"""The corpus index under faults: files that are not ours, concurrent runs, locks, damage, stale rows,
unreadable files, a read-only corpus, a full disk, one corpus spelled three ways, our reports among the plans."""
from __future__ import annotations

import builtins
import fcntl
import io
import json
import os
import random
import sqlite3
import subprocess
import sys
import threading
import time

import pytest
from click.testing import CliRunner

from compare import store
from compare.cli import main
from compare.corpus import plan_files
from compare.derived import stored_tokens
from compare.indexfile import clauses_of, sections_of
from compare.errors import ExitStatus, IndexProblem
from compare.indexfile import APPLICATION_ID
from conftest import ROOT, SEED

STOCK = "本办法自公布之日起施行。"
TOPICS = ["金融科技", "绿色金融", "普惠金融", "跨境贸易", "数字人民币", "科技创新", "风险防控", "人才引进", "债券市场"]
NUMERALS = "一二三四五六七八九十"


def _plans(folder, n=4):
    """``n`` short plans of 第X条 articles on overlapping topics, each ending with the same stock clause."""
    folder.mkdir(parents=True, exist_ok=True)
    for k in range(n):
        lines = [f"关于{TOPICS[k % 9]}的管理办法{k}", ""]
        for i in range(5):
            t, u = TOPICS[(k + i) % 9], TOPICS[(k * 4 + i * 2 + 1) % 9]
            lines.append(f"第{NUMERALS[i]}条 推动{t}发展，完善{u}制度。支持{t}与{u}协同，建立第{k}号{t}工作机制。")
        lines.append(f"第六条 {STOCK}")
        (folder / f"plan-{k}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    return folder


def _dump(index):
    """Everything an index holds about the plans, keyed by file name (not by row id)."""
    db = sqlite3.connect(index)
    try:
        docs = db.execute("SELECT path, sha256, title, text, token_ends, df, n_units FROM documents ORDER BY path").fetchall()
        tokens = {path: stored_tokens(db, doc_id) for doc_id, path in db.execute("SELECT id, path FROM documents")}
        sections, clauses = [], []
        for doc_id, path in db.execute("SELECT id, path FROM documents ORDER BY path").fetchall():
            outline = sections_of(db, doc_id)
            sections += [(path, order, sid, role, start, end, tokens[path][first:first + count], where)
                         for order, (sid, _, _, _, _, role, start, end, first, count, where) in enumerate(outline)]
            clauses += [(path, order, cid, sid, start, end, tokens[path][first:first + count])
                        for order, (cid, sid, start, end, first, count) in enumerate(clauses_of(db, doc_id, outline))]
    finally:
        db.close()
    return docs, sections, clauses


def _same_answers(a, b):
    assert [d["name"] for d in a.docs] == [d["name"] for d in b.docs]
    assert a.stats.vocabulary == b.stats.vocabulary and a.stats.idf == pytest.approx(b.stats.idf)
    assert a.clause_rows.shape == b.clause_rows.shape and (a.clause_rows != b.clause_rows).nnz == 0
    assert a.unit_rows.shape == b.unit_rows.shape and (a.unit_rows != b.unit_rows).nnz == 0


def _clean(corpus, tmp_path):
    """A fresh build of ``corpus`` in a file of its own, loaded for queries."""
    scratch = tmp_path / "clean" / "index.sqlite"
    indexed, _ = store.open_corpus(corpus, scratch)
    return scratch, indexed


# ---------------------------------------------------------------- files that are not ours

def _text(path):
    path.write_text("notes\n", encoding="utf-8")


def _other_app(path):
    db = sqlite3.connect(path)
    db.execute("PRAGMA application_id = 1234")
    db.execute("CREATE TABLE mine (x)")
    db.commit()
    db.close()


def _unmarked(path):
    db = sqlite3.connect(path)
    db.execute("CREATE TABLE meta (key, value)")  # some other program's table that happens to be called meta
    db.commit()
    db.close()


@pytest.mark.parametrize("make", [_text, _other_app, _unmarked, os.mkfifo], ids=["text", "other-app", "unmarked", "fifo"])
def test_a_file_that_is_not_our_index_is_refused_never_replaced(tmp_path, make):
    corpus = _plans(tmp_path / "corpus", 1)
    target = tmp_path / "notes.txt"
    make(target)
    before = target.read_bytes() if target.is_file() else None
    with pytest.raises(IndexProblem) as caught:
        store.refresh(corpus, target, lock_timeout=2)
    message = str(caught.value)
    assert "\n" not in message and str(target) in message and caught.value.exit_code == ExitStatus.INDEX
    assert (target.read_bytes() if target.is_file() else None) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["corpus", "notes.txt"]  # no lock file, no -wal beside it


def test_cli_refuses_to_index_into_a_notes_file(tmp_path):
    corpus = _plans(tmp_path / "corpus", 1)
    (tmp_path / "notes.txt").write_text("notes\n", encoding="utf-8")
    result = CliRunner().invoke(main, ["index", "--corpus", str(corpus), "--index", str(tmp_path / "notes.txt")])
    assert result.exit_code == ExitStatus.INDEX
    assert result.output.count("\n") == 1 and "notes.txt" in result.output and "not an index of compare" in result.output
    assert (tmp_path / "notes.txt").read_text(encoding="utf-8") == "notes\n"


def test_an_index_of_ours_from_another_version_is_rebuilt(tmp_path):
    corpus = _plans(tmp_path / "corpus", 3)
    index = tmp_path / "mine.sqlite"
    store.refresh(corpus, index)
    with sqlite3.connect(index) as db:
        db.execute("UPDATE meta SET value = '4/1/0000' WHERE key = 'version'")
    report = store.refresh(corpus, index)
    assert len(report.warnings) == 1 and str(index) in report.warnings[0] and "another version" in report.warnings[0]
    assert len(report.added) == 3

    old = tmp_path / "old.sqlite"  # written before application_id was set: our tables, application_id 0
    with sqlite3.connect(old) as db:
        db.executescript("CREATE TABLE meta (key TEXT PRIMARY KEY, value TEXT); CREATE TABLE documents (id, path);"
                         "CREATE TABLE sections (doc_id); CREATE TABLE clauses (doc_id);"
                         "INSERT INTO meta VALUES ('version', '4/1/0000');")
    report = store.refresh(corpus, old)
    assert "older version" in report.warnings[0] and len(report.added) == 3
    assert sqlite3.connect(old).execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID
    assert _dump(old) == _dump(index)


@pytest.mark.parametrize("tamper, said, not_said", [
    ("UPDATE meta SET value = '4/1/0000' WHERE key = 'version'", "由另一版本的 compare 建立", "损坏"),  # an upgrade
    ("DROP TABLE tokens", "索引已损坏", "另一版本"),
])
def test_the_rebuild_warning_tells_an_upgrade_from_damage(tmp_path, tamper, said, not_said):
    """After an upgrade the index is rebuilt once and nothing was wrong with it: the warning does not say 损坏."""
    corpus = _plans(tmp_path / "corpus", 3)
    index = tmp_path / "mine.sqlite"
    store.refresh(corpus, index)
    with sqlite3.connect(index) as db:
        db.execute(tamper)
    result = CliRunner().invoke(main, ["index", "--corpus", str(corpus), "--index", str(index), "--lang", "zh"])
    assert result.exit_code == 0, result.output
    warning = [line for line in result.output.splitlines() if str(index) in line]
    assert len(warning) == 1 and said in warning[0] and not_said not in warning[0]


def test_a_rebuild_keeps_the_meta_overrides(tmp_path):
    """The kept --meta entries depend on no token: an upgrade's rebuild (or damage's) keeps them."""
    corpus = _plans(tmp_path / "corpus", 2)
    index = tmp_path / "mine.sqlite"
    store.refresh(corpus, index, meta={"plan-1.md": {"title": "改过的标题", "date": "2001-02-03"}})
    for tamper in ("UPDATE meta SET value = '4/1/0000' WHERE key = 'version'", "DROP TABLE matrices"):
        with sqlite3.connect(index) as db:
            db.execute(tamper)
        indexed, report = store.open_corpus(corpus, index)
        assert len(report.warnings) == 1 and len(report.added) == 2
        assert [(d["key"], d["title"], d["date"]) for d in indexed.docs if d["key"] == "plan-1.md"] == [
            ("plan-1.md", "改过的标题", "2001-02-03")]
        indexed.close()


# ---------------------------------------------------------------- damage

def _checkpointed(index):
    with sqlite3.connect(index) as db:
        db.execute("PRAGMA wal_checkpoint(TRUNCATE)")


def _header(index):
    with open(index, "r+b") as fh:
        fh.write(b"\x00garbage" * 12)


def _page(index):
    _checkpointed(index)
    with sqlite3.connect(index) as db:
        root = db.execute("SELECT rootpage FROM sqlite_master WHERE name = 'tokens'").fetchone()[0]
        size = db.execute("PRAGMA page_size").fetchone()[0]
    with open(index, "r+b") as fh:
        fh.seek((root - 1) * size)
        fh.write(random.Random(7).randbytes(size))


def _sql(statement):
    def damage(index):
        with sqlite3.connect(index) as db:
            db.execute(statement)
    return damage


def _blob(index):
    with sqlite3.connect(index) as db:
        data = bytearray(db.execute("SELECT data FROM matrices WHERE name = 'clauses'").fetchone()[0])
        data[len(data) // 2] ^= 0xFF
        db.execute("UPDATE matrices SET data = ? WHERE name = 'clauses'", (bytes(data),))


def _many_pages(index):
    """500 bytes of the cells of every b-tree page past the first quarter overwritten: quick_check lists a
    problem a line under "*** in database main ***" (a 32-line warning on the real corpus), and the warning
    stays one line."""
    _checkpointed(index)
    data = bytearray(index.read_bytes())
    size = 4096
    for offset in range(len(data) // 4 // size * size, len(data), size):
        if data[offset] in (0x02, 0x05, 0x0A, 0x0D):  # an index or table b-tree page, interior or leaf
            data[offset + 100:offset + 600] = b"A" * 500
    index.write_bytes(bytes(data))
    with sqlite3.connect(index) as db:
        assert len(db.execute("PRAGMA quick_check").fetchall()) > 1


# damage, what runs next ("index": compare index, with quick_check; "query": rank/clauses/matrix), queried before?
DAMAGE = {
    "not-a-database": (_header, "index", False),
    "random-page": (_page, "index", True),
    "random-page-then-query": (_page, "query", False),
    "many-pages-damaged": (_many_pages, "index", True),
    "altered-table": (_sql("ALTER TABLE documents ADD COLUMN extra"), "query", True),
    "dropped-table": (_sql("DROP TABLE tokens"), "query", True),
    "garbled-matrix": (_blob, "query", True),
    "df-as-text": (_sql("UPDATE documents SET df = '{\"金融\": 1}' WHERE id = 2"), "query", False),
    "df-shorter-than-the-vocabulary": (_sql("UPDATE documents SET df = x'01000000' WHERE id = 2"), "query", False),
    "null-tokens": (_sql("UPDATE tokens SET ids = NULL WHERE doc_id = 2"), "query", False),
    "token-ids-past-the-vocabulary": (_sql("UPDATE tokens SET terms = '金融' WHERE doc_id = 2"), "query", False),
    "section-past-its-tokens": (_sql("UPDATE documents SET sections = json_set(sections, '$[2][9]', 1000000) "
                                     "WHERE id = 2"), "query", False),
    "sections-not-json": (_sql("UPDATE documents SET sections = '[[\"1\"' WHERE id = 2"), "query", False),
    "sections-short-of-fields": (_sql("UPDATE documents SET sections = '[[\"1\", 1]]' WHERE id = 2"), "query", False),
    "clauses-cut-short": (_sql("UPDATE documents SET clauses = substr(clauses, 1, 6) WHERE id = 2"), "query", False),
    "clause-past-its-tokens": (_sql("UPDATE documents SET clauses = x'00000000000000000100000000000000ffffff00' "
                                    "WHERE id = 2"), "query", False),
}


@pytest.mark.parametrize("kind", DAMAGE)
def test_damage_is_rebuilt_with_one_warning(tmp_path, kind):
    damage, then, queried = DAMAGE[kind]
    corpus = _plans(tmp_path / "corpus", 4)
    index = tmp_path / "index.sqlite"
    if queried:
        store.open_corpus(corpus, index)[0].close()
    else:
        store.refresh(corpus, index)
    damage(index)
    if then == "index":
        report = store.refresh(corpus, index)
    else:
        indexed, report = store.open_corpus(corpus, index)
    assert len(report.warnings) == 1, report.warnings
    assert report.warnings[0].startswith(f"{index}: index damaged (") and "\n" not in report.warnings[0]
    assert len(report.added) == 4
    again, report = store.open_corpus(corpus, index)
    assert not report.warnings and report.unchanged == 4  # healed
    scratch, clean = _clean(corpus, tmp_path)
    assert _dump(index) == _dump(scratch)
    _same_answers(again, clean)


# ---------------------------------------------------------------- locks

def test_a_locked_index_is_waited_for_then_refused_and_kept(tmp_path, monkeypatch):
    corpus = _plans(tmp_path / "corpus", 3)
    index = tmp_path / "index.sqlite"
    store.refresh(corpus, index)
    (corpus / "plan-9.md").write_text(f"第一条 新增条款。\n第二条 {STOCK}\n", encoding="utf-8")
    before = _dump(index)
    holder = os.open(str(index) + ".lock", os.O_RDWR)
    fcntl.flock(holder, fcntl.LOCK_EX)  # as another compare run would
    try:
        monkeypatch.setattr(store, "LOCK_TIMEOUT", 0.6)
        started = time.monotonic()
        result = CliRunner().invoke(main, ["index", "--corpus", str(corpus), "--index", str(index)])
        assert time.monotonic() - started >= 0.6
        assert result.exit_code == ExitStatus.INDEX and result.output.count("\n") == 1
        assert "locked by another compare run" in result.output and str(index) in result.output
        assert _dump(index) == before

        threading.Timer(0.4, fcntl.flock, (holder, fcntl.LOCK_UN)).start()  # the other run finishes
        started = time.monotonic()
        report = store.refresh(corpus, index, lock_timeout=10)
        assert time.monotonic() - started >= 0.4 and [os.path.basename(p) for p in report.added] == ["plan-9.md"]
    finally:
        os.close(holder)


def test_an_index_locked_by_another_program_is_not_taken_for_damage(tmp_path):
    corpus = _plans(tmp_path / "corpus", 3)
    index = tmp_path / "index.sqlite"
    store.refresh(corpus, index)
    before = _dump(index)
    other = sqlite3.connect(index, isolation_level=None)
    other.execute("PRAGMA locking_mode = EXCLUSIVE")
    other.execute("BEGIN EXCLUSIVE")  # a sqlite3 shell holding the file
    try:
        with pytest.raises(IndexProblem) as caught:
            store.refresh(corpus, index, lock_timeout=0.5)
        assert "locked by another program" in str(caught.value) and str(index) in str(caught.value)
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert _dump(index) == before
    assert not store.refresh(corpus, index).warnings


def test_concurrent_index_and_query_processes_all_succeed(tmp_path):
    """Real processes: two `compare index`, a `rank` and a `clauses` at once on one fresh corpus."""
    corpus = _plans(tmp_path / "corpus", 12)
    env = dict(os.environ, PYTHONPATH=str(ROOT), COMPARE_LANG="en")
    commands = [["index"], ["index"], ["rank", str(corpus / "plan-0.md"), "--format", "json"],
                ["clauses", "--query", "推动绿色金融发展", "--format", "json"]]
    procs = [subprocess.Popen([sys.executable, "-m", "compare", *c, "--corpus", str(corpus)], env=env, cwd=tmp_path,
                              stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True) for c in commands]
    outputs = [p.communicate(timeout=120) for p in procs]
    for proc, (out, err) in zip(procs, outputs):
        assert proc.returncode == 0, err
        assert "Error" not in err and "error" not in err
    ranks = [json.loads(line) for line in outputs[2][0].splitlines()]
    assert len(ranks) == 10 and "plan-0" not in [r["name"] for r in ranks]
    assert [json.loads(line)["plan"] for line in outputs[3][0].splitlines()]
    assert sum("13 added" in out + err for out, err in outputs) == 1  # one built it (12 and the seed), once
    scratch = tmp_path / "clean" / "index.sqlite"
    from compare.api import seed_plans

    store.open_corpus(corpus, scratch, extra=seed_plans())
    assert _dump(corpus / ".compare" / "index.sqlite") == _dump(scratch)


# ---------------------------------------------------------------- stale rows

def test_a_file_that_stops_loading_loses_its_rows_and_same_size_edits_are_seen(tmp_path):
    corpus = _plans(tmp_path / "corpus", 4)
    index = tmp_path / "index.sqlite"
    store.refresh(corpus, index)

    (corpus / "plan-1.md").write_bytes(b"\x81\x20\xfe\x20" * 50)  # overwritten with binary data
    report = store.refresh(corpus, index)
    assert len(report.skipped) == 1 and "plan-1.md" in report.skipped[0]
    assert [d[0] for d in _dump(index)[0]] == ["plan-0.md", "plan-2.md", "plan-3.md"]
    indexed, report = store.open_corpus(corpus, index)
    assert [d["name"] for d in indexed.docs] == ["plan-0", "plan-2", "plan-3"] and len(report.skipped) == 1

    plan = corpus / "plan-2.md"
    text = plan.read_text(encoding="utf-8")
    st = plan.stat()
    plan.write_text(text.replace("推动", "促进"), encoding="utf-8")  # same size in bytes
    os.utime(plan, ns=(st.st_atime_ns, st.st_mtime_ns))  # and the same mtime
    assert plan.stat().st_size == st.st_size and plan.stat().st_mtime_ns == st.st_mtime_ns
    report = store.refresh(corpus, index)
    assert [os.path.basename(p) for p in report.updated] == ["plan-2.md"] and report.unchanged == 2
    scratch, _ = _clean(corpus, tmp_path)
    assert _dump(index) == _dump(scratch)


def test_one_corpus_spelled_three_ways_is_indexed_once(tmp_path, monkeypatch):
    _plans(tmp_path / "cc", 3)
    monkeypatch.chdir(tmp_path)
    from pathlib import Path

    first = store.refresh(Path("cc"))
    assert len(first.added) == 3
    for spelling in ("./cc", str(tmp_path / "cc"), "cc/"):
        again = store.refresh(Path(spelling))
        assert not again.changed and again.unchanged == 3 and again.chars == 0, spelling
    assert sorted(p.name for p in (tmp_path / "cc" / ".compare").iterdir()) == ["index.sqlite", "index.sqlite.lock"]


# ---------------------------------------------------------------- unreadable files, read-only corpus, full disk

def _unreadable(monkeypatch, path):
    """As root nothing is unreadable: make every open of ``path`` fail as it would for another user."""
    def guard(real):
        def guarded(file, *args, **kwargs):
            if not isinstance(file, int) and os.fspath(file) == str(path):
                raise PermissionError(13, "Permission denied", str(path))
            return real(file, *args, **kwargs)
        return guarded

    monkeypatch.setattr(builtins, "open", guard(builtins.open))
    monkeypatch.setattr(io, "open", guard(io.open))
    monkeypatch.setattr(os, "open", guard(os.open))


def test_an_unreadable_file_is_skipped_and_counted(tmp_path, monkeypatch):
    corpus = _plans(tmp_path / "corpus", 3)
    locked_out = corpus / "plan-1.md"
    store.refresh(corpus)  # it was readable once: its rows must go too
    os.chmod(locked_out, 0)  # what makes a file unreadable (and changes its ctime)...
    _unreadable(monkeypatch, locked_out)  # ...and what it does to anyone but root
    runner = CliRunner()

    result = runner.invoke(main, ["index", "--corpus", str(corpus), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "1 skipped" in result.stdout and f"{locked_out}: cannot read (Permission denied)" in result.stderr

    result = runner.invoke(main, ["rank", str(corpus / "plan-0.md"), "--corpus", str(corpus), "--format", "json",
                                  "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert [json.loads(line)["name"] for line in result.stdout.splitlines()
            if not json.loads(line)["path"].endswith(SEED.name)] == ["plan-2"]
    assert "1 skipped" in result.stderr and str(locked_out) in result.stderr

    out = tmp_path / "reports"
    result = runner.invoke(main, ["run", "--all", str(corpus / "plan-0.md"), "--corpus", str(corpus), "-o", str(out),
                                  "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "skipped 1" in result.stderr and result.stderr.count(f"warning: {locked_out}") == 1
    assert sorted(p.name for p in out.iterdir()) == ["index.html", f"plan-0_vs_{SEED.stem}.html", "plan-0_vs_plan-2.html"]


def test_a_read_only_corpus_with_a_compare_folder_uses_the_cache(tmp_path, monkeypatch):
    corpus = _plans(tmp_path / "corpus", 2)
    store.refresh(corpus)
    kept = {p.name: p.read_bytes() for p in (corpus / ".compare").iterdir()}
    (corpus / "plan-5.md").write_text(f"第一条 新增条款。\n第二条 {STOCK}\n", encoding="utf-8")
    read_only = {str(corpus), str(corpus / ".compare"), str(corpus / ".compare" / "index.sqlite")}
    real = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) in read_only and mode & os.W_OK else real(p, mode))
    path = store.default_index_path(corpus)
    assert corpus not in path.parents and path.parent.name == "indexes"
    report = store.refresh(corpus)
    assert len(report.added) == 3 and path.exists()
    assert {p.name: p.read_bytes() for p in (corpus / ".compare").iterdir()} == kept


def test_a_full_disk_keeps_the_old_index(tmp_path, monkeypatch):
    corpus = _plans(tmp_path / "corpus", 3)
    index = tmp_path / "index.sqlite"
    store.refresh(corpus, index)
    before = _dump(index)
    (corpus / "plan-8.md").write_text("".join(f"第{k}条 {TOPICS[k % 9]}{k}号制度。\n" for k in range(1, 400)), encoding="utf-8")
    with sqlite3.connect(index) as db:
        pages = db.execute("PRAGMA page_count").fetchone()[0]
    real = sqlite3.connect

    def small_disk(*args, **kwargs):  # SQLite itself reports SQLITE_FULL past this size
        db = real(*args, **kwargs)
        db.execute(f"PRAGMA max_page_count = {pages + 2}")
        return db

    monkeypatch.setattr(sqlite3, "connect", small_disk)
    result = CliRunner().invoke(main, ["index", "--corpus", str(corpus), "--index", str(index)])
    monkeypatch.setattr(sqlite3, "connect", real)
    assert result.exit_code == ExitStatus.INDEX, result.output
    assert result.output.count("\n") == 1 and "disk full" in result.output and str(index) in result.output
    assert "rollback" not in result.output
    assert _dump(index) == before
    assert [os.path.basename(p) for p in store.refresh(corpus, index).added] == ["plan-8.md"]


# ---------------------------------------------------------------- our own outputs among the plans

def test_reports_saved_among_the_plans_are_not_plans(tmp_path):
    from compare import api
    from compare.models import Options
    from compare.pages import render_rank
    from compare.report import render_html
    from compare.serialize import comparison_json, outline_json
    from compare.sections import load_plan

    corpus = _plans(tmp_path / "corpus", 3)
    comparison = api.compare(str(corpus / "plan-0.md"), str(corpus / "plan-1.md"), str(corpus))
    (corpus / "report.md").write_text(render_html(comparison, Options()), encoding="utf-8")
    (corpus / "comparison.txt").write_text(comparison_json(comparison), encoding="utf-8")
    (corpus / "outline.md").write_text(outline_json(load_plan(corpus / "plan-2.md")), encoding="utf-8")
    ranks, _ = api.rank(str(corpus / "plan-0.md"), str(corpus))
    (corpus / "rank.txt").write_text(render_rank(ranks, "json"), encoding="utf-8")
    (corpus / "rank-csv.txt").write_text(render_rank(ranks, "csv"), encoding="utf-8")
    assert [p.name for p in plan_files(corpus)] == ["plan-0.md", "plan-1.md", "plan-2.md"]
    report = store.refresh(corpus, extra=api.seed_plans())
    assert not report.changed and not report.skipped and report.unchanged == 4  # and the seed

    (corpus / "plan-2.md").write_text(render_html(comparison, Options()), encoding="utf-8")  # a plan overwritten
    report = store.refresh(corpus, extra=api.seed_plans())
    assert [os.path.basename(p) for p in report.removed] == ["plan-2.md"] and not report.skipped
