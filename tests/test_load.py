"""Loading: formats, encodings, metadata, normalization, and every kind of bad input."""
from __future__ import annotations

import os
import re

import pytest

from compare.errors import InputError
from compare.load import load
from compare.normalize import match_form
from compare.sections import check_lossless, load_plan
from conftest import SEED, DATA

PLAN = (DATA / "sections" / "plan_style.txt").read_text(encoding="utf-8")


@pytest.mark.parametrize(
    "encoding, prefix",
    [("utf-8", b""), ("utf-8", b"\xef\xbb\xbf"), ("gb18030", b""), ("gbk", b""), ("big5", b""),
     ("utf-16-le", b"\xff\xfe"), ("utf-16-be", b"\xfe\xff"), ("utf-16-le", b"")],
)
def test_encodings_are_detected(tmp_path, encoding, prefix):
    text = PLAN if encoding != "big5" else "第一章 總則\n第一條 為了規範地方金融組織，制定本條例。\n第二條 本條例適用於本市。\n"
    path = tmp_path / "plan.txt"
    path.write_bytes(prefix + text.encode(encoding))
    doc = load_plan(path)
    assert doc.text.splitlines()[0] == text.splitlines()[0]
    assert len(list(doc.walk())) >= 3
    check_lossless(doc)


def test_encoding_override(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_bytes(PLAN.encode("gb18030"))
    assert load(path, encoding="gb18030").encoding == "gb18030"
    with pytest.raises(InputError, match="cannot decode as utf-8"):
        load(path, encoding="utf-8")


@pytest.mark.parametrize("data, encoding, message", [
    (b"\x00" * 4096, "utf-8", "not text when read as utf-8"),  # NUL bytes decode; a binary file is still refused
    (b"\x00\x01\x02\x03" * 1024, "latin-1", "not text when read as latin-1"),
    (PLAN.encode("utf-8"), "utf-16", "does not read as utf-16: it reads as utf-8"),  # decodes, to characters no plan uses
])
def test_an_encoding_given_that_does_not_fit_is_refused(tmp_path, data, encoding, message):
    path = tmp_path / "plan.txt"
    path.write_bytes(data)
    with pytest.raises(InputError, match=message):
        load(path, encoding=encoding)


def test_html_drops_script_style_nav_and_decodes_entities():
    doc = load_plan(DATA / "sections" / "html_style.html")
    assert "不应出现" not in doc.text and "color:red" not in doc.text and "首页" not in doc.text
    assert "建成<区域>金融中心&开放高地" in doc.text
    assert doc.title == "示范区建设方案"
    assert [s.title for s in doc.walk()] == ["总体目标", "重点任务", "扩大金融开放", "发展跨境金融"]


def test_markdown_front_matter_without_html(tmp_path):
    path = tmp_path / "post.md"
    path.write_text('---\ntitle: "关于印发《示范规划》的通知"\ndate: 2022-03-01 10:00:00 +0800\n---\n'
                    "**一、总体要求**\n\n（一）指导思想。坚持稳中求进。\n\n[返回首页](//example.com/)\n", encoding="utf-8")
    doc = load_plan(path)
    assert doc.format == "jekyll" and doc.title == "示范规划" and doc.date == "2022-03-01"
    assert [s.title for s in doc.walk()] == ["总体要求", "指导思想"]
    assert doc.boilerplate[-1].text == "返回首页"


def test_docx_headings_and_text(tmp_path):
    docx = pytest.importorskip("docx")
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    document = docx.Document()
    title = document.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    title.add_run("示范区绿色金融改革方案").bold = True
    document.add_paragraph("一、总体要求")
    document.add_paragraph("（一）发展目标。到2025年，绿色贷款余额明显增长。")
    document.add_paragraph("二、主要任务")
    document.add_paragraph("（一）创新绿色金融产品。支持发行绿色债券。")
    path = tmp_path / "plan.docx"
    document.save(path)
    doc = load_plan(path)
    assert doc.format == "docx" and doc.title == "示范区绿色金融改革方案"
    assert [s.id for s in doc.walk()] == ["1", "1/1", "2", "2/1"]
    assert doc.section("2/1").title == "创新绿色金融产品"
    check_lossless(doc)


def test_match_form_is_length_preserving_and_folds_variants():
    src = "(一)ＱＦＬＰ試點，跨境資金池１２３\u3000"
    out = match_form(src)
    assert len(out) == len(src)
    assert out == "（一）QFLP试点，跨境资金池123 "


def test_the_bulk_matching_form_equals_match_form_on_every_code_point():
    from compare.normalize import match_form_bulk

    every = "".join(map(chr, range(0x110000)))  # lone surrogates included: text decoded with surrogateescape
    assert match_form_bulk(every) == match_form(every)
    for text in ("", "a", SEED.read_text(encoding="utf-8")):
        assert match_form_bulk(text) == match_form(text)


BAD_INPUTS = [
    (None, "no such file"), ("dir", "is a directory"), (b"", "empty file"), (b"  \n\n ", "empty file"),
    (b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(range(256)), "binary file"),
    (b"\xff\xfe\xfa" + bytes([0x81, 0x20]) * 40, "undecodable"), (b"\x81\x20\xfe\x20" * 50, "undecodable"),
    (b"PK\x03\x04garbage", "malformed DOCX"), (b"%PDF-1.4 garbage", "malformed PDF"),
    ("第一条 为了规范地方金融组织，制定本条例。".encode() * 20 + b"\xff" + "第二条".encode(),
     "not UTF-8 (invalid from byte 1,220)"),  # one bad byte: where it is
    ("zip", "malformed DOCX (no [Content_Types].xml in the package)"),
    ("fifo", "not a regular file (a FIFO)"), ("big", "too large (0.0018 MB; the size cap is 0.00095 MB"),
    ("<!-- 只有注释 -->\n".encode(), "no text found in this markdown file"),
]
BAD_IDS = ["missing", "directory", "empty", "blank", "binary", "bad-utf16", "undecodable", "bad-docx", "bad-pdf",
           "one-bad-byte", "docx-without-its-parts", "fifo", "too-large", "no-text"]


def _bad_file(tmp_path, content):
    path = tmp_path / ("bad.md" if isinstance(content, bytes) and content.startswith(b"<!--") else "bad.txt")
    if content == "dir":
        path.mkdir()
    elif content == "zip":
        import zipfile

        with zipfile.ZipFile(path, "w") as z:
            z.writestr("word/notes.txt", "not a document")
    elif content == "fifo":
        os.mkfifo(path)
    elif content == "big":
        path.write_bytes("第一条 规范。".encode() * 100)
    elif content is not None:
        path.write_bytes(content)
    return path


@pytest.mark.parametrize("content, message", BAD_INPUTS, ids=BAD_IDS)
def test_bad_input_names_file_and_problem(tmp_path, content, message):
    path = _bad_file(tmp_path, content)
    with pytest.raises(InputError) as info:
        load(path, max_bytes=1000 if content == "big" else None)
    assert str(path) in str(info.value) and message in str(info.value)
    assert "\n" not in str(info.value)


@pytest.mark.parametrize("content, message", BAD_INPUTS, ids=BAD_IDS)
def test_why_a_file_cannot_be_read_reads_in_the_interface_language(tmp_path, content, message):
    """A file that cannot be read is an English error when it ends a command, and a warning in the interface
    language when a corpus command skips it: the reason has its entry in the string table, in both languages."""
    from compare.templating import Strings
    from compare.tfidf import skipped_note

    path = _bad_file(tmp_path, content)
    with pytest.raises(InputError) as info:
        load(path, max_bytes=1000 if content == "big" else None)
    exc = info.value
    assert exc.key and exc.key in Strings("zh").table and exc.key in Strings("en").table
    assert Strings("en").note(exc.note()) == str(exc)  # English: the error's own words
    assert Strings("en").note(skipped_note(exc)) == f"{exc} (skipped)"
    zh = Strings("zh").note(skipped_note(exc))
    assert zh.startswith(f"{path}：") and zh.endswith("（已跳过）")
    prose = zh[len(str(path)):]
    values = list(exc.values.values())
    while values:  # names and numbers (an encoding, a part, an exception's class) stay as they are
        value = values.pop()
        values += getattr(value, "values", {}).values()
        prose = prose.replace(str(value), "")
    words = set(re.findall(r"[A-Za-z_]{3,}", prose)) - {"UTF", "Big", "DOCX", "PDF", "NUL", "OCR", "encoding", "max",
                                                          "COMPARE_MAX_MB"}
    assert not words, zh


def test_no_structure_gives_one_section_and_a_warning():
    doc = load_plan(DATA / "sections" / "no_structure.txt")
    assert len(doc.sections) == 1 and not doc.sections[0].children
    assert doc.warnings and "no numbered headings" in doc.warnings[0]
    check_lossless(doc)


def test_pdf_text_layer_with_kangxi_radicals():
    """kechuang_plan.pdf was printed by headless Chromium from kechuang_plan_source.html (Noto CJK)."""
    doc = load_plan(DATA / "formats" / "kechuang_plan.pdf")
    assert doc.format == "pdf"
    assert doc.text.splitlines()[0] == "示范区科创金融方案"  # ⽰/⾦/⽅ folded back to 示/金/方
    assert [s.number + s.title for s in doc.walk()] == ["一、总体要求", "（一）发展目标", "二、主要任务", "（一）拓宽融资渠道"]
    check_lossless(doc)


def test_doc_number_issuers_and_date_from_a_notice(tmp_path):
    path = tmp_path / "notice.txt"
    path.write_text("国务院办公厅关于印发《示范区金融开放方案》的通知\n国办发〔2022〕15号\n各省、自治区、直辖市人民政府：\n"
                    "现将《示范区金融开放方案》印发给你们，请认真贯彻执行。\n国务院办公厅\n2022年3月8日\n"
                    "一、总体要求\n（一）指导思想。扩大金融开放。\n", encoding="utf-8")
    doc = load_plan(path)
    assert doc.doc_number == "国办发〔2022〕15号" and doc.title == "示范区金融开放方案"
    assert doc.date == "2022-03-08" and doc.issuers == ["国务院办公厅"]
    assert [s.number + s.title for s in doc.walk()] == ["一、总体要求", "（一）指导思想"]


@pytest.mark.parametrize("variant, unified", [
    ("金融⻛险", "金融风险"), ("部⻔", "部门"), ("人⺠", "人民"), ("⻋辆", "车辆"), ("增⻓", "增长"),  # Radicals Supplement
    ("第⼀条", "第一条"), ("⾦融", "金融"), ("⾨户", "门户"), ("⼾籍", "户籍"),  # Kangxi Radicals, then simplified
    ("\uf901新", "更新"), ("〈条例〉", "〈条例〉"),  # a CJK Compatibility Ideograph; angle brackets
])
def test_match_form_folds_equivalent_ideographs(variant, unified):
    assert len(match_form(variant)) == len(variant)
    assert match_form(variant) == match_form(unified)


def test_radicals_typed_into_a_plan_stay_in_its_text(tmp_path):
    path = tmp_path / "plan.txt"
    path.write_text("第一章 总则\n第一条 防范金融⻛险，维护人⺠利益。\n", encoding="utf-8")
    doc = load_plan(path)
    assert "金融⻛险" in doc.text and "人⺠" in doc.text  # shown as written; only matching folds them
    check_lossless(doc)
