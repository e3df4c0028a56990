"""Perturbation generator: a variant of a real plan with a known true alignment.

``make_variant(doc, donor, seed)`` rewrites plan ``doc`` as a new plan whose
units (measures or articles) are:

- renumbered into another scheme (第X章/第X条 ↔ 一、/1、), chapters regrouped;
- some reordered (moved), some deleted, some inserted from ``donor``;
- one split into two, two adjacent ones merged into one;
- edited: sentences dropped and added, wording changed.

It returns the variant's text and the truth: a list of (A unit ids, B unit
numbers) links, where B unit numbers are the 1-based positions of units in the
variant, which ``unit_ids_by_position`` maps to section ids after parsing.
Also used by bench/ to build large synthetic corpora.
"""
from __future__ import annotations

import random
import re
from dataclasses import dataclass

from compare.models import roles
from compare.numbering import int_to_cn

SYNONYMS = [("应当", "须"), ("加强", "强化"), ("推进", "推动"), ("支持", "鼓励"), ("建立", "构建"), ("完善", "健全"),
            ("促进", "带动"), ("依法", "依照法律"), ("有关部门", "相关部门"), ("组织", "机构"), ("提高", "提升")]


def unit_texts(doc) -> list[tuple[str, str]]:
    """(unit id, unit text without its number, items flattened) in reading order."""
    role = roles(doc)
    out = []
    for s in doc.walk():
        if role[s.id] != "unit":
            continue
        text = doc.text[s.title_start:s.end]
        out.append((s.id, re.sub(r"\s*\n\s*", "", text).strip()))
    return out


def sentences(text: str) -> list[str]:
    return [p for p in re.split(r"(?<=[。；])", text) if p.strip()]


@dataclass
class Variant:
    text: str
    truth: list[tuple[tuple[str, ...], tuple[int, ...]]]  # (A unit ids, B unit positions from 1)
    deleted: list[str]
    inserted: list[int]


def make_variant(doc, donor, seed: int = 0, legal_style: bool | None = None, edit_share: float = 0.4) -> Variant:
    """A variant of ``doc``; ``edit_share`` of its units get their wording edited (1.0: every unit)."""
    rng = random.Random(seed)
    units = unit_texts(doc)
    donor_units = [t for _, t in unit_texts(donor) if len(t) > 30]
    n = len(units)
    # B's units as (A ids, text). Start from A's units and apply operations.
    items: list[tuple[tuple[str, ...], str]] = [((uid,), text) for uid, text in units]
    deleted = []
    # delete ~8%
    for _ in range(max(1, n // 12)):
        k = rng.randrange(len(items))
        if len(items[k][0]) == 1:
            deleted.append(items[k][0][0])
            del items[k]
    # merge two adjacent units
    k = rng.randrange(len(items) - 1)
    items[k:k + 2] = [(items[k][0] + items[k + 1][0], items[k][1] + items[k + 1][1])]
    merged_at = items[k][0]
    # split one long unit into two
    candidates = [i for i, (ids, t) in enumerate(items) if len(ids) == 1 and len(sentences(t)) >= 4]
    split_ids = None
    if candidates:
        k = rng.choice(candidates)
        parts = sentences(items[k][1])
        half = len(parts) // 2
        split_ids = items[k][0]
        items[k:k + 1] = [(split_ids, "".join(parts[:half])), (split_ids, "".join(parts[half:]))]
    # edit sentences and wording in ``edit_share`` of the units
    for i, (ids, text) in enumerate(items):
        if rng.random() < edit_share:
            original = text
            parts = sentences(text)
            if len(parts) > 2 and rng.random() < 0.5:
                del parts[rng.randrange(len(parts))]
            if donor_units and rng.random() < 0.4:
                parts.insert(rng.randrange(len(parts) + 1), sentences(rng.choice(donor_units))[0])
            text = "".join(parts)
            for old, new in rng.sample(SYNONYMS, 3):
                text = text.replace(old, new)
            if text == original:  # none of the three synonyms occurred: change one word all the same
                text = "进一步" + text
            items[i] = (ids, text)
    # move three units elsewhere
    for _ in range(3):
        if len(items) > 4:
            item = items.pop(rng.randrange(len(items)))
            items.insert(rng.randrange(len(items) + 1), item)
    # insert ~8% units from the donor
    inserted_texts = rng.sample(donor_units, min(len(donor_units), max(1, n // 12)))
    for text in inserted_texts:
        items.insert(rng.randrange(len(items) + 1), ((), text))
    # write B in another numbering scheme, regrouped into chapters of ~6 units
    if legal_style is None:
        legal_style = not any(s.style in ("tiao", "zhang") for s in doc.walk())
    lines = [f"{doc.title}（修订稿）", "为做好相关工作，制定本文件。"]
    truth_map: dict[tuple[str, ...], list[int]] = {}
    inserted = []
    for pos, (ids, text) in enumerate(items, start=1):
        if (pos - 1) % 6 == 0:
            ch = (pos - 1) // 6 + 1
            lines.append(f"第{int_to_cn(ch)}章 第{int_to_cn(ch)}部分" if legal_style else f"{int_to_cn(ch)}、第{int_to_cn(ch)}部分")
        lines.append(f"第{int_to_cn(pos)}条 {text}" if legal_style else f"{pos}、{text}")
        if ids:
            truth_map.setdefault(ids, []).append(pos)
        else:
            inserted.append(pos)
    truth = [(ids, tuple(ps)) for ids, ps in truth_map.items()]
    return Variant("\n".join(lines) + "\n", truth, deleted, inserted)


def unit_ids_by_position(doc_b) -> dict[int, str]:
    role = roles(doc_b)
    ids = [s.id for s in doc_b.walk() if role[s.id] == "unit"]
    return {i + 1: sid for i, sid in enumerate(ids)}


def links(groups) -> set[tuple[str, str]]:
    return {(a, b) for a_ids, b_ids in groups for a in a_ids for b in b_ids}


def score_links(predicted: set, truth: set) -> tuple[float, float, float]:
    tp = len(predicted & truth)
    precision = tp / len(predicted) if predicted else 1.0
    recall = tp / len(truth) if truth else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return precision, recall, f1


def difflib_baseline(doc_a, doc_b, threshold: float = 0.3) -> set[tuple[str, str]]:
    """Greedy best match by difflib ratio, one to one, over units."""
    import difflib

    ua, ub = unit_texts(doc_a), unit_texts(doc_b)
    scored = []
    for i, (_, ta) in enumerate(ua):
        for j, (_, tb) in enumerate(ub):
            sm = difflib.SequenceMatcher(None, ta, tb, autojunk=False)
            if sm.real_quick_ratio() >= threshold and sm.quick_ratio() >= threshold:
                r = sm.ratio()
                if r >= threshold:
                    scored.append((-r, i, j))
    scored.sort()
    used_a, used_b, out = set(), set(), set()
    for _, i, j in scored:
        if i not in used_a and j not in used_b:
            used_a.add(i)
            used_b.add(j)
            out.add((ua[i][0], ub[j][0]))
    return out
