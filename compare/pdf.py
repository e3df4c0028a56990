"""Paragraphs from a PDF's text layer: the title by font size, running headers and page numbers dropped,
footnotes set apart, lines joined into paragraphs. pypdf's own log lines and warnings are caught, never printed.
"""
from __future__ import annotations

import io
import logging
import re
import warnings

from .errors import InputError, Note
from .formats import Paragraphs, clean_space, too_large
from .normalize import unify_shared_glyphs

_SENTENCE_END = tuple("。；：！？”）」』;")  # ASCII ; ends clauses in some plans; ? and : end URLs


_LIGATURES = {0xFB00: "ff", 0xFB01: "fi", 0xFB02: "fl", 0xFB03: "ffi", 0xFB04: "ffl", 0xFB05: "st", 0xFB06: "st"}


def _text_layer(page_text: str) -> str:
    """A page's text as written: radicals read as the ideographs whose glyphs they share, ligatures spelt out."""
    return unify_shared_glyphs(page_text).translate(_LIGATURES)


class _Collect(logging.Handler):
    def __init__(self):
        super().__init__(logging.WARNING)
        self.messages: list[str] = []

    def emit(self, record):
        self.messages.append(record.getMessage())


TITLE_SIZE_RATIO = 1.15  # a title is set at least this much larger than the body (22 pt over 16 pt: 1.375)


class _FirstPageRuns:
    """pypdf's visitor for the first page: each text run with its printed size (font size × text-matrix scale)."""

    def __init__(self):
        self.runs: list[tuple[float, str]] = []

    def __call__(self, text, cm, tm, font, size):
        if text.strip():
            self.runs.append((abs(size * (tm[0] * tm[3] - tm[1] * tm[2]) ** 0.5), text))

    def title(self) -> str:
        """The text of the first run of large type that comes before any body text: the title, all its lines.

        The body size is the size that carries most characters; smaller type (a running header, a page
        number) before the title is passed over. "" where the page opens in body type."""
        chars: dict[float, int] = {}
        for size, text in self.runs:
            chars[round(size, 1)] = chars.get(round(size, 1), 0) + len(text.strip())
        if not chars:
            return ""
        body = max(chars, key=lambda size: (chars[size], -size))
        parts: list[str] = []
        for size, text in self.runs:
            if size >= body * TITLE_SIZE_RATIO:
                parts.append(text)
            elif parts or size >= body * 0.95:
                break
        return "".join("".join(parts).split())


def _pdf_pages(data: bytes, path: str, cap: int, notes: list[str]) -> tuple[list[str], str]:
    """Page texts and the first page's title text (see :meth:`_FirstPageRuns.title`, no spaces); pypdf's own
    log lines and warnings are caught, never printed, and summed up in ``notes``."""
    from pypdf import PdfReader

    logger, handler = logging.getLogger("pypdf"), _Collect()
    saved = logger.propagate
    logger.addHandler(handler)
    logger.propagate = False
    try:
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                reader = PdfReader(io.BytesIO(data))
                pages, total = [], 0
                first = _FirstPageRuns()
                for k, page in enumerate(reader.pages):
                    pages.append(_text_layer(page.extract_text(visitor_text=first if k == 0 else None) or ""))
                    total += len(pages[-1])
                    if total > cap:
                        raise too_large("too much text", total, cap, path, " characters")
            except InputError:
                raise
            except Exception as exc:  # pypdf raises many types on a damaged file
                raise InputError(f"malformed PDF ({exc.__class__.__name__})", path, "input.malformed_pdf",
                                 detail=exc.__class__.__name__) from None
    finally:
        logger.removeHandler(handler)
        logger.propagate = saved
    said = list(dict.fromkeys(handler.messages + [str(w.message) for w in caught if "pypdf" in w.filename
                                                  and not issubclass(w.category, DeprecationWarning)]))
    if said:
        more = f" and {len(said) - 1} more" if len(said) > 1 else ""
        detail = f"{clean_space(said[0])[:100]}{more}"
        notes.append(Note("warn.pdf_defects", f"PDF has defects, read anyway ({detail})", detail=detail))
    return pages, _text_layer(first.title())


_PAGE_NUMBER = re.compile(r"[-—–\s]*\d+[-—–\s]*")  # 3, - 3 -, — 3 —


def _width(line: str) -> float:
    """Printed width in ems: CJK and full-width characters 1, others ½."""
    return sum(1 if ord(ch) >= 0x1100 else 0.5 for ch in line)


def _running_lines(pages: list[list[str]]) -> dict[str, int]:
    """Lines that open or close at least two pages and half of them (running headers, footers): line → pages."""
    counts: dict[str, int] = {}
    for lines in pages:
        for line in {lines[0], lines[-1]} if lines else ():
            counts[line] = counts.get(line, 0) + 1
    return {line: n for line, n in counts.items() if n >= 2 and 2 * n >= len(pages)}


