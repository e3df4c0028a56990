"""Reuse results kept in the corpus index: `compare clauses` and the pair report's clause panel show them
("appears in N plans, first in X (date)") while the plans are unchanged, and never when stale."""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from compare.cli import main
from test_reuse import NEGATIVE_LIST, OPENING, PENALTY, write_plans


def invoke(*args):
    result = CliRunner().invoke(main, [str(a) for a in args])
    assert result.exit_code == 0, result.output
    return result


@pytest.fixture
def plans(tmp_path):
    return write_plans(tmp_path / "plans")


def page_count(report, text):
    return report.read_text(encoding="utf-8").count(text)


def reuse(plans, tmp_path, *extra):
    return invoke("reuse", "--corpus", plans, "--scheduler", "local", "-o", tmp_path / "out", *extra)


def clause_hits(plans, query, *extra):
    result = invoke("clauses", "--corpus", plans, "--query", query, "--format", "json", *extra)
    return [json.loads(line) for line in result.stdout.splitlines()], result


def test_reuse_keeps_clusters_in_the_corpus_index_and_clauses_shows_them(plans, tmp_path):
    ran = reuse(plans, tmp_path)
    index = plans / ".compare" / "index.sqlite"
    assert index.is_file() and f"复用结果已存入索引 {index}" in ran.stderr
    table = invoke("clauses", "--corpus", plans, "--query", NEGATIVE_LIST).stdout
    # A (2015) said it first; B copies it, C has it with one word changed: three plans, as read in test_reuse
    assert "出现于 3 份文件，最早见于 a-2015（2015-03-01）" in table
    english = invoke("clauses", "--corpus", plans, "--query", NEGATIVE_LIST, "--lang", "en").stdout
    assert "appears in 3 plans, first in a-2015 (2015-03-01)" in english
    hits, _ = clause_hits(plans, NEGATIVE_LIST)
    assert {h["plan"] for h in hits} == {"a-2015", "b-2018", "c-2020"}
    assert {(h["reuse_cluster"] > 0, h["group_plans"], h["group_first_plan"]) for h in hits} == {(True, 3, "a-2015")}
    assert [h["earliest"] for h in hits if h["plan"] == "a-2015"] == [True]


def test_the_reuse_cluster_counts_plans_the_hits_do_not_show(plans, tmp_path):
    """With --top 1 one hit shows, but the group still appears in all the cluster's plans, first in B."""
    reuse(plans, tmp_path)
    hits, _ = clause_hits(plans, PENALTY, "--top", "1")
    assert len(hits) == 1 and hits[0]["group_plans"] == 3  # b-2018, c-2020 (twice), d-2021
    assert (hits[0]["group_first_plan"], hits[0]["group_first_date"]) == ("b-2018", "2018-06-01")
    hits, _ = clause_hits(plans, PENALTY, "--top", "1", "--min-score", "0.99")
    assert hits[0]["group"] == 1  # a single hit is a group, because the reuse cluster spans plans


def test_first_plan_follows_the_dates_the_index_keeps(plans, tmp_path):
    """--meta redates C before A: the group's first plan is C, never a plan dated after a member."""
    reuse(plans, tmp_path)
    meta = tmp_path / "meta.csv"
    meta.write_text("file,date\nc-2020.md,2010-01-01\n", encoding="utf-8")
    hits, _ = clause_hits(plans, NEGATIVE_LIST, "--meta", meta)
    assert {(h["group_first_plan"], h["group_first_date"]) for h in hits} == {("c-2020", "2010-01-01")}
    for h in hits:
        assert h["group_first_date"] <= h["date"]
        assert h["earliest"] == (h["plan"] == "c-2020")


def test_a_stale_result_is_not_shown_and_says_why(plans, tmp_path):
    reuse(plans, tmp_path)
    with open(plans / "e-2019.md", "a", encoding="utf-8") as fh:
        fh.write("\n第二条 新增的条款，规范发展地方金融。\n")
    hits, result = clause_hits(plans, NEGATIVE_LIST)
    assert "索引中的文本复用结果早于语料中规划的当前版本" in result.stderr
    assert {h["reuse_cluster"] for h in hits} == {0}
    assert {h["group_plans"] for h in hits} == {3}  # the near-identical group of the hits found, as before
    report = tmp_path / "ab.html"
    invoke("run", "a-2015", "b-2018", "--corpus", plans, "-o", report)
    assert 'class="reuse-note"' not in report.read_text(encoding="utf-8")
    reuse(plans, tmp_path)  # run again: current again
    hits, result = clause_hits(plans, NEGATIVE_LIST)
    assert "复用结果早于" not in result.stderr
    assert {h["reuse_cluster"] > 0 for h in hits} == {True}


