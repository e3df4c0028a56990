"""The HTML report: escaping, CSP, lossless views, determinism, template overrides."""
from __future__ import annotations

import html
import json
import re
from pathlib import Path

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.errors import ExitStatus
from compare import api
from compare.cli import main
from compare.diff import DELETE, EQUAL, INSERT, diff_tokens, shared_phrases, sides, split_at, Segment
from compare.report import build_view, render_html
from conftest import DATA, SEED, needs_corpus

HOSTILE = DATA / "hostile" / "hostile_plan.txt"
HOSTILE_MD = DATA / "hostile" / "hostile_plan.md"
PLAN = DATA / "sections" / "plan_style.txt"

TOKENS = st.lists(st.sampled_from(["金融", "机构", "绿色", "的", "，", "。", "QFLP", " ", "\n", "债", "支持", "跨境", "a", "1",
                                   "＜", "<", "&", "贷", "资金池", "\ue000"]), max_size=60)


@settings(max_examples=300, deadline=None)
@given(TOKENS, TOKENS)
def test_diff_is_lossless_on_both_sides(a, b):
    from compare.diff import FORM
    from compare.normalize import match_form

    diffs = diff_tokens(a, b)
    assert "".join(t[0] if op == FORM else t for op, t in diffs if op != INSERT) == "".join(a)
    assert "".join(t[1] if op == FORM else t for op, t in diffs if op != DELETE) == "".join(b)
    assert {op for op, _ in diffs} <= {EQUAL, DELETE, INSERT, FORM}
    # a run shown as equal but written differently is equal in matching form ("<" and "＜")
    assert all(match_form(t[0]).lower() == match_form(t[1]).lower() and t[0] != t[1] for op, t in diffs if op == FORM)
    sa, sb = sides(diffs)
    assert "".join(s.text for s in sa) == "".join(a) and "".join(s.text for s in sb) == "".join(b)
    assert {s.op for s in sa} <= {EQUAL, DELETE} and {s.op for s in sb} <= {EQUAL, INSERT}
    sa, sb = shared_phrases(a, b)
    assert "".join(s.text for s in sa) == "".join(a) and "".join(s.text for s in sb) == "".join(b)


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="金融机构，。ab\n", max_size=40), st.lists(st.integers(0, 40), max_size=4))
def test_split_at_keeps_every_character(text, cuts):
    cuts = sorted({c for c in cuts if c <= len(text)})
    pieces = split_at([Segment(0, text[:5]), Segment(1, text[5:])], cuts)
    assert len(pieces) == len(cuts) + 1
    assert "".join(s.text for piece in pieces for s in piece) == text
    bounds = [0] + cuts + [len(text)]
    assert ["".join(s.text for s in piece) for piece in pieces] == [text[x:y] for x, y in zip(bounds, bounds[1:])]


