"""The command line: thin, one-line errors, exit codes, name resolution."""
from __future__ import annotations

import json
import shutil
from pathlib import Path

import click
import pytest
from click.testing import CliRunner

from compare.errors import ExitStatus
from compare import __version__
from compare.cli import main
from conftest import DATA, SEED, needs_corpus


@pytest.fixture
def runner():
    return CliRunner()


def test_version_and_help_have_examples(runner):
    assert __version__ in runner.invoke(main, ["--version"]).output
    listed = main.list_commands(click.Context(main))
    assert {"run", "sections", "profile", "index", "rank", "clauses", "matrix", "reuse"} <= set(listed)
    from compare import cli, cli_corpus

    assert {c.name for c in cli_corpus.COMMANDS} == set(cli.CORPUS_COMMANDS)  # named where they are imported lazily
    for command in listed:
        result = runner.invoke(main, [command, "--help"])
        assert result.exit_code == 0, command
        assert "Example" in result.output, command


def test_sections_tree_and_json(runner):
    result = runner.invoke(main, ["sections", str(SEED)])
    assert result.exit_code == 0
    assert "  (二) 构建具有区域辐射力的金融市场体系" in result.output
    data = json.loads(runner.invoke(main, ["sections", str(SEED), "--format", "json", "--clauses"]).output)
    assert data["title"] == "成渝共建西部金融中心规划"
    assert [s["number"] for s in data["sections"]] == ["一、", "二、", "三、"]
    assert data["sections"][1]["children"][0]["children"][0]["clauses"][0]["text"].startswith("支持符合条件的主体")


def test_sections_labels_follow_lang(runner):
    """The outline's own labels (preamble, footer, link, navigation) are in the interface language; the plan's
    text in them is as written."""
    zh = runner.invoke(main, ["sections", str(SEED)])
    assert zh.exit_code == 0
    assert "\n[前言：320 字]\n" in zh.output
    assert "\n[页脚：（文章来源：央行网站）]\n" in zh.output
    assert "\n[链接：http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202112242225582158]\n" in zh.output
    assert zh.output.endswith("\n[导航：返回央行网站新闻｜返回首页]\n")
    assert not any(word in zh.output for word in ("preamble", "chars", "footer", "link:", "navigation"))
    en = runner.invoke(main, ["sections", str(SEED), "--lang", "en"])
    assert "\n[preamble: 320 chars]\n" in en.output and "\n[footer: （文章来源：央行网站）]\n" in en.output
    assert en.output.endswith("\n[navigation: 返回央行网站新闻｜返回首页]\n")
    assert [line for line in en.output.split("\n") if not line.startswith("[")] == [
        line for line in zh.output.split("\n") if not line.startswith("[")]  # the outline itself is the same


def test_plan_names_resolve_by_stem_and_title(runner, tmp_path, monkeypatch):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "sections" / "law_style.md", corpus / "sf-local-finance-2020.md")
    shutil.copy(DATA / "sections" / "plan_style.txt", corpus / "sf-reform-plan-2023.txt")
    monkeypatch.chdir(tmp_path)
    assert "示范省地方金融条例" in runner.invoke(main, ["sections", "sf-local"]).output
    assert "示范区金融改革创新方案" in runner.invoke(main, ["sections", "改革创新方案"]).output
    assert "成渝共建西部金融中心规划" in runner.invoke(main, ["sections", "成渝共建"]).output  # the installed seed
    ambiguous = runner.invoke(main, ["sections", "sf-"])
    assert ambiguous.exit_code == ExitStatus.UNKNOWN_PLAN
    assert "sf-local-finance-2020.md" in ambiguous.output and "sf-reform-plan-2023.txt" in ambiguous.output
    other = tmp_path / "other"
    other.mkdir()
    shutil.copy(DATA / "sections" / "mixed_style.txt", other / "fintech.txt")
    assert "金融科技" in runner.invoke(main, ["sections", "fintech", "--corpus", str(other)]).output
    monkeypatch.setenv("COMPARE_CORPUS", str(other))
    assert "金融科技" in runner.invoke(main, ["sections", "fintech"]).output


