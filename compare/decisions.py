"""A reviewer's decisions: read the file, name sections, resolve names to sections, check for conflicts.

The file (README "Correcting an alignment by hand") is JSON::

    {"format": "compare-decisions/1",
     "a": {"title": "…", "sha256": "…"}, "b": {"title": "…", "sha256": "…"},
     "decisions": [{"action": "pair", "a": ["第二章/第十一条"], "b": ["第二章/第九条"], "note": "…"}, …]}

A section is named by the path of its numbers as written, joined by ``/`` (``二、/（三）/12、``); names
are compared in their matching form (width, spacing, script), so ``(三)`` and ``（三）`` are one name.
Where one path names several sections, each is named ``path~1``, ``path~2`` … in reading order, and the
bare path is ambiguous. :func:`resolve` turns names into section ids for :func:`compare.align.compare`:
``pair`` and ``checked`` groups are kept as given, ``unpair`` cells are never proposed; a decision whose
names no longer resolve is *stale*: named in a warning and listed, never silently dropped.
"""
from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import InputError, Note
from .models import Document, Role, Section, roles
from .normalize import match_form

FORMAT = "compare-decisions/1"
ACTIONS = ("pair", "unpair", "checked")
_SPACE = re.compile(r"\s+")


@dataclass
class Decision:
    """One decision as written in the file; ``index`` counts from 1 in the file's order."""

    index: int
    action: str  # "pair", "unpair" or "checked"
    a: list[str]  # section names in A
    b: list[str]  # section names in B
    note: str = ""

    def as_dict(self) -> dict:
        out = {"action": self.action, "a": self.a, "b": self.b}
        return out | {"note": self.note} if self.note else out

    def describe(self) -> str:
        return f"decision {self.index} ({self.action} A {', '.join(self.a) or '-'} ↔ B {', '.join(self.b) or '-'})"

    def described(self) -> Note:
        """:meth:`describe` as a Note, for a warning in the interface language."""
        return Note("decision.describe", self.describe(), index=self.index,
                    action=Note(f"review.action.{self.action}", self.action),
                    a=", ".join(self.a) or "-", b=", ".join(self.b) or "-")


def _side(side: str) -> Note:
    return Note(f"side_{side}", side.upper())


@dataclass
class Forced:
    """A pair kept as given: section ids on each side (one side empty for a checked only-A/only-B)."""

    a: list[str]
    b: list[str]
    role: Role
    decided: str  # "pair" or "checked"
    note: str = ""


@dataclass
class Resolved:
    """Decisions resolved against two parsed plans: what the aligner keeps, avoids, and what went stale."""

    forced: list[Forced] = field(default_factory=list)
    unpaired: set[tuple[str, str]] = field(default_factory=set)  # (A id, B id) never proposed
    stale: list[dict] = field(default_factory=list)  # the decision as written, plus "reason"
    warnings: list[str] = field(default_factory=list)
    applied: list[dict] = field(default_factory=list)  # every decision, names as written in the plans, stale ones too

    def groups(self, ids_a: list[str], ids_b: list[str]) -> list[tuple[list[int], list[int]]]:
        """The forced two-sided pairs among these sections, as (A rows, B rows) of the given id lists."""
        row_a, row_b = {x: k for k, x in enumerate(ids_a)}, {y: k for k, y in enumerate(ids_b)}
        return [(sorted(row_a[x] for x in f.a), sorted(row_b[y] for y in f.b)) for f in self.forced
                if f.a and f.b and all(x in row_a for x in f.a) and all(y in row_b for y in f.b)]

    def veto(self, ids_a: list[str], ids_b: list[str]):
        """Bool matrix (A rows × B cols): cells the aligner must not propose. Every row and column of a
        forced section is closed (it is kept as given), and every unpaired cell."""
        import numpy as np

        out = np.zeros((len(ids_a), len(ids_b)), dtype=bool)
        row_a, row_b = {x: k for k, x in enumerate(ids_a)}, {y: k for k, y in enumerate(ids_b)}
        for f in self.forced:
            out[[row_a[x] for x in f.a if x in row_a], :] = True
            out[:, [row_b[y] for y in f.b if y in row_b]] = True
        for x, y in self.unpaired:
            if x in row_a and y in row_b:
                out[row_a[x], row_b[y]] = True
        return out

    def mark(self, pairs) -> None:
        """Set ``decided`` and ``note`` on the pairs that came from a decision."""
        by_sides = {(frozenset(p.a), frozenset(p.b)): p for p in pairs}
        for f in self.forced:
            targets = [by_sides.get((frozenset(f.a), frozenset(f.b)))] if f.a and f.b else \
                [by_sides.get((frozenset([x]), frozenset())) for x in f.a] + \
                [by_sides.get((frozenset(), frozenset([y]))) for y in f.b]
            for p in targets:
                if p is not None:
                    p.decided, p.note = f.decided, f.note


