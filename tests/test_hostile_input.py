"""Hostile input (issue 13): nothing hangs, nothing eats memory, no text is lost, every failure is one line.

Time budgets are generous, far above what the code needs, and far below what
the old quadratic or cubic patterns took at these sizes (each case notes it).
"""
from __future__ import annotations

import io
import os
import struct
import subprocess
import sys
import time
import tracemalloc
import zlib

import pytest
from click.testing import CliRunner
from hypothesis import given, settings
from hypothesis import strategies as st

from compare.errors import BadArgument, ExitStatus, InputError
from compare.load import load, load_bytes, read_bytes, size_cap
from compare.models import Options
from compare.sections import check_lossless, load_plan, parse
from conftest import DATA, ROOT

BUDGET = 10.0  # seconds for one parse; the old patterns took minutes at these sizes


def _parse_timed(text: str, name: str):
    start = time.perf_counter()
    doc = parse(load_bytes(text.encode("utf-8"), name))
    elapsed = time.perf_counter() - start
    assert elapsed < BUDGET, f"{name}: {elapsed:.1f} s for {len(text)} characters"
    check_lossless(doc)
    return doc


# Before the fix (same machine): "[a](" × 2000 took 46 s and grew cubically; "印发《" × 20000 7 s,
# "<!--" × 20000 12 s, both quadratic; "[", "<!--", "[a](" × 200,000 and "# a", spaces, "b" ran past 60 s.
HOSTILE = {
    "md-links": ("[a](" * 200_000, ".md", "[a]("),
    "md-brackets": ("[" * 200_000, ".md", "["),
    "md-comments": ("<!--" * 200_000, ".md", "<!--"),
    "html-comments": ("<p>x</p>" + "<!--" * 200_000, ".html", "<!--"),
    "lookalike-comments": ("‹!--" * 200_000, ".md", "‹!--"),
    "notice-title": ("印发《" * 200_000, ".txt", "印发《"),
    "notice-title-md": ("印发《" * 200_000, ".md", "印发《"),
    "heading-spaces": ("# a" + " " * 200_000 + "b", ".md", "b"),
    "heading-hashes": ("# a" + " " * 200_000 + "#b", ".md", "#b"),
    "autolinks": ("<http://" * 200_000, ".md", "<http://"),
    "html-open-tags": ("<p>x</p>" + "<a" * 200_000, ".html", "<a"),
    "html-end-tags": ("<p>x</p>" + "</a" * 200_000, ".html", "</a"),
    "html-pis": ("<p>x</p>" + "<?" * 200_000, ".html", "<?"),
    "html-marked": ("<p>x</p>" + "<![CDATA[" * 100_000, ".html", "<![CDATA["),
    "html-bogus-marked": ("<p>x</p>" + "<![foo[" * 100_000, ".html", "<![foo["),
    # attribute names swallowing later tags: 1.5 s at 20,000 characters, 6.9 s at 40,000 (html.parser)
    "html-attribute-runaway": ("<p>x</p>" + "<a b='>x'" * 50_000, ".html", "<a b='>x'"),
    "html-attribute-tags": ("<p>x</p>" + "<p a='<p>'" * 50_000, ".html", "<p a='<p>'"),
    "bold": ("**a" * 200_000, ".md", "a"),
    "numbered-1": ("1.\n\n" * 50_000, ".txt", "1."),  # 50,000 sections all numbered 1: their ids were quadratic
}


@pytest.mark.parametrize("case", list(HOSTILE), ids=list(HOSTILE))
def test_hostile_markup_parses_in_linear_time_and_keeps_its_text(case):
    text, suffix, unit = HOSTILE[case]
    doc = _parse_timed(text, f"hostile{suffix}")
    assert doc.text.count(unit) == text.count(unit)  # unclosed constructs stay as text