def _squash(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _with_markers(shown: str, markers) -> str:
    """The text a preamble was shown from: each stripped quote marker put back where it stood."""
    out, pos = [], 0
    for at, marker in markers:
        assert re.fullmatch(r"[ \t]*>(?:[ \t]*>)*[ \t]?", marker), marker  # only quote markers are ever dropped
        out += [shown[pos:at], marker]
        pos = at
    return "".join(out) + shown[pos:]


def _rebuilt(doc, view, side):
    """A plan's text as the report shows it: preamble (with the stripped quote markers put back), every section
    (number + title + body), boilerplate."""
    order = {s.id: i for i, s in enumerate(doc.walk())}
    shown, inside = {}, set()
    for p in view["pairs"]:
        for sec in p[side]:
            v = sec["views"]["diff"]
            shown[sec["id"]] = sec["number"] + "".join(s.text for s in v["title"] + v["body"])
            if p["role"] == "unit":  # an article is shown with its items
                inside |= {d.id for d in doc.section(sec["id"]).walk()} - {sec["id"]}
    assert not inside & set(shown), "an item is shown twice: inside its article and on its own"
    assert sorted(shown, key=order.get) == [s.id for s in doc.walk() if s.id not in inside]
    body = "".join(shown[i] for i in sorted(shown, key=order.get))
    pre = view["preamble"][side]
    assert "".join(s.text for s in pre["segments"]) == pre["text"]  # the diffed preamble shows all of it
    return _with_markers(pre["text"], pre["markers"]) + body + "".join(t for _, t in view["boilerplate"][side])


@pytest.mark.parametrize("a, b", [(SEED, PLAN), (HOSTILE, SEED), (PLAN, DATA / "sections" / "law_style.md")])
def test_report_view_loses_no_text(a, b):
    c = api.compare(str(a), str(b), corpus=str(DATA / "none"))
    view = build_view(c)
    assert _squash(_rebuilt(c.a, view, "a")) == _squash(c.a.text)
    assert _squash(_rebuilt(c.b, view, "b")) == _squash(c.b.text)
    page = _squash(html.unescape(re.sub(r"<[^>]+>", "", render_html(c))))
    for doc in (c.a, c.b):
        for s in doc.walk():
            for clause in s.clauses:
                assert _squash(clause.text) in page


def test_boilerplate_panel_speaks_the_report_language():
    """The panel of what trails a plan (site footer, link, navigation) labels each line in the report's language
    and shows every line whole: the seed's three, the plan's footer."""
    from compare.models import Options

    c = api.compare(str(SEED), str(PLAN), corpus=str(DATA / "none"))
    lines = {"zh": [("页脚", "（文章来源：央行网站）"),
                    ("链接", "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202112242225582158"),
                    ("导航", "返回央行网站新闻｜返回首页"), ("页脚", "（文章来源：示范省人民政府网站）")],
             "en": [("footer", "（文章来源：央行网站）"),
                    ("link", "http://finews.zning.xyz/html_News/NewsShare.html?infoCode=NW202112242225582158"),
                    ("navigation", "返回央行网站新闻｜返回首页"), ("footer", "（文章来源：示范省人民政府网站）")]}
    for lang, expected in lines.items():
        page = render_html(c, Options(lang=lang))
        panel = page[page.index('<section class="panel" id="boilerplate">'):]
        panel = panel[:panel.index("</section>")]
        shown = [(k, html.unescape(t)) for k, t in re.findall(r'<li><span class="bp-kind">([^<]*)</span> ([^<]*)</li>', panel)]
        assert shown == expected, lang
        assert [t for _, t in shown] == [b.text for b in c.a.boilerplate + c.b.boilerplate]


def test_the_string_table_says_everything_in_both_languages():
    """Both languages have every entry, with the same values in it; every message the library makes (a Note) has
    its entry, since a Note without one is shown in English."""
    import string

    from compare.templating import _ui_table

    table = _ui_table()
    assert set(table["zh"]) == set(table["en"])
    fields = {lang: {k: {f.split("|")[0] for _, f, _, _ in string.Formatter().parse(v) if f}  # {n|one|other} is n
                     for k, v in table[lang].items()} for lang in table}
    assert fields["zh"] == fields["en"]
    source = "".join(p.read_text(encoding="utf-8") for p in (Path(__file__).parent.parent / "compare").glob("*.py"))
    keys = set(re.findall(r'Note\(\s*"([^"]+)"', source))
    assert len(keys) > 10 and not keys - set(table["zh"])


@needs_corpus
def test_real_report_loses_no_text(shared_corpus):
    c = api.compare(str(SEED), str(shared_corpus / "hainan-ftp-law-2021.md"), str(shared_corpus))
    view = build_view(c)
    assert _squash(_rebuilt(c.a, view, "a")) == _squash(c.a.text)
    assert _squash(_rebuilt(c.b, view, "b")) == _squash(c.b.text)
    for p in view["pairs"]:  # every diff in a real comparison rebuilds both sides
        for side in ("a", "b"):
            for sec in p[side]:
                for view_name, v in sec["views"].items():
                    assert "".join(s.text for s in v["title"] + v["body"]) == "".join(
                        s.text for s in sec["views"]["diff"]["title"] + sec["views"]["diff"]["body"])


@pytest.mark.parametrize("hostile", [HOSTILE, HOSTILE_MD], ids=["txt", "md"])
def test_hostile_text_is_escaped_and_cannot_run(hostile):
    page = render_html(api.compare(str(hostile), str(SEED), corpus=str(DATA / "none")))
    assert page.count("<script") == 1 and page.count("</script>") == 1  # ours only
    for raw in ("<script>alert", "<img src=x", "<svg onload", "</textarea><img", "</style><style>", 'href="javascript:'):
        assert raw not in page
    text = html.unescape(re.sub(r"<[^>]+>", "", page))
    assert "{{ 7*7 }}" in text and "基本原则。49" not in text and "基本原则49" not in text
    csp = re.search(r'http-equiv="Content-Security-Policy" content="([^"]+)"', page).group(1)
    assert "default-src 'none'" in csp and "'unsafe-inline'" not in csp and "script-src 'sha256-" in csp
    assert "http://" not in page.split("<body>")[0] and "https://" not in page.split("<body>")[0]


def test_hostile_text_shows_escaped():
    page = render_html(api.compare(str(HOSTILE), str(SEED), corpus=str(DATA / "none")))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "&lt;/textarea&gt;&lt;img src=x onerror=alert(2)&gt;" in page


def test_report_is_deterministic_and_written_atomically(tmp_path):
    runner = CliRunner()
    outs = [tmp_path / "one.html", tmp_path / "two.html"]
    for out in outs:
        result = runner.invoke(main, ["run", str(SEED), str(PLAN), "--corpus", str(tmp_path), "-o", str(out)])
        assert result.exit_code == 0, result.output
    assert outs[0].read_bytes() == outs[1].read_bytes()
    page = outs[0].read_text(encoding="utf-8")
    assert page.startswith("<!DOCTYPE html>") and '<meta charset="utf-8">' in page
    assert not re.search(r"20\d\d-\d\d-\d\dT|\d\d:\d\d:\d\d", page)  # no timestamps
    assert sorted(p.name for p in tmp_path.iterdir()) == ["one.html", "two.html"]


def test_default_report_name_in_working_directory(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    result = CliRunner().invoke(main, ["run", str(SEED), str(PLAN), "--corpus", str(tmp_path)])
    assert result.exit_code == 0, result.output
    assert (tmp_path / "chengyu-western-financial-centre-plan-2021_vs_plan_style.html").exists()


def _run_with_pair_template(tmp_path, pair_template: str, keep: bool = False):
    """Run a comparison with a user template folder that overrides only _pair.html (kept as is with keep)."""
    custom = tmp_path / "tpl"
    if not keep:
        custom.mkdir()
        (custom / "_pair.html").write_text(pair_template, encoding="utf-8")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["run", str(SEED), str(PLAN), "--corpus", str(tmp_path), "-o", str(out),
                                       "--template-dir", str(custom)])
    return result, out


def test_template_dir_overrides_one_template_and_falls_back(tmp_path):
    result, out = _run_with_pair_template(tmp_path, '<div class="custom-pair" id="{{ p.anchor }}">{{ p.label }}</div>\n')
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    assert page.count('class="custom-pair"') == len(api.compare(str(SEED), str(PLAN), str(tmp_path)).pairs)
    assert "对应关系总览" in page  # the default base layout still renders


@pytest.mark.parametrize("template, message", [
    ("{{ p.no_such_field }}", "template error"),
    ("{% include '_pair.html' %}", "without end"),
    ("\udcff{{ p.anchor }}", "not UTF-8"),
])
def test_broken_template_is_a_clean_error(tmp_path, template, message):
    if message == "not UTF-8":
        (tmp_path / "tpl").mkdir()
        (tmp_path / "tpl" / "_pair.html").write_bytes("{{ p.anchor }}".encode() + b"\xff\xfe\xc3")
        template = None
    result, out = (_run_with_pair_template(tmp_path, template) if template else
                   _run_with_pair_template(tmp_path, "", keep=True))
    assert result.exit_code == ExitStatus.TEMPLATE, result.output
    assert message in result.output and "Traceback" not in result.output and result.output.count("\n") == 1
    if message != "without end":
        assert "_pair.html" in result.output  # the file is named
    assert not out.exists()


def test_own_reports_in_the_corpus_are_not_plans(tmp_path):
    from compare.corpus import plan_files

    (tmp_path / "plan.txt").write_text(PLAN.read_text(encoding="utf-8"), encoding="utf-8")
    (tmp_path / "someone-elses-page.html").write_text("<p>一、总体要求</p>", encoding="utf-8")
    CliRunner().invoke(main, ["run", str(SEED), str(PLAN), "--corpus", str(tmp_path), "-o", str(tmp_path / "r.html")])
    assert [p.name for p in plan_files(tmp_path)] == ["plan.txt", "someone-elses-page.html"]


def test_sections_with_no_text_render_on_either_side(tmp_path):
    """Empty sections are legal (第二条 with nothing after it); the report shows them, A side or B side."""
    gap = tmp_path / "gap.md"
    gap.write_text("第一条 本条例适用于本省。\n第二条\n第三条 金融机构应当依法经营。\n", encoding="utf-8")
    other = tmp_path / "other.md"
    other.write_text("第一条 本条例适用于本市。\n第二条 金融机构应当依法经营，接受监管。\n", encoding="utf-8")
    for a, b in ((gap, other), (other, gap)):
        c = api.compare(str(a), str(b), str(tmp_path / "none"))
        doc, side = (c.a, "a") if a == gap else (c.b, "b")
        empty = next(s for s in doc.walk() if s.number == "第二条")
        assert not empty.text.strip()
        holding = [p for p in c.pairs if empty.id in getattr(p, side)]
        assert len(holding) == 1
        view = build_view(c)
        shown = [sec for p in view["pairs"] for sec in p[side] if sec["id"] == empty.id]
        assert len(shown) == 1 and shown[0]["number"] == "第二条"
        assert render_html(c).count('data-section="%s"' % empty.id) >= 1


@pytest.mark.parametrize("name", ["javascript:alert(1)x", "a#b?c", "\\..\\..\\evil", "line\nbreak", "../up", "成渝 规划%41"])
def test_matrix_links_stay_beside_the_page(name):
    """Coverage links are built from file names; they must never carry a scheme or leave the folder."""
    from urllib.parse import unquote, urljoin

    from compare.ranking import Matrix
    from compare.pages import render_matrix
    from compare.report import pair_file_name

    m = Matrix(plans=[{"name": "seed", "title": "种子", "date": None}, {"name": name, "title": "计划", "date": None}],
               similarity=[[1.0, 0.3], [0.3, 1.0]], seed={"name": "seed", "title": "种子"},
               rows=[{"id": "1", "label": "一、", "level": 1}], columns=[{"name": name, "title": "计划", "date": None}],
               coverage=[[0.5]], reports=[pair_file_name("seed", name)])  # the report is there: linked
    page = render_matrix(m)
    hrefs = [html.unescape(h) for h in re.findall(r'<a href="([^"]*)"', page)]
    assert len(hrefs) == 1
    resolved = urljoin("file:///reports/index.html", hrefs[0])
    assert resolved.startswith("file:///reports/") and "/" not in resolved[len("file:///reports/"):]
    assert unquote(resolved[len("file:///reports/"):]) == pair_file_name("seed", name)


@needs_corpus
def test_a_sentence_that_changed_place_inside_a_group_is_not_shown_as_deleted(shared_corpus):
    """AML 2024 第四十四条 holds 2006 第二十四条's 询问笔录 sentences after its items: diffed clause by clause,
    they read as unchanged on both sides, not struck through in A and inserted in B."""
    c = api.compare(str(shared_corpus / "aml-law-2006.md"), str(shared_corpus / "aml-law-2024.md"), str(shared_corpus))
    view = build_view(c)
    pair = next(p for p in view["pairs"] if any(sec["number"] == "第四十四条" for sec in p["b"]))
    assert len(pair["a"]) >= 2  # 第二十四条 and 第二十五条 with it
    sentence = "询问笔录应当交被询问人核对"
    for side in ("a", "b"):
        segments = [s for sec in pair[side] for s in sec["views"]["diff"]["body"]]
        unchanged = "".join(s.text for s in segments if s.op == EQUAL)
        assert sentence in unchanged, side


NEWS_COPY = ("成渝共建西部金融中心规划\n> 来源：新华网\n> > 发布时间：2021-12-30\n>\n> 中国人民银行 国家发展改革委 印发\n"
             "一、总体要求\n1. 加强金融合作。推动两地金融机构合作。\n2. 支持绿色金融。发展绿色信贷。\n")
CHANGED_COPY = ("成渝共建西部金融中心规划\n中国人民银行 印发\n"
                "一、总体要求\n1. 加强金融合作。推动两地金融机构合作。\n2. 支持绿色金融。发展绿色信贷，支持绿色债券。\n")


def _page_text(page: str) -> str:
    return html.unescape(re.sub(r"<[^>]+>", "", page))


def test_report_is_in_chinese_by_default_and_in_english_with_lang_en(tmp_path):
    outs = {}
    for lang in (None, "zh", "en"):
        out = tmp_path / f"{lang}.html"
        args = ["run", str(SEED), str(PLAN), "--corpus", str(tmp_path / "none"), "-o", str(out), "--json", "-"]
        result = CliRunner().invoke(main, args + (["--lang", lang] if lang else []))
        assert result.exit_code == 0, result.output
        outs[lang] = out.read_text(encoding="utf-8")
        kinds = {p["kind"] for p in json.loads(result.stdout)["pairs"]}
        assert kinds <= {"same", "changed", "moved", "split", "merge", "only_a", "only_b"}  # JSON names unchanged
    assert outs[None] == outs["zh"]
    zh, en = outs["zh"], outs["en"]
    assert '<html lang="zh-CN">' in zh and '<html lang="en">' in en
    def filters(page):
        return dict(re.findall(r'data-filter-kind="(\w+)" checked> (.+?) \(\d+\)', page))

    # The seed and a regulation are two documents: no kind says one was edited into the other.
    assert filters(zh) == {"same": "相同", "changed": "有差异", "moved": "位置不同", "split": "一对多", "merge": "多对一",
                           "only_a": "仅见于甲", "only_b": "仅见于乙"}
    assert filters(en) == {"same": "same", "changed": "different", "moved": "out of order", "split": "one to many",
                           "merge": "many to one", "only_a": "only in A", "only_b": "only in B"}
    for label in ("总体相似度", "全部展开", "对应关系总览", "最相似的分句", "显示共同表述"):
        assert label in zh and label not in en, label
    for label in ("only in A", "only in B", "expand all", "Alignment at a glance", "overall score", "show shared"):
        assert label in en and label not in zh, label
    assert 'data-template="显示 {shown} / {total} 项"' in zh and 'data-template="{shown} of {total} shown"' in en


def test_lang_reaches_the_library_and_the_matrix(tmp_path):
    from compare.models import Options
    from compare.ranking import Matrix
    from compare.pages import render_matrix

    c = api.compare(str(SEED), str(PLAN), corpus=str(tmp_path / "none"))
    assert 'lang="zh-CN"' in render_html(c) and 'lang="en"' in render_html(c, Options(lang="en"))
    m = Matrix(plans=[{"name": "seed", "title": "种子", "date": None}, {"name": "x", "title": "计划", "date": None}],
               similarity=[[1.0, 0.3], [0.3, 1.0]], seed={"name": "seed", "title": "种子"},
               rows=[{"id": "1", "label": "一、", "level": 1}], columns=[{"name": "x", "title": "计划", "date": None}],
               coverage=[[0.5]])
    zh, en = render_matrix(m), render_matrix(m, lang="en")
    assert '<html lang="zh-CN">' in zh and "种子的覆盖情况" in zh and "规划两两相似度" in zh and "Coverage" not in zh
    assert '<html lang="en">' in en and "Coverage of 种子" in en and "Plan × plan similarity" in en
    result = CliRunner().invoke(main, ["matrix", "--lang", "fr", "-o", str(tmp_path / "m.html")])
    assert result.exit_code == 2 and "fr" in result.output


def test_same_pairs_are_collapsed_and_changes_open(tmp_path):
    a, b = tmp_path / "a.txt", tmp_path / "b.txt"
    a.write_text(NEWS_COPY, encoding="utf-8")
    b.write_text(CHANGED_COPY, encoding="utf-8")
    c = api.compare(str(a), str(b), corpus=str(tmp_path / "none"))
    page = render_html(c)
    tags = re.findall(r'<details class="pair [^>]*>', page)
    kinds = [re.search(r'data-kind="(\w+)"', tag).group(1) for tag in tags]
    assert "same" in kinds and set(kinds) - {"same"}
    for tag, kind in zip(tags, kinds):
        assert tag.endswith(" open>") == (kind != "same"), tag
    assert page.count('data-filter-kind="same" checked') == 1  # the filter still shows them


def test_quote_markers_are_stripped_from_the_preamble_and_nothing_else_is_lost(tmp_path):
    news, other = tmp_path / "news.txt", tmp_path / "other.txt"
    news.write_text(NEWS_COPY, encoding="utf-8")
    other.write_text(CHANGED_COPY, encoding="utf-8")
    c = api.compare(str(news), str(other), corpus=str(tmp_path / "none"))
    assert "> 来源" in c.a.preamble_text  # the loader keeps them: the report is what strips them
    view = build_view(c)
    pre = view["preamble"]["a"]
    assert [m for _, m in pre["markers"]] == ["> ", "> > ", ">", "> "]
    assert ">" not in pre["text"] and "来源：新华网\n发布时间：2021-12-30" in pre["text"]
    assert _with_markers(pre["text"], pre["markers"]) == c.a.preamble_text
    assert _squash(_rebuilt(c.a, view, "a")) == _squash(c.a.text)
    page = render_html(c)
    preambles = page[page.index('id="preambles"'):page.index('id="pairs"')]
    shown = "".join(re.findall(r'<div class="text">(.*?)</div>', preambles, re.S))
    assert "&gt;" not in shown and "来源：新华网" in _page_text(shown)
    assert preambles.count('class="hint quote-note"') == 1  # said once, under A's preamble
    # the preambles are diffed A against B: of A's issuers line, the issuer B drops is marked deleted, and the
    # one both name (中国人民银行, a phrase's worth of characters) stays shown in common: B adds nothing
    deleted = "".join(s.text for s in view["preamble"]["a"]["segments"] if s.op == DELETE)
    assert "国家发展改革委" in deleted and "中国人民银行" not in deleted
    assert "<del>" in preambles and "<ins>" not in preambles
    assert _squash("".join(s.text for s in view["preamble"]["b"]["segments"])) == _squash(c.b.preamble_text)


def test_paths_are_shown_relative_to_the_working_directory(tmp_path, monkeypatch):
    work = tmp_path / "work"
    (work / "plans").mkdir(parents=True)
    a, b = work / "plans" / "a.txt", tmp_path / "b.txt"
    a.write_text(NEWS_COPY, encoding="utf-8")
    b.write_text(CHANGED_COPY, encoding="utf-8")
    monkeypatch.chdir(work)
    view = build_view(api.compare(str(a), str(b), corpus=str(tmp_path / "none")))
    assert view["a"]["path"] == str(Path("plans") / "a.txt")  # under the working directory: relative
    assert view["b"]["path"] == str(b)  # elsewhere: as given
    page = render_html(api.compare(str(a), str(b), corpus=str(tmp_path / "none")))
    assert str(work) not in page


def test_heatmap_labels_do_not_overlap_and_cells_name_both_sections(shared_corpus):
    from compare.charts import COL_LABEL_PITCH, ROW_LABEL_PITCH

    c = api.compare(str(shared_corpus / "aml-law-2006.md"), str(shared_corpus / "aml-law-2024.md"), str(shared_corpus))
    h = build_view(c)["heatmap"]
    assert h["n_cols"] > 40 and h["cols"] and h["rows"]
    xs, ys = [col["x"] for col in h["cols"]], [r["y"] for r in h["rows"]]
    assert all(x2 - x1 >= COL_LABEL_PITCH for x1, x2 in zip(xs, xs[1:]))
    assert all(y2 - y1 >= ROW_LABEL_PITCH for y1, y2 in zip(ys, ys[1:]))
    assert len(h["cols"]) >= h["n_cols"] * h["size"] // (2 * COL_LABEL_PITCH)  # thinned, not dropped
    tip = h["cells"][0]["tip"]
    assert re.fullmatch(r"甲 第\S+条.* × 乙 第\S+条.*：相似度 \d\.\d\d", tip), tip


@pytest.mark.parametrize("number, title, text, limit, expected", [
    # a title is the name, whole
    ("（一）", "加强组织协调", "坚持党的全面领导。", 16, "（一） 加强组织协调"),
    # untitled and short: the first words, whole, punctuation and all
    ("第二条", "", "本条例所称地方金融组织，包括：", 30, "第二条 本条例所称地方金融组织，包括："),
    # cut after the last phrase that ends in the second half, never on a dangling comma
    ("第十三条", "", "鼓励金融机构、金融组织在国家金融管理部门支持下开展金融创新，并在本市推广金融创新成果。", 30,
     "第十三条 鼓励金融机构、金融组织在国家金融管理部门支持下开展金融创新…"),
    # no phrase ends late enough: a hard cut, still within the limit with its …
    ("第十三条", "", "鼓励金融机构、金融组织在国家金融管理部门支持下开展金融创新。", 16, "第十三条 鼓励金融机构、金融组织在国家金…"),
    # line breaks and runs of spaces read as one space
    ("1、", "", "规范发展\n地方金融组织。  依法\t监管", 30, "1、 规范发展 地方金融组织。 依法 监管"),
    ("", "", "", 20, ""),
])
def test_section_caption_is_short_and_says_where_it_was_cut(number, title, text, limit, expected):
    from compare.models import Section

    s = Section(id="1", level=1, number=number, title=title, text=text, span=(0, len(text)))
    assert s.caption(limit) == expected
    assert len(s.short_title(limit)) <= max(limit, len(title))


@pytest.mark.parametrize("title, edited", [("示范省地方金融条例", True), ("示范市地方金融条例", False)])
def test_kinds_read_as_edits_only_between_versions_of_one_document(tmp_path, title, edited):
    """修改/移动/拆分/合并, 编号变更 and 移出 say that B was made from A: true of two versions of one law (one title),
    false of two regions' laws, which read 有差异/位置不同/一对多/多对一, 编号不同 and 见于."""
    a = DATA / "sections" / "law_style.md"
    text = a.read_text(encoding="utf-8")
    assert text.startswith("# 示范省地方金融条例\n")
    b = tmp_path / "law_b.md"
    b.write_text(text.replace("示范省地方金融条例", title, 1).replace("应当加强监督管理", "应当依法加强日常监督管理"),
                 encoding="utf-8")
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["run", str(a), str(b), "--corpus", str(tmp_path / "none"), "-o", str(out)])
    assert result.exit_code == 0, result.output
    page = out.read_text(encoding="utf-8")
    labels = dict(re.findall(r'data-filter-kind="(\w+)" checked> (.+?) \(\d+\)', page))
    assert labels["changed"] == ("修改" if edited else "有差异") and labels["moved"] == ("移动" if edited else "位置不同")
    assert labels["split"] == ("拆分" if edited else "一对多") and labels["merge"] == ("合并" if edited else "多对一")
    assert ("修改 1" in result.output) is edited and ("有差异 1" in result.output) is not edited


