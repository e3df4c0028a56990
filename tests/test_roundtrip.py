"""Plans as published: the seed and every real plan, printed to PDF by Chromium in the official-document
layout and written to DOCX by python-docx, read back as the same plan as its source.

Each published copy must give the source's outline, and ``compare run`` against the source must find
every pair ``same`` with a score of at least 0.99. The documents are made here, from the sources, once
per module: one browser prints them all (about 15 s for the 21 plans).
"""
from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from compare.cli import main
from compare.normalize import match_form, unify_shared_glyphs
from compare.sections import check_lossless, load_plan
from conftest import SEED, SHARED_CORPUS, chromium, real_corpus_files
from published import lines_with_roles, print_pdf, write_docx

PLANS = [SEED] + real_corpus_files()
FORMATS = ("pdf", "docx")

pytestmark = [pytest.mark.browser, pytest.mark.corpus]


@pytest.fixture(scope="module")
def browser():
    yield from chromium("round-trip tests")


@pytest.fixture(scope="module")
def published(browser, tmp_path_factory):
    """{plan stem: {"source": Document, "pdf": path, "docx": path}} for the seed and every corpus plan."""
    if not real_corpus_files():
        pytest.skip(f"the real plans are not here: {SHARED_CORPUS} is absent")
    folder = tmp_path_factory.mktemp("published")
    page = browser.new_page()
    made = {}
    for plan in PLANS:
        source = load_plan(plan)
        lines = lines_with_roles(source)
        made[plan.stem] = {"source": source, "pdf": folder / f"{plan.stem}.pdf", "docx": folder / f"{plan.stem}.docx"}
        print_pdf(page, lines, made[plan.stem]["pdf"])
        write_docx(lines, made[plan.stem]["docx"])
    page.close()
    return made


def _outline(doc) -> list[tuple[str, str, str]]:
    """(id, number, title) of every section; titles in matching form (a PDF may say 戶 for 户: one glyph)."""
    return [(s.id, s.number, match_form(s.title)) for s in doc.walk()]


CASES = [pytest.param(plan, fmt, id=f"{plan.stem}-{fmt}") for plan in PLANS for fmt in FORMATS]


@pytest.mark.parametrize("plan, fmt", CASES)
def test_published_copy_has_the_sources_outline(published, plan, fmt):
    source, copy = published[plan.stem]["source"], load_plan(published[plan.stem][fmt])
    assert copy.format == fmt
    check_lossless(copy)
    assert _outline(copy) == _outline(source)
    assert copy.title == source.title
    assert "".join(match_form(copy.text).split()) == "".join(match_form(source.text).split())  # no text lost


@pytest.mark.parametrize("plan, fmt", CASES)
def test_compare_run_finds_the_published_copy_the_same(published, plan, fmt, tmp_path):
    out = tmp_path / "run.json"
    result = CliRunner().invoke(main, ["run", str(published[plan.stem][fmt]), str(plan), "--corpus", str(SHARED_CORPUS),
                                       "--no-html", "--json", str(out)])
    assert result.exit_code == 0, result.output
    data = json.loads(out.read_text(encoding="utf-8"))
    kinds = {p["kind"] for p in data["pairs"]}
    assert kinds == {"same"}, [(p["kind"], p.get("a"), p.get("b")) for p in data["pairs"] if p["kind"] != "same"][:5]
    assert data["score"] >= 0.99


# ---------------------------------------------------------------- layouts that published PDFs also have

ARTICLES = [f"第{cn}条 {body}" for cn, body in zip(
    ["四", "五", "六", "七", "八", "九", "十", "十一", "十二", "十三", "十四", "十五"],
    ["县级以上人民政府应当加强对地方金融工作的领导，建立健全地方金融风险防范与处置工作机制，统筹协调解决重大问题。"] * 12)]
LAYOUT_PLAN = [
    ("示范区地方金融条例", "title"),
    ("第一章 总则", "chapter"),
    ("第一条 为了规范地方金融组织，防范化解金融风险，制定本条例。", ""),
    # Wrapped so that a printed line ends at 第 and the next opens with （一）, as a heading would.
    ("第二条 违反本条例规定的，由监督管理部门依照本条例第（一）项规定，责令限期改正，并处以罚款。", ""),
    ("第三条 本条例所称地方金融组织，是指附件所列机构。", ""),
    *[(article, "") for article in ARTICLES],
    ("附件", ""),
    ("<table><tr><th>机构类型</th><th>监督管理部门</th></tr><tr><td>小额贷款公司</td><td>省地方金融监督管理局</td></tr>"
     "<tr><td>融资担保公司</td><td>设区的市地方金融工作部门</td></tr></table>", "raw"),
]
HEADER = "示范区人民代表大会常务委员会公报"


