"""Policy force: the combination and negation rules, accuracy against clauses labelled by reading,
and force in `sections --clauses`, `run --json`, `profile` and the HTML report."""
from __future__ import annotations

import csv
import html
import json
import re

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from compare import api, force
from compare.cli import main
from compare.diff import Segment
from compare.report import mark_spans
from compare.tokenize import Segmentation
from conftest import DATA, SEED, SHARED_CORPUS, needs_corpus

TRUTH = DATA / "truth"


def grade(text: str) -> tuple[str, str | None]:
    f = force.text_force(Segmentation.of(text), 0, len(text))
    return f.tier, f.marker.word if f.marker else None


@pytest.mark.parametrize("text, tier, marker", [
    # the four tiers, one marker each
    ("金融机构应当建立客户身份资料保存制度。", "binding", "应当"),
    ("加快推进成渝共建西部金融中心。", "directive", "加快"),
    ("鼓励绿色企业通过发行债券、上市等方式融资。", "supportive", "鼓励"),
    ("探索成渝地区与新加坡之间债券业务合作。", "exploratory", "探索"),
    ("到2025年，西部金融中心初步建成。", "none", None),
    # inside a chain the first marker governs
    ("研究推动设立成渝共同发展基金。", "exploratory", "研究"),
    ("稳妥有序推进跨境资金池业务。", "exploratory", "稳妥"),
    ("鼓励金融机构加强风险管理。", "supportive", "鼓励"),
    # 支持…探索 (decided): the issuer supports; the exploring is the supported party's, so supportive
    ("支持重庆探索开展本外币合一银行账户体系试点。", "supportive", "支持"),
    ("支持成都探索建设知识产权融资服务平台。", "supportive", "支持"),
    # a binding modal governs whatever it heads
    ("县级以上人民政府应当鼓励和支持金融机构创新。", "binding", "应当"),
    ("市人民政府应当争取国家有关部门支持。", "binding", "应当"),
    # coordinated promises: the strongest counts; after a leading 支持 the rest is what it supports
    ("建立多层次资本市场合作机制，研究支持境外投资者投资区域性股权市场。", "directive", "建立"),
    ("支持完善政府性融资担保体系，优化风险分担机制。", "supportive", "支持"),
    ("支持开展私募基金创新试点，地方金融组织不得吸收公众存款。", "binding", "不得"),
    # negations: 不得 and 严禁 bind in any frame; other markers are cancelled by a negator
    ("任何单位和个人不得非法从事金融业务。", "binding", "不得"),
    ("未经批准，不得设立地方金融组织。", "binding", "不得"),
    ("非经国务院批准，不得设立交易场所。", "binding", "不得"),
    ("严禁挪用客户资金。", "binding", "严禁"),
    ("严禁不按规定披露信息。", "binding", "严禁"),
    ("企业超经营范围开展非许可类经营活动的，市场监管部门不予处罚。", "none", None),
    ("未按照规定建立客户身份识别制度的；", "none", None),
    ("对违法行为不依法进行查处的；", "none", None),
    ("申请人无须提交书面的住所证明材料。", "none", None),
    # sanctions bind
    ("情节严重的，处五万元以上十万元以下罚款。", "binding", "罚款"),
    ("由市地方金融监管部门责令停业并没收违法所得。", "binding", "责令"),
    # tokens, not substrings: 研究院 is not 研究, and 研究机构 is a noun
    ("设立西部金融研究院。", "none", None),
    ("金融监管部门、金融机构和研究院校四方联动。", "none", None),
    # 建设 before 与/和/及/、/的 is a thing built: a scope article commits nothing; 建设 before its object is a task
    ("根据自贸试验区建设与发展的需要，报经国务院批准的自贸试验区扩展区域，适用本条例。", "none", None),
    ("海南自由贸易港建设和管理活动适用本法。", "none", None),
    ("重大项目，包括合作区的基础设施建设、产业发展和公共服务等领域的重大项目。", "none", None),
    ("建设西部金融中心。", "directive", "建设"),
    ("贯彻执行国家有关自贸试验区建设的法律、法规、规章和政策；", "directive", "贯彻执行"),
    # purpose, definitions, titles of other documents, states
    ("为了促进金融发展，推动高质量发展，根据有关法律，制定本条例。", "none", None),
    ("本条例所称绿色金融，是指为支持应对气候变化所提供的金融服务。", "none", None),
    ("根据《湖州市绿色金融促进条例》处理。", "none", None),
    ("特色金融服务体系更加完善。", "none", None),
])
def test_clause_rules(text, tier, marker):
    assert grade(text) == (tier, marker)