def test_a_pair_that_differs_only_in_width_shows_no_change():
    """Securities-firm regulation 2016 第一条 writes (以下简称《证券法》), 2023 writes （以下简称《证券法》）: the pair is
    *same* after normalization, and its diff marked four brackets deleted and inserted."""
    a = ["根据", "《", "证券法", "》", "(", "以下简称", "《", "证券法", "》", ")", "，", "制定", "本", "条例", "。"]
    b = ["根据", "《", "证券法", "》", "（", "以下简称", "《", "证券法", "》", "）", "，", "制定", "本", "条例", "。"]
    sa, sb = sides(diff_tokens(a, b))
    assert [(s.op, s.text) for s in sa] == [(EQUAL, "".join(a))] and [(s.op, s.text) for s in sb] == [(EQUAL, "".join(b))]
    changed = sides(diff_tokens(a, b[:-3] + ["实施", "细则", "。"]))
    assert [s.text for s in changed[0] if s.op == DELETE] == ["本条例"]  # a real change is still marked


@needs_corpus
def test_where_a_pair_stands_in_b_is_named_by_article_or_as_the_first_under_a_heading(shared_corpus, tmp_path):
    """Shanghai FTZ 2014 against Chongqing 2019: 乙第五十三条 follows 第五十二条, whose last item is （五）; 乙第四十二条
    opens 第七章. The links said 位于第五十二条（五）之后 and 位于第七章之后."""
    out = tmp_path / "r.html"
    result = CliRunner().invoke(main, ["run", "sh-ftz-regulation-2014", "cq-ftz-regulation-2019", "--corpus",
                                       str(shared_corpus), "-o", str(out)])
    assert result.exit_code == 0, result.output
    links = re.findall(r'class="moved-link" href="#p\d+">([^<]*)<', out.read_text(encoding="utf-8"))
    assert "在乙中位于第五十二条之后 ↪" in links and "在乙中位于第七章开头 ↪" in links
    assert not [link for link in links if "）之后" in link or "章之后" in link]


