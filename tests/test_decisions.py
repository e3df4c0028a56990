"""A reviewer's decisions: section names, resolution, stale and conflicting decisions, and how the aligner and
the CLI apply them. The plans are small texts written here; every expected name and pair is read from them."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from compare import api
from compare.cli import main
from compare.decisions import parse_decisions, read_decisions, resolve, section_names
from compare.errors import ExitStatus, InputError
from conftest import DATA, ROOT, SEED, needs_corpus

LAW = DATA / "sections" / "law_style.md"  # 第一章/第一条 … 第三章/第六条, with 第一节/第二节 in 第二章
TWO_LISTS = """# 测试条例

第一条 申请设立应当具备下列条件：

（一）有符合规定的章程；

（二）有符合要求的资本。

变更应当具备下列条件：

（一）有变更决议；

（二）有新的章程。

第二条 本条例自公布之日起施行。
"""


def _file(tmp_path, decisions, name="decisions.json", **extra):
    path = tmp_path / name
    path.write_text(json.dumps({"format": "compare-decisions/1", **extra, "decisions": decisions},
                               ensure_ascii=False), encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def law():
    return api.outline(str(LAW))


@pytest.fixture(scope="module")
def plans(tmp_path_factory):
    """Two versions of the small law: B rewords 第三条 and 第五条."""
    folder = tmp_path_factory.mktemp("plans")
    b = folder / "law_v2.md"
    b.write_text(LAW.read_text(encoding="utf-8").replace("应当加强监督管理", "应当依法加强日常监督管理")
                 .replace("应当建立风险防范制度", "应当建立健全风险防范和处置制度"), encoding="utf-8")
    return str(LAW), str(b), str(folder)


def test_names_are_paths_of_numbers_as_written(law, tmp_path):
    names = section_names(law)
    assert names["2/1/3"] == "第二章/第一节/第三条"
    assert names["1/2/3"] == "第一章/第二条/（三）"
    assert names["3/6"] == "第三章/第六条"
    seed = section_names(api.outline(str(SEED)))
    assert seed["2/3/12"] == "二、/(三)/12、"  # the seed writes （三） half-width
    # One path naming two sections: each gets ~n in reading order.
    (tmp_path / "two.md").write_text(TWO_LISTS, encoding="utf-8")
    two = section_names(api.outline(str(tmp_path / "two.md")))
    assert two["1/1"] == "第一条/（一）~1" and two["1/1~2"] == "第一条/（一）~2" and two["2"] == "第二条"


@pytest.mark.parametrize("name, expected", [
    ("二、/（三）/12、", "2/3/12"),  # full-width brackets, as the issue writes it
    ("二、/(三)/12、", "2/3/12"),
    (" 二、 / (三) / 12、 ", "2/3/12"),  # spacing is ignored
    ("一、/(二)/4、", "1/2/4"),
])
def test_names_resolve_whatever_the_width_and_spacing(name, expected):
    seed = api.outline(str(SEED))
    decisions = parse_decisions({"format": "compare-decisions/1",
                                 "decisions": [{"action": "checked", "a": [name], "b": []}]})
    resolved = resolve(decisions, seed, seed)
    assert resolved.forced[0].a == [expected] and not resolved.stale
    assert resolved.applied[0]["a"] == [section_names(seed)[expected]]  # the report carries the names as written


def test_stale_decisions_are_named_and_the_rest_applied(law):
    decisions = parse_decisions({"format": "compare-decisions/1", "decisions": [
        {"action": "pair", "a": ["第二章/第一节/第三条"], "b": ["第二章/第二节/第五条"], "note": "同一事项"},
        {"action": "pair", "a": ["第九章/第九十九条"], "b": ["第三章/第六条"]},
        {"action": "unpair", "a": ["第一章/第一条"], "b": ["第一章/第九条"]},
    ]})
    resolved = resolve(decisions, law, law, "d.json", {"a": "0" * 64, "b": law.sha256})
    assert [(f.a, f.b, f.decided, f.note) for f in resolved.forced] == [(["2/1/3"], ["2/2/5"], "pair", "同一事项")]
    assert [s["reason"] for s in resolved.stale] == ["A 第九章/第九十九条 not found", "B 第一章/第九条 not found"]
    assert resolved.stale[0]["a"] == ["第九章/第九十九条"] and resolved.stale[1]["action"] == "unpair"
    assert len(resolved.warnings) == 3  # plan A changed, and one line per stale decision
    assert "plan A" in resolved.warnings[0] and "stale decision 2 (pair A 第九章/第九十九条" in resolved.warnings[1]


@pytest.mark.parametrize("decisions, message", [
    ([{"action": "pair", "a": ["第一章/第一条"], "b": ["第一章/第一条"]},
      {"action": "checked", "a": ["第一章/第一条"], "b": ["第一章/第二条"]}],
     "decisions 1 and 2 both pair A 第一章/第一条"),
    ([{"action": "pair", "a": ["第一章/第一条"], "b": ["第三章/第六条"]},
      {"action": "pair", "a": ["第一章/第二条"], "b": ["第三章/第六条"]}],
     "decisions 1 and 2 both pair B 第三章/第六条"),
    ([{"action": "pair", "a": ["第一章/第一条"], "b": ["第一章/第一条"]},
      {"action": "unpair", "a": ["第一章/第一条"], "b": ["第一章/第一条"]}],
     "decision 1 pairs what an unpair decision keeps apart (A 第一章/第一条 ↔ B 第一章/第一条)"),
])
def test_conflicting_decisions_say_which(law, decisions, message):
    with pytest.raises(InputError) as err:
        resolve(parse_decisions({"format": "compare-decisions/1", "decisions": decisions}), law, law, "d.json")
    assert str(err.value) == f"d.json: {message}"


@pytest.mark.parametrize("content, message", [
    ("{not json", "decisions file is not JSON"),
    ('{"format": "compare-decisions/2", "decisions": []}', "format is 'compare-decisions/2'"),
    ('[1, 2]', "format is 'list'"),
    ('{"format": "compare-decisions/1", "decisions": [{"action": "merge", "a": ["x"], "b": ["y"]}]}',
     "decision 1: action must be one of pair, unpair, checked"),
    ('{"format": "compare-decisions/1", "decisions": [{"action": "pair", "a": ["x"], "b": []}]}',
     "decision 1: pair needs sections on both sides"),
    ('{"format": "compare-decisions/1", "decisions": [{"action": "pair", "a": "x", "b": ["y"]}]}',
     "'a' and 'b' must be lists of section names"),
])
def test_bad_files_are_one_line_input_errors(tmp_path, content, message):
    path = tmp_path / "d.json"
    path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError) as err:
        read_decisions(path)
    assert message in str(err.value) and str(path) in str(err.value) and "\n" not in str(err.value)


def test_a_name_that_matches_two_sections_is_an_error(tmp_path):
    (tmp_path / "two.md").write_text(TWO_LISTS, encoding="utf-8")
    doc = api.outline(str(tmp_path / "two.md"))
    ask = parse_decisions({"format": "compare-decisions/1",
                           "decisions": [{"action": "pair", "a": ["第一条/（一）"], "b": ["第一条/（一）"]}]})
    with pytest.raises(InputError, match=r"A 第一条/（一） matches 2 sections; name one as 第一条/（一）~1"):
        resolve(ask, doc, doc)


def test_the_aligner_keeps_pairs_avoids_unpairs_and_marks_checks(plans, tmp_path):
    a, b, corpus = plans
    plain = {(tuple(p.a), tuple(p.b)): p for p in api.compare(a, b, corpus).pairs}
    assert (("2/1/3",), ("2/1/3",)) in plain and (("3/6",), ("3/6",)) in plain and (("1/1",), ("1/1",)) in plain
    path = _file(tmp_path, [
        {"action": "pair", "a": ["第二章/第一节/第三条"], "b": ["第二章/第二节/第五条"], "note": "<b>同一事项</b>"},
        {"action": "unpair", "a": ["第三章/第六条"], "b": ["第三章/第六条"]},
        {"action": "checked", "a": ["第一章/第一条"], "b": ["第一章/第一条"]},
        {"action": "checked", "a": ["第二章/第二节"], "b": ["第二章/第二节"]},  # headings too
    ])
    c = api.compare(a, b, corpus, decisions=str(path))
    got = {(tuple(p.a), tuple(p.b)): p for p in c.pairs}
    assert got[("2/1/3",), ("2/2/5",)].decided == "pair" and got[("2/1/3",), ("2/2/5",)].note == "<b>同一事项</b>"
    assert got[("1/1",), ("1/1",)].decided == "checked" and got[("2/2",), ("2/2",)].decided == "checked"
    assert (("3/6",), ("3/6",)) not in got  # never proposed again
    assert got[("3/6",), ()].kind == "only_a" and got[(), ("3/6",)].kind == "only_b"
    assert got[("1/2",), ("1/2",)].decided is None  # the rest is aligned as before
    for plan_side, ids in (("a", [s.id for s in c.a.walk()]), ("b", [s.id for s in c.b.walk()])):
        shown = sorted(x for p in c.pairs for x in getattr(p, plan_side))
        assert shown == sorted(ids)  # lossless: every section once
    data = json.loads(c.to_json())
    decided = [(p["a"], p["b"], p["decided"], p.get("note")) for p in data["pairs"] if "decided" in p]
    assert decided == [(["1/1"], ["1/1"], "checked", None), (["2/1/3"], ["2/2/5"], "pair", "<b>同一事项</b>"),
                       (["2/2"], ["2/2"], "checked", None)]
    assert data["stale_decisions"] == []
    page = c.to_html()
    assert "&lt;b&gt;同一事项&lt;/b&gt;" in page and "<b>同一事项" not in page  # the note is escaped
    assert page == api.compare(a, b, corpus, decisions=str(path)).to_html()  # deterministic


def test_cli_run_with_decisions(plans, tmp_path):
    a, b, corpus = plans
    good = _file(tmp_path, [{"action": "pair", "a": ["第二章/第一节/第三条"], "b": ["第二章/第二节/第五条"]},
                            {"action": "unpair", "a": ["第八章/第一条"], "b": ["第三章/第六条"]}],
                 a={"title": "示范省地方金融条例", "sha256": "0" * 64})
    out = tmp_path / "r.json"
    result = CliRunner().invoke(main, ["run", a, b, "--corpus", corpus, "--decisions", str(good), "--no-html", "--lang", "en",
                                       "--json", str(out)])
    assert result.exit_code == 0, result.output
    warnings = [line for line in result.output.splitlines() if line.startswith("warning:")]
    assert len(warnings) == 2 and "plan A (law_style) changed" in warnings[0]
    assert "stale decision 2 (unpair A 第八章/第一条 ↔ B 第三章/第六条): A 第八章/第一条 not found" in warnings[1]
    data = json.loads(out.read_text(encoding="utf-8"))
    assert [s["reason"] for s in data["stale_decisions"]] == ["A 第八章/第一条 not found"]
    assert [p["a"] + p["b"] for p in data["pairs"] if p.get("decided") == "pair"] == [["2/1/3", "2/2/5"]]

    page = tmp_path / "r.html"
    zh = CliRunner().invoke(main, ["run", a, b, "--corpus", corpus, "--decisions", str(good), "-o", str(page)])
    assert zh.exit_code == 0, zh.output
    assert [line for line in zh.stderr.splitlines() if line.startswith("警告：")] == [
        f"警告：{good}：作出这些决定之后，规划甲（law_style）已有改动；决定仍在其章节能找到之处应用",
        f"警告：{good}：决定 2（取消配对：甲 第八章/第一条 ↔ 乙 第三章/第六条）已失效：甲中找不到 第八章/第一条"]
    assert "<small>(甲中找不到 第八章/第一条)</small>" in page.read_text(encoding="utf-8")  # the stale list, too
    en = CliRunner().invoke(main, ["run", a, b, "--corpus", corpus, "--decisions", str(good), "-o", str(page),
                                   "--lang", "en"])
    assert en.exit_code == 0 and "<small>(A 第八章/第一条 not found)</small>" in page.read_text(encoding="utf-8")

    for content in ("{oops", '{"format": "other"}'):
        bad = tmp_path / "bad.json"
        bad.write_text(content, encoding="utf-8")
        result = CliRunner().invoke(main, ["run", a, b, "--corpus", corpus, "--decisions", str(bad),
                                           "-o", str(tmp_path / "never.html")])
        assert result.exit_code == ExitStatus.BAD_INPUT
        assert result.output.count("\n") == 1 and "bad.json" in result.output
        assert not (tmp_path / "never.html").exists()
    missing = CliRunner().invoke(main, ["run", a, b, "--corpus", corpus, "--decisions", str(tmp_path / "no.json")])
    assert missing.exit_code == ExitStatus.BAD_INPUT and "no.json" in missing.output
    assert missing.output.count("\n") == 1
    fifo = tmp_path / "d.fifo"
    os.mkfifo(fifo)  # nothing writes to it: reading it would block for ever
    blocked = CliRunner().invoke(main, ["run", a, b, "--corpus", corpus, "--decisions", str(fifo)])
    assert blocked.exit_code == ExitStatus.BAD_INPUT and "不是普通文件" in blocked.output  # in the interface language


@needs_corpus
def test_the_readme_decisions_example_applies_as_written(shared_corpus, tmp_path):
    """The README's example named 第一章/第一条 on the seed's side, which has none, and "…" as each sha256: it
    could not apply. Now it names the sections of the seed and the Zhejiang regulation (the README's first
    command) and their real sha256: every decision applies, with no warning and nothing stale."""
    import hashlib
    import re

    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme[readme.index("## Correcting an alignment by hand"):readme.index("## How alignment works")]
    example = json.loads(re.search(r"```json\n(.*?)```", section, re.S).group(1))
    zj = shared_corpus / "zj-local-finance-regulation-2020.md"
    assert example["a"]["sha256"] == hashlib.sha256(SEED.read_bytes()).hexdigest()  # what `sha256sum FILE` prints
    assert example["b"]["sha256"] == hashlib.sha256(zj.read_bytes()).hexdigest()
    path = tmp_path / "decisions.json"
    path.write_text(json.dumps(example, ensure_ascii=False), encoding="utf-8")
    run = ["run", "成渝共建西部金融中心规划", "zj-local-finance-regulation-2020", "--corpus", str(shared_corpus),
           "--json", "-", "--no-html"]
    result = CliRunner().invoke(main, run + ["--decisions", str(path), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert "warning" not in result.stderr, result.stderr
    data = json.loads(result.stdout)
    assert data["stale_decisions"] == []
    numbers = {side: {s["id"]: s["number"] for s in data[side]["sections"]} for side in ("a", "b")}

    def sides(p):
        return tuple(numbers["a"][i] for i in p["a"]), tuple(numbers["b"][i] for i in p["b"])

    decided = {sides(p): (p["decided"], p.get("note")) for p in data["pairs"] if p.get("decided")}
    assert decided == {(("26、",), ("第四十条",)): ("pair", "信用体系"), (("(三)",), ("第三十九条",)): ("checked", None),
                       (("17、",), ()): ("checked", None)}
    assert (("20、",), ("第四十一条",)) not in map(sides, data["pairs"])
    plain = json.loads(CliRunner().invoke(main, run).stdout)  # what the README says the aligner does alone
    assert (("20、",), ("第四十一条",)) in map(sides, plain["pairs"])
    assert not any(sides(p)[0] == ("26、",) and p["b"] for p in plain["pairs"])