def test_marker_offsets_address_the_text():
    text = "为服务实体经济，支持跨境融资。"
    f = force.text_force(Segmentation.of(text), 0, len(text))
    assert text[f.marker.start:f.marker.end] == "支持"


@pytest.mark.parametrize("a, b, change", [
    ("exploratory", "binding", "stronger"), ("binding", "directive", "weaker"), ("supportive", "supportive", "same"),
    ("none", "exploratory", "stronger"), ("directive", "supportive", "weaker"),
])
def test_change(a, b, change):
    assert force.change(a, b) == change


def test_unit_tier_is_its_own_body_else_its_items(tmp_path):
    plan = tmp_path / "plan.txt"
    plan.write_text("示例规划\n第一条 支持设立下列机构：\n（一）法人金融机构应当依法设立；\n（二）其他机构。\n"
                    "第二条 下列事项：\n（一）加快推进跨境结算；\n（二）探索数字人民币试点。\n", encoding="utf-8")
    doc = api.outline(str(plan))
    forces = force.clause_forces(doc, Segmentation.of(doc.text))
    first, second = [s.id for s in doc.sections[:2]]
    assert force.unit_force(doc, [first], forces)[0] == "supportive"  # the body governs its items
    tier, governing = force.unit_force(doc, [second], forces)
    assert tier == "directive" and len(governing) == 1  # a bare heading: its items decide


def test_forces_are_cached_by_text_clauses_and_rules(tmp_path, monkeypatch):
    """A plan's clause forces are read back from the cache (warm runs), equal to deciding them; other rules
    (a changed fingerprint) or a damaged cache file mean deciding them again."""
    plan = tmp_path / "plan.txt"
    plan.write_text("示例规划\n第一条 支持设立下列机构：\n（一）法人金融机构应当依法设立；\n（二）其他机构。\n"
                    "第二条 探索数字人民币试点，加快推进跨境结算。\n", encoding="utf-8")
    doc = api.outline(str(plan))
    seg = Segmentation.of(doc.text)
    cache = str(tmp_path / "cache")
    decided = {c.id: force.text_force(seg, *c.span) for s in doc.walk() for c in s.clauses}
    assert force.clause_forces(doc, seg, cache) == decided
    assert {f.tier for f in decided.values()} >= {"supportive", "binding", "directive"}

    def never(*args):
        raise AssertionError("decided again")

    real = force.text_force
    monkeypatch.setattr(force, "text_force", never)
    assert force.clause_forces(doc, seg, cache) == decided  # from the cache
    monkeypatch.setattr(force, "_fingerprint", lambda: "other rules")
    with pytest.raises(AssertionError, match="decided again"):
        force.clause_forces(doc, seg, cache)
    monkeypatch.undo()
    for kept in (tmp_path / "cache" / "force").rglob("*.json"):
        kept.write_text('[["binding", 1, 2]]', encoding="utf-8")
    assert force.clause_forces(doc, seg, cache) == decided
    assert force.text_force is real


def test_lexicon_loads_the_issue_tiers():
    lex = force.lexicon()
    for tier, words in {"binding": "应当 必须 不得 严禁 禁止 须", "directive": "加快 推进 推动 建立 健全 完善 加强 落实 实施 深化",
                        "supportive": "支持 鼓励 引导 促进 便利", "exploratory": "探索 研究 试点 稳妥 有序 适时 逐步 争取"}.items():
        assert {w: lex.markers[w] for w in words.split()} == dict.fromkeys(words.split(), tier)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="支持应当<&>\n甲乙", max_size=30), st.lists(st.tuples(st.integers(0, 30), st.integers(0, 30)), max_size=3))