@pytest.mark.parametrize("score, shown", [(0.9999, "0.99"), (1.0, "1.00"), (0.29, "0.29"), (0.196, "0.19"), (0.0, "0.00")])
def test_scores_read_cut_to_two_decimals(score, shown):
    from compare.templating import two_decimals

    assert two_decimals(score) == shown


def test_a_changed_pair_never_reads_1_00(tmp_path):
    """Two articles differing in one 的 score 0.99+: the badge beside 修改 must not say they are identical."""
    body = "地方金融组织应当建立健全内部控制制度，按照规定向地方金融监督管理部门报送经营数据和重大事项。"
    a, b = tmp_path / "a.md", tmp_path / "b.md"
    a.write_text("第一条 为了规范地方金融组织，制定本条例。\n第二条 " + body + "\n", encoding="utf-8")
    b.write_text("第一条 为了规范地方金融组织，制定本条例。\n第二条 " + body.replace("经营数据", "经营的数据") + "\n",
                 encoding="utf-8")
    c = api.compare(str(a), str(b), corpus=str(DATA / "none"))
    changed = next(p for p in c.pairs if p.kind == "changed")
    assert 0.995 <= changed.score < 1  # "%.2f" would print 1.00
    card = render_html(c).split('data-kind="changed"', 1)[1].split("</details>", 1)[0]
    assert re.search(r'class="score-badge"[^>]*>0\.99<', card)