_UNMAPPED = re.compile(r"/g\d+|/uni[0-9A-Fa-f]{4,6}|\(cid:\d+\)")  # pypdf's names for glyphs with no Unicode map


def _untrusted(pars: Paragraphs, path: str) -> InputError | None:
    """The error for a text layer that cannot be read as the plan: none at all, or mostly private-use
    code points or unmapped glyph names."""
    chars = "".join(text for text, _ in pars.items).replace(" ", "")
    if not chars:
        return InputError("PDF has no text layer (scanned pages?): run it through OCR first", path, "input.pdf_no_text")
    unmapped = sum(len(m) for m in _UNMAPPED.findall(chars))
    unmapped += sum(1 for ch in chars if 0xE000 <= ord(ch) <= 0xF8FF or ord(ch) >= 0xF0000)
    if 2 * unmapped > len(chars):
        return InputError(f"PDF text layer cannot be trusted ({100 * unmapped // len(chars)}% private-use characters "
                          "or unmapped glyphs): run it through OCR first", path, "input.pdf_untrusted",
                          share=100 * unmapped // len(chars))
    return None


_CIRCLED = "①②③④⑤⑥⑦⑧⑨⑩⑪⑫⑬⑭⑮⑯⑰⑱⑲⑳"
FOOTNOTE_MAX_LINES = 8


def _footnote_start(lines: list[str]) -> int:
    """Where a page's footnotes begin: the first of its last ``FOOTNOTE_MAX_LINES`` lines that opens with a
    circled number (①–⑳) the page's text cites earlier inside a line (a reference mark, not a list item);
    ``len(lines)`` where there is none."""
    for k in range(max(1, len(lines) - FOOTNOTE_MAX_LINES), len(lines)):
        mark = lines[k][:1]
        if mark and mark in _CIRCLED and any(mark in line[1:] for line in lines[:k]):
            return k
    return len(lines)


def _split_title(lines: list[str], title: str) -> int:
    """How many leading lines spell ``title`` (spaces aside); 0 where they do not."""
    got = ""
    for k, line in enumerate(lines):
        got += "".join(line.split())
        if not title.startswith(got):
            return 0
        if got == title:
            return k + 1
    return 0


def paragraphs_from_pdf(data: bytes, path: str, cap: int, notes: list[str]) -> Paragraphs:
    """Paragraphs of a PDF's text layer: wrapped lines rejoined; page numbers and running headers dropped
    (headers named in ``notes``). Raises InputError, suggesting OCR, where the text layer is empty or unreadable.

    The title is the first page's opening lines in large type (:meth:`_FirstPageRuns.title`), joined into
    one paragraph with the hint "title" however many lines it wraps onto. Footnotes (:func:`_footnote_start`)
    are taken out of the page's flow and kept, each as its own paragraph with the hint "footnote", after the
    paragraph the page break interrupts."""
    from .numbering import starts_with_marker

    texts, title = _pdf_pages(data, path, cap, notes)
    pages = [[line for line in map(clean_space, page.splitlines()) if line and not _PAGE_NUMBER.fullmatch(line)]
             for page in texts]
    running = _running_lines(pages)
    for line, n in sorted(running.items()):
        notes.append(Note("warn.pdf_running", f"dropped a running header or footer repeated on {n} of {len(pages)} "
                          f"pages: {line[:60]!r}", n=n, pages=len(pages), line=repr(line[:60])))
    out = Paragraphs()
    current = ""
    footnotes: list[str] = []  # of the page before: added once its last paragraph ends
    for number, lines in enumerate(pages):
        lines = [line for k, line in enumerate(lines) if not (line in running and k in (0, len(lines) - 1))]
        if number == 0 and title and (n := _split_title(lines, title)):
            out.add("".join(lines[:n]), {"title", "center", "bold"})
            lines = lines[n:]
        foot = _footnote_start(lines)
        notes_here: list[str] = []
        for line in lines[foot:]:
            if line[:1] in _CIRCLED or not notes_here:
                notes_here.append(line)
            else:
                notes_here[-1] += line
        lines = lines[:foot]
        full = max(map(_width, lines), default=0)  # a line this wide was wrapped by the layout
        previous = ""
        for line in lines:
            wrapped = _width(previous) >= full - 2.5 and not previous.endswith(_SENTENCE_END)
            if current and (current.endswith(_SENTENCE_END) or len(current) < 20
                            or starts_with_marker(line) and not wrapped):
                out.add(current)
                for note in footnotes:
                    out.add(note, {"footnote"})
                current, footnotes = line, []
            else:
                current += line
            previous = line
        footnotes += notes_here
    out.add(current)
    for note in footnotes:
        out.add(note, {"footnote"})
    error = _untrusted(out, path)
    if error:
        raise error
    return out
