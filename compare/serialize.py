"""Plans and comparisons as JSON, and a plan's outline as text.

Part of the report stage (see :mod:`compare.report`): what ``compare run --json`` and ``compare sections``
write. Deterministic: keys in a fixed order, floats rounded where they are made, no timestamps.
"""
from __future__ import annotations

import re

from .models import Document, Section


def section_dict(s: Section, clauses: bool = False, children: bool = True, force: dict | None = None) -> dict:
    """A section as JSON; with ``force`` (clause id → ClauseForce) each clause carries its force."""
    d = {"id": s.id, "level": s.level, "number": s.number, "title": s.title, "parent": s.parent,
         "span": list(s.span), "chars": s.span[1] - s.span[0], "text": s.text}
    if clauses:
        d["clauses"] = [{"id": c.id, "text": c.text, "span": list(c.span)}
                        | ({"force": force_dict(force[c.id])} if force is not None else {}) for c in s.clauses]
    if children:
        d["children"] = [section_dict(c, clauses, force=force) for c in s.children]
    return d


def force_dict(f) -> dict:
    """A clause's force as JSON: {"tier", "marker", "span"} (marker and span null when it commits nothing)."""
    m = f.marker
    return {"tier": f.tier, "marker": m.word if m else None, "span": [m.start, m.end] if m else None}


def document_meta(doc: Document) -> dict:
    return {"path": doc.path, "name": doc.name, "title": doc.title, "issuers": doc.issuers, "date": doc.date,
            "date_kind": doc.date_kind, "doc_number": doc.doc_number, "format": doc.format, "encoding": doc.encoding,
            "chars": len(doc.text)}


def outline_json(doc: Document, clauses: bool = False, cache: str | None = None) -> str:
    """The outline as JSON; with ``clauses`` every clause carries its policy force (see compare.force)."""
    force = None
    if clauses:
        from .force import clause_forces
        from .tokenize import Segmentation

        force = clause_forces(doc, Segmentation.of(doc.text, cache), cache)
    data = document_meta(doc)
    data["preamble"] = {"span": list(doc.preamble), "text": doc.preamble_text}
    data["sections"] = [section_dict(s, clauses, force=force) for s in doc.sections]
    data["boilerplate"] = [{"kind": b.kind, "text": b.text, "span": list(b.span)} for b in doc.boilerplate]
    return dumps(data)


_CONTROLS = {cp: None for cp in [*range(0, 9), 11, 12, *range(14, 32), *range(0x7F, 0xA0),
                                  *range(0x202A, 0x202F), *range(0x2066, 0x206A)]}
_C1_ESCAPES = {cp: f"\\u{cp:04x}" for cp in range(0x7F, 0xA0)}


def printable(text: str) -> str:
    """Text safe for a terminal: control characters (escape sequences, bidi overrides) removed."""
    return text.translate(_CONTROLS)


def outline_tree(doc: Document, clauses: bool = False, lang: str | None = None) -> str:
    """The outline as indented text; its labels (preamble, footer, link, navigation) in the interface language."""
    from .templating import Strings

    t = Strings(lang)
    meta = " · ".join(x for x in ["、".join(doc.issuers), doc.date or "", doc.doc_number or ""] if x)
    lines = [doc.title + (f"  ({meta})" if meta else "")]
    if doc.preamble[1] > doc.preamble[0]:
        lines.append(t("outline.preamble", n=doc.preamble[1] - doc.preamble[0]))
    for s in doc.walk():
        indent = "  " * (s.level - 1)
        lines.append(indent + s.caption(24) + f"  [{s.id}]")
        if clauses:
            lines += [f"{indent}    · {c.text}" for c in s.clauses]
    for b in doc.boilerplate:
        lines.append(t("outline.boilerplate", kind=t("bp_kind." + b.kind), text=b.text))
    return printable("\n".join(lines)) + "\n"


_C1 = re.compile("[\x7f-\x9f]")


def c1_escaped(text: str) -> str:
    """JSON text with its C1 control characters written as \\u escapes (``text.translate(_C1_ESCAPES)``;
    a regex finds the rare few about 20× faster than translate walks a long text)."""
    return _C1.sub(lambda m: _C1_ESCAPES[ord(m.group())], text)


def dumps(data) -> str:
    """Deterministic JSON: keys in insertion order, UTF-8 text, floats rounded by the caller."""
    from .jsontext import indented

    return c1_escaped(indented(data)) + "\n"


def comparison_dict(c) -> dict:
    """The JSON form of a Comparison (see ``compare run --help`` for the fields)."""
    def side(doc):
        meta = document_meta(doc)
        meta["sections"] = [section_dict(s, children=False) | {"text": None} for s in doc.walk()]
        for s in meta["sections"]:
            del s["text"], s["span"]
        return meta

    from .force import comparison_force, profile

    force = comparison_force(c)

    def pair(p, pf) -> dict:
        d = {"a": p.a, "b": p.b, "score": p.score, "kind": p.kind, "role": p.role, "renumbered": p.renumbered}
        if p.nearest:
            d["nearest"] = {"id": p.nearest[0], "score": p.nearest[1]}
        if p.kept_in:
            d["kept_in"] = {"ids": list(p.kept_in[0]), "sentences": p.kept_in[1], "of": p.kept_in[2]}
        if pf is not None:
            d["force"] = {"a": pf.a, "b": pf.b, "change": pf.change}
        d["clauses"] = [{"a": k.a, "b": k.b, "score": k.score, "kind": k.kind}
                        | ({"force": force.clause_change(k.a, k.b)} if k.a and k.b else {}) for k in p.clauses]
        return d

    return {
        "a": side(c.a),
        "b": side(c.b),
        "score": c.score,
        "threshold": c.threshold,
        "force": {"a": profile(force.a), "b": profile(force.b)},
        "pairs": [pair(p, pf) | _decided(p) for p, pf in zip(c.pairs, force.pairs)],
        "clause_pairs": [{"a": cp.a, "b": cp.b, "score": cp.score} for cp in c.clause_pairs],
        "moves": [{"a": m.a, "b": m.b, "sentences": len(m.clauses), "of": m.of,
                   "clauses": [list(link) for link in m.clauses]} for m in c.moves],
        "stale_decisions": c.stale_decisions,
        "reuse": {k: {cid: dict(found) for cid, found in sorted(side_reuse.items())}
                  for k, side_reuse in sorted((getattr(c, "reuse", None) or {"a": {}, "b": {}}).items())},
    }


def _decided(p) -> dict:
    """A pair's reviewer fields: "decided" ("pair" or "checked") and its "note", where a decision made it."""
    if not p.decided:
        return {}
    return {"decided": p.decided} | ({"note": p.note} if p.note else {})


def comparison_json(c) -> str:
    return dumps(comparison_dict(c))


# ---------------------------------------------------------------- HTML report