def test_markup_still_means_what_it_meant():
    doc = parse(load_bytes("# 标题 ##\n\n<!-- 注释 -->正文[链接](http://x.cn/a_(b) \"t\")，**重点**。<!-- 未闭合\n"
                           .encode(), "plan.md"))
    assert doc.text == "标题\n正文链接，重点。<!-- 未闭合"
    page = ('<head><title>示范&amp;方案</title></head><p>一、总则</p><![if !IE]><p style="text-align: center" title="a>b">正文<b>加粗'
            '</b></p><![endif]><img alt="a<b"><![foo[x]]><script>x("<p>")</script><p>尾 &lt;区域&gt;</p><!-- 注 -->')
    doc = parse(load_bytes(page.encode(), "plan.html"))  # html.parser raised AssertionError on <![foo[
    assert doc.text == "一、总则\n正文加粗\n尾 <区域>" and doc.title == "示范&方案"
    assert doc.hints[doc.text.index("正文")] == frozenset({"center"})  # as html.parser read it


SOUP = st.lists(st.sampled_from([
    "<", ">", "<a", "<a b='", '"', "'", "=", "</", "</a", "<!--", "-->", "--", "<!", "<?", "<![", "<![CDATA[",
    "<![if ", "]]>", "]>", "<script>", "</script>", "<p>", "&", "&#", ";", "[", "]", "(", ")", "](", "!", "*",
    "**", "__", "#", "# ", " ", "\t", "\u3000", "\n", "\n\n", "---\n", "title: x\n", "<http://", "印发《", "《",
    "》", "第一条", "（一）", "1.", "规", "。", "2022年13月45日", "a",
]), min_size=1, max_size=8)


@settings(max_examples=25, deadline=None)
@given(SOUP)
def test_random_markup_soups_parse_in_linear_time(tokens):
    unit = "".join(tokens)
    text = unit * (100_000 // len(unit) + 1)
    for suffix in (".md", ".html", ".txt"):
        try:
            _parse_timed(text, f"soup{suffix}")
        except InputError as exc:
            assert "\n" not in str(exc)


# ---------------------------------------------------------------- what is read

def test_only_regular_files_are_read(tmp_path):
    fifo = tmp_path / "plan.md"
    os.mkfifo(fifo)
    code = f"from compare.load import load\nload({str(fifo)!r})"  # in a child: a regression must not hang pytest
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=60,
                          cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT)))
    assert "not a regular file (a FIFO)" in done.stderr and str(fifo) in done.stderr
    with pytest.raises(InputError, match=r"/dev/zero: not a regular file \(a character device\)"):
        read_bytes("/dev/zero")
    with pytest.raises(InputError, match="is a directory"):
        read_bytes(tmp_path)


def test_cli_refuses_a_device_with_the_bad_input_status(tmp_path):
    done = subprocess.run([sys.executable, "-m", "compare", "sections", "/dev/zero"], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT), COMPARE_LANG="en"))
    assert done.returncode == ExitStatus.BAD_INPUT
    assert done.stderr.strip().splitlines() == ["Error: /dev/zero: not a regular file (a character device); "
                                                "only regular files are read"]


def test_over_long_file_name_is_bad_input(tmp_path):
    with pytest.raises(InputError, match="file name too long") as info:
        load(tmp_path / ("规" * 200 + ".txt"))
    assert info.value.exit_code == ExitStatus.BAD_INPUT


def test_size_cap_from_option_and_environment(tmp_path, monkeypatch):
    path = tmp_path / "big.txt"
    path.write_text("为了规范管理，制定本条例。\n" * 25_000, encoding="utf-8")  # 1,000,000 bytes
    monkeypatch.setenv("COMPARE_MAX_MB", "0.5")
    with pytest.raises(InputError, match=r"big.txt: too large \(0\.95 MB; the size cap is 0\.5 MB: raise it with --max-mb or COMPARE_MAX_MB\)"):
        load_plan(path)
    assert load_plan(path, Options(max_bytes=1 << 20)).text.count("制定本条例") == 25_000
    monkeypatch.setenv("COMPARE_MAX_MB", "2.5")
    assert size_cap() == int(2.5 * (1 << 20))
    monkeypatch.setenv("COMPARE_MAX_MB", "lots")
    with pytest.raises(BadArgument, match="COMPARE_MAX_MB must be a positive number"):
        load_plan(path)
    monkeypatch.delenv("COMPARE_MAX_MB")
    assert size_cap() == 50 << 20