@needs_corpus
def test_places_named_in_a_report_name_one_section_each(shared_corpus):
    """A reviewer read 最接近：甲(一) in the seed's report, where three sections are numbered (一); and a clause
    row （二） without its article. Every place a report names (nearest hints, clause rows, partial moves)
    names one section of its plan."""
    from collections import Counter

    from compare.charts import place_names

    for a, b in [(SEED, shared_corpus / "huzhou-green-finance-promotion-regulation-2021.md"),
                 (shared_corpus / "sd-local-finance-regulation-2016.md",
                  shared_corpus / "zj-local-finance-regulation-2020.md"),
                 (shared_corpus / "bj-business-environment-regulation-2020.md",
                  shared_corpus / "bj-business-environment-regulation-2024.md")]:
        c = api.compare(str(a), str(b), str(shared_corpus))
        page = html.unescape(render_html(c))
        for side, doc in (("甲", c.a), ("乙", c.b)):
            names = Counter(map(place_names(doc), (s.id for s in doc.walk())))
            unique = {n for n, k in names.items() if k == 1}
            named = re.findall(rf"最接近：{side}([^（<]+)（", page) + re.findall(rf"位于{side}([^ <的\"]+)", page)
            assert all(n in unique for n in named), (a.name, side, [n for n in named if n not in unique])
        table = page.split('id="clauses"', 1)[1].split("</table>", 1)[0]
        rows = re.findall(r'<td><a href="#p\d+">([^<]+)</a>.*?<td><a href="#p\d+">([^<]+)</a>', table, re.S)
        assert rows
        for doc, named in ((c.a, [x for x, _ in rows]), (c.b, [y for _, y in rows])):
            names = Counter(map(place_names(doc), (s.id for s in doc.walk())))
            assert all(names[n] == 1 for n in named), (a.name, [n for n in named if names[n] != 1])
        # ... and so do the heatmap's axes, which had prefixed a parent only among units ((一)1、 beside a bare (二))
        view = build_view(c)["heatmap"]
        for doc, labels in ((c.a, [r["label"] for r in view["rows"]]), (c.b, [k["label"] for k in view["cols"]])):
            names = Counter(map(place_names(doc), (s.id for s in doc.walk())))
            assert labels and all(names[n] == 1 for n in labels), (a.name, [n for n in labels if names[n] != 1])


