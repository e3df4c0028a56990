"""Parsed plans, remembered: a warm run reads each plan's Document instead of decoding and parsing it again.

A Document is a function of the file's bytes, the path it is named by (its name, a date its file name
carries, the warnings, which name the file), the options that change how it is read (format, encoding, size
cap), and the loader and parser with their data. All of those make the key (:func:`_key`); the value is
every field of the Document as JSON, read back equal to parsing anew (tests/test_plancache.py). Bad input
is never kept: it raises as it did, every time.
"""
from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from .models import Boilerplate, Clause, Document, Section

_SOURCES = ("normalize.py", "errors.py", "plancache.py")  # beyond tfidf.PARSER_MODULES, what a Document depends on


def load_plan(path, options=None) -> Document:
    """Load and parse a plan file: from the cache folder when this very file was read so before."""
    from .load import load_bytes, read_bytes
    from .sections import parse
    from .tokenize import cache_file, read_cache, write_cache

    path = str(path)
    fmt, encoding = getattr(options, "format", None), getattr(options, "encoding", None)
    max_bytes = getattr(options, "max_bytes", None)
    data = read_bytes(path, max_bytes)
    cache = cache_file("plans", _key(data, path, fmt, encoding, max_bytes), getattr(options, "cache_dir", None))
    kept = read_cache(cache, _document)
    if kept is not None:
        return kept
    doc = parse(load_bytes(data, path, format=fmt, encoding=encoding, max_bytes=max_bytes))
    try:
        kept = json.dumps(_record(doc), ensure_ascii=False)
    except TypeError:  # a warning whose values JSON cannot carry: this plan is parsed every time
        return doc
    write_cache(cache, kept)
    return doc


def _key(data: bytes, path: str, fmt, encoding, max_bytes) -> str:
    from .load import size_cap

    h = hashlib.sha256(data)
    pdf = fmt == "pdf" or (fmt is None and data.lstrip().startswith(b"%PDF"))
    h.update(json.dumps([path, fmt, encoding, size_cap(max_bytes), _fingerprint(), _pdf_reader() if pdf else ""],
                        ensure_ascii=False).encode("utf-8", "surrogatepass"))
    return h.hexdigest()


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """The loader and parser, their data (the package version, the matching form's tables), and the sources
    they lean on."""
    from .tfidf import code_fingerprint

    return code_fingerprint(*(Path(__file__).with_name(name) for name in _SOURCES))


@lru_cache(maxsize=1)
def _pdf_reader() -> str:
    """pypdf's version: a PDF's text is what its reader extracts."""
    import importlib.util

    from .tokenize import _dist_version

    spec = importlib.util.find_spec("pypdf")
    return _dist_version(Path(spec.origin).parent, "pypdf") if spec and spec.origin else "none"


def _record(doc: Document) -> dict:
    from .errors import note_data

    return {
        "path": doc.path, "name": doc.name, "title": doc.title, "text": doc.text, "format": doc.format,
        "encoding": doc.encoding, "sha256": doc.sha256, "issuers": doc.issuers, "date": doc.date,
        "date_kind": doc.date_kind, "doc_number": doc.doc_number, "preamble": doc.preamble, "sections": [_section(s) for s in doc.sections],
        "boilerplate": [[b.kind, b.text, b.span] for b in doc.boilerplate],
        "warnings": [note_data(w) for w in doc.warnings],
        "hints": [[offset, sorted(h)] for offset, h in doc.hints.items()],
    }


def _section(s: Section) -> list:
    return [s.id, s.level, s.number, s.title, s.text, s.span, s.style, s.title_start, s.body_start, s.parent,
            [_section(c) for c in s.children], [[c.id, c.section_id, c.index, c.text, c.span] for c in s.clauses]]


def _document(r: dict) -> Document:
    from .errors import note_from_data

    return Document(
        path=r["path"], name=r["name"], title=r["title"], text=r["text"], format=r["format"],
        encoding=r["encoding"], sha256=r["sha256"], issuers=list(r["issuers"]), date=r["date"],
        date_kind=r["date_kind"], doc_number=r["doc_number"], preamble=tuple(r["preamble"]),
        sections=[_from_section(s) for s in r["sections"]],
        boilerplate=[Boilerplate(kind, text, tuple(span)) for kind, text, span in r["boilerplate"]],
        warnings=[note_from_data(w) for w in r["warnings"]],
        hints={offset: frozenset(h) for offset, h in r["hints"]},
    )


def _from_section(r: list) -> Section:
    sid, level, number, title, text, span, style, title_start, body_start, parent, children, clauses = r
    return Section(id=sid, level=level, number=number, title=title, text=text, span=tuple(span), style=style,
                   title_start=title_start, body_start=body_start, parent=parent,
                   children=[_from_section(c) for c in children],
                   clauses=[Clause(cid, section_id, index, ctext, tuple(cspan))
                            for cid, section_id, index, ctext, cspan in clauses])