def test_titles_are_read_once_then_come_from_the_cache(tmp_path, monkeypatch):
    """Naming a plan by its title parses each plan once; a later process reads the titles from the cache, a
    file whose bytes changed is read again, and a damaged cache file is only a slower run."""
    from compare import corpus as plans, load
    from compare.corpus import resolve

    monkeypatch.setenv("COMPARE_CACHE_DIR", str(tmp_path / "cache"))
    folder = tmp_path / "corpus"
    folder.mkdir()
    shutil.copy(DATA / "sections" / "law_style.md", folder / "sf-local-finance-2020.md")
    shutil.copy(DATA / "sections" / "plan_style.txt", folder / "sf-reform-plan-2023.txt")
    read, real_load = [], load.load
    monkeypatch.setattr(load, "load", lambda path, *a, **k: read.append(Path(path).name) or real_load(path, *a, **k))

    def new_process():
        read.clear()
        monkeypatch.setattr(plans, "_KNOWN_TITLES", {})

    new_process()
    assert resolve("改革创新方案", folder) == folder / "sf-reform-plan-2023.txt"
    assert {"sf-local-finance-2020.md", "sf-reform-plan-2023.txt"} <= set(read)
    new_process()
    assert resolve("改革创新方案", folder) == folder / "sf-reform-plan-2023.txt"
    assert read == []
    plan = folder / "sf-reform-plan-2023.txt"
    plan.write_text(plan.read_text(encoding="utf-8").replace("改革创新方案", "改革试验方案", 1), encoding="utf-8")
    new_process()
    assert resolve("改革试验方案", folder) == plan
    assert read == ["sf-reform-plan-2023.txt"]
    for cache in (tmp_path / "cache" / "titles").iterdir():
        cache.write_text("{not json", encoding="utf-8")
    new_process()
    assert resolve("改革试验方案", folder) == plan
    assert "sf-reform-plan-2023.txt" in read


@pytest.mark.parametrize(
    "setup, message, code",
    [("missing", "no such file", ExitStatus.BAD_INPUT), ("empty", "empty file", ExitStatus.BAD_INPUT),
     ("binary", "binary file", ExitStatus.BAD_INPUT), ("name", "no plan named", ExitStatus.UNKNOWN_PLAN)],
)
def test_errors_are_one_line_without_traceback(runner, tmp_path, setup, message, code):
    path = tmp_path / "plan.txt"
    if setup == "empty":
        path.write_bytes(b"")
    elif setup == "binary":
        path.write_bytes(b"\x00\x01\x02" * 100)
    arg = "no-such-plan" if setup == "name" else str(path)
    result = runner.invoke(main, ["sections", arg, "--corpus", str(tmp_path)], env={"COMPARE_LANG": "en"})
    assert result.exit_code == code
    assert result.output.count("\n") == 1 and message in result.output
    assert "Traceback" not in result.output
    if setup != "name":
        assert str(path) in result.output


def test_traceback_flag_shows_the_exception(runner, tmp_path):
    result = runner.invoke(main, ["--traceback", "sections", str(tmp_path / "nope.txt")])
    assert result.exit_code != 0 and result.exception is not None
    assert type(result.exception).__name__ == "InputError"


def test_no_structure_warns_but_succeeds(runner):
    result = runner.invoke(main, ["sections", str(DATA / "sections" / "no_structure.txt"), "--lang", "en"])
    assert result.exit_code == 0
    assert "warning:" in result.stderr and "no numbered headings" in result.stderr