def test_huge_file_is_refused_before_it_is_read(tmp_path):
    path = tmp_path / "huge.txt"
    with open(path, "wb") as f:
        f.truncate(3 << 30)  # 3 GB, sparse
    tracemalloc.start()
    try:
        with pytest.raises(InputError, match=r"too large \(3072 MB; the size cap is 50 MB"):
            load(path)
        assert tracemalloc.get_traced_memory()[1] < 5 << 20
    finally:
        tracemalloc.stop()


def _zip(parts: dict[str, tuple[bytes, int, int]]) -> bytes:
    """A zip of raw-deflated parts: name -> (deflate stream, expanded size, crc)."""
    out, central = io.BytesIO(), io.BytesIO()
    for name, (stream, size, crc) in parts.items():
        offset, raw = out.tell(), name.encode()
        out.write(struct.pack("<4s5H3L2H", b"PK\x03\x04", 20, 0, 8, 0, 0x21, crc, len(stream), size, len(raw), 0))
        out.write(raw + stream)
        central.write(struct.pack("<4s6H3L5H2L", b"PK\x01\x02", 20, 20, 0, 8, 0, 0x21, crc, len(stream), size,
                                  len(raw), 0, 0, 0, 0, 0, offset) + raw)
    start, directory = out.tell(), central.getvalue()
    out.write(directory + struct.pack("<4s4H2LH", b"PK\x05\x06", 0, 0, len(parts), len(parts), len(directory), start, 0))
    return out.getvalue()


def _zeros(megabytes: int) -> tuple[bytes, int, int]:
    """A deflate stream of ``megabytes`` MB of zeros, made of one flushed block repeated: a real zip bomb."""
    chunk = bytes(1 << 20)
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = packer.compress(chunk) + packer.flush(zlib.Z_FULL_FLUSH)
    crc = 0
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    return block * megabytes + b"\x03\x00", megabytes << 20, crc


def _deflate(data: bytes) -> tuple[bytes, int, int]:
    packer = zlib.compressobj(9, zlib.DEFLATED, -15)
    return packer.compress(data) + packer.flush(), len(data), zlib.crc32(data)


def test_docx_zip_bomb_fails_fast_in_little_memory(tmp_path):
    import zipfile

    docx = pytest.importorskip("docx")
    made = io.BytesIO()
    docx.Document().save(made)
    with zipfile.ZipFile(made) as z:
        parts = {info.filename: _deflate(z.read(info.filename)) for info in z.infolist()}
    parts["word/document.xml"] = _zeros(1024)  # before: read whole by python-docx, 6.3 s and 2.1 GB peak
    bomb = _zip(parts)
    assert len(bomb) < 2 << 20
    with zipfile.ZipFile(io.BytesIO(bomb)) as z, z.open("word/document.xml") as part:
        assert part.read(1 << 20) == bytes(1 << 20)  # it really expands
    path = tmp_path / "bomb.docx"
    path.write_bytes(bomb)
    tracemalloc.start()
    start = time.perf_counter()
    try:
        with pytest.raises(InputError, match=r"bomb.docx: DOCX expands too far \(102\d MB; the size cap is 50 MB"):
            load(path)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert time.perf_counter() - start < 2 and peak < 20 << 20


def test_docx_part_with_a_bomb_ratio_is_refused_under_the_cap(tmp_path):
    path = tmp_path / "ratio.docx"
    path.write_bytes(_zip({"word/document.xml": _zeros(20)}))
    with pytest.raises(InputError, match=r"DOCX part 'word/document.xml' expands \d+:1, likely a zip bomb"):
        load(path)


# ---------------------------------------------------------------- long unpunctuated runs

