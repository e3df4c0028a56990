"""Paragraphs from each format: text, Markdown, HTML, DOCX (PDF: :mod:`compare.pdf`), with layout hints.

Everything here is linear on any input: no pattern can rescan past the next
bracket, and HTML is read by a forward-only lexer (html.parser searched to the
end of the text for every unclosed construct, and raised on ``<![foo[``). A DOCX is measured from its zip directory before it is
expanded.
"""
from __future__ import annotations

import html
import io
import re

from .errors import InputError, Note
from .patterns import lazy_compile

MB = 1 << 20


def too_large(what: str, size: int, cap: int, path: str, unit: str = "B") -> InputError:
    """The one-line error for a plan over the size cap."""
    def mb(n: int) -> str:
        return f"{n / MB:.2g} M" if n < 10 * MB else f"{n / MB:.0f} M"

    key = {"too large": "input.too_large", "too much text": "input.too_much_text",
           "DOCX expands too far": "input.docx_expands"}.get(what)
    return InputError(f"{what} ({mb(size)}{unit}; the size cap is {mb(cap)}{unit}: raise it with --max-mb or "
                      "COMPARE_MAX_MB)", path, key, size=mb(size), cap=mb(cap))


MIN_LINES = 200_000  # the line cap, whatever the size cap; a larger size cap allows one line per 256 bytes
BYTES_PER_LINE = 256


def line_cap(cap: int) -> int:
    """Lines one plan may hold under the size cap ``cap`` (bytes): 204,800 at the default 50 MB."""
    return max(MIN_LINES, cap // BYTES_PER_LINE)


def check_lines(n_lines: int, cap: int, path: str) -> None:
    """Refuse a text of more lines than a plan holds: every line becomes a paragraph and its objects, and five
    million one-character lines (20 MB) took 90 s and 4 GB. The Civil Code has about 3,000."""
    limit = line_cap(cap)
    if n_lines > limit:
        raise InputError(f"too many lines for one plan ({n_lines:,}; at most {limit:,}, one per {BYTES_PER_LINE} "
                         "bytes of the size cap: raise it with --max-mb or COMPARE_MAX_MB)", path, "input.too_many_lines",
                         n=f"{n_lines:,}", limit=f"{limit:,}", per=BYTES_PER_LINE)


_WS = lazy_compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff\r\f\v]+")


def clean_space(par: str) -> str:
    return _WS.sub(" ", par).strip()


class Paragraphs:
    """Collects paragraphs with layout hints ("h1".."h6", "bold", "center", "right")."""

    def __init__(self):
        self.items: list[tuple[str, frozenset[str]]] = []
        self.dates: list[str] = []  # dates the file's own properties carry (DOCX core: created, modified), ISO

    def add(self, text: str, hints=()):
        """One paragraph per non-blank line of ``text``, its spacing cleaned (:func:`clean_space`)."""
        hints = frozenset(hints)
        # _WS leaves newlines alone, so the whole text is cleaned in one pass and then cut into lines
        self.items.extend((line, hints) for raw in _WS.sub(" ", text).split("\n") if (line := raw.strip()))


