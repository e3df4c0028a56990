"""Outputs never destroy a user's file: plans, symlinks, devices, FIFOs, folders (issue 13, part 1)."""
from __future__ import annotations

import json
import os
import stat
import threading

import pytest
from click.testing import CliRunner

from compare.cli import main
from conftest import SEED
from compare.errors import ExitStatus

PLAN_A = "第一条 为了规范地方金融组织，制定本条例。\n第二条 小额贷款公司应当依法经营。\n"
PLAN_B = "第一条 为了促进地方金融发展，制定本条例。\n第二条 小额贷款公司应当依法经营，接受监督管理。\n"


@pytest.fixture
def plans(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text(PLAN_A, encoding="utf-8")
    b.write_text(PLAN_B, encoding="utf-8")
    return a, b


def run(*args):
    return CliRunner().invoke(main, ["run", *map(str, args), "--corpus", "no-corpus-here"])


def test_outputs_over_the_plans_being_read_are_refused(plans):
    a, b = plans
    result = run(a, b, "-o", a, "--json", b)
    assert result.exit_code == ExitStatus.BAD_ARGUMENTS
    assert "is read by this command" in result.output and result.output.count("\n") == 1
    assert a.read_text(encoding="utf-8") == PLAN_A and b.read_text(encoding="utf-8") == PLAN_B


def test_a_symlink_to_a_plan_is_refused_too(plans, tmp_path):
    a, b = plans
    (tmp_path / "report.html").symlink_to(a)
    result = run(a, b, "-o", tmp_path / "report.html")
    assert result.exit_code == ExitStatus.BAD_ARGUMENTS
    assert a.read_text(encoding="utf-8") == PLAN_A and (tmp_path / "report.html").is_symlink()


def test_a_corpus_plan_is_never_overwritten(plans, tmp_path):
    a, b = plans
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    other = corpus / "other.md"
    other.write_text(PLAN_B, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", str(a), str(b), "--corpus", str(corpus), "--json", str(other)])
    assert result.exit_code == ExitStatus.BAD_ARGUMENTS
    assert other.read_text(encoding="utf-8") == PLAN_B


def test_writing_through_a_symlink_keeps_the_link(plans, tmp_path):
    a, b = plans
    real = tmp_path / "reports" / "real.html"
    real.parent.mkdir()
    real.write_text("old report", encoding="utf-8")
    real.chmod(0o640)
    link = tmp_path / "latest.html"
    link.symlink_to(real)
    result = run(a, b, "-o", link)
    assert result.exit_code == 0, result.output
    assert link.is_symlink() and os.readlink(link) == str(real)
    assert real.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert stat.S_IMODE(real.stat().st_mode) == 0o640  # an overwritten file keeps its permissions


def test_a_dangling_symlink_is_refused(plans, tmp_path):
    a, b = plans
    (tmp_path / "gone.html").symlink_to(tmp_path / "missing" / "x.html")
    result = run(a, b, "-o", tmp_path / "gone.html")
    assert result.exit_code == ExitStatus.BAD_ARGUMENTS and "missing file" in result.output
    assert not (tmp_path / "missing").exists()


def test_dev_null_stays_a_character_device(plans):
    a, b = plans
    result = run(a, b, "--json", os.devnull, "-o", os.devnull)
    assert result.exit_code == 0, result.output
    assert stat.S_ISCHR(os.stat(os.devnull).st_mode)


def test_a_fifo_is_written_directly(plans, tmp_path):
    a, b = plans
    fifo = tmp_path / "pipe"
    os.mkfifo(fifo)
    received = []
    reader = threading.Thread(target=lambda: received.append(fifo.read_text(encoding="utf-8")))
    reader.start()
    result = run(a, b, "--json", fifo, "--no-html")
    reader.join(timeout=30)
    assert result.exit_code == 0, result.output
    assert stat.S_ISFIFO(os.stat(fifo).st_mode)
    assert json.loads(received[0])["a"]["name"] == "a"


def test_a_folder_means_the_default_name_inside_it(plans, tmp_path):
    a, b = plans
    (tmp_path / "out").mkdir()
    result = run(a, b, "-o", tmp_path / "out", "--json", str(tmp_path / "new") + "/")
    assert result.exit_code == 0, result.output
    assert (tmp_path / "out" / "a_vs_b.html").read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert json.loads((tmp_path / "new" / "a_vs_b.json").read_text(encoding="utf-8"))["b"]["name"] == "b"


def test_run_all_writes_into_a_folder_named_after_the_plan(plans, tmp_path):
    a, b = plans
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "b.md").write_text(PLAN_B, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--all", str(a), "--corpus", str(corpus)])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "a_vs_corpus").iterdir()) == [
        "a_vs_b.html", f"a_vs_{SEED.stem}.html", "index.html"]  # the seed is a corpus plan too
    assert "a_vs_corpus" in result.output


@pytest.mark.parametrize("make", ["same-file-twice"])
def test_other_targets_are_refused_before_any_work(plans, tmp_path, make):
    a, b = plans
    args = ["-o", tmp_path / "x.out", "--json", tmp_path / "x.out"]
    result = run(a, b, *args)
    assert result.exit_code == ExitStatus.BAD_ARGUMENTS, result.output
    assert "Traceback" not in result.output and result.output.count("\n") == 1
    assert not (tmp_path / "x.out").exists()
    assert not list(tmp_path.glob(".*.tmp"))


def test_an_earlier_report_is_overwritten(plans, tmp_path):
    a, b = plans
    out = tmp_path / "r.html"
    out.write_text("an earlier report", encoding="utf-8")
    assert run(a, b, "-o", out).exit_code == 0
    assert "an earlier report" not in out.read_text(encoding="utf-8")


def test_an_over_long_output_name_is_a_bad_argument(plans, tmp_path):
    a, b = plans
    result = run(a, b, "-o", tmp_path / ("长" * 200 + ".html"))
    assert result.exit_code == ExitStatus.BAD_ARGUMENTS
    assert "file name too long" in result.output and "Traceback" not in result.output


def test_rank_output_never_replaces_a_corpus_plan(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(PLAN_A, encoding="utf-8")
    (corpus / "b.md").write_text(PLAN_B, encoding="utf-8")
    result = CliRunner().invoke(main, ["rank", "a", "--corpus", str(corpus), "-o", str(corpus / "b.md")])
    assert result.exit_code == ExitStatus.BAD_ARGUMENTS
    assert (corpus / "b.md").read_text(encoding="utf-8") == PLAN_B
    assert not (corpus / ".compare").exists()  # refused before indexing


@pytest.mark.parametrize("command", ["rank", "clauses", "matrix"])
def test_the_meta_file_is_never_an_output(tmp_path, monkeypatch, command):
    """--meta is read: `rank a --meta m.tsv -o m.tsv` replaced the metadata with the table."""
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "a.md").write_text(PLAN_A, encoding="utf-8")
    (corpus / "b.md").write_text(PLAN_B, encoding="utf-8")
    meta = corpus / "MANIFEST.tsv"
    meta.write_text("file\ttitle\nb.md\t乙条例\n", encoding="utf-8")
    result = CliRunner().invoke(main, [command, "a", "--corpus", str(corpus), "--meta", str(meta), "-o", str(meta)])
    assert result.exit_code == ExitStatus.BAD_ARGUMENTS, result.output
    assert "is read by this command (a plan, --meta or --decisions)" in result.output
    assert meta.read_text(encoding="utf-8") == "file\ttitle\nb.md\t乙条例\n"


def test_run_all_never_replaces_a_corpus_plan_named_index_html(plans, tmp_path):
    """`run --all A -o CORPUS` wrote its matrix page over a corpus plan named index.html, which it had just read."""
    a, _ = plans
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    page = "<html><body><p>第一条 为了促进地方金融发展，制定本条例。</p></body></html>"
    (corpus / "index.html").write_text(page, encoding="utf-8")
    result = CliRunner().invoke(main, ["run", "--all", str(a), "--corpus", str(corpus), "-o", str(corpus)])
    assert result.exit_code == ExitStatus.BAD_ARGUMENTS, result.output
    assert (corpus / "index.html").read_text(encoding="utf-8") == page
    assert sorted(p.name for p in corpus.iterdir() if not p.name.startswith(".")) == ["index.html"]  # refused first


def test_dash_as_output_is_standard_output_not_a_file(plans, tmp_path):
    a, b = plans
    html = run(a, b, "-o", "-")
    assert html.exit_code == 0, html.output
    assert html.stdout.startswith("<!DOCTYPE html>") and not (tmp_path / "-").exists()
    both = run(a, b, "-o", "-", "--json", "-")
    assert both.exit_code == ExitStatus.BAD_ARGUMENTS and "cannot both go to standard output" in both.output
    profile = CliRunner().invoke(main, ["profile", str(a), "-o", "-", "--corpus", "no-corpus-here"])
    assert profile.exit_code == 0, profile.output
    assert profile.stdout and not (tmp_path / "-").exists()


@pytest.mark.parametrize("command", [["matrix", str(SEED)], ["profile", str(SEED)], ["profile", "--all"],
                                     ["rank", str(SEED)], ["clauses", "--query", "小额贷款公司应当依法经营"]],
                         ids=["matrix", "profile", "profile --all", "rank", "clauses"])
def test_dash_is_standard_output_for_every_command_whose_o_names_a_file(plans, tmp_path, command):
    """`compare matrix -o -` wrote a file named "-"; every -o that names a file takes "-" for standard output."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "b.md").write_text(PLAN_B, encoding="utf-8")
    result = CliRunner().invoke(main, [*command, "--corpus", str(corpus), "-o", "-"])
    assert result.exit_code == 0, result.output
    assert result.stdout.strip() and not (tmp_path / "-").exists()
    assert "-" not in {p.name for p in corpus.iterdir()}
    if command[0] == "matrix":
        assert result.stdout.startswith("<!DOCTYPE html>") and "已写入" not in result.stderr


@pytest.mark.parametrize("command", [["run", "--all", "a.md"], ["reuse", "--scheduler", "local"]], ids=lambda c: c[0])
def test_dash_is_refused_where_o_names_a_folder(plans, tmp_path, command):
    """run --all and reuse write several files into -o DIR: '-' cannot be that folder, and no folder "-" appears."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "b.md").write_text(PLAN_B, encoding="utf-8")
    result = CliRunner().invoke(main, [*command, "--corpus", str(corpus), "-o", "-"])
    assert result.exit_code == ExitStatus.BAD_ARGUMENTS, result.output
    assert "standard output" in result.output and not (tmp_path / "-").exists()


def test_a_clipped_title_keeps_its_closing_note_and_copies_stand_on_their_own_line():
    """With MANIFEST.tsv as --meta, 上海市优化营商环境条例（2020年原文） and （2024年修正文本） were both cut to
    上海市优化营商环境条例（20…: the note that tells the versions apart was what went. A plan's copies widened
    the name column of every row; they stand on a line under its name."""
    from compare.pages import _clip, display_width, render_rank
    from compare.ranking import PlanRank

    for title in ("上海市优化营商环境条例（2020年原文）", "上海市优化营商环境条例（2024年修正文本）"):
        clipped = _clip(title, 34)
        assert display_width(clipped) <= 34 and clipped.endswith(title[title.index("（"):]) and "…" in clipped
    assert _clip("没有括注的一个很长很长很长很长很长很长很长的标题", 20).endswith("…")
    ranks = [PlanRank("plan-2021", "丙区金融改革方案", "2021-12-13", "p", 0.415, 0.33, 1, ["plan-2021-news"]),
             PlanRank("trade-2019", "丁省自由贸易试验区条例", "2019-09-26", "q", 0.274, 0.33, 1, [])]
    lines = render_rank(ranks, "table", "zh").splitlines()
    assert lines[1].split()[1] == "plan-2021" and lines[2].strip() == "（含近同副本：plan-2021-news）"
    assert lines[3].split()[1] == "trade-2019" and display_width(lines[1]) == display_width(lines[3])
