"""Load a plan file: bytes → decoded text → paragraphs → ``Document``.

Formats are sniffed from the content (``--format`` overrides): Jekyll posts
(YAML front matter + HTML or Markdown body), Markdown, HTML, plain text,
DOCX and PDF with a text layer. Encodings: UTF-8 (with or without BOM),
UTF-16 (BOM or not), GB18030/GBK and Big5; ``--encoding`` overrides.

The body becomes ``Document.text``: one paragraph per line, whitespace runs
folded to one space, original wording and punctuation kept for display.

Hostile input: only regular files are read; a plan is capped in size (file,
extracted text and a DOCX's expanded parts, see :func:`size_cap`); every
pattern runs in linear time on any input (no unbounded quantifier can rescan).
"""
from __future__ import annotations

import datetime
import errno
import hashlib
import math
import os
import re
import stat
from pathlib import Path

from .errors import BadArgument, InputError, Note
from .formats import (MB, check_lines, paragraphs_from_docx, paragraphs_from_html, paragraphs_from_markdown,
                      paragraphs_from_txt, too_large)
from .models import Document
from .patterns import lazy_compile

FORMATS = ("jekyll", "markdown", "html", "txt", "docx", "pdf")

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
            text = data.decode(encoding)
        except (LookupError, UnicodeDecodeError) as exc:
            raise InputError(f"cannot decode as {encoding} ({exc.__class__.__name__})", path, "input.cannot_decode",
                             encoding=encoding, detail=exc.__class__.__name__) from None
        if not _looks_textual(text):  # NUL bytes decode in most encodings: a binary file stays refused
            raise InputError(f"not text when read as {encoding} (control characters or NUL bytes)", path,
                             "input.not_text_as", encoding=encoding)
        if _cjk_score(text) <= 0.02:  # a UTF-8 plan read as UTF-16 decodes, to characters no plan uses
            try:
                found, enc = decode(data, path)
            except InputError:
                return text, encoding
            if _cjk_score(found) > 0.02:
                raise InputError(f"does not read as {encoding}: it reads as {enc} (drop --encoding)", path,
                                 "input.reads_as", encoding=encoding, found=enc)
        return text, encoding
    for bom, enc in ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16")):
        if data.startswith(bom):
            try:
                return data.decode(enc), enc
            except UnicodeDecodeError:
                raise InputError(f"undecodable bytes despite a {enc} byte-order mark", path, "input.bad_bom",
                                 encoding=enc) from None
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
            raise InputError("binary file, not a plan (contains NUL bytes)", path, "input.binary")
        try:
            data.decode("utf-8")
            where, key, at = "", "input.undecodable", {}
        except UnicodeDecodeError as exc:  # the offset a user can look at, in a hex editor or with dd
            where, key, at = f" (invalid from byte {exc.start:,})", "input.undecodable_at", {"at": f"{exc.start:,}"}
        raise InputError(f"undecodable bytes: not UTF-8{where}, UTF-16, GB18030 or Big5 (try --encoding)", path, key,
                         **at)
    _, _, text, enc = max(candidates)
    return text, enc


def _looks_textual(text: str) -> bool:
    sample = text[:4000]
    bad = sum(1 for ch in sample if ord(ch) < 32 and ch not in "\r\n\t\f")
    return bad <= len(sample) / 100


# ---------------------------------------------------------------- sniffing

def sniff(data: bytes, text: str | None, suffix: str) -> str:
    if data.startswith(b"PK\x03\x04"):
        return "docx"
    if data.lstrip().startswith(b"%PDF"):
        return "pdf"
    text = (text or "").lstrip("\ufeff")
    if _front_matter_end(text):
        return "jekyll"
    head = text[:4000]
    if re.search(r"<(html|body|p|div|h[1-6])[\s>]", head, re.I):
        return "html"
    if re.search(r"^#{1,6}\s", head, re.M) or suffix in (".md", ".markdown"):
        return "markdown"
    return "txt"


_YAML_KEY = lazy_compile(r"[A-Za-z_][\w.-]{0,60}\s{0,20}:")


def _front_matter_end(text: str) -> int | None:
    """Where the body starts after ``---`` YAML front matter ``---``, or None if there is none.

    The front matter may be of any length; every line of it must look like YAML
    (``key: value``, indented, a list item or a comment), so that a plan opening
    with a ``---`` rule is never swallowed. Linear: one pass over the lines.
    """
    first = text.find("\n")
    if first < 0 or text[:first].rstrip() != "---":
        return None
    pos = first + 1
    while (nl := text.find("\n", pos)) >= 0:
        line = text[pos:nl]
        if line.rstrip() == "---":
            return nl + 1
        if line.strip() and not (line[:1] in " \t-#" or _YAML_KEY.match(line)):
            return None
        pos = nl + 1
    return None


