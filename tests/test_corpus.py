"""The corpus index and its commands: incremental, robust to bad files and interruption, correct answers."""
from __future__ import annotations

import hashlib
import html
import json
import os
import re
import shutil
import signal
import sqlite3
import subprocess
import sys
import time

import pytest
from click.testing import CliRunner

from compare import store
from compare.cli import main
from compare.errors import ExitStatus
from compare.derived import stored_tokens
from compare.indexfile import clauses_of, sections_of
from compare.sections import load_plan
from conftest import DATA, ROOT, SEED, needs_corpus
from perturb import make_variant

STOCK = "本条例自公布之日起施行。"


def _make_corpus(folder, n_variants=4):
    """Fixture plans in several styles, variants of them, and one undecodable file."""
    folder.mkdir(parents=True, exist_ok=True)
    sources = [DATA / "sections" / n for n in ("law_style.md", "plan_style.txt", "mixed_style.txt", "html_style.html")]
    for src in sources:
        shutil.copy(src, folder / src.name)
    law, plan = load_plan(sources[0]), load_plan(sources[1])
    for k in range(n_variants):
        variant = make_variant(law if k % 2 else plan, plan if k % 2 else law, seed=k)
        (folder / f"variant-{k}.txt").write_text(variant.text + f"第九十九条 {STOCK}\n", encoding="utf-8")
    (folder / "broken.txt").write_bytes(b"\x81\x20\xfe\x20" * 50)
    return folder


def stored_df(counts: bytes, terms: str) -> dict[str, int]:
    """A plan's stored document frequencies (uint32 counts over its sorted terms) as {term: count}, zeros left out."""
    from array import array

    return {t: k for t, k in zip(terms.split("\n") if terms else [], array("I", counts), strict=True) if k}


def _consistent(index_path):
    """Every document's df counts equal what its sections imply; every document has sections and clauses."""
    db = sqlite3.connect(index_path)
    for doc_id, df, n_units in db.execute("SELECT id, df, n_units FROM documents").fetchall():
        implied: dict[str, int] = {}
        units = 0
        tokens = stored_tokens(db, doc_id)
        for *_, first, count, _ in sections_of(db, doc_id):
            terms = set(tokens[first:first + count])
            units += bool(terms)
            for t in terms:
                implied[t] = implied.get(t, 0) + 1
        assert stored_df(df, db.execute("SELECT terms FROM tokens WHERE doc_id = ?", (doc_id,)).fetchone()[0]) == implied
        assert n_units == units
    orphans = db.execute("SELECT count(*) FROM documents d WHERE NOT EXISTS "
                         "(SELECT 1 FROM tokens t WHERE t.doc_id = d.id)").fetchone()[0]
    orphans += sum(not sections_of(db, doc_id) for (doc_id,) in db.execute("SELECT id FROM documents").fetchall())
    strays = db.execute("SELECT count(*) FROM tokens t WHERE NOT EXISTS "
                        "(SELECT 1 FROM documents d WHERE d.id = t.doc_id)").fetchone()[0]
    paths = [r[0] for r in db.execute("SELECT path FROM documents ORDER BY path")]
    db.close()
    assert orphans == 0 and strays == 0
    return paths


def _outline_as_stored(record):
    """A parse_file record's sections and clauses, written to an index and read back as queries read them."""
    from compare.indexfile import SCHEMA

    db = sqlite3.connect(":memory:", isolation_level=None)
    db.executescript(SCHEMA)
    store._write(db, {**record, "key": "plan"}, (0, 0, 0, 0), None)
    sections = sections_of(db, 1)
    return sections, clauses_of(db, 1, sections)


