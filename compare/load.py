"""Load a plan file: bytes → decoded text → paragraphs → ``Document``.

Formats are sniffed from the content (``--format`` overrides): Jekyll posts
(YAML front matter + HTML or Markdown body), Markdown, HTML, plain text,
DOCX and PDF with a text layer. Encodings: UTF-8 (with or without BOM),
UTF-16 (BOM or not), GB18030/GBK and Big5; ``--encoding`` overrides.

The body becomes ``Document.text``: one paragraph per line, whitespace runs
folded to one space, original wording and punctuation kept for display.
"""
from __future__ import annotations

import hashlib
import html
import io
import re
from functools import lru_cache
from html.parser import HTMLParser
from pathlib import Path

from .errors import InputError
from .models import Document

FORMATS = ("jekyll", "markdown", "html", "txt", "docx", "pdf")

# ---------------------------------------------------------------- matching form

_FULLWIDTH_TO_ASCII = {cp: cp - 0xFEE0 for cp in range(0xFF10, 0xFF1A)}  # ０-９
_FULLWIDTH_TO_ASCII.update({cp: cp - 0xFEE0 for cp in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_FULLWIDTH_TO_ASCII.update({cp: cp - 0xFEE0 for cp in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_HALF_TO_FULL_PUNCT = str.maketrans("(),;:!?", "（），；：！？")


@lru_cache(maxsize=1)
def _match_table() -> dict[int, int]:
    table = dict(_FULLWIDTH_TO_ASCII)
    table.update({ord(k): ord(v) for k, v in {"\u00a0": " ", "\u3000": " ", "\t": " "}.items()})
    table.update(_HALF_TO_FULL_PUNCT)
    t2s = Path(__file__).with_name("data") / "t2s.txt"
    for line in t2s.read_text(encoding="utf-8").splitlines():
        if len(line) == 2:
            table[ord(line[0])] = ord(line[1])
    return table


def match_form(text: str) -> str:
    """Text for matching: same length as ``text``, character for character.

    Full-width digits and letters become ASCII, half-width punctuation becomes
    full-width, odd spaces become spaces, traditional characters simplified.
    """
    return text.translate(_match_table())


# ---------------------------------------------------------------- bytes → str

_COMMON = set(
    "的一是在不了有人中大为上个我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
    "十三之进着等部度家电力里如水化高自二理起小物现实加量都两体制机当使点从业本去把性好应开它合还因由其些然前外天政四日那社义事平"
    "形相全表间样与关各重新线内数正心反明看原又利比或但质气第向道命此变条只没结解问意建月公无系很情者最立代想已通并提直题党程展五"
    "為個時來們於對會發動過說產種後學經進電實點業開還應關與間樣總體機當從現數這條區統設務資權規銀險證"
)


def _cjk_score(text: str) -> float:
    sample = text[:4000]
    return sum(ch in _COMMON for ch in sample) / max(1, len(sample))


def decode(data: bytes, path: str, encoding: str | None = None) -> tuple[str, str]:
    """Decode bytes, returning ``(text, encoding)``. Raise InputError on failure."""
    if encoding:
        try:
            return data.decode(encoding), encoding
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot decode as {encoding} ({exc.__class__.__name__})", path) from None
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                raise InputError(f"undecodable bytes despite a {enc} byte-order mark", path) from None
    has_nul = b"\x00" in data[:8192]
    if not has_nul:
        try:
            return data.decode("utf-8"), "utf-8"
        except UnicodeDecodeError:
            pass
    candidates = []
    for enc in ("utf-16-le", "utf-16-be", "gb18030", "big5"):
        if enc.startswith("utf-16") and len(data) % 2 or not enc.startswith("utf-16") and has_nul:
            continue
        try:
            text = data.decode(enc)
        except UnicodeDecodeError:
            continue
        if _looks_textual(text):
            candidates.append((_cjk_score(text), enc == "gb18030", text, enc))
    candidates = [c for c in candidates if c[0] > 0.02]
    if not candidates:
        if has_nul:
            raise InputError("binary file, not a plan (contains NUL bytes)", path)
        raise InputError("undecodable bytes: not UTF-8, UTF-16, GB18030 or Big5 (try --encoding)", path)
    _, _, text, enc = max(candidates)
    return text, enc


def _looks_textual(text: str) -> bool:
    sample = text[:4000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return bad <= len(sample) / 100


# ---------------------------------------------------------------- paragraphs

_WS = re.compile(r"[ \t\u00a0\u3000\u2002\u2003\u2009\u200b\ufeff\r\f\v]+")


def _clean(par: str) -> str:
    return _WS.sub(" ", par).strip()


class Paragraphs:
    """Collects paragraphs with layout hints ("h1".."h6", "bold", "center", "right")."""

    def __init__(self):
        self.items: list[tuple[str, frozenset[str]]] = []

    def add(self, text: str, hints=()):
        for line in text.split("\n"):
            line = _clean(line)
            if line:
                self.items.append((line, frozenset(hints)))


class _HTMLText(HTMLParser):
    BLOCK = {"p", "div", "br", "li", "tr", "td", "th", "section", "article", "blockquote", "pre", "table",
             "h1", "h2", "h3", "h4", "h5", "h6", "dd", "dt", "ul", "ol", "hr", "center", "body"}
    SKIP = {"script", "style", "nav", "noscript", "template", "iframe", "head", "svg", "button", "select", "form"}

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.out = Paragraphs()
        self.buf: list[str] = []
        self.hints: set[str] = set()
        self.bold_chars = 0
        self.skip = 0
        self.title = ""
        self._in_title = False

    def flush(self):
        text = "".join(self.buf)
        plain = _clean(text)
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
            self.title += data
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
        super().close()
        self.flush()
        for i, (text, hints) in enumerate(self.out.items):
            self.out.items[i] = (text, frozenset(h for h in hints if not h.startswith("_")))


_MD_LINK = re.compile(r"!?\[([^\]]*)\]\(([^)\s]*)[^)]*\)")
_MD_AUTOLINK = re.compile(r"<((?:https?|ftp)://[^>\s]+)>")


def _markdown_inline(line: str) -> str:
    line = _MD_AUTOLINK.sub(r"\1", line)
    line = _MD_LINK.sub(lambda m: m.group(1) or m.group(2), line)
    return line


def paragraphs_from_html(text: str) -> tuple[Paragraphs, str]:
    text = _MD_AUTOLINK.sub(lambda m: html.escape(m.group(1)), text)
    text = _MD_LINK.sub(lambda m: html.escape(m.group(1) or m.group(2)), text)
    parser = _HTMLText()
    parser.feed(text)
    parser.close()
    return parser.out, _clean(parser.title)


def paragraphs_from_markdown(text: str) -> Paragraphs:
    out = Paragraphs()
    text = re.sub(r"<!--.*?-->", "", text, flags=re.S)
    for raw in text.splitlines():
        line = raw.strip()
        hints = set()
        m = re.match(r"(#{1,6})\s+(.*?)\s*#*$", line)
        if m:
            hints.add(f"h{len(m.group(1))}")
            line = m.group(2)
        line = re.sub(r"^(?:[-*+]\s+|>\s*)", "", line)
        m = re.fullmatch(r"(\*\*|__)(.+)\1", line)
        if m:
            hints.add("bold")
            line = m.group(2)
        line = re.sub(r"(\*\*|__)(.+?)\1", r"\2", _markdown_inline(line))
        out.add(html.unescape(line) if "&" in line else line, hints)
    return out


def paragraphs_from_txt(text: str) -> Paragraphs:
    out = Paragraphs()
    out.add(text)
    return out


def paragraphs_from_docx(data: bytes, path: str) -> Paragraphs:
    try:
        import docx  # python-docx
        from docx.enum.text import WD_ALIGN_PARAGRAPH

        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types on a damaged package
        raise InputError(f"malformed DOCX ({exc.__class__.__name__})", path) from None
    out = Paragraphs()
    for par in document.paragraphs:
        hints = set()
        style = (par.style.name if par.style is not None else "") or ""
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


_SENTENCE_END = tuple("。；：！？”）」』")


@lru_cache(maxsize=1)
def _radical_table() -> dict[int, str]:
    """PDF text layers often carry Kangxi radicals (U+2F00…) for ideographs: ⼀ for 一, ⾦ for 金."""
    import unicodedata

    table = {}
    for cp in range(0x2E80, 0x2FE0):
        folded = unicodedata.normalize("NFKC", chr(cp))
        if folded != chr(cp) and len(folded) == 1:
            table[cp] = folded
    return table


def paragraphs_from_pdf(data: bytes, path: str) -> Paragraphs:
    try:
        from pypdf import PdfReader

        reader = PdfReader(io.BytesIO(data))
        pages = [(page.extract_text() or "").translate(_radical_table()) for page in reader.pages]
    except Exception as exc:  # pypdf raises many types on a damaged file
        raise InputError(f"malformed PDF ({exc.__class__.__name__})", path) from None
    from .numbering import starts_with_marker  # a PDF's lines are wrapped: rejoin them

    out = Paragraphs()
    current = ""
    for page in pages:
        for line in page.splitlines():
            line = _clean(line)
            if not line or re.fullmatch(r"[-—\s]*\d+[-—\s]*", line):  # page numbers
                continue
            if current and (current.endswith(_SENTENCE_END) or starts_with_marker(line) or len(current) < 20):
                out.add(current)
                current = line
            else:
                current += line
    out.add(current)
    return out


# ---------------------------------------------------------------- sniffing

def sniff(data: bytes, text: str | None, suffix: str) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.lstrip().startswith(b"%PDF"):
        return "pdf"
    head = (text or "")[:4000].lstrip("\ufeff")
    if re.match(r"---\s*\n.*?\n---\s*\n", head, re.S):
        return "jekyll"
    if re.search(r"<(html|body|p|div|h[1-6])[\s>]", head, re.I):
        return "html"
    if re.search(r"^#{1,6}\s", head, re.M) or suffix in (".md", ".markdown"):
        return "markdown"
    return "txt"


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Parse the simple ``key: value`` YAML front matter that Jekyll posts carry."""
    m = re.match(r"\ufeff?---\s*\n(.*?)\n---\s*\n", text, re.S)
    if not m:
        return {}, text
    meta = {}
    for line in m.group(1).splitlines():
        k, sep, v = line.partition(":")
        if sep and k.strip() and not k.startswith((" ", "-")):
            meta[k.strip()] = v.strip().strip("\"'")
    return meta, text[m.end():]


# ---------------------------------------------------------------- metadata

_DATE = re.compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DOC_NUMBER = re.compile(r"[\u4e00-\u9fff]{1,12}(?:[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号|令第\s*\d+\s*号)")
_ISSUER = re.compile(r"((?:[\u4e00-\u9fff]{2,12}?)人民代表大会常务委员会|国务院)")


def _iso(m: re.Match) -> str:
    return f"{int(m.group(1)):04d}-{int(m.group(2)):02d}-{int(m.group(3)):02d}"


def _metadata(items, front: dict, stem: str):
    issuers_date = None
    title = next((t for t, h in items[:15] if "center" in h and "bold" in h and len(t) <= 60), None)
    title = title or next((t for t, h in items[:5] if "h1" in h), None)
    fm_title = front.get("title", "")
    inner = re.search(r"《([^》]+)》", fm_title)
    title = title or (inner.group(1) if inner else fm_title) or None
    if not title and items:
        m = re.fullmatch(r"《([^》]+)》", items[0][0])
        first = items[0][0]
        title = m.group(1) if m else (first if len(first) <= 40 else None)
    title = re.sub(r"^《(.*)》$", r"\1", title or stem)

    notice = re.search(r"印发《([^》]+)》的通知", items[0][0]) if items else None
    if notice and not front.get("title"):
        title = notice.group(1)
    date = None
    issuers: list[str] = []
    signers: list[str] = []  # short unpunctuated lines just above a lone date line: the signatories
    for text, hints in items[:25]:
        m = _DATE.fullmatch(text.replace(" ", ""))
        if m:
            date = _iso(m)
            issuers_date = [w for r in signers for w in re.split(r"[、，,\s]+", r) if w]
            break
        signer = len(text) <= 40 and not re.search(r"[。：:；！？《]", text) and not hints & {"center", "bold", "h1", "h2"}
        signers = signers + [text] if signer or "right" in hints else []
    if issuers_date:
        issuers = issuers_date
    if not date:  # laws: "2006年10月31日 第十届全国人民代表大会常务委员会…通过", one line per stage
        stages = [(m, text) for text, _ in items[:8] for m in [_DATE.match(text)] if m and "施行" not in text]
        if stages:
            date = max(_iso(m) for m, _ in stages)
            for m, text in stages:
                org = _ISSUER.search(text[m.end():])
                name = re.sub(r"第[一二三四五六七八九十]+届", "", org.group(1)) if org else None
                if name and name not in issuers:
                    issuers.append(name)
    if not date and front.get("date"):
        m = re.match(r"(\d{4})-(\d{2})-(\d{2})", front["date"])
        date = m.group(0) if m else None
    doc_number = next((m.group(0) for t, _ in items[:20] for m in [_DOC_NUMBER.search(t)] if m), None)
    return title, issuers, date, doc_number


# ---------------------------------------------------------------- entry point

def read_bytes(path: str | Path) -> bytes:
    p = Path(path)
    if not p.exists():
        raise InputError("no such file", str(path))
    if p.is_dir():
        raise InputError("is a directory, not a plan file", str(path))
    try:
        data = p.read_bytes()
    except OSError as exc:
        raise InputError(f"cannot read ({exc.strerror})", str(path)) from None
    if not data.strip():
        raise InputError("empty file", str(path))
    return data


def load(path: str | Path, format: str | None = None, encoding: str | None = None) -> Document:
    """Load a plan into a Document with ``text`` set and no sections yet."""
    path = str(path)
    data = read_bytes(path)
    return load_bytes(data, path, format=format, encoding=encoding)


def load_bytes(data: bytes, path: str, format: str | None = None, encoding: str | None = None) -> Document:
    if format and format not in FORMATS:
        raise InputError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}", path)
    suffix = Path(path).suffix.lower()
    fmt = format or ("docx" if data.startswith(b"PK\x03\x04") else "pdf" if data.lstrip().startswith(b"%PDF") else None)
    text, enc = ("", "binary") if fmt in ("docx", "pdf") else decode(data, path, encoding)
    fmt = fmt or sniff(data, text, suffix)
    front: dict[str, str] = {}
    html_title = ""
    if fmt == "docx":
        pars = paragraphs_from_docx(data, path)
    elif fmt == "pdf":
        pars = paragraphs_from_pdf(data, path)
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
        if fmt == "jekyll":
            front, text = split_front_matter(text)
        if fmt == "html" or (fmt == "jekyll" and re.search(r"<(p|div|h[1-6])[\s>]", text, re.I)):
            pars, html_title = paragraphs_from_html(text)
        elif fmt in ("jekyll", "markdown"):
            pars = paragraphs_from_markdown(text)
        else:
            pars = paragraphs_from_txt(text)
    items = pars.items
    if not items:
        raise InputError(f"no text found in this {fmt} file", path)
    if html_title and "title" not in front:
        front["title"] = html_title
    title, issuers, date, doc_number = _metadata(items, front, Path(path).stem)
    body = "\n".join(t for t, _ in items)
    hints, offset = {}, 0
    for t, h in items:
        if h:
            hints[offset] = h
        offset += len(t) + 1
    return Document(
        path=path, name=Path(path).stem, title=title, text=body, format=fmt, encoding=enc,
        sha256=hashlib.sha256(data).hexdigest(), issuers=issuers, date=date, doc_number=doc_number,
        hints=hints,
    )