def test_marking_keeps_every_character(text, spans):
    segments = [Segment(0, text[:7]), Segment(-1, text[7:15]), Segment(0, text[15:])]
    marked = mark_spans([s for s in segments if s.text], [(a, b, "binding") for a, b in spans])
    assert "".join(s.text for s in marked) == text
    for s in marked:
        assert s.mark in ("", "binding")


# ---------------------------------------------------------------- truth made by reading

def _truth(name):
    with open(TRUTH / name, encoding="utf-8") as f:
        return list(csv.DictReader(f, delimiter="\t"))


_DOCS: dict = {}


def _plan(name):
    if name not in _DOCS:
        path = SEED if name == SEED.stem else SHARED_CORPUS / f"{name}.md"
        doc = api.outline(str(path))
        _DOCS[name] = (doc, force.clause_forces(doc, Segmentation.of(doc.text)))
    return _DOCS[name]


def _tiers_right(rows) -> int:
    """How many labelled clauses the force rules give the tier read; each clause's text checked first, so a
    parser change that moves clause ids fails loudly instead of scoring the wrong text."""
    right = 0
    for r in rows:
        doc, forces = _plan(r["plan"])
        clause = next(c for s in doc.walk() for c in s.clauses if c.id == r["clause"])
        assert clause.text == r["text"], f"{r['plan']} {r['clause']}: the parser moved the clause"
        right += forces[r["clause"]].tier == r["tier"]
    return right


@needs_corpus
def test_clause_tiers_match_the_labels_read():
    rows = _truth("force.tsv")
    assert len(rows) >= 200 and len({r["plan"] for r in rows}) >= 5
    right = _tiers_right(rows)
    assert right / len(rows) >= 0.9, f"clause-tier accuracy {right}/{len(rows)}"


HELDOUT_ACCURACY = 72 / 85  # measured once, before any rule change, on clauses the rules never saw


@needs_corpus
def test_clause_tiers_on_held_out_labels():
    """The out-of-sample figure (tests/data/truth/README.md): it may not fall more than a little below
    what was measured when the held-out labels were first scored."""
    rows = _truth("force_heldout.tsv")
    assert len(rows) >= 60 and len({r["plan"] for r in rows}) == 3
    assert not {r["plan"] for r in rows} & {r["plan"] for r in _truth("force.tsv")}, "held-out plans were in-sample"
    right = _tiers_right(rows)
    assert right / len(rows) >= HELDOUT_ACCURACY - 0.04, f"held-out clause-tier accuracy {right}/{len(rows)}"


@needs_corpus
def test_pair_changes_match_the_labels_read():
    rows = _truth("force_pairs.tsv")
    assert len(rows) >= 40
    right = 0
    for r in rows:
        (da, fa), (db, fb) = _plan(r["plan_a"]), _plan(r["plan_b"])
        ua = next(s.id for s in da.walk() if s.number == r["article_a"])
        ub = next(s.id for s in db.walk() if s.number == r["article_b"])
        right += force.change(force.unit_force(da, [ua], fa)[0], force.unit_force(db, [ub], fb)[0]) == r["change"]
    assert right / len(rows) >= 0.9, f"pair-change accuracy {right}/{len(rows)}"


# ---------------------------------------------------------------- outputs

def test_sections_json_gives_each_clause_its_force():
    data = json.loads(CliRunner().invoke(main, ["sections", str(SEED), "--format", "json", "--clauses"]).output)
    clause = data["sections"][1]["children"][0]["children"][0]["clauses"][0]
    assert clause["text"].startswith("支持符合条件的主体")
    assert clause["force"]["tier"] == "supportive" and clause["force"]["marker"] == "支持"
    assert data["sections"][0]["clauses"] == [] or "force" in data["sections"][0]["clauses"][0]