def test_the_pair_report_clause_panel_shows_the_kept_clusters(plans, tmp_path):
    report = tmp_path / "ab.html"
    invoke("run", "a-2015", "b-2018", "--corpus", plans, "-o", report, "--json", tmp_path / "none.json")
    assert not (plans / ".compare").exists() and 'class="reuse-note"' not in report.read_text(encoding="utf-8")
    assert json.loads((tmp_path / "none.json").read_text(encoding="utf-8"))["reuse"] == {"a": {}, "b": {}}
    reuse(plans, tmp_path)
    invoke("run", "a-2015", "b-2018", "--corpus", plans, "-o", report)
    page = report.read_text(encoding="utf-8")
    assert page.count("出现于 3 份文件，最早见于 a-2015（2015-03-01）") == 2  # NEGATIVE_LIST, on both sides
    assert page.count("出现于 2 份文件，最早见于 a-2015（2015-03-01）") == 2  # OPENING
    out = tmp_path / "ab.json"
    invoke("run", "a-2015", "b-2018", "--corpus", plans, "-o", report, "--json", out)
    kept = json.loads(out.read_text(encoding="utf-8"))["reuse"]  # the JSON says what the panel shows
    def found(side):
        return sorted((x["plans"], x["first_plan"], x["first_date"]) for x in kept[side].values())

    assert found("a") == [(2, "a-2015", "2015-03-01"), (3, "a-2015", "2015-03-01")]  # OPENING, NEGATIVE_LIST
    assert found("b") == [(2, "a-2015", "2015-03-01"), (3, "a-2015", "2015-03-01"),
                          (3, "b-2018", "2018-06-01")]  # and PENALTY, a formula B is the first to say
    invoke("run", "a-2015", "b-2018", "--corpus", plans, "-o", report, "--lang", "en")
    assert "appears in 2 plans, first in a-2015 (2015-03-01)" in report.read_text(encoding="utf-8")
    (plans / "z-early.md").write_text(f"---\ntitle: 规划z\ndate: 2001-01-01\n---\n\n第一条 {OPENING}\n",
                                      encoding="utf-8")  # an earlier plan says OPENING: it is first now
    reuse(plans, tmp_path)
    invoke("run", "a-2015", "b-2018", "--corpus", plans, "-o", report)
    assert page_count(report, "出现于 3 份文件，最早见于 z-early（2001-01-01）") == 2


def test_no_index_and_an_index_file_elsewhere(plans, tmp_path):
    ran = reuse(plans, tmp_path, "--no-index")
    assert not (plans / ".compare").exists() and "索引" not in ran.stderr.split("文本复用")[0].replace("broken", "")
    elsewhere = tmp_path / "idx.sqlite"
    reuse(plans, tmp_path, "--index", elsewhere)
    assert elsewhere.is_file() and not (plans / ".compare").exists()
    hits, _ = clause_hits(plans, OPENING, "--index", elsewhere)
    assert {(h["reuse_cluster"] > 0, h["group_plans"]) for h in hits} == {(True, 2)}
    hits, _ = clause_hits(plans, OPENING)  # the corpus's own index holds no reuse results
    assert {h["reuse_cluster"] for h in hits} == {0}


def test_reuse_refuses_a_file_that_is_not_an_index(plans, tmp_path):
    other = tmp_path / "notes.txt"
    other.write_text("not an index", encoding="utf-8")
    result = CliRunner().invoke(main, ["reuse", "--corpus", str(plans), "--scheduler", "local",
                                       "-o", str(tmp_path / "out"), "--index", str(other)])
    assert result.exit_code != 0 and "not an index of compare" in result.output
    assert other.read_text(encoding="utf-8") == "not an index"


@pytest.fixture
def use_tokenizer(monkeypatch):
    """Switch the segmenter as COMPARE_TOKENIZER does for a new process ("" is the default, rjieba)."""
    from compare import tokenize

    def switch(name):
        monkeypatch.setenv("COMPARE_TOKENIZER", name)
        tokenize.tokenizer.cache_clear()
        tokenize.dictionary_fingerprint.cache_clear()

    yield switch
    monkeypatch.delenv("COMPARE_TOKENIZER", raising=False)
    tokenize.tokenizer.cache_clear()
    tokenize.dictionary_fingerprint.cache_clear()


def test_switching_the_tokenizer_says_why_and_keeps_the_meta_and_the_reuse_results(plans, tmp_path, use_tokenizer):
    """A rebuild for another segmenter names it (not an upgrade), keeps the --meta overrides, and shows the
    kept reuse results as stale (not silently gone): current again once the index is back on rjieba."""
    from compare import tokenize

    if tokenize.tokenizer()[0] != "rjieba":
        pytest.skip("rjieba is not installed: there is no tokenizer to switch from")
    meta = tmp_path / "meta.csv"
    meta.write_text("file,title,date\nc-2020.md,改名的规划C,2010-01-01\n", encoding="utf-8")
    invoke("index", "--corpus", plans, "--meta", meta)
    reuse(plans, tmp_path)

    use_tokenizer("jieba")
    hits, result = clause_hits(plans, NEGATIVE_LIST)
    said = [line for line in result.stderr.splitlines() if "重建" in line]
    assert len(said) == 1 and "分词器 rjieba" in said[0] and "本次运行用的是 jieba" in said[0]
    assert "另一版本" not in said[0] and "升级" not in said[0]
    assert "文本复用结果由另一分词器或另一版本的 compare 算出" in result.stderr
    assert {h["reuse_cluster"] for h in hits} == {0}
    assert {h["date"] for h in hits if h["plan"] == "c-2020"} == {"2010-01-01"}  # the kept --meta date
    english = invoke("index", "--corpus", plans, "--lang", "en").stderr
    assert "rebuilt" not in english  # built with jieba now: no rebuild while it stays

    use_tokenizer("")
    hits, result = clause_hits(plans, NEGATIVE_LIST)
    assert "分词器 jieba" in result.stderr and "复用结果" not in result.stderr
    assert {h["reuse_cluster"] > 0 for h in hits} == {True}  # computed with rjieba, current again
    assert {(h["group_first_plan"], h["group_first_date"]) for h in hits} == {("c-2020", "2010-01-01")}
    ranked = invoke("rank", "a-2015", "--corpus", plans).stdout
    assert "改名的规划C" in ranked