class _HTMLText:
    """Receives tags and text from :func:`_html_events` and collects paragraphs with layout hints."""

    BLOCK = {"p", "div", "br", "li", "tr", "td", "th", "section", "article", "blockquote", "pre", "table",
             "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "ul", "ol", "hr", "center", "body"}
    SKIP = {"script", "style", "nav", "noscript", "template", "iframe", "head", "svg", "button", "select", "form"}

    def __init__(self):
        self.out = Paragraphs()
        self.buf: list[str] = []
        self.hints: set[str] = set()
        self.bold_chars = 0
        self.skip = 0
        self.title_parts: list[str] = []
        self._in_title = False

    def flush(self):
        text = "".join(self.buf)
        plain = clean_space(text)
        hints = set(self.hints)
        if plain and self.bold_chars >= len(plain.replace(" ", "")) * 0.8:
            hints.add("bold")
        self.out.add(text, hints)
        self.buf, self.hints, self.bold_chars = [], set(), 0

    def handle_starttag(self, tag, attrs):
        if tag == "title":
            self._in_title = True
        if tag in self.SKIP:
            self.skip += 1
            return
        if tag in self.BLOCK:
            self.flush()
            style = (dict(attrs).get("style") or "").replace(" ", "").lower()
            align = (dict(attrs).get("align") or "").lower()
            if "text-align:center" in style or align == "center" or tag == "center":
                self.hints.add("center")
            if "text-align:right" in style or align == "right":
                self.hints.add("right")
            if tag in ("h1", "h2", "h3", "h4", "h5", "h6"):
                self.hints.add(tag)
        if tag in ("strong", "b"):
            self.hints.add("_inbold")

    def handle_endtag(self, tag):
        if tag == "title":
            self._in_title = False
        if tag in self.SKIP:
            self.skip = max(0, self.skip - 1)
            return
        if tag in ("strong", "b"):
            self.hints.discard("_inbold")
        if tag in self.BLOCK:
            self.flush()

    def handle_data(self, data):
        if self._in_title:
            self.title_parts.append(data)
        if self.skip:
            return
        chunks = re.split(r"\n[ \t]*\n", data)  # blank lines in mixed Markdown/HTML bodies
        for i, chunk in enumerate(chunks):
            if i:
                self.flush()
            self.buf.append(chunk.replace("\n", " "))
            if "_inbold" in self.hints:
                self.bold_chars += len(chunk.replace(" ", "").replace("\n", ""))

    def close(self):
        self.flush()
        for i, (text, hints) in enumerate(self.out.items):
            self.out.items[i] = (text, frozenset(h for h in hints if not h.startswith("_")))


# Link text stops at any bracket and a URL at any parenthesis (one balanced pair allowed), so no
# match can rescan past the next bracket: linear on any soup of brackets.
_MD_LINK = lazy_compile(r"!?\[([^\[\]]*)\]\(((?:[^()\s]|\([^()\s]*\))*)(?:\s[^()]*)?\)")
_MD_AUTOLINK = lazy_compile(r"<((?:https?|ftp)://[^<>\s]+)>")
_MD_HEADING = lazy_compile(r"(#{1,6})\s+")
_MD_BOLD = lazy_compile(r"(\*\*|__)(.+?)\1")
_MD_WHOLE_BOLD = lazy_compile(r"(\*\*|__)(.+)\1")
_MD_LIST_OR_QUOTE = lazy_compile(r"^(?:[-*+]\s+|>\s*)")


def _markdown_inline(line: str) -> str:
    if "<" in line:  # each pattern only where its first character stands: most lines hold none
        line = _MD_AUTOLINK.sub(r"\1", line)
    if "[" in line:
        line = _MD_LINK.sub(lambda m: m.group(1) or m.group(2), line)
    return line


def _drop_comments(text: str) -> str:
    """Remove ``<!-- … -->`` comments; an unclosed ``<!--`` stays as text. Linear: str.find only."""
    out, pos = [], 0
    while (start := text.find("<!--", pos)) >= 0 and (end := text.find("-->", start + 4)) >= 0:
        out.append(text[pos:start])
        pos = end + 3
    out.append(text[pos:])
    return "".join(out)


class _Find:
    """``text.find`` that remembers its last answer per target: as the lexer only moves forward,
    no stretch of text is searched twice for the same target."""

    def __init__(self, text: str):
        self.text, self.memo = text, {}

    def __call__(self, target: str, start: int) -> int:
        base, found = self.memo.get(target, (len(self.text) + 1, -1))
        if not (base <= start and (found < 0 or start <= found)):
            found = self.text.find(target, start)
            self.memo[target] = (start, found)
        return found


_TAG_NAME = lazy_compile(r"[a-zA-Z][^\s/<>]*")
_ATTR_NAME = lazy_compile(r"[^\s/<>][^\s/<>=]*")
_ATTR_EQ = lazy_compile(r"\s*=+\s*")
_BARE_VALUE = lazy_compile(r"[^\s<>]*")
_SPACE = lazy_compile(r"\s*")
_RAW_END = {"script": lazy_compile(r"</script\s*>", re.I), "style": lazy_compile(r"</style\s*>", re.I)}


def _start_tag(text: str, i: int, find: _Find):
    """The start tag at ``i``: (name, attrs, self-closing, end), or (None, where to resume) if it is broken.

    A ``<`` outside a quoted value, an unclosed quote or the end of the text breaks a tag.
    """
    m = _TAG_NAME.match(text, i + 1)
    name, pos, attrs = m.group().lower(), m.end(), []
    while True:
        pos = _SPACE.match(text, pos).end()
        if text.startswith(">", pos):
            return name, attrs, False, pos + 1
        if text.startswith("/>", pos):
            return name, attrs, True, pos + 2
        if text.startswith("/", pos):
            pos += 1
            continue
        m = _ATTR_NAME.match(text, pos)
        if not m:
            return None, pos
        key, pos, value = m.group().lower(), m.end(), None
        eq = _ATTR_EQ.match(text, pos)
        if eq:
            pos = eq.end()
            if text[pos:pos + 1] in ("'", '"'):
                close = find(text[pos], pos + 1)
                if close < 0:
                    return None, pos
                value, pos = text[pos + 1:close], close + 1
            else:
                m = _BARE_VALUE.match(text, pos)
                value, pos = m.group(), m.end()
            value = html.unescape(value)
        attrs.append((key, value))


def _html_events(text: str, out: _HTMLText) -> None:
    """Feed ``out`` the tags and text of ``text``, in one forward pass: linear on any input.

    Comments, declarations and processing instructions are dropped; script and
    style bodies go to ``out`` raw. A ``<`` that opens nothing well formed (no
    terminator before the next ``<``) stays in the text, so nothing after it is swallowed.
    """
    find, data, pos = _Find(text), [], 0

    def emit():
        if data:
            out.handle_data(html.unescape("".join(data)))
            data.clear()

    while (lt := text.find("<", pos)) >= 0:
        data.append(text[pos:lt])
        pos, after = lt + 1, find("<", lt + 1)
        nxt = text[lt + 1:lt + 2]
        if text.startswith("<!--", lt) or text.startswith("<![CDATA[", lt):
            close = "-->" if nxt == "!" and text[lt + 2] == "-" else "]]>"
            end = find(close, lt + 4)
            if end >= 0:
                emit()
                pos = end + 3
                continue
        elif nxt in ("!", "?", "/"):
            gt = find(">", lt + 2)
            if gt >= 0 and (after < 0 or gt < after):
                emit()
                m = _TAG_NAME.match(text, lt + 2) if nxt == "/" else None
                if m:
                    out.handle_endtag(m.group().lower())
                pos = gt + 1
                continue
        elif nxt.isascii() and nxt.isalpha():
            tag = _start_tag(text, lt, find)
            if tag[0] is None:
                data.append(text[lt:tag[1]])
                pos = tag[1]
                continue
            emit()
            name, attrs, closing, pos = tag
            out.handle_starttag(name, attrs)
            if closing:
                out.handle_endtag(name)
            elif name in _RAW_END:
                m = _RAW_END[name].search(text, pos)
                out.handle_data(text[pos:m.start() if m else len(text)])
                if m:
                    out.handle_endtag(name)
                pos = m.end() if m else len(text)
            continue
        data.append("<")
    data.append(text[pos:])
    emit()


def paragraphs_from_html(text: str) -> tuple[Paragraphs, str]:
    text = _MD_AUTOLINK.sub(lambda m: html.escape(m.group(1)), text)
    text = _MD_LINK.sub(lambda m: html.escape(m.group(1) or m.group(2)), text)
    parser = _HTMLText()
    _html_events(text, parser)
    parser.close()
    return parser.out, clean_space("".join(parser.title_parts))


def paragraphs_from_markdown(text: str) -> Paragraphs:
    out = Paragraphs()
    for raw in _drop_comments(text).splitlines():
        line = raw.strip()
        hints = set()
        m = _MD_HEADING.match(line)
        if m:  # "## title ##": closing hashes dropped
            hints.add(f"h{len(m.group(1))}")
            line = line[m.end():].rstrip("#").rstrip()
        if line[:1] in ("-", "*", "+", ">"):
            line = _MD_LIST_OR_QUOTE.sub("", line)
        m = _MD_WHOLE_BOLD.fullmatch(line) if line[:2] in ("**", "__") else None
        if m:
            hints.add("bold")
            line = m.group(2)
        line = _markdown_inline(line)
        if "**" in line or "__" in line:
            line = _MD_BOLD.sub(r"\2", line)
        out.add(html.unescape(line) if "&" in line else line, hints)
    return out


def paragraphs_from_txt(text: str) -> Paragraphs:
    out = Paragraphs()
    out.add(text)
    return out


DOCX_MAX_PARTS = 10_000
DOCX_MAX_RATIO = 200  # deflate can reach ~1000:1; XML rarely passes 20:1


def _check_docx_size(data: bytes, path: str, cap: int) -> None:
    """Refuse a zip bomb from the zip's directory, before anything is expanded."""
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            parts = z.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise InputError(f"malformed DOCX ({exc.__class__.__name__})", path, "input.malformed_docx",
                         detail=exc.__class__.__name__) from None
    if len(parts) > DOCX_MAX_PARTS:
        raise InputError(f"malformed DOCX ({len(parts)} parts, more than {DOCX_MAX_PARTS})", path,
                         "input.docx_parts", n=len(parts), limit=DOCX_MAX_PARTS)
    expanded = sum(p.file_size for p in parts)
    if expanded > cap:
        raise too_large("DOCX expands too far", expanded, cap, path)
    for part in parts:
        if part.file_size > MB and part.file_size > DOCX_MAX_RATIO * max(1, part.compress_size):
            ratio = part.file_size // max(1, part.compress_size)
            raise InputError(f"DOCX part {part.filename!r} expands {ratio}:1, likely a zip bomb", path,
                             "input.zip_bomb", part=repr(part.filename), ratio=ratio)


def _docx_problem(exc: Exception) -> str:
    """What python-docx's exception says of a damaged package, in a few words: a missing part by name, a
    broken XML part by its error, else the exception's class (its messages can run to the whole package).
    Our own words are a Note, so that a warning can say them in the interface language."""
    first = str(exc).splitlines()[0][:120] if str(exc).strip() else ""
    if isinstance(exc, KeyError):  # zipfile: "There is no item named 'word/document.xml' in the archive"
        named = re.search(r"named '([^']{1,120})'", first)
        if named:
            return Note("input.docx_no_part", f"no {named.group(1)} in the package", part=named.group(1))
        return Note("input.docx_part_missing", "a part is missing")
    name = exc.__class__.__name__
    if name in ("XMLSyntaxError", "PackageNotFoundError", "ValueError") and first:
        return f"{name}: {first}"
    return name


_CORE_DATE = lazy_compile(r"<dcterms:(created|modified)\b[^>]{0,200}>\s{0,20}(\d{4})-(\d{2})-(\d{2})")


def docx_core_dates(data: bytes) -> list[str]:
    """The ISO dates of a DOCX's core properties (docProps/core.xml): created, then modified; [] if absent.

    Read from the part itself: python-docx invents a part stamped with today's date where there is none.
    """
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as z:
            xml = z.read("docProps/core.xml").decode("utf-8", "replace")
    except (KeyError, zipfile.BadZipFile, OSError, RuntimeError, ValueError):
        return []
    found = {m.group(1): f"{m.group(2)}-{m.group(3)}-{m.group(4)}" for m in _CORE_DATE.finditer(xml)}
    return [found[k] for k in ("created", "modified") if k in found and found[k] > "1980"]


def paragraphs_from_docx(data: bytes, path: str, cap: int) -> Paragraphs:
    _check_docx_size(data, path, cap)
    try:
        import docx  # python-docx
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types on a damaged package
        raise InputError(f"malformed DOCX ({_docx_problem(exc)})", path, "input.malformed_docx",
                         detail=_docx_problem(exc)) from None
    from docx.enum.style import WD_STYLE_TYPE

    names = {s.style_id: s.name or "" for s in document.styles}  # par.style resolves from scratch: ~6 ms a paragraph
    default = document.styles.default(WD_STYLE_TYPE.PARAGRAPH)
    out = Paragraphs()
    out.dates = docx_core_dates(data)
    for par in document.paragraphs:
        hints = set()
        style_id = par._p.style
        style = names.get(style_id, "") if style_id else (default.name or "" if default is not None else "")
        m = re.match(r"(?:Heading|标题)\s*(\d)", style)
        if m:
            hints.add(f"h{m.group(1)}")
        if par.alignment == WD_ALIGN_PARAGRAPH.CENTER:
            hints.add("center")
        elif par.alignment == WD_ALIGN_PARAGRAPH.RIGHT:
            hints.add("right")
        runs = [r for r in par.runs if r.text.strip()]
        if runs and all(r.bold for r in runs):
            hints.add("bold")
        out.add(par.text, hints)
    for table in document.tables:
        for row in table.rows:
            out.add(" ".join(cell.text for cell in row.cells))
    return out