@needs_corpus
def test_run_json_and_report_show_force(tmp_path):
    a, b = SHARED_CORPUS / "bj-business-environment-regulation-2020.md", SHARED_CORPUS / "bj-business-environment-regulation-2024.md"
    out, js = tmp_path / "r.html", tmp_path / "r.json"
    result = CliRunner().invoke(main, ["run", str(a), str(b), "--corpus", str(SHARED_CORPUS), "-o", str(out), "--json", str(js)])
    assert result.exit_code == 0, result.output
    data = json.loads(js.read_text(encoding="utf-8"))
    both = [p for p in data["pairs"] if p["a"] and p["b"]]
    assert all(set(p["force"]) == {"a", "b", "change"} for p in both)
    assert not any("force" in p for p in data["pairs"] if not (p["a"] and p["b"]))
    assert all(p["force"]["change"] == force.change(p["force"]["a"], p["force"]["b"]) for p in both)
    assert all("force" in k for p in both for k in p["clauses"] if k["a"] and k["b"])
    assert set(data["force"]["a"]) == set(force.TIERS)
    changed = [p for p in both if p["force"]["change"] != "same" and p["role"] != "item"]
    assert changed, "a version pair whose force never changes"
    page = out.read_text(encoding="utf-8")
    assert page.count('class="force-badge') == len(changed)
    assert page.count("力度 ↑") == sum(p["force"]["change"] == "stronger" for p in changed)
    assert 'id="force-only"' in page and 'class="force-chart"' in page
    markers = re.findall(r'<b class="force-marker tier-(\w+)">([^<]*)</b>', page)
    assert markers and all(force.lexicon().markers[word] == tier for tier, word in markers)
    # highlighting loses no text: with the marker tags taken out, the page reads as before
    plain = re.sub(r'<b class="force-marker tier-\w+">([^<]*)</b>', r"\1", page)
    assert "应当" in html.unescape(plain) and "<b class=\"force-marker" not in plain


def test_profile_formats():
    runner = CliRunner()
    data = json.loads(runner.invoke(main, ["profile", str(SEED), "--format", "json"]).output)
    assert data["plan"] == SEED.stem and list(data["tiers"]) == ["binding", "directive", "supportive", "exploratory", "none"]
    assert sum(data["tiers"].values()) == data["clauses"] > 100
    assert [p["number"] for p in data["parts"]] == ["一、", "二、", "三、"]
    assert all(abs(sum(p["shares"].values()) - 1) < 0.01 for p in data["parts"] if p["clauses"])
    table = runner.invoke(main, ["profile", str(SEED)]).output  # the interface's language, zh by default
    assert "每万字" in table and "约束" in table and "二、 主要任务" in table and "per 10k chars" not in table
    assert "per 10k chars" in runner.invoke(main, ["profile", str(SEED), "--lang", "en"]).output
    assert runner.invoke(main, ["profile", str(SEED), "--format", "csv"]).output.startswith("\ufefftier,clauses,per_10k")


def test_profile_of_one_plan_takes_its_format_from_the_output_suffix(tmp_path):
    """`profile PLAN -o x.json` wrote the text table into x.json: the suffix picked the format only with --all.
    Now .json and .csv pick it for one plan too (an explicit --format still wins), and .html, which one plan
    has no page for, is refused in one line instead of getting a text table."""
    runner = CliRunner()
    as_json = runner.invoke(main, ["profile", str(SEED), "--format", "json"]).stdout
    as_csv = runner.invoke(main, ["profile", str(SEED), "--format", "csv"]).stdout
    for name, expected in (("p.json", as_json), ("p.CSV", as_csv)):
        result = runner.invoke(main, ["profile", str(SEED), "-o", str(tmp_path / name)])
        assert result.exit_code == 0, result.output
        assert (tmp_path / name).read_text(encoding="utf-8") == expected.replace("\r\n", "\n")
    json.loads((tmp_path / "p.json").read_text(encoding="utf-8"))
    runner.invoke(main, ["profile", str(SEED), "-o", str(tmp_path / "t.json"), "--format", "table"])
    assert "每万字" in (tmp_path / "t.json").read_text(encoding="utf-8")  # --format wins over the suffix
    runner.invoke(main, ["profile", str(SEED), "-o", str(tmp_path / "p.txt")])
    assert "每万字" in (tmp_path / "p.txt").read_text(encoding="utf-8")  # any other suffix: the table
    page = runner.invoke(main, ["profile", str(SEED), "-o", str(tmp_path / "p.html")])
    assert page.exit_code == 2 and "needs --all" in page.output and not (tmp_path / "p.html").exists()