def test_an_indexed_plan_holds_what_the_library_computes_for_it(tmp_path):
    """The indexer's fast path (one matching form, tokens cut once, a digest without a regex) gives the
    statistics, tokens and digest that tfidf, tokenize and normalize define, also on text with ASCII runs."""
    import re
    from array import array

    from compare.normalize import match_form
    from compare.tfidf import plan_frequencies, section_tokens
    from compare.tokenize import Segmentation, segment

    odd = tmp_path / "ascii.md"
    odd.write_text("第一条 见www.gov.cn与a.b.c，2025年达到3.5%，C++与QFLP试点。\n第二条 ａｂ．ｃｄ  >引文\t。\n",
                   encoding="utf-8")
    for path in (SEED, odd):
        record = store.parse_file(str(path))
        doc = load_plan(path)
        seg = Segmentation(doc.text, segment(doc.text))
        df, units = plan_frequencies(doc, seg)
        assert (stored_df(record["df"], record["terms"]), record["n_units"]) == (df, units)
        own = [section_tokens(doc, seg, s) for s in doc.walk()]
        assert units == sum(1 for u in own if u) and set(df) == set().union(*own)
        assert all(df[t] == sum(t in u for u in own) for t in df)
        assert array("I", record["token_ends"]).tolist() == seg.ends
        terms = record["terms"].split("\n")
        assert len(terms) == len(set(terms))
        tokens = [terms[k] for k in array("I", record["token_ids"])]
        sections, clauses = _outline_as_stored(record)
        assert [tokens[row[8]:row[8] + row[9]] for row in sections] == own
        assert [row[0] for row in sections] == [s.id for s in doc.walk()]
        assert [tokens[row[4]:row[4] + row[5]] for row in clauses] == [
            seg.tokens(*c.span) for s in doc.walk() for c in s.clauses]
        assert [row[:4] for row in clauses] == [(c.id, s.id, *c.span) for s in doc.walk() for c in s.clauses]
        norm = re.sub(r"[\s>]+", "", match_form(doc.text))
        assert record["match_sha"] == hashlib.sha256(norm.encode("utf-8")).hexdigest()


def test_incremental_index(tmp_path):
    corpus = _make_corpus(tmp_path / "corpus")
    index = tmp_path / "index.sqlite"
    first = store.refresh(corpus, index)
    assert len(first.added) == 8 and first.unchanged == 0
    assert len(first.skipped) == 1 and "broken.txt" in first.skipped[0] and "undecodable" in first.skipped[0]
    assert len(_consistent(index)) == 8

    again = store.refresh(corpus, index)
    assert not again.changed and again.unchanged == 8 and again.chars == 0  # nothing re-tokenized

    (corpus / "plan_style.txt").write_text((corpus / "plan_style.txt").read_text(encoding="utf-8") + "（三）新增条款。加强金融科技。\n",
                                           encoding="utf-8")
    (corpus / "variant-3.txt").unlink()
    shutil.copy(SEED, corpus / "seed.md")
    os.utime(corpus / "law_style.md")  # touched but unchanged: hash says so
    step = store.refresh(corpus, index)
    assert [os.path.basename(p) for p in step.updated] == ["plan_style.txt"]
    assert [os.path.basename(p) for p in step.removed] == ["variant-3.txt"]
    assert [os.path.basename(p) for p in step.added] == ["seed.md"]
    assert step.unchanged == 6

    scratch = tmp_path / "scratch.sqlite"
    store.refresh(corpus, scratch)
    assert _consistent(index) == _consistent(scratch)  # incremental equals a rebuild
    a, _ = store.open_corpus(corpus, index, refresh_first=False)
    b, _ = store.open_corpus(corpus, scratch, refresh_first=False)
    assert a.stats.vocabulary == b.stats.vocabulary and a.stats.idf == b.stats.idf
    assert (a.clause_rows != b.clause_rows).nnz == 0


def test_parallel_and_serial_indexes_agree(tmp_path):
    corpus = _make_corpus(tmp_path / "corpus")
    store.refresh(corpus, tmp_path / "a.sqlite", jobs=2)
    store.refresh(corpus, tmp_path / "b.sqlite", jobs=1)
    dump = lambda p: sqlite3.connect(p).execute("SELECT path, sha256, df FROM documents ORDER BY path").fetchall()  # noqa: E731
    assert dump(tmp_path / "a.sqlite") == dump(tmp_path / "b.sqlite")


def test_interrupted_between_files_resumes(tmp_path):
    corpus = _make_corpus(tmp_path / "corpus")
    index = tmp_path / "index.sqlite"

    def stop_after_three(done, total, path):
        if done == 4:
            raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        store.refresh(corpus, index, jobs=1, progress=stop_after_three)
    # files go in name order: broken.txt (skipped), html_style.html, law_style.md, then the interrupt
    assert [os.path.basename(p) for p in _consistent(index)] == ["html_style.html", "law_style.md"]
    resumed = store.refresh(corpus, index)
    assert len(resumed.added) == 6 and resumed.unchanged == 2
    assert len(_consistent(index)) == 8