@needs_corpus
def test_a_chapter_that_stands_elsewhere_is_placed_after_a_chapter(shared_corpus):
    """Shandong 2016 against Zhejiang 2020: 乙第三章 follows 乙第二章, whose last article is 第三十二条; the chapter's
    card read 位于第三十二条之后."""
    c = api.compare(str(shared_corpus / "sd-local-finance-regulation-2016.md"),
                    str(shared_corpus / "zj-local-finance-regulation-2020.md"), str(shared_corpus))
    page = html.unescape(render_html(c))
    cards = re.findall(r'<details class="pair k-moved role-container.*?</details>', page, re.S)
    places = [re.search(r"位于(第.+?[章条])(之后|开头)", card).group(1) for card in cards]
    assert places and all(place.endswith("章") for place in places), places


@needs_corpus
def test_a_card_of_two_headings_of_different_titles_names_both(shared_corpus):
    """甲第三章 金融发展 ↔ 乙第三章 金融风险防范与处置 read 第三章 金融发展 until opened."""
    c = api.compare(str(shared_corpus / "sd-local-finance-regulation-2016.md"),
                    str(shared_corpus / "zj-local-finance-regulation-2020.md"), str(shared_corpus))
    labels = re.findall(r'class="pair-label[^>]*>([^<]*)<', html.unescape(render_html(c)))
    assert "第三章 金融发展 ↔ 第三章 金融风险防范与处置" in labels
    assert "第一章 总则" in labels  # the same title on both sides: named once