@pytest.fixture(scope="module")
def layout_pdf(browser, tmp_path_factory):
    path = tmp_path_factory.mktemp("layouts") / "plan.pdf"
    page = browser.new_page()
    print_pdf(page, LAYOUT_PLAN, path, header=HEADER)
    page.close()
    return path


def test_running_header_wrapped_marker_and_annex_table_parse_right(layout_pdf):
    from pypdf import PdfReader

    pages = [unify_shared_glyphs(page.extract_text()) for page in PdfReader(layout_pdf).pages]
    assert len(pages) >= 2 and all(HEADER in text for text in pages)  # the fixture has what it claims
    assert any(line.startswith("（一）项") for text in pages for line in text.splitlines())

    doc = load_plan(layout_pdf)
    check_lossless(doc)
    assert doc.title == "示范区地方金融条例"
    assert [s.number for s in doc.walk()] == ["第一章", "第一条", "第二条", "第三条",
                                              *[a.split()[0] for a in ARTICLES], "附件"]
    assert HEADER not in doc.text and any(HEADER in w and "running header" in w for w in doc.warnings)
    assert "本条例第（一）项规定" in doc.text.replace("\n", "")
    flat = "".join(doc.text.split())
    for line, role in LAYOUT_PLAN[:-1]:
        assert "".join(line.split()) in flat  # nothing lost
    annex = next(s for s in doc.walk() if s.number == "附件")
    for cell in ("机构类型", "小额贷款公司", "省地方金融监督管理局", "设区的市地方金融工作部门"):
        assert cell in doc.text[annex.span[0]:annex.end]  # the table stays in its annex


@pytest.mark.parametrize("body, message", [
    ('<div style="height:200mm"></div>', "no text layer"),
    ("<p>" + "".join(chr(0xE000 + k) for k in range(200)) + "</p>", "cannot be trusted"),  # no glyphs: /g0 /g0 …
], ids=["no-text", "unmapped-glyphs"])
def test_untrusted_text_layer_is_refused_with_an_ocr_hint(browser, tmp_path, body, message):
    from compare.errors import InputError

    path = tmp_path / "scan.pdf"
    page = browser.new_page()
    print_pdf(page, [(body, "raw")], path)
    page.close()
    with pytest.raises(InputError) as info:
        load_plan(path)
    assert str(path) in str(info.value) and message in str(info.value) and "OCR" in str(info.value)
    assert "\n" not in str(info.value)


def test_a_text_layer_of_mostly_private_use_characters_is_refused():
    from compare.errors import InputError
    from compare.formats import Paragraphs
    from compare.pdf import _untrusted

    pars = Paragraphs()
    pars.add("第一条 " + "".join(chr(0xE000 + k) for k in range(40)))
    error = _untrusted(pars, "plan.pdf")
    assert isinstance(error, InputError) and "cannot be trusted" in str(error) and "OCR" in str(error)
    pars.add("第二条 本条例自公布之日起施行，地方金融监督管理部门负责组织实施本条例的各项规定。" * 2)
    assert _untrusted(pars, "plan.pdf") is None  # a few private-use characters are read


# A title in large type wrapping onto two (and three) lines; a footnote at the foot of a page that a
# paragraph runs across. Both printed with the browser above: about a second in all.

BODY = "县级以上人民政府应当加强对地方金融工作的领导，建立健全地方金融风险防范与处置工作机制，统筹协调解决重大问题。"
LONG_TITLES = [
    pytest.param("浙江省推进地方金融改革服务实体经济高质量发展实施方案", 2, id="two-lines"),
    pytest.param("浙江省地方金融条例（2020年5月15日浙江省第十三届人民代表大会常务委员会第二十一次会议通过）", 3, id="three-lines"),
]


