"""Rendering: outlines as text or JSON, comparisons as JSON and HTML.

Nothing else in the package formats output. Writes are atomic: a report is
written to a temporary file beside the target and renamed into place, so a
failure never leaves half a file.
"""
from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

from .models import Document, Section


def section_dict(s: Section, clauses: bool = False, children: bool = True) -> dict:
    d = {"id": s.id, "level": s.level, "number": s.number, "title": s.title, "parent": s.parent,
         "span": list(s.span), "chars": s.span[1] - s.span[0], "text": s.text}
    if clauses:
        d["clauses"] = [{"id": c.id, "text": c.text, "span": list(c.span)} for c in s.clauses]
    if children:
        d["children"] = [section_dict(c, clauses) for c in s.children]
    return d


def document_meta(doc: Document) -> dict:
    return {"path": doc.path, "name": doc.name, "title": doc.title, "issuers": doc.issuers, "date": doc.date,
            "doc_number": doc.doc_number, "format": doc.format, "encoding": doc.encoding, "chars": len(doc.text)}


def outline_json(doc: Document, clauses: bool = False) -> str:
    data = document_meta(doc)
    data["preamble"] = {"span": list(doc.preamble), "text": doc.preamble_text}
    data["sections"] = [section_dict(s, clauses) for s in doc.sections]
    data["boilerplate"] = [{"kind": b.kind, "text": b.text, "span": list(b.span)} for b in doc.boilerplate]
    return dumps(data)


def outline_tree(doc: Document, clauses: bool = False) -> str:
    meta = " · ".join(x for x in ["、".join(doc.issuers), doc.date or "", doc.doc_number or ""] if x)
    lines = [doc.title + (f"  ({meta})" if meta else "")]
    if doc.preamble[1] > doc.preamble[0]:
        lines.append(f"[preamble: {doc.preamble[1] - doc.preamble[0]} chars]")
    for s in doc.walk():
        indent = "  " * (s.level - 1)
        label = s.title or (s.text[:24] + ("…" if len(s.text) > 24 else "")).replace("\n", " ")
        lines.append(indent + f"{s.number} {label}".strip() + f"  [{s.id}]")
        if clauses:
            lines += [f"{indent}    · {c.text}" for c in s.clauses]
    for b in doc.boilerplate:
        lines.append(f"[{b.kind}: {b.text}]")
    return "\n".join(lines) + "\n"


def dumps(data) -> str:
    """Deterministic JSON: keys in insertion order, UTF-8 text, floats rounded by the caller."""
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


def write_atomic(path: str | os.PathLike, text: str) -> Path:
    """Write ``text`` as UTF-8 to ``path`` all at once, or not at all."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", dir=target.parent)
    try:
        with os.fdopen(fd, "w", encoding="utf-8", newline="\n") as fh:
            fh.write(text)
        os.replace(tmp, target)
    except BaseException:
        if os.path.exists(tmp):
            os.unlink(tmp)
        raise
    return target


def comparison_dict(c) -> dict:
    """The JSON form of a Comparison (see ``compare run --help`` for the fields)."""
    def side(doc):
        meta = document_meta(doc)
        meta["sections"] = [section_dict(s, children=False) | {"text": None} for s in doc.walk()]
        for s in meta["sections"]:
            del s["text"], s["span"]
        return meta

    return {
        "a": side(c.a),
        "b": side(c.b),
        "score": c.score,
        "threshold": c.threshold,
        "pairs": [{"a": p.a, "b": p.b, "score": p.score, "kind": p.kind, "role": p.role} for p in c.pairs],
        "clause_pairs": [{"a": cp.a, "b": cp.b, "score": cp.score} for cp in c.clause_pairs],
    }


def comparison_json(c) -> str:
    return dumps(comparison_dict(c))