@needs_corpus
def test_a_short_article_is_not_everyones_nearest(shared_corpus):
    """Zhejiang 2020 第三条 (29 characters of principles) was the nearest of eight unrelated Shandong 2016 articles,
    its characters all standing somewhere in each; 甲第三十九条 (prudent operation, risk control) was one of them,
    while 乙第十一条 and 第二十二条 hold its counterpart duties."""
    c = api.compare(str(shared_corpus / "sd-local-finance-regulation-2016.md"),
                    str(shared_corpus / "zj-local-finance-regulation-2020.md"), str(shared_corpus))
    nearest = {p.a[0]: c.b.section(p.nearest[0]).number for p in c.pairs if p.nearest and p.a}
    assert "第三条" not in nearest.values(), nearest
    assert nearest[next(s.id for s in c.a.walk() if s.number == "第三十九条")] in ("第十一条", "第二十二条")


@pytest.mark.parametrize("a, b, one", [
    ("中华人民共和国反洗钱法（2006年原文；与aml-law-2024为新旧版本对）", "中华人民共和国反洗钱法（2024年修订；与aml-law-2006为新旧版本对）", True),
    ("北京市优化营商环境条例", "北京市优化营商环境条例（2024年修订文本）", True),
    ("某市融资担保管理办法（试行）", "某市融资担保管理办法", True),
    ("中国（上海）自由贸易试验区条例", "中国（重庆）自由贸易试验区条例", False),  # brackets inside the title are the title
    ("上海市地方金融监督管理条例", "浙江省地方金融条例", False),
    ("（2006年原文）", "（2024年修订）", False),  # nothing but a note: compared whole
])
def test_versions_of_one_document_read_past_a_closing_note(a, b, one):
    """MANIFEST.tsv's titles carry notes (（2006年原文；…）); given as --meta they made AML 2006/2024 read as two
    documents: 有差异, 位置不同, 编号不同."""
    from compare.models import Document, versions_of_one

    doc_a, doc_b = (Document(path=n, name=n, title=t, text="", format="txt", encoding="utf-8", sha256="")
                    for n, t in (("a", a), ("b", b)))
    assert versions_of_one(doc_a, doc_b) is one