@pytest.mark.parametrize("title, wraps", LONG_TITLES)
def test_a_title_over_several_lines_is_read_whole(browser, tmp_path, title, wraps):
    from pypdf import PdfReader

    plan = [(title, "title"), ("第一章 总则", "chapter"), *[(f"第{cn}条 {BODY}", "") for cn in "一二三"],
            ("第二章 附则", "chapter"), (f"第四条 {BODY}", "")]
    path = tmp_path / "plan.pdf"
    page = browser.new_page()
    print_pdf(page, plan, path)
    page.close()
    first = unify_shared_glyphs(PdfReader(path).pages[0].extract_text()).splitlines()
    assert "".join(first[:wraps]) == title and first[wraps] == "第一章 总则"  # the fixture wraps as it claims

    doc = load_plan(path)
    check_lossless(doc)
    assert doc.title == title
    assert [(s.number, s.title) for s in doc.walk()] == [("第一章", "总则"), ("第一条", ""), ("第二条", ""), ("第三条", ""),
                                                         ("第二章", "附则"), ("第四条", "")]
    assert doc.text.split("\n")[0] == title  # one paragraph, nothing lost
    assert "".join(doc.text.split()) == "".join("".join(line for line, _ in plan).split())


# 第五条 runs from page 1 to page 2; page 1 ends with its footnote. The page is laid out by hand (a page
# box 224 mm high: A4 less the margins), the paragraph cut where its third printed line ends.
INTERRUPTED = ("第五条 地方金融组织①应当遵守法律法规和监管规定，审慎经营，加强内部控制和风险管理，建立健全公司治理结构，"
               "依法履行信息报送义务，不得从事非法集资、吸收或者变相吸", "收公众存款等活动。")
FOOTNOTE = "① 本条所称地方金融组织，是指依法设立的小额贷款公司、融资担保公司、区域性股权市场、典当行、融资租赁公司、商业保理公司、地方资产管理公司。"


def _footnoted_page() -> str:
    import html as h

    mark = '<sup style="font-size:60%">①</sup>'
    first = "".join(f"<p>第{cn}条 {BODY}</p>" for cn in "一二三四")
    cut = h.escape(INTERRUPTED[0]).replace("①", mark)
    return ('<div style="height:224mm;position:relative;break-after:page">'
            f'<p class="title">示范区地方金融条例</p><p class="chapter">第一章 总则</p>{first}'
            f'<p style="text-align-last:justify">{cut}</p>'
            f'<p class="note" style="position:absolute;bottom:0;border-top:1px solid #000">{h.escape(FOOTNOTE)}</p></div>'
            f'<p style="text-indent:0">{INTERRUPTED[1]}</p><p>第六条 {BODY}</p>')


def test_a_footnote_is_kept_after_the_paragraph_it_interrupts(browser, tmp_path):
    from pypdf import PdfReader

    path = tmp_path / "plan.pdf"
    page = browser.new_page()
    print_pdf(page, [(_footnoted_page(), "raw")], path)
    page.close()
    pages = [unify_shared_glyphs(p.extract_text()).splitlines() for p in PdfReader(path).pages]
    assert len(pages) == 2 and pages[0][-3].startswith("①") and pages[0][-4].endswith("变相吸")  # as it claims
    assert pages[1][0] == INTERRUPTED[1]

    doc = load_plan(path)
    check_lossless(doc)
    assert doc.title == "示范区地方金融条例"
    assert [(s.number, s.title) for s in doc.walk()] == [("第一章", "总则"), *[(f"第{cn}条", "") for cn in "一二三四五六"]]
    paragraphs = doc.text.split("\n")
    interrupted = "".join("".join(INTERRUPTED).split())
    at = next(k for k, par in enumerate(paragraphs) if par.startswith("第五条"))
    assert "".join(paragraphs[at].split()) == interrupted  # not glued into the paragraph
    assert paragraphs[at + 1] == FOOTNOTE and paragraphs[at + 2].startswith("第六条")  # kept, right after it
    fifth = next(s for s in doc.walk() if s.number == "第五条")
    assert FOOTNOTE in doc.text[fifth.span[0]:fifth.end]
    assert "".join(doc.text.split()) == "".join(
        ("示范区地方金融条例第一章总则" + "".join(f"第{cn}条{BODY}" for cn in "一二三四") + interrupted + FOOTNOTE
         + f"第六条{BODY}").split())
