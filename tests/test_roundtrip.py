"""Plans as published: the seed and every real plan, printed to PDF by Chromium in the official-document
layout and written to DOCX by python-docx, read back as the same plan as its source.

Each published copy must give the source's outline, and ``compare run`` against the source must find
every pair ``same`` with a score of at least 0.99. The documents are made here, from the sources, once
per module: one browser prints them all (about 15 s for the 21 plans).
"""
from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner

from compare.cli import main
from compare.normalize import match_form, unify_shared_glyphs
from compare.sections import check_lossless, load_plan
from conftest import SEED, SHARED_CORPUS, real_corpus_files
from published import lines_with_roles, print_pdf, write_docx

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
PLANS = [SEED] + real_corpus_files()
FORMATS = ("pdf", "docx")

pytestmark = [pytest.mark.browser, pytest.mark.corpus]


def _unavailable(reason: str):
    """Skip on a developer machine without a browser; in CI (CI=true) these tests must run."""
    if os.environ.get("CI"):
        pytest.fail(f"round-trip tests cannot run in CI: {reason}")
    pytest.skip(reason)


@pytest.fixture(scope="module")
def browser():
    try:
        from playwright import sync_api
    except ImportError:
        _unavailable("playwright is not installed")
    if not Path(CHROMIUM).exists():
        _unavailable(f"no Chromium at {CHROMIUM}")
    with sync_api.sync_playwright() as p:
        b = p.chromium.launch(executable_path=CHROMIUM, args=["--headless", "--no-sandbox", "--disable-gpu"])
        yield b
        b.close()


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
    from compare.formats import Paragraphs, _untrusted

    pars = Paragraphs()
    pars.add("第一条 " + "".join(chr(0xE000 + k) for k in range(40)))
    error = _untrusted(pars, "plan.pdf")
    assert isinstance(error, InputError) and "cannot be trusted" in str(error) and "OCR" in str(error)
    pars.add("第二条 本条例自公布之日起施行，地方金融监督管理部门负责组织实施本条例的各项规定。" * 2)
    assert _untrusted(pars, "plan.pdf") is None  # a few private-use characters are read