# ---------------------------------------------------------------- names

def _part(s: Section) -> str:
    return s.number.strip() or s.title.strip() or s.id.rsplit("/", 1)[-1]


def section_names(doc: Document) -> dict[str, str]:
    """Section id → its name: the path of numbers as written, ``~n`` added where a path is shared."""
    paths: dict[str, str] = {}
    for s in doc.walk():
        paths[s.id] = _part(s) if s.parent is None else paths[s.parent] + "/" + _part(s)
    seen: dict[str, list[str]] = {}
    for sid, path in paths.items():
        seen.setdefault(_key(path), []).append(sid)
    out = {}
    for sid, path in paths.items():
        same = seen[_key(path)]
        out[sid] = path if len(same) == 1 else f"{path}~{same.index(sid) + 1}"
    return out


def _key(name: str) -> str:
    return _SPACE.sub("", match_form(name))


def _lookup(doc: Document) -> tuple[dict[str, list[str]], dict[str, str]]:
    """Matching key → ids: each section under its name, and under its bare path where that path is shared."""
    names = section_names(doc)
    by_key: dict[str, list[str]] = {}
    for sid, name in names.items():
        by_key.setdefault(_key(name), []).append(sid)
        bare = re.sub(r"~\d+$", "", name)
        if bare != name:
            by_key.setdefault(_key(bare), []).append(sid)
    return by_key, names


# ---------------------------------------------------------------- reading

def read_decisions(path: str | Path) -> tuple[list[Decision], dict[str, str | None]]:
    """The decisions of a file, checked for shape, and the sha256 it recorded for each plan;
    InputError (one line, naming the file) if it is not a decisions file."""
    from .load import read_bytes

    path = str(path)
    raw = read_bytes(path)  # a regular file under the size cap: a FIFO or a device never blocks
    try:
        data = json.loads(raw.decode("utf-8-sig"))
    except (UnicodeDecodeError, ValueError) as exc:
        raise InputError(f"decisions file is not JSON ({str(exc).splitlines()[0]})", path) from None
    return parse_decisions(data, path), plan_hashes(data)


def parse_decisions(data, path: str = "decisions") -> list[Decision]:
    """Decisions from parsed JSON (see the module docstring)."""
    if not isinstance(data, dict) or data.get("format") != FORMAT:
        found = data.get("format") if isinstance(data, dict) else type(data).__name__
        raise InputError(f"not a decisions file: format is {found!r}, expected {FORMAT!r}", path)
    items = data.get("decisions", [])
    if not isinstance(items, list):
        raise InputError("'decisions' must be a list", path)
    out = []
    for k, item in enumerate(items, start=1):
        if not isinstance(item, dict) or item.get("action") not in ACTIONS:
            raise InputError(f"decision {k}: action must be one of {', '.join(ACTIONS)}", path)
        sides = [item.get("a", []), item.get("b", [])]
        if not all(isinstance(s, list) and all(isinstance(n, str) and n.strip() for n in s) for s in sides):
            raise InputError(f"decision {k}: 'a' and 'b' must be lists of section names", path)
        note = item.get("note", "")
        if not isinstance(note, str):
            raise InputError(f"decision {k}: 'note' must be text", path)
        if item["action"] != "checked" and not (sides[0] and sides[1]):
            raise InputError(f"decision {k}: {item['action']} needs sections on both sides", path)
        if item["action"] == "checked" and not (sides[0] or sides[1]):
            raise InputError(f"decision {k}: checked needs at least one section", path)
        out.append(Decision(k, item["action"], list(sides[0]), list(sides[1]), note))
    return out