def split_front_matter(text: str) -> tuple[dict[str, str], str]:
    """Parse the simple ``key: value`` YAML front matter that Jekyll posts carry."""
    text = text.lstrip("\ufeff")
    end = _front_matter_end(text)
    if not end:
        return {}, text
    meta = {}
    for line in text[:end].split("\n")[1:-2]:
        k, sep, v = line.partition(":")
        if sep and k.strip() and not k.startswith((" ", "-")):
            meta[k.strip()] = v.strip().strip("\"'")
    return meta, text[end:]


# ---------------------------------------------------------------- metadata

_DATE = lazy_compile(r"(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日")
_DOC_NUMBER = lazy_compile(r"[\u4e00-\u9fff]{1,12}(?:[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号|令第\s*\d+\s*号)")
# what a document number ends with: a line without it holds none (tried first, as the full pattern backtracks
# through up to 12 characters at every Han character of the line)
_DOC_NUMBER_END = lazy_compile(r"[〔\[［(（]\d{4}[〕\]］)）]\s*\d+\s*号|令第\s*\d+\s*号")
_ISSUER = lazy_compile(r"((?:[\u4e00-\u9fff]{2,12}?)人民代表大会常务委员会|国务院)")


_FRONT_ISSUED = ("issued", "issue_date", "doc_date", "发布日期", "成文日期")
_IN_FORCE = lazy_compile(r"自\s*(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日\s*起?\s*(?:施行|实施|生效)")
_STEM_YEAR = lazy_compile(r"(?<![0-9A-Za-z])((?:19|20)\d{2})(?![0-9A-Za-z])")


def _front_date(front: dict, notes: list[str], explicit: bool = False) -> str | None:
    keys = _FRONT_ISSUED if explicit else ("date",)
    for key in keys:
        m = re.match(r"\s*(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)", front.get(key, ""))
        if m:
            return _iso(m, notes)
    return None


def _closing_date(items, notes: list[str]) -> str | None:
    """A lone date line among the last paragraphs: the date under a closing signature."""
    for text, _ in reversed(items[-8:]):
        m = _DATE.fullmatch(text.replace(" ", ""))
        if m:
            return _iso(m, notes)
    return None


def _in_force_date(items, notes: list[str]) -> str | None:
    """The date the text says it takes effect (本条例自2014年8月1日起施行), the last one stated."""
    for text, _ in reversed(items):
        m = _IN_FORCE.search(text)
        if m:
            return _iso(m, notes)
    return None


def _by_file_name(date: str | None, stem: str, recorded: list[str]) -> str | None:
    """The date, unless the file's name carries a year that the date lacks: then a recorded date of that
    year, else the year alone (ISO 8601's reduced precision)."""
    years = _STEM_YEAR.findall(stem)
    if not years or (date and date.startswith(years[-1])):
        return date
    year = years[-1]
    return next((d for d in sorted(recorded, reverse=True) if d.startswith(year)), year)


def _iso(m: re.Match, notes: list[str]) -> str | None:
    """The date of a 年月日 or yyyy-mm-dd match in ISO form; None, with a note, if it is no calendar date.
    The readers of the date look at the same lines (a signature's date line is also a law's stage line and a
    closing date line): an impossible date is noted once, however many of them read it."""
    try:
        return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
    except ValueError:
        note = Note("warn.impossible_date", f"ignored an impossible date {m.group(0)!r}", date=repr(m.group(0)))
        if note not in notes:
            notes.append(note)
        return None