@needs_corpus
def test_preambles_without_a_phrase_in_common_are_shown_side_by_side(shared_corpus):
    """The seed's issuing notice against Huzhou's adoption record: one was struck whole, the other inserted whole."""
    apart = build_view(api.compare(str(SEED), str(shared_corpus / "huzhou-green-finance-promotion-regulation-2021.md"),
                                   str(shared_corpus)))["preamble"]
    assert apart["apart"] and {s.op for side in "ab" for s in apart[side]["segments"]} == {EQUAL}
    assert "两份前言没有共同的表述" in render_html(api.compare(
        str(SEED), str(shared_corpus / "huzhou-green-finance-promotion-regulation-2021.md"), str(shared_corpus)))
    versions = build_view(api.compare(str(shared_corpus / "aml-law-2006.md"), str(shared_corpus / "aml-law-2024.md"),
                                      str(shared_corpus)))["preamble"]
    assert not versions["apart"] and {s.op for s in versions["b"]["segments"]} == {EQUAL, INSERT}


def test_english_counts_agree_with_their_numbers():
    """The en strings said "20 differs", "1 passage(s) also stand in a section of B…" and "1 shared clauses". A
    count's words now follow it: {n|one|other} in an entry picks the singular where n is 1."""
    from compare.templating import Strings, _ui_table

    en, other = Strings("en"), Strings("en", "other")
    assert en("cli.summary_moves", n=1) == " · 1 partial move" and en("cli.summary_moves", n=2) == " · 2 partial moves"
    assert other("cli.summary_moves", n=1) == " · 1 passage also stands in a section of B it is not paired with"
    assert other("cli.summary_moves", n=3) == " · 3 passages also stand in sections of B they are not paired with"
    assert other("counts_moves", n=1) == "1 passage also stands in a section of B it is not paired with"
    assert en("reuse_edge_tip", source="a", target="b", n=1) == "a → b: 1 shared clause"
    assert en("reuse_edge_tip", source="a", target="b", n=2) == "a → b: 2 shared clauses"
    assert en("cli.corpus_skipped", n=1) == "1 corpus file could not be read and was skipped (not in the IDF)"
    assert en("cli.wrote_all", n=2, folder="out", reports=1) == "wrote 2 files to out (1 report and index.html)"
    assert en("count", n=20, label=other.text("kind.changed")) == "20 different"
    assert en.around("count", "n", label="paired") == ("", " paired")
    table = _ui_table()
    for lang in table:  # no entry keeps a "(s)" or a bare plural after a count of one
        assert not [k for k, v in table[lang].items() if "(s)" in v], lang


def test_each_score_badge_carries_the_jsons_score_in_full(tmp_path):
    """The cards cut scores to two decimals (0.9999 must not read 1.00 beside 修改); an analyst checking a
    card against the JSON finds the same number, to four decimals, in the badge's title."""
    out, js = tmp_path / "r.html", tmp_path / "r.json"
    result = CliRunner().invoke(main, ["run", str(SEED), str(PLAN), "--corpus", str(tmp_path / "none"),
                                       "-o", str(out), "--json", str(js)])
    assert result.exit_code == 0, result.output
    page, data = out.read_text(encoding="utf-8"), json.loads(js.read_text(encoding="utf-8"))
    shown = [p["score"] for p in data["pairs"] if p["role"] != "item" and p["a"] and p["b"]]
    titles = re.findall(r'class="score-badge" title="余弦相似度 ([0-9.]+)（', page)
    assert len(shown) > 3 and titles == [f"{s:.4f}" for s in shown]
    assert f'title="{data["score"]:.4f}"' in page


@needs_corpus
def test_a_pair_below_the_floor_says_it_is_weak(shared_corpus, tmp_path):
    """The seed against the Beijing business-environment regulation pairs 16 units, 15 below 0.20 and most not
    an analyst's pairs: each such card says 弱配对, with why in its title; the cards at the floor do not."""
    out, js = tmp_path / "r.html", tmp_path / "r.json"
    result = CliRunner().invoke(main, ["run", str(SEED), str(shared_corpus / "bj-business-environment-regulation-2024.md"),
                                       "--corpus", str(shared_corpus), "-o", str(out), "--json", str(js)])
    assert result.exit_code == 0, result.output
    page, data = out.read_text(encoding="utf-8"), json.loads(js.read_text(encoding="utf-8"))
    weak = [p for p in data["pairs"] if p["role"] == "unit" and p["a"] and p["b"] and p["score"] < data["threshold"]]
    cards = re.findall(r'<details class="pair[^>]*data-score="([0-9.]+)"[^>]*>(.*?)</summary>', page, re.S)
    badged = [float(score) for score, head in cards if 'class="weak-badge"' in head]
    assert weak and len(badged) == len(weak) and all(score < data["threshold"] for score in badged)
    assert "弱配对" in page and "证据较弱" in page