def test_unexpected_errors_are_one_line_unless_traceback(runner, monkeypatch):
    from compare import api

    def broken(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr(api, "outline", broken)
    result = runner.invoke(main, ["sections", str(SEED)])
    assert result.exit_code == 1
    assert result.output.count("\n") == 1 and "internal error (RuntimeError: boom)" in result.output
    assert "--traceback" in result.output
    result = runner.invoke(main, ["--traceback", "sections", str(SEED)])
    assert isinstance(result.exception, RuntimeError)


def test_terminal_output_carries_no_control_characters(runner, tmp_path):
    """Plan text is untrusted: escape sequences and bidi overrides never reach the terminal."""
    plan = tmp_path / "esc.txt"
    plan.write_text("第一条 \x1b]0;pwned\x07标题\x1b[2J清屏\u202e反转。\n第二条 \x9b31m正常条文。\n", encoding="utf-8")
    tree = runner.invoke(main, ["sections", str(plan)])
    assert tree.exit_code == 0, tree.output
    assert not any(ch in tree.output for ch in "\x1b\x07\x9b\u202e")
    assert "清屏" in tree.output and "正常条文" in tree.output
    raw = runner.invoke(main, ["sections", str(plan), "--format", "json", "--clauses"]).output
    assert "\x1b" not in raw and "\x9b" not in raw
    assert "\x1b[2J清屏" in json.loads(raw)["sections"][0]["text"]  # JSON keeps the text, escaped


def test_max_mb_option_and_environment(runner, monkeypatch):
    small = runner.invoke(main, ["--max-mb", "0.001", "sections", str(SEED)], env={"COMPARE_LANG": "en"})
    assert small.exit_code == ExitStatus.BAD_INPUT and "size cap" in small.output and "--max-mb" in small.output
    monkeypatch.delenv("COMPARE_MAX_MB", raising=False)
    assert runner.invoke(main, ["--max-mb", "5", "sections", str(SEED)]).exit_code == 0
    bad = runner.invoke(main, ["sections", str(SEED)], env={"COMPARE_MAX_MB": "lots", "COMPARE_LANG": "en"})
    assert bad.exit_code == ExitStatus.BAD_ARGUMENTS and "--max-mb" in bad.output


def test_an_unwritable_cache_only_costs_speed(tmp_path):
    """A cache folder that cannot be written (full disk, a file in its place) is no error and prints nothing."""
    import os
    import subprocess
    import sys

    blocked = tmp_path / "cache"
    blocked.write_text("not a folder", encoding="utf-8")
    env = dict(os.environ, COMPARE_CACHE_DIR=str(blocked))
    out = tmp_path / "r.html"
    done = subprocess.run([sys.executable, "-m", "compare", "run", str(SEED), str(DATA / "sections" / "law_style.md"),
                           "--corpus", str(tmp_path / "none"), "-o", str(out)], env=env, capture_output=True,
                          text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    assert "Traceback" not in done.stderr and "Dump cache" not in done.stderr
    assert out.read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    assert blocked.read_text(encoding="utf-8") == "not a folder"


def test_names_a_typo_a_missing_corpus_and_a_seed_copy(runner, tmp_path):
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "zj-local-finance-regulation-2020.md").write_text(
        "# 浙江省地方金融条例\n\n第一条 为了规范地方金融组织，制定本条例。\n", encoding="utf-8")
    typo = runner.invoke(main, ["sections", "zj-local-finance-regulaton-2020", "--corpus", str(corpus)], env={"COMPARE_LANG": "en"})
    assert typo.exit_code == ExitStatus.UNKNOWN_PLAN and "did you mean 'zj-local-finance-regulation-2020'" in typo.output
    missing = runner.invoke(main, ["sections", "zj", "--corpus", str(tmp_path / "nowhere")], env={"COMPARE_LANG": "en"})
    assert missing.exit_code == ExitStatus.UNKNOWN_PLAN and "does not exist" in missing.output
    shutil.copy(SEED, corpus / "news-copy.md")  # the seed, saved from a news site
    by_title = runner.invoke(main, ["sections", "成渝共建西部金融中心规划", "--corpus", str(corpus), "--format", "json"])
    assert by_title.exit_code == 0, by_title.output
    assert json.loads(by_title.output)["name"] == SEED.stem  # the plan in seeds/ wins over its copy


def test_rank_table_never_cuts_a_plan_name():
    from compare.ranking import PlanRank
    from compare.pages import display_width, render_rank

    long = "hengqin-cooperation-zone-promotion-regulation-2023-全文-广东省人大常委会公布"
    table = render_rank([PlanRank(long, "横琴粤澳深度合作区发展促进条例", "2023-01-09", "x.md", 0.41, 0.5, 3),
                         PlanRank("qd", "青岛市金融发展促进条例", None, "y.md", 0.2, 0.1, 0)], "table")
    assert long in table
    lines = table.splitlines()
    def column(line, text):  # display column where text starts: wide characters count double
        return display_width(line[:line.index(text)])

    assert column(lines[1], "横琴粤澳深度合作区发展促进条例") == column(lines[2], "青岛市金融发展促进条例")


def test_json_is_lines_of_rows_or_one_document_as_the_readme_says(runner, tmp_path):
    """The README said "--format json writes one object per line", but sections and profile print one indented
    document. Rows (rank, clauses, reuse) are JSON Lines; a document (an outline, a profile, the corpus's
    profiles) is one indented JSON document; the README says which is which."""
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    for name in ("law_style.md", "plan_style.txt", "mixed_style.txt"):
        shutil.copy(DATA / "sections" / name, corpus / name)
    common = ["--corpus", str(corpus)]
    rows = {"rank": ["rank", str(SEED), "--format", "json"],
            "clauses": ["clauses", "--query", "支持小额贷款公司规范发展", "--min-score", "0.1", "--format", "json"],
            "reuse": ["reuse", "--scheduler", "local", "--threshold", "0.3", "-o", str(tmp_path / "reuse"),
                      "--format", "json"]}
    documents = {"sections": ["sections", str(SEED), "--format", "json"],
                 "profile PLAN": ["profile", str(SEED), "--format", "json"],
                 "profile --all": ["profile", "--all", "--format", "json"]}
    for name, args in rows.items():
        out = runner.invoke(main, args + common)
        assert out.exit_code == 0, (name, out.output)
        lines = out.stdout.splitlines()
        assert len(lines) > 1 and all(isinstance(json.loads(line), dict) for line in lines), name
    for name, args in documents.items():
        out = runner.invoke(main, args + common)
        assert out.exit_code == 0, (name, out.output)
        assert isinstance(json.loads(out.stdout), dict) and out.stdout.count("\n") > 1, name
    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
    assert ("`--format json` writes JSON Lines (one object per line) where the output is a list of rows (`rank`, "
            "`clauses`, `reuse`), and one indented JSON document where it is one document (`sections`: the outline "
            "tree; `profile PLAN`: one profile; `profile --all`:") in readme
    assert "`--format json` writes one object per line." not in readme


@needs_corpus
def test_the_readme_figures_of_real_runs_hold(runner, shared_corpus, tmp_path):
    """The README quoted 7 articles of the 2006 AML law left only in A by `run` against 2024; a run gives 2. Each
    figure it quotes from a run that takes seconds is checked here against that run."""
    import re

    readme = " ".join((Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8").split())
    quoted = re.search(r"aml-law-2006 against 2024 while `run` leaves (\d+) articles only in A", readme)
    assert quoted, "the README no longer quotes the AML figure: update this test"
    out = runner.invoke(main, ["run", "aml-law-2006", "aml-law-2024", "--corpus", str(shared_corpus), "--json", "-",
                               "--no-html"])
    assert out.exit_code == 0, out.output
    pairs = json.loads(out.stdout)["pairs"]
    assert sum(p["kind"] == "only_a" and p["role"] == "unit" for p in pairs) == int(quoted.group(1))
    assert "仅见于甲 " + quoted.group(1) + " " in out.stderr  # what the terminal line says

    ranked = runner.invoke(main, ["rank", "aml-law-2006", "--corpus", str(shared_corpus), "--index",
                                  str(tmp_path / "index.sqlite"), "--format", "json", "--top", "1"])
    top = json.loads(ranked.stdout.splitlines()[0])
    assert (top["name"], top["coverage"]) == ("aml-law-2024", 1.0)  # "rank can show 100%"

    edges = re.search(r"On the 20 real plans, (\d+) edges", readme)
    reused = runner.invoke(main, ["reuse", "--corpus", str(shared_corpus), "--scheduler", "local", "--no-index",
                                  "-o", str(tmp_path / "reuse"), "--lang", "en"])
    assert reused.exit_code == 0, reused.output
    assert f"{edges.group(1)} plan edges" in reused.stderr and "reuse: 20 plans" in reused.stderr

    profiles = json.loads(runner.invoke(main, ["profile", "--all", "--corpus", str(shared_corpus), "--format",
                                               "json"]).stdout)
    n, median, rho, threshold = re.search(r"plus the seed \((\d+) documents\).*? a median of (\d+)% over the \d+ "
                                          r"regulations/laws.*?ρ = ([+-][\d.]+) .*?must exceed ([\d.]+)\)",
                                          readme).groups()
    assert len(profiles["plans"]) == int(n) == profiles["trend"]["plans"]
    assert f"{profiles['by_genre']['regulation']['median_binding_share']:.0%}" == median + "%"
    assert (f"{profiles['trend']['rho']:+.2f}", f"{profiles['trend']['threshold']:.2f}") == (rho, threshold)


def test_the_readme_lists_every_option_of_every_command():
    """The README never mentioned run's --no-html, --top-clauses and --clause-threshold, index --jobs, clauses
    --top and --min-score, rank --clause-threshold, matrix --top and --template-dir, reuse --workers, profile
    --format html nor --version. Its options table now has a row per command: each row names every option the
    command has, and no option it lacks."""
    import re

    readme = (Path(__file__).resolve().parent.parent / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("### Options"):readme.index("## Python and notebooks")]
    rows = {m.group(1): m.group(2) for m in re.finditer(r"^\| `(compare|\w+)`[^|]*\| (.*) \|$", section, re.M)}
    ctx = click.Context(main)
    commands = {"compare": main} | {name: main.get_command(ctx, name) for name in main.list_commands(ctx)}
    assert set(rows) == set(commands)
    for name, command in commands.items():
        has = {o for p in command.params if isinstance(p, click.Option) for o in p.opts if o.startswith("--")}
        has -= {"--output"}  # written as -o
        if any("-o" in p.opts for p in command.params):
            assert re.search(r"`-o ", rows[name]), name
        named = set(re.findall(r"(?<![\w-])--[a-z][a-z-]*", rows[name]))
        assert has <= named, (name, sorted(has - named))
        assert named <= has, (name, sorted(named - has))
    assert "`-o - --json -` together is refused" in rows["run"]
    templates = re.search(r"`--template-dir DIR` \(on ([^)]*)\)", readme).group(1)
    assert all(f"`{c}" in templates for c in ("run", "profile --all", "matrix"))


def test_run_help_says_truly_whether_the_index_keeps_meta(runner, tmp_path, monkeypatch):
    """`run --help` said of --meta "the index keeps it", but a run of two plans applies it and stores nothing
    (rank, clauses, matrix and index keep it). The help now says what each does, and this checks it."""
    monkeypatch.chdir(tmp_path)
    corpus = tmp_path / "corpus"
    corpus.mkdir()
    shutil.copy(DATA / "sections" / "law_style.md", corpus / "law.md")
    shutil.copy(DATA / "sections" / "plan_style.txt", corpus / "plan.txt")
    meta = tmp_path / "meta.csv"
    meta.write_text("file,title\nlaw.md,元数据标题\n", encoding="utf-8")
    common = ["--corpus", str(corpus)]

    def titles():
        out = runner.invoke(main, ["rank", "plan", "--format", "json", *common])
        assert out.exit_code == 0, out.output
        return {row["name"]: row["title"] for row in map(json.loads, out.stdout.splitlines())}

    assert titles()["law"] != "元数据标题"  # the index is built, without --meta
    pair = runner.invoke(main, ["run", "law", "plan", "--meta", str(meta), "--json", "-", "--no-html", *common])
    assert json.loads(pair.stdout)["a"]["title"] == "元数据标题"  # applied to the run
    assert titles()["law"] != "元数据标题"  # and not kept
    help_text = " ".join(runner.invoke(main, ["run", "--help"]).output.split())
    assert "(the index keeps it)" not in help_text
    assert "For two plans, in this run only: the index does not keep it" in help_text
    runner.invoke(main, ["run", "--all", "plan", "--meta", str(meta), "-o", str(tmp_path / "all"), *common])
    assert titles()["law"] == "元数据标题"  # with --all, the index keeps it, as the help says
    assert "(the index keeps it)" in " ".join(runner.invoke(main, ["rank", "--help"]).output.split())


@pytest.mark.parametrize("lang, expected", [
    (None, ["错误：{empty}：空文件", "错误：在 ", "中没有名为 '无此规划' 的规划", "错误：{nowhere}：语料库文件夹不存在"]),
    ("en", ["Error: {empty}: empty file", "Error: no plan named '无此规划' in ", "Error: {nowhere}: corpus folder does not exist"]),
])
def test_an_error_ends_the_command_in_the_interface_language(runner, tmp_path, lang, expected):
    """The warnings were Chinese and the error that ended the same command English ("Error: …: empty file")."""
    empty, nowhere = tmp_path / "empty.md", tmp_path / "nowhere"
    empty.write_bytes(b"")
    extra = ["--lang", lang] if lang else []
    said = [runner.invoke(main, ["sections", str(empty), *extra]),
            runner.invoke(main, ["rank", "无此规划", "--corpus", str(tmp_path), *extra]),
            runner.invoke(main, ["index", "--corpus", str(nowhere), *extra])]
    assert [r.exit_code for r in said] == [ExitStatus.BAD_INPUT, ExitStatus.UNKNOWN_PLAN, ExitStatus.UNKNOWN_PLAN]
    output = "".join(r.output for r in said)
    assert all(e.format(empty=empty, nowhere=nowhere) in output for e in expected), output
    assert all(r.output.count("\n") == 1 for r in said)