def _metadata(items, front: dict, stem: str, notes: list[str], core_dates: list[str] = ()):
    """(title, issuers, date, date_kind, doc_number) read from the file (date_kind: see Document.date_kind).

    The date, first found of: a front-matter key naming the document's own date (``issued``, ``issue_date``,
    ``发布日期``, ``成文日期``); the document's own issue date near its top (the date line under the
    signatories of an issuing notice, or the latest adoption/revision record of a law); front matter
    ``date`` (a post's publication time); the DOCX core properties (created, then modified); a lone date
    line among the last paragraphs (the date under a closing signature); the date it takes effect
    (自…起施行). Where the file's name carries a year (``…-2016``) that none of the dates read has, the
    year alone: the text records an earlier version than the file is named for.
    """
    issuers_date = None
    title = next((t for t, h in items[:3] if "title" in h), None)  # a PDF's title in large type, any length
    title = title or next((t for t, h in items[:15] if "center" in h and "bold" in h and len(t) <= 60), None)
    title = title or next((t for t, h in items[:5] if "h1" in h), None)
    fm_title = front.get("title", "")
    inner = re.search(r"《([^《》]{1,200})》", fm_title)
    title = title or (inner.group(1) if inner else fm_title) or None
    if not title:  # no layout hints (PDF): the plan's own title line, quoted as 《…》 by the notice above it
        quoted = {m.group(1) for t, _ in items[:5] for m in re.finditer(r"《([^《》]{1,60})》", t)}
        title = next((t for t, _ in items[1:15] if t in quoted), None)
    if not title and items:
        m = re.fullmatch(r"《([^》]+)》", items[0][0])
        first = items[0][0]
        title = m.group(1) if m else (first if len(first) <= 40 else None)
    title = re.sub(r"^《(.*)》$", r"\1", title or stem)

    notice = re.search(r"印发《([^《》]{1,200})》的通知", items[0][0]) if items else None
    if notice and not front.get("title"):
        title = notice.group(1)
    date = kind = None
    issuers: list[str] = []
    signers: list[str] = []  # short unpunctuated lines just above a lone date line: the signatories
    for text, hints in items[:25]:
        m = _DATE.fullmatch(text.replace(" ", ""))
        if m:
            date, kind = _iso(m, notes), "issued"
            issuers_date = [w for r in signers for w in re.split(r"[、，,\s]+", r) if w]
            break
        signer = len(text) <= 40 and not re.search(r"[。：:；！？《]", text) and not hints & {"center", "bold", "h1", "h2"}
        signers = signers + [text] if signer or "right" in hints else []
    if issuers_date:
        issuers = issuers_date
    stages = [(m, text) for text, _ in items[:12] for m in [_DATE.match(text)] if m and "施行" not in text]
    recorded: dict[str, str] = {}  # a law's stage dates -> what each records (the first line of a date)
    for m, text in stages:
        if (d := _iso(m, [])) and d not in recorded:
            recorded[d] = _stage_kind(text)
    if not date and stages:  # laws: "2006年10月31日 第十届全国人民代表大会常务委员会…通过", one line per stage
        date = max((d for m, _ in stages if (d := _iso(m, notes))), default=None)
        kind = recorded.get(date)
        for m, text in stages:
            org = _ISSUER.search(text[m.end():])
            name = re.sub(r"第[一二三四五六七八九十]+届", "", org.group(1)) if org else None
            if name and name not in issuers:
                issuers.append(name)
    explicit = _front_date(front, notes, explicit=True)
    if explicit:
        date, kind = explicit, "issued"
    else:
        if not date:
            date, kind = _front_date(front, notes), "issued"
        if not date and core_dates:
            date, kind = core_dates[0], "file_properties"
        if not date:
            date, kind = _closing_date(items, notes), "issued"
        if not date:
            date, kind = _in_force_date(items, notes), "effective"
        named = _by_file_name(date, stem, list(recorded))
        if named != date:
            date, kind = named, recorded.get(named, "file_name")
        kind = kind if date else None
    doc_number = next((m.group(0) for t, _ in items[:20] if _DOC_NUMBER_END.search(t)
                       for m in [_DOC_NUMBER.search(t)] if m), None)
    return title, issuers, date, kind, doc_number


def _stage_kind(line: str) -> str:
    """What a law's stage line records: 修订 (a revision), 修正 (an amendment), 批准 (a higher congress's approval
    of a city's regulation), 公布, else its adoption (通过)."""
    for word, kind in (("修订", "revised"), ("修正", "amended"), ("批准", "approved"), ("通过", "adopted"),
                       ("公布", "published")):
        if word in line:
            return kind
    return "adopted"


# ---------------------------------------------------------------- entry point

DEFAULT_MAX_MB = 50


def size_cap(max_bytes: int | None = None) -> int:
    """The size cap in bytes: ``max_bytes``, else ``$COMPARE_MAX_MB`` megabytes, else 50 MB.

    It bounds a plan file's size, its extracted text (in characters) and a DOCX's expanded parts.
    """
    if max_bytes is not None:
        return max_bytes
    raw = os.environ.get("COMPARE_MAX_MB", "").strip()
    if not raw:
        return DEFAULT_MAX_MB * MB
    try:
        mb = float(raw)
    except ValueError:
        mb = math.nan
    if not (math.isfinite(mb) and mb > 0):
        raise BadArgument(f"COMPARE_MAX_MB must be a positive number of megabytes, not {raw!r}")
    return max(1, int(mb * MB))


_KINDS = ((stat.S_ISFIFO, "a FIFO", "fifo"), (stat.S_ISCHR, "a character device", "char"),
          (stat.S_ISBLK, "a block device", "block"), (stat.S_ISSOCK, "a socket", "socket"))