def test_long_unpunctuated_run_compares_in_bounded_time_and_loses_nothing(tmp_path):
    from compare import api
    from compare.report import render_html
    from compare.tokenize import Segmentation, pieces

    a, b = tmp_path / "run.txt", tmp_path / "small.txt"
    a.write_text("第一条 " + "规" * 100_000 + "\n", encoding="utf-8")
    b.write_text("第一条 为了规范管理，制定本条例。\n第二条 本条例适用于本市。\n", encoding="utf-8")
    options = Options(cache_dir=str(tmp_path))
    api.compare(str(b), str(b), corpus=str(tmp_path / "none"), options=options)  # imports and jieba's dictionary
    start = time.perf_counter()  # before: 51 s in `compare run` (jieba's Viterbi copies its path per character)
    comparison = api.compare(str(a), str(b), corpus=str(tmp_path / "none"), options=options)
    page = render_html(comparison)
    # A hang guard, not a benchmark: about 3 s on a quiet machine, 15 s on one loaded five-fold.
    assert time.perf_counter() - start < 3 * BUDGET
    check_lossless(comparison.a)
    assert comparison.a.text == "第一条 " + "规" * 100_000
    assert "规" * 100_000 in page
    seg = Segmentation.of(comparison.a.text, str(tmp_path))
    assert "".join(pieces(comparison.a.text, seg.ends)) == comparison.a.text
    assert seg.ends == sorted(set(seg.ends)) and seg.ends[-1] == len(comparison.a.text)


def test_chunking_leaves_normal_text_alone(monkeypatch):
    import compare.tokenize as tokenize

    text = (ROOT / "seeds" / "chengyu-western-financial-centre-plan-2021.md").read_text(encoding="utf-8")
    chunked = tokenize.segment(text)
    monkeypatch.setattr(tokenize, "CHUNK", 10**9)
    assert tokenize.segment(text) == chunked


# ---------------------------------------------------------------- smaller ones

def test_pypdf_lines_never_reach_stderr(tmp_path, caplog):
    data = (DATA / "formats" / "kechuang_plan.pdf").read_bytes()
    damaged = tmp_path / "xref.pdf"
    damaged.write_bytes(data.replace(b"startxref\n115901", b"startxref\n5"))  # pypdf repairs it, and says so
    doc = load_plan(damaged)
    assert doc.text.splitlines()[0] == "示范区科创金融方案"
    assert len(doc.warnings) == 1 and doc.warnings[0].startswith(f"{damaged}: PDF has defects, read anyway (")
    assert not [r for r in caplog.records if r.name.startswith("pypdf")]  # nothing reaches logging's handlers
    broken = tmp_path / "noeof.pdf"
    broken.write_bytes(data[:data.rfind(b"%%EOF")])
    done = subprocess.run([sys.executable, "-m", "compare", "sections", str(broken)], capture_output=True,
                          text=True, timeout=60, cwd=tmp_path, env=dict(os.environ, PYTHONPATH=str(ROOT), COMPARE_LANG="en"))
    assert done.returncode == ExitStatus.BAD_INPUT  # before, "EOF marker not found" was printed above the error
    assert done.stderr.strip().splitlines() == [f"Error: {broken}: malformed PDF (PdfStreamError)"]


def test_long_front_matter_is_found_and_prose_is_never_taken_for_it(tmp_path):
    post = tmp_path / "post.md"
    post.write_text('---\ntitle: "关于印发《示范规划》的通知"\ndate: 2022-03-01\ndescription: >\n'
                    + "  很长的摘要。\n" * 1000 + "---\n一、总体要求\n（一）指导思想。坚持稳中求进。\n", encoding="utf-8")
    doc = load_plan(post)  # 7,000+ characters of front matter: missed when only the first 4,000 were sniffed
    assert doc.format == "jekyll" and doc.title == "示范规划" and doc.date == "2022-03-01"
    assert doc.text == "一、总体要求\n（一）指导思想。坚持稳中求进。"
    ruled = tmp_path / "ruled.md"
    ruled.write_text("---\n一、总体要求\n" + "正文。\n" * 2000 + "---\n二、主要任务\n", encoding="utf-8")
    doc = load_plan(ruled)  # a "---" rule is not front matter: nothing between the rules is dropped
    assert doc.format == "markdown" and doc.text.count("正文。") == 2000


@pytest.mark.parametrize("text, bad", [
    ("---\ntitle: 规划\ndate: 9999-99-99\n---\n一、总则\n", "9999-99-99"),
    ("某某规划\n国务院办公厅\n2022年13月45日\n一、总则\n", "2022年13月45日"),
    ("2022年2月30日 第十三届全国人民代表大会常务委员会第一次会议通过\n第一条 总则。\n", "2022年2月30日"),
], ids=["front-matter", "signature-line", "law-stage"])
def test_impossible_dates_are_ignored_with_a_warning(tmp_path, text, bad):
    path = tmp_path / "plan.md"
    path.write_text(text, encoding="utf-8")
    doc = load_plan(path)
    assert doc.date is None
    assert doc.warnings == [f"{path}: ignored an impossible date '{bad}'"]  # once, however many readers saw it