def plan_hashes(data) -> dict[str, str | None]:
    """The sha256 the file recorded for each plan, where it did."""
    return {side: data[side].get("sha256") if isinstance(data.get(side), dict) else None for side in ("a", "b")}


# ---------------------------------------------------------------- resolving

def resolve(decisions: list[Decision], a: Document, b: Document, path: str = "decisions",
            hashes: dict | None = None) -> Resolved:
    """Names → section ids. Ambiguous names and conflicting decisions raise InputError; names that no longer
    resolve (or whose sections are no longer units or headings of one role) make the decision stale."""
    out = Resolved(applied=[d.as_dict() for d in decisions])
    for side, doc in (("a", a), ("b", b)):
        if hashes and hashes.get(side) and hashes[side] != doc.sha256:
            out.warnings.append(Note("warn.decisions_changed", f"{path}: plan {side.upper()} ({doc.name}) changed "
                                     "since the decisions were made; they are applied where their sections still "
                                     "resolve", path=str(path), side=_side(side), name=doc.name))
    lookups = {"a": (a, *_lookup(a), roles(a)), "b": (b, *_lookup(b), roles(b))}
    owner: dict[tuple[str, str], Decision] = {}  # (side, id) → the pair/checked decision holding it
    for k, d in enumerate(decisions):
        ids, missing = {}, []
        for side in ("a", "b"):
            doc, by_key, _names, role = lookups[side]
            ids[side] = []
            for name in getattr(d, side):
                found = by_key.get(_key(name), [])
                if len(found) > 1:
                    raise InputError(f"{d.describe()}: {side.upper()} {name} matches {len(found)} sections; "
                                     f"name one as {name}~1 … {name}~{len(found)}", path)
                if found:
                    ids[side].append(found[0])
                else:
                    missing.append(Note("decision.not_found", f"{side.upper()} {name} not found", side=_side(side),
                                        name=name))
        section_roles = {lookups[s][3][i] for s in ("a", "b") for i in ids[s]}
        if not missing and (Role.ITEM in section_roles or len(section_roles) > 1):
            missing.append(Note("decision.mixed_roles", "its sections are not all measures/articles or all headings"))
        if missing:
            reason = Note("decision.reasons", "; ".join(missing), reasons=missing)  # JSON: the English text
            out.stale.append(d.as_dict() | {"reason": reason})
            out.warnings.append(Note("warn.decision_stale", f"{path}: stale {d.describe()}: {reason}", path=str(path),
                                     decision=d.described(), reason=reason))
            continue
        out.applied[k] |= {s: [lookups[s][2][i] for i in ids[s]] for s in ("a", "b")}  # names as the report writes them
        if d.action == "unpair":
            out.unpaired |= {(x, y) for x in ids["a"] for y in ids["b"]}
            continue
        for side in ("a", "b"):
            for sid, name in zip(ids[side], getattr(d, side)):
                if (side, sid) in owner:
                    raise InputError(f"decisions {owner[side, sid].index} and {d.index} both pair "
                                     f"{side.upper()} {name}", path)
                owner[side, sid] = d
        out.forced.append(Forced(ids["a"], ids["b"], section_roles.pop(), "checked" if d.action == "checked"
                                 else "pair", d.note))
    for f in out.forced:
        for x in f.a:
            for y in f.b:
                if (x, y) in out.unpaired:
                    names_a, names_b = lookups["a"][2], lookups["b"][2]
                    raise InputError(f"decision {owner['a', x].index} pairs what an unpair decision keeps apart "
                                     f"(A {names_a[x]} ↔ B {names_b[y]})", path)
    return out


def load(path: str | Path, a: Document, b: Document) -> Resolved:
    """Read a decisions file and resolve it against two plans."""
    decisions, hashes = read_decisions(path)
    return resolve(decisions, a, b, str(path), hashes)