def _check_regular(mode: int, path: str) -> None:
    if stat.S_ISDIR(mode):
        raise InputError("is a directory, not a plan file", path, "input.directory")
    if not stat.S_ISREG(mode):
        kind, key = next(((name, key) for test, name, key in _KINDS if test(mode)), ("a special file", "special"))
        raise InputError(f"not a regular file ({kind}); only regular files are read", path, "input.not_regular",
                         kind=Note(f"input.kind.{key}", kind))


def os_error(exc: OSError, path: str) -> InputError:
    """The one line for a file that cannot be read, said the same by every command (the index's skips too)."""
    if isinstance(exc, FileNotFoundError):
        return InputError("no such file", path, "input.no_such_file")
    if exc.errno == errno.ENAMETOOLONG:
        return InputError("file name too long", path, "input.name_too_long")
    why = exc.strerror or exc.__class__.__name__
    return InputError(f"cannot read ({why})", path, "input.cannot_read", detail=why)


def read_bytes(path: str | Path, max_bytes: int | None = None) -> bytes:
    """A plan file's bytes. Only a regular file under the size cap is read; a FIFO or device never blocks."""
    name, cap = str(path), size_cap(max_bytes)
    try:
        _check_regular(os.stat(path).st_mode, name)  # stat first: opening a device may have effects
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_BINARY", 0))
    except OSError as exc:
        raise os_error(exc, name) from None
    try:
        with open(fd, "rb") as f:
            st = os.fstat(f.fileno())
            _check_regular(st.st_mode, name)  # swapped for a FIFO since the stat
            if st.st_size > cap:
                raise too_large("too large", st.st_size, cap, name)
            data = f.read(st.st_size + 1)
            if len(data) > st.st_size:  # grew while being read
                data += f.read(cap + 1 - len(data))
    except OSError as exc:
        raise os_error(exc, name) from None
    if len(data) > cap:
        raise too_large("too large", len(data), cap, name)
    if not data.strip():
        raise InputError("empty file", name, "input.empty")
    return data


def load(path: str | Path, format: str | None = None, encoding: str | None = None,
         max_bytes: int | None = None) -> Document:
    """Load a plan into a Document with ``text`` set and no sections yet."""
    path = str(path)
    data = read_bytes(path, max_bytes)
    return load_bytes(data, path, format=format, encoding=encoding, max_bytes=max_bytes)


def load_bytes(data: bytes, path: str, format: str | None = None, encoding: str | None = None,
               max_bytes: int | None = None) -> Document:
    """Load a plan from its bytes; ``path`` names it in messages. See :func:`size_cap` for ``max_bytes``."""
    if format and format not in FORMATS:
        raise InputError(f"unknown format {format!r}; choose from {', '.join(FORMATS)}", path)
    cap = size_cap(max_bytes)
    if len(data) > cap:
        raise too_large("too large", len(data), cap, path)
    suffix = Path(path).suffix.lower()
    fmt = format or ("docx" if data.startswith(b"PK\x03\x04") else "pdf" if data.lstrip().startswith(b"%PDF") else None)
    text, enc = ("", "binary") if fmt in ("docx", "pdf") else decode(data, path, encoding)
    fmt = fmt or sniff(data, text, suffix)
    front: dict[str, str] = {}
    html_title = ""
    notes: list[str] = []  # warnings for Document.warnings
    if fmt == "docx":
        pars = paragraphs_from_docx(data, path, cap)
    elif fmt == "pdf":
        from .pdf import paragraphs_from_pdf

        pars = paragraphs_from_pdf(data, path, cap, notes)
    else:
        text = text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")
        check_lines(text.count("\n") + (not text.endswith("\n")), cap, path)  # before a paragraph is made of each
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
        raise InputError(f"no text found in this {fmt} file", path, "input.no_text", format=fmt)
    check_lines(len(items), cap, path)  # a DOCX or PDF of as many paragraphs
    if html_title and "title" not in front:
        front["title"] = html_title
    title, issuers, date, date_kind, doc_number = _metadata(items, front, Path(path).stem, notes, pars.dates)
    body = "\n".join(t for t, _ in items)
    if len(body) > cap:
        raise too_large("too much text", len(body), cap, path, " characters")
    hints, offset = {}, 0
    for t, h in items:
        if h:
            hints[offset] = h
        offset += len(t) + 1
    return Document(
        path=path, name=Path(path).stem, title=title, text=body, format=fmt, encoding=enc,
        sha256=hashlib.sha256(data).hexdigest(), issuers=issuers, date=date, date_kind=date_kind, doc_number=doc_number,
        hints=hints, warnings=[Note(n.key, f"{path}: {n}", path=path, **n.values) if isinstance(n, Note) else f"{path}: {n}"
                               for n in notes],
    )