def test_failure_inside_a_write_rolls_back(tmp_path, monkeypatch):
    corpus = _make_corpus(tmp_path / "corpus")
    index = tmp_path / "index.sqlite"
    real = store._write
    calls = []

    def flaky(db, record, st, old_id):
        calls.append(record["path"])
        if len(calls) == 2:
            db.execute("BEGIN IMMEDIATE")
            db.execute("INSERT INTO documents (path) VALUES ('half-written')")
            db.execute("ROLLBACK")
            raise KeyboardInterrupt  # as if interrupted mid-transaction
        return real(db, record, st, old_id)

    monkeypatch.setattr(store, "_write", flaky)
    with pytest.raises(KeyboardInterrupt):
        store.refresh(corpus, index, jobs=1)
    monkeypatch.setattr(store, "_write", real)
    assert "half-written" not in _consistent(index)
    store.refresh(corpus, index)
    assert len(_consistent(index)) == 8


def test_killed_index_leaves_a_consistent_database(tmp_path):
    corpus = _make_corpus(tmp_path / "corpus", n_variants=40)
    index = tmp_path / "index.sqlite"
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    code = f"from compare import store; store.refresh(__import__('pathlib').Path({str(corpus)!r}), " \
           f"__import__('pathlib').Path({str(index)!r}), jobs=1)"
    proc = subprocess.Popen([sys.executable, "-c", code], env=env)
    deadline = time.time() + 30
    while time.time() < deadline:  # kill it once it has written something
        if index.exists():
            try:
                if sqlite3.connect(index).execute("SELECT count(*) FROM documents").fetchone()[0] >= 2:
                    break
            except sqlite3.Error:
                pass
        time.sleep(0.05)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    partial = _consistent(index)
    assert 2 <= len(partial) <= 44
    store.refresh(corpus, index)
    assert len(_consistent(index)) == 44


def test_damaged_index_is_rebuilt(tmp_path):
    corpus = _make_corpus(tmp_path / "corpus")
    index = tmp_path / "index.sqlite"
    index.write_bytes(b"this is not a database" * 100)
    report = store.refresh(corpus, index)
    assert len(report.added) == 8 and len(_consistent(index)) == 8