def test_an_impossible_date_is_warned_about_once_per_file(tmp_path):
    """The date line under a signature is read as an issue date, a law's stage and a closing date: sections and
    run warn about it once, not three times."""
    from click.testing import CliRunner

    from compare.cli import main

    plan = tmp_path / "bad-date.txt"
    plan.write_text("示范规划\n示范省人民政府\n2022年13月45日\n一、总体要求\n（一）指导思想。扩大开放。\n", encoding="utf-8")
    other = tmp_path / "other.txt"
    other.write_text("示范方案\n一、总体要求\n（一）指导思想。扩大开放。\n", encoding="utf-8")
    runner = CliRunner()
    for command in (["sections", str(plan)], ["run", str(plan), str(other), "--corpus", str(tmp_path / "none"),
                                              "-o", str(tmp_path / "r.html")]):
        for lang, said in (("zh", "忽略了不存在的日期 '2022年13月45日'"), ("en", "ignored an impossible date '2022年13月45日'")):
            result = runner.invoke(main, [*command, "--lang", lang])
            assert result.exit_code == 0, result.output
            assert result.stderr.count(said) == 1, result.stderr
    assert (tmp_path / "r.html").read_text(encoding="utf-8").count("ignored an impossible date") == 1


def test_ctrl_c_exits_130_in_one_line():
    """click turned Ctrl-C into "Aborted!" and status 1; shells and scripts read 130 (128 + SIGINT)."""
    import click

    from compare.cli_common import fail_cleanly

    @click.command()
    @click.option("--lang", default=None)
    @fail_cleanly
    def slow(lang):
        raise KeyboardInterrupt

    for lang, text in ((None, "已中断"), ("en", "interrupted")):
        result = CliRunner().invoke(slow, ["--lang", lang] if lang else [])
        assert result.exit_code == ExitStatus.INTERRUPTED == 130
        assert result.output.count("\n") == 1 and text in result.output and "Traceback" not in result.output


def test_a_text_of_more_lines_than_a_plan_holds_is_refused_at_once(tmp_path):
    """Five million one-character lines (20 MB, under the size cap) took 90 s and 4 GB: every line became a
    paragraph and a clause. A plan holds one line per 256 bytes of the size cap; raising the cap raises it."""
    path = tmp_path / "lines.txt"
    from compare.formats import line_cap

    path.write_text("金融\n" * 300_000, encoding="utf-8")
    started = time.perf_counter()
    with pytest.raises(InputError, match=r"too many lines for one plan \(300,000; at most 204,800"):
        load(path)
    assert time.perf_counter() - started < BUDGET
    assert load(path, max_bytes=100 * 2**20).text.count("\n") == 299_999  # 409,600 lines at 100 MB
    assert line_cap(2**20) == 200_000  # a small size cap keeps the floor: 25,000 short lines in 1 MB still load


def test_index_says_what_reading_a_corpus_plan_found_once(tmp_path):
    """index kept a corpus plan's own warnings (an impossible date, no headings) and printed none of them; it
    says them when it reads the plan, and not again while the plan is unchanged."""
    from click.testing import CliRunner

    from compare.cli import main

    corpus = tmp_path / "corpus"
    corpus.mkdir()
    (corpus / "bad-date.txt").write_text("示范规划\n示范省人民政府\n2022年13月45日\n一、总体要求\n（一）指导思想。扩大开放。\n",
                                         encoding="utf-8")
    (corpus / "plain.txt").write_text("示范方案\n一、总体要求\n（一）指导思想。扩大开放。\n", encoding="utf-8")
    runner = CliRunner()
    first = runner.invoke(main, ["index", "--corpus", str(corpus), "--lang", "en"])
    assert first.exit_code == 0, first.output
    assert first.stderr.count("ignored an impossible date '2022年13月45日'") == 1, first.stderr
    again = runner.invoke(main, ["index", "--corpus", str(corpus), "--lang", "en"])
    assert again.exit_code == 0 and "impossible date" not in again.stderr, again.stderr