def _clusters(result):
    return [json.loads(line) for line in result.stdout.splitlines()]


def test_every_command_dates_a_plan_as_the_index_keeps_it(plans, tmp_path):
    """After `index --meta` redates C to 2010, clauses, reuse (its JSON and tables), run (report and JSON) and
    profile (one plan and --all) all date C 2010-01-01, not the file's 2020-01-01; a --meta given to the
    command wins. Before, only the index-reading queries (clauses, rank) did."""
    reuse(plans, tmp_path)  # computed before the --meta: the pair report still follows the index's dates
    meta = tmp_path / "meta.csv"
    meta.write_text("file,date\nc-2020.md,2010-01-01\n", encoding="utf-8")
    invoke("index", "--corpus", plans, "--meta", meta)
    hits, _ = clause_hits(plans, NEGATIVE_LIST)
    assert {(h["group_first_plan"], h["group_first_date"]) for h in hits} == {("c-2020", "2010-01-01")}

    def run_json(*extra):
        out = tmp_path / "ac.json"
        invoke("run", "a-2015", "c-2020", "--corpus", plans, "--json", out, "--no-html", *extra)
        return json.loads(out.read_text(encoding="utf-8"))

    ran = run_json()
    assert ran["b"]["date"] == "2010-01-01"
    assert {(x["first_plan"], x["first_date"]) for x in ran["reuse"]["b"].values()} >= {("c-2020", "2010-01-01")}
    clusters = _clusters(reuse(plans, tmp_path, "--format", "json"))
    negative = [c for c in clusters if {p["plan"] for p in c["plans"]} == {"a-2015", "b-2018", "c-2020"}]
    assert [c["first"] for c in negative] == [{"plan": "c-2020", "date": "2010-01-01"}]
    import pandas as pd

    members = pd.read_parquet(tmp_path / "out" / "members.parquet")
    assert set(members[members["plan"] == "c-2020"]["date"]) == {"2010-01-01"}
    one = json.loads(invoke("profile", "c-2020", "--corpus", plans, "--format", "json").stdout)
    assert one["date"] == "2010-01-01"
    rows = json.loads(invoke("profile", "--all", "--corpus", plans, "--format", "json").stdout)["plans"]
    assert [r["date"] for r in rows if r["plan"] == "c-2020"] == ["2010-01-01"]
    assert [r["plan"] for r in rows][:1] == ["c-2020"]  # ordered by the date in force

    given = tmp_path / "given.csv"  # a --meta on the command line still wins
    given.write_text("file,date\nc-2020.md,2012-12-12\n", encoding="utf-8")
    assert run_json("--meta", given)["b"]["date"] == "2012-12-12"


def test_run_reads_the_reuse_results_of_an_index_given_with_index(plans, tmp_path):
    """Results kept with `reuse --index FILE` reached clauses --index FILE but never run (which had no --index)."""
    elsewhere = tmp_path / "idx.sqlite"
    reuse(plans, tmp_path, "--index", elsewhere)
    out = tmp_path / "ab.json"
    invoke("run", "a-2015", "b-2018", "--corpus", plans, "--json", out, "--no-html")
    assert json.loads(out.read_text(encoding="utf-8"))["reuse"] == {"a": {}, "b": {}}  # the corpus's own: none
    invoke("run", "a-2015", "b-2018", "--corpus", plans, "--json", out, "--no-html", "--index", elsewhere)
    kept = json.loads(out.read_text(encoding="utf-8"))["reuse"]
    assert sorted((x["plans"], x["first_plan"]) for x in kept["a"].values()) == [(2, "a-2015"), (3, "a-2015")]
    folder = tmp_path / "all"
    invoke("run", "--all", "a-2015", "--corpus", plans, "-o", folder, "--index", elsewhere)
    assert page_count(folder / "a-2015_vs_b-2018.html", "出现于 3 份文件，最早见于 a-2015（2015-03-01）") == 2
    assert not (plans / ".compare").exists()  # read only the index given
    missing = CliRunner().invoke(main, ["run", "a-2015", "b-2018", "--corpus", str(plans), "--index",
                                        str(tmp_path / "nope.sqlite"), "-o", str(tmp_path / "x.html")])
    assert missing.exit_code == 6 and "no such index file" in missing.output