def test_cli_index_rank_clauses_matrix(tmp_path):
    corpus = _make_corpus(tmp_path / "corpus")
    runner = CliRunner()
    result = runner.invoke(main, ["index", "--corpus", str(corpus), "--lang", "en"])
    assert result.exit_code == 0
    assert "9 added" in result.stdout  # 8 readable plans and the seed, a corpus row too and "1 skipped" in result.stdout and "broken.txt" in result.stderr
    assert (corpus / ".compare" / "index.sqlite").exists()

    result = runner.invoke(main, ["rank", str(DATA / "sections" / "law_style.md"), "--corpus", str(corpus), "--format", "json"])
    assert result.exit_code == 0, result.output
    ranks = [json.loads(line) for line in result.stdout.splitlines()]
    assert ranks[0]["name"].startswith("variant-")  # a variant of itself ranks first
    assert "law_style" not in [r["name"] for r in ranks]  # the plan itself is left out
    assert all(0 <= r["score"] <= 1 and 0 <= r["coverage"] <= 1 for r in ranks)
    assert [r["score"] for r in ranks] == sorted((r["score"] for r in ranks), reverse=True)

    result = runner.invoke(main, ["clauses", "--query", STOCK, "--corpus", str(corpus), "--format", "json"])
    hits = [json.loads(line) for line in result.stdout.splitlines()]
    assert hits and all(h["boilerplate"] for h in hits) and hits[0]["plans_with_it"] == 4

    out = tmp_path / "clauses.csv"
    result = runner.invoke(main, ["clauses", str(DATA / "sections" / "plan_style.txt"), "--corpus", str(corpus),
                                  "--format", "csv", "-o", str(out)])
    assert result.exit_code == 0
    raw = out.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    assert "培育地方法人金融机构" in raw.decode("utf-8-sig") or "金融" in raw.decode("utf-8-sig")
    # the table names each query clause where it stands in PLAN, as written (the CSV keeps the id)
    table = runner.invoke(main, ["clauses", str(DATA / "sections" / "plan_style.txt"), "--corpus", str(corpus)])
    labels = [line.split("  ")[0] for line in table.stdout.splitlines() if line and not line.startswith(" ")]
    assert labels and all(re.fullmatch(r"\S+ 第\d+句", label) for label in labels), labels[:3]
    assert all("#" not in label for label in labels) and "#" in raw.decode("utf-8-sig")

    page = tmp_path / "matrix.html"
    result = runner.invoke(main, ["matrix", str(DATA / "sections" / "plan_style.txt"), "--corpus", str(corpus), "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    assert html.count('class="row-label"') == 8  # every other plan (and the seed), once
    assert 'href="./plan_style_vs_' not in html  # no pairwise report beside the page: no link to one


def test_run_all_writes_reports_and_counts_skips(tmp_path):
    corpus = _make_corpus(tmp_path / "corpus", n_variants=2)
    out = tmp_path / "reports"
    result = CliRunner().invoke(main, ["run", "--all", str(DATA / "sections" / "plan_style.txt"), "--corpus", str(corpus),
                                       "-o", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    names = sorted(p.name for p in out.iterdir())
    assert "index.html" in names and len(names) == 7  # 5 other readable plans, the seed + the matrix page
    assert "skipped 1" in result.stderr and "broken.txt" in result.stderr


class _Terminal:
    """A stand-in for a terminal's stderr: the progress bar draws only on a terminal."""

    def __init__(self):
        self.written = []

    def isatty(self):
        return True

    def write(self, text):
        self.written.append(text)

    def flush(self):
        pass

    def text(self):
        return "".join(self.written)


@pytest.mark.parametrize("lang", ["zh", "en"])
def test_progress_bars_are_labelled_in_the_interface_language(tmp_path, monkeypatch, lang):
    """index, a query that brings the index up to date, run --all and reuse draw their bars with labels in --lang."""
    from types import SimpleNamespace

    from compare import cli_common

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("law_style.md", "plan_style.txt", "mixed_style.txt"):
        shutil.copy(DATA / "sections" / name, corpus / name)
    plan = str(corpus / "plan_style.txt")
    labels = {"zh": ["正在建立索引", "正在比较", "正在查找文本复用"], "en": ["indexing", "comparing", "reuse"]}
    indexing, comparing, reuse = labels[lang]
    runs = [(["index"], indexing), (["clauses", "--query", "绿色金融"], indexing), (["rank", plan], indexing),
            (["matrix", plan, "-o", str(tmp_path / "m.html")], indexing),
            (["run", "--all", plan, "-o", str(tmp_path / "all")], comparing),
            (["reuse", "--scheduler", "local", "-o", str(tmp_path / "reuse")], reuse)]
    for i, (command, label) in enumerate(runs):
        (corpus / f"new-{i}.txt").write_text(f"示范规划{i}\n一、总体要求\n（一）指导思想。推动绿色金融发展{i}。\n",
                                             encoding="utf-8")  # something for the index to bring up to date
        terminal = _Terminal()
        monkeypatch.setattr(cli_common, "sys", SimpleNamespace(stderr=terminal))
        result = CliRunner().invoke(main, [*command, "--corpus", str(corpus), "--lang", lang])
        assert result.exit_code == 0, result.output
        drawn = terminal.text()
        assert label in drawn, (command, drawn)
        assert not any(other in drawn for other in labels["en" if lang == "zh" else "zh"]), (command, drawn)


def test_a_skipped_file_is_warned_about_in_one_language(tmp_path):
    """Every command that skips an unreadable corpus file says why in the interface language, on the terminal
    and on the pages; JSON keeps the English."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("law_style.md", "plan_style.txt"):
        shutil.copy(DATA / "sections" / name, corpus / name)
    (corpus / "empty.txt").write_bytes(b"")
    (corpus / "broken.txt").write_bytes(b"\x81\x20\xfe\x20" * 50)
    a, b = str(corpus / "law_style.md"), str(corpus / "plan_style.txt")
    empty = {"zh": f"{corpus / 'empty.txt'}：空文件", "en": f"{corpus / 'empty.txt'}: empty file"}
    broken = {"zh": f"{corpus / 'broken.txt'}：无法解码：不是 UTF-8（自第 0 字节起无效）、UTF-16、GB18030 或 Big5 编码"
                    "（可试用 --encoding）",
              "en": f"{corpus / 'broken.txt'}: undecodable bytes: not UTF-8 (invalid from byte 0), UTF-16, GB18030 or "
                    "Big5 (try --encoding)"}
    runner = CliRunner()
    for lang, other in (("zh", "en"), ("en", "zh")):
        prefix = {"zh": "警告：", "en": "warning: "}[lang]
        skipped = {"zh": "（已跳过）", "en": " (skipped)"}[lang]
        commands = [(["run", a, b, "-o", str(tmp_path / f"r-{lang}.html")], skipped),
                    (["index"], ""), (["rank", a], ""),
                    (["profile", "--all", "-o", str(tmp_path / f"p-{lang}.html")], ""),
                    (["run", "--all", a, "-o", str(tmp_path / f"all-{lang}")], "")]
        for command, suffix in commands:
            (corpus / "empty.txt").touch()  # the index reads it again
            result = runner.invoke(main, [*command, "--corpus", str(corpus), "--lang", lang])
            assert result.exit_code == 0, result.output
            lines = result.stderr.splitlines()
            assert prefix + empty[lang] + suffix in lines and prefix + broken[lang] + suffix in lines, (command, lines)
            assert empty[other] not in result.stderr and broken[other] not in result.stderr
        page = (tmp_path / f"r-{lang}.html").read_text(encoding="utf-8")
        assert html.escape(empty[lang] + skipped, quote=False) in page and empty[other] not in page
        page = (tmp_path / f"p-{lang}.html").read_text(encoding="utf-8")
        assert html.escape(broken[lang], quote=False) in page and broken[other] not in page
    data = json.loads(runner.invoke(main, ["profile", "--all", "--corpus", str(corpus), "--format", "json"]).stdout)
    assert sorted(data["skipped"]) == [broken["en"], empty["en"]]


@pytest.mark.parametrize("command", [["index"], ["rank", str(SEED)], ["clauses", "--query", "绿色金融"],
                                     ["matrix", str(SEED), "-o", "m.html"], ["run", "--all", str(SEED), "-o", "m"],
                                     ["profile", "--all"], ["reuse", "--scheduler", "local", "-o", "m"],
                                     ["run", str(SEED), "aml-law-2024"], ["sections", "aml-law-2024"]],
                         ids=["index", "rank", "clauses", "matrix", "run --all", "profile --all", "reuse", "run",
                              "sections"])
def test_missing_corpus_folder_is_a_clean_error(tmp_path, monkeypatch, command):
    """rank, clauses, matrix and index exited 1 (an "other error") where run and sections exit 4: a missing corpus
    folder is one user error, with one exit status (the unknown-plan status) and a line naming the folder."""
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, [*command, "--corpus", str(tmp_path / "nope")], env={"COMPARE_LANG": "en"})
    assert result.exit_code == ExitStatus.UNKNOWN_PLAN, result.output
    assert "corpus folder" in result.output and "does not exist" in result.output
    assert str(tmp_path / "nope") in result.output and "Traceback" not in result.output
    assert result.output.count("\n") == 1
    assert not (tmp_path / "nope").exists() and not (tmp_path / "m.html").exists() and not (tmp_path / "m").exists()


@needs_corpus
def test_real_queries_find_the_matching_clauses_first(shared_corpus, tmp_path):
    index = tmp_path / "index.sqlite"
    runner = CliRunner()
    green = runner.invoke(main, ["clauses", "--query", "支持发行绿色债券，推动绿色金融改革创新", "--corpus", str(shared_corpus),
                                 "--index", str(index), "--format", "json", "--top", "4"])
    hits = [json.loads(line) for line in green.stdout.splitlines()]
    assert [h["plan"] for h in hits if h["plan"] != SEED.stem] == ["huzhou-green-finance-promotion-regulation-2021"] * 3
    small = runner.invoke(main, ["clauses", "--query", "规范发展小额贷款公司和融资担保公司", "--corpus", str(shared_corpus),
                                 "--index", str(index), "--format", "json", "--top", "4"])
    hits = [json.loads(line) for line in small.stdout.splitlines()]
    assert len(hits) == 4 and all("小额贷款公司" in h["text"] for h in hits)
    ranked = runner.invoke(main, ["rank", str(SEED), "--corpus", str(shared_corpus), "--index", str(index), "--format", "json"])
    names = [json.loads(line)["name"] for line in ranked.stdout.splitlines()]
    assert names[0] == "cq-ftz-regulation-2019"  # the Chongqing FTZ regulation is closest to the Chengdu-Chongqing plan
    assert len(names) == 10


def test_corpus_idf_equals_sklearn_over_the_same_sections(tmp_path):
    from compare.tfidf import fit

    corpus = _make_corpus(tmp_path / "corpus")
    index = tmp_path / "index.sqlite"
    store.refresh(corpus, index)
    indexed, _ = store.open_corpus(corpus, index, refresh_first=False)
    db = sqlite3.connect(index)
    units = []
    for (doc_id,) in db.execute("SELECT id FROM documents").fetchall():
        tokens = stored_tokens(db, doc_id)
        units += [tokens[a:a + k] for *_, a, k, _ in sections_of(db, doc_id) if k]
    reference = fit(units)
    assert indexed.stats.vocabulary == reference.vocabulary
    assert indexed.stats.idf == pytest.approx(reference.idf)


def test_read_only_corpus_keeps_its_index_in_the_cache(tmp_path, monkeypatch):
    corpus = _make_corpus(tmp_path / "corpus", n_variants=0)
    real_access = os.access
    monkeypatch.setattr(os, "access", lambda p, mode: False if str(p) == str(corpus) else real_access(p, mode))
    path = store.default_index_path(corpus)
    assert corpus not in path.parents and path.name.startswith("corpus-")
    report = store.refresh(corpus)
    assert len(report.added) == 4 and path.exists() and not (corpus / ".compare").exists()


def test_derived_rows_are_the_rows_of_each_plans_own_tokens(tmp_path):
    """The rows the index derives from stored token ids are, bit for bit, the corpus IDF's rows of the tokens
    the plan itself gives: the plan (all its sections), each unit with its items, each clause."""
    from compare.models import Role, roles
    from compare.tfidf import section_tokens
    from compare.tokenize import Segmentation, segment

    corpus = _make_corpus(tmp_path / "corpus")
    indexed, _ = store.open_corpus(corpus, tmp_path / "index.sqlite")
    try:
        for k, d in enumerate(indexed.docs):
            doc = load_plan(corpus / d["key"])
            seg = Segmentation(doc.text, segment(doc.text))
            role = roles(doc)
            units = [s for s in doc.walk() if role[s.id] == Role.UNIT]
            expected = {
                "docs": [[t for s in doc.walk() for t in section_tokens(doc, seg, s)]],
                "units": [[t for x in u.walk() if x is u or role[x.id] == Role.ITEM for t in section_tokens(doc, seg, x)]
                          for u in units],
                "clauses": [seg.tokens(*c.span) for s in doc.walk() for c in s.clauses],
            }
            got = {"docs": indexed.doc_rows[k:k + 1],
                   "units": indexed.unit_rows[(indexed.unit_doc == k).nonzero()[0]],
                   "clauses": indexed.clause_rows[(indexed.clause_doc == k).nonzero()[0]]}
            for name, token_lists in expected.items():
                want = indexed.stats.rows(token_lists).to_scipy()
                assert got[name].shape == want.shape, (d["key"], name)
                assert got[name].toarray().tolist() == want.toarray().tolist(), (d["key"], name)
    finally:
        indexed.close()


@pytest.mark.parametrize("command", [["index"], ["rank", "variant-0"], ["run", "variant-0", "variant-1", "-o", "r.html"],
                                     ["reuse", "-o", "reuse-out"], ["profile", "--all"],
                                     ["run", "--all", "variant-0", "-o", "all"]],
                         ids=["index", "rank", "run", "reuse", "profile --all", "run --all"])
def test_a_dangling_link_or_a_fifo_among_the_plans_is_warned_about_and_counted(tmp_path, monkeypatch, command):
    """They were left out in silence; a plan linked in from another folder broke `reuse` (its key was
    taken from the link's target). `run --all` warned twice about a dangling link (the index said "cannot read
    (No such file or directory)", the comparison "no such file") and counted it twice: once each now."""
    monkeypatch.chdir(tmp_path)
    corpus = _make_corpus(tmp_path / "corpus", n_variants=2)
    (corpus / "broken.txt").unlink()
    (corpus / "gone.md").symlink_to(tmp_path / "nowhere.md")
    os.mkfifo(corpus / "pipe.md")
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    shutil.copy(DATA / "sections" / "law_style.md", elsewhere / "law.md")
    (corpus / "linked.md").symlink_to(elsewhere / "law.md")
    result = CliRunner().invoke(main, [*command, "--corpus", str(corpus), "--lang", "en"])
    assert result.exit_code == 0, result.output
    warned = [line for line in result.stderr.splitlines() if "gone.md" in line or "pipe.md" in line]
    assert len(warned) == 2 and any("not a regular file" in line for line in warned), result.stderr
    counted = {"index": "2 skipped", "rank": "2 skipped", "run": "2 corpus files could not be read and were skipped",
               "reuse": "skipped 2", "profile": "2 files skipped", "run --all": "; skipped 2"}[
        "run --all" if "--all" in command and command[0] == "run" else command[0]]
    assert counted in result.output, result.output


def test_matrix_of_an_empty_corpus_says_so(tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    result = CliRunner().invoke(main, ["matrix", "--corpus", str(corpus), "-o", str(tmp_path / "m.html"), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert f"{corpus}: no plan files in the corpus folder; the page holds the seeds alone" in result.stderr


def test_matrix_cells_read_as_they_are_shaded_and_the_hint_says_when_they_link(tmp_path):
    """A cell of 0.196 read 0.20 (rounded) beside a 0.20 of another shade, and the hint promised links to
    reports that were not beside the page. Values are cut to two decimals, as the shade and rank's coverage
    read them; the hint says when the cells link."""
    import re

    corpus = _make_corpus(tmp_path / "corpus", n_variants=2)
    page = tmp_path / "m.html"
    result = CliRunner().invoke(main, ["matrix", str(SEED), "--corpus", str(corpus), "-o", str(page)])
    assert result.exit_code == 0, result.output
    html = page.read_text(encoding="utf-8")
    cells = re.findall(r'class="cov cov-(\d)">([0-9.]+)<', html)
    assert cells and all(int(shade) == min(9, int(round(float(shown) * 100)) // 10) for shade, shown in cells)
    assert "两两对比报告与本页在同一文件夹时（compare run --all），每格链接到对应报告" in html and "<td class=\"cov" in html
    tips = re.findall(r"<title>([^<]+ × [^<]+)</title>", html)  # a cell names both plans by title and year
    assert tips and all(re.match(r"\S.*（[\w-]+） × \S.*（[\w-]+）: \d\.\d\d$", tip) for tip in tips), tips[:3]
    assert 'class="cov cov-' in html and "<a href=" not in html.split('<table class="coverage">')[1]


@needs_corpus
def test_the_matrix_covers_what_rank_covers(shared_corpus, tmp_path):
    """The coverage table rounded 0.1996 to 0.20 and shaded it covered: its cq-ftz column had 19 cells at
    0.20 or more where rank's coverage said 18 of 38. Cut, each column counts what rank counts."""
    from compare import api

    folder = tmp_path / "corpus"
    shutil.copytree(shared_corpus, folder)
    index = str(tmp_path / "i.sqlite")
    m, _ = api.matrix(str(SEED), str(folder), index, top=40)
    ranks, _ = api.rank(str(SEED), str(folder), index, top=40)
    covered = {r.name: round(r.coverage * len(m.rows)) for r in ranks}
    counts = {col["name"]: sum(row[k] >= 0.2 for row in m.coverage) for k, col in enumerate(m.columns)}
    assert covered and all(counts[name] == covered[name] for name in covered if name in counts)
    assert any(covered.values())
