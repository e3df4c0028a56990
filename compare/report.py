"""Rendering a comparison: the HTML pair report.

The report stage is five modules: this one, :mod:`compare.charts` (the heatmap and the force profiles as
data), :mod:`compare.serialize` (plans and comparisons as JSON, outlines as text), :mod:`compare.pages` (the
corpus's tables and pages: rank, clauses, matrix, force profiles) and :mod:`compare.templating` (jinja2, the
interface strings, the pages' content security policy). Nothing else formats output; :mod:`compare.output` writes it.
"""
from __future__ import annotations

import json
import re
from pathlib import Path

from .models import Kind, Role, units_of, versions_of_one
from .serialize import document_meta
from .charts import force_chart, heatmap, place_names
from .templating import KIND_LABELS, Strings, render_page, two_decimals


QUOTE_MARKER = re.compile(r"^[ \t]*>(?:[ \t]*>)*[ \t]?", re.M)


def strip_quote_markers(text: str) -> tuple[str, list[tuple[int, str]]]:
    """Text without Markdown quote markers at line starts ("> ", "> > "), and what was removed:
    [(offset in the stripped text, marker)], so that putting each marker back rebuilds the text exactly."""
    out, markers, pos = [], [], 0
    shown = 0
    for m in QUOTE_MARKER.finditer(text):
        if m.end() == m.start():
            continue
        out.append(text[pos:m.start()])
        shown += m.start() - pos
        markers.append((shown, m.group()))
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), markers


def shown_path(path: str) -> str:
    """A path as a report shows it: relative to the working directory when under it, else as given."""
    try:
        return str(Path(path).resolve().relative_to(Path.cwd().resolve()))
    except (ValueError, OSError):
        return path



def mark_spans(segments, spans, field: str = "mark"):
    """Segments with the text inside ``spans`` ([(start, end, value)], offsets into the joined text) split off
    and given ``value`` as their ``field`` ("mark" or "moved"); the text, and each run's op, stay as they were."""
    from dataclasses import replace

    from .diff import split_at

    total = sum(len(x.text) for x in segments)
    spans = sorted((a, b, m) for a, b, m in spans if 0 <= a < b <= total)
    if not spans:
        return segments
    cuts = sorted({x for a, b, _ in spans for x in (a, b)})
    out, pos = [], 0
    for piece in split_at(segments, cuts):
        n = sum(len(x.text) for x in piece)
        value = next((m for a, b, m in spans if a <= pos and pos + n <= b), "") if n else ""
        out += [replace(x, **{field: value}) for x in piece] if value else piece
        pos += n
    return out


def _side_view(doc, ids, segments_by_view, deep=False, marks=(), names=None, moved=()):
    """Per section of one side: number, name (compare.decisions), title and body segments for each view.

    ``marks`` are [(start, end, mark)] offsets into the document's text to highlight (deciding force markers);
    ``moved`` are [(start, end, note)] for the sentences of a partial move (the note says where).
    """
    from .diff import Segment, shown_span, split_at

    sections = [doc.section(i) for i in ids]
    spans = [shown_span(doc, s, deep) for s in sections]  # the tokens of each span join to its text
    lengths = [max(0, end - start) for start, end, _ in spans]
    cuts, pos = [], 0
    for k, n in enumerate(lengths):  # sections are joined by "\n" in the diffed stream
        pos += n
        if k < len(lengths) - 1:
            cuts += [pos, pos + 1]
            pos += 1
    pieces_by_view = {view: split_at(segments, cuts)[::2] if cuts else [segments]
                      for view, segments in segments_by_view.items()}
    out = []
    for k, s in enumerate(sections):
        item = {"id": s.id, "number": s.number, "level": s.level, "plain_title": s.title, "views": {},
                "name": (names or {}).get(s.id, s.id)}
        own = [(a - s.title_start, b - s.title_start, m) for a, b, m in marks]
        own_moved = [(a - s.title_start, b - s.title_start, m) for a, b, m in moved]
        for view, pieces in pieces_by_view.items():
            piece = mark_spans(pieces[k], own) if own else pieces[k]
            piece = mark_spans(piece, own_moved, "moved") if own_moved else piece
            title_part, body_part = split_at(piece, [spans[k][2]])
            if body_part and body_part[0].text.startswith("\n"):  # the break after a title line is the heading's
                first = body_part[0]
                rest = first.text.lstrip("\n")
                title_part = title_part + [Segment(first.op, first.text[:len(first.text) - len(rest)], first.mark,
                                                   first.moved)]
                body_part = ([Segment(first.op, rest, first.mark, first.moved)] if rest else []) + body_part[1:]
            item["views"][view] = {"title": title_part, "body": body_part}
        out.append(item)
    return out


def _move_notes(c, anchor_of_a, anchor_of_b, t=None) -> tuple[dict, dict, dict, dict]:
    """Partial moves on both ends: A unit id → [(text, href)] and B unit id → [(text, href)] for the links;
    A unit id → [(start, end, note)] and B unit id → [(start, end, note)] for the sentences themselves."""
    t = t or Strings()
    out_a: dict[str, list] = {}
    out_b: dict[str, list] = {}
    spans_a: dict[str, list] = {}
    spans_b: dict[str, list] = {}
    clauses_a = {cl.id: cl for s in c.a.walk() for cl in s.clauses} if c.moves else {}
    clauses_b = {cl.id: cl for s in c.b.walk() for cl in s.clauses} if c.moves else {}
    places_a, places_b = (place_names(c.a), place_names(c.b)) if c.moves else (None, None)
    for m in c.moves:
        a_num, b_num = places_a(m.a), places_b(m.b)
        n = len(m.clauses)
        out_a.setdefault(m.a, []).append(
            (t("move_out", n=n, of=m.of, where=b_num, a=a_num), "#" + anchor_of_b[m.b]))
        out_b.setdefault(m.b, []).append(
            (t("move_in_many" if n > 1 else "move_in_one", n=n, where=a_num, here=b_num), "#" + anchor_of_a[m.a]))
        for x, y in m.clauses:
            spans_a.setdefault(m.a, []).append((*clauses_a[x].span, t("moved_sentence_out", where=b_num)))
            spans_b.setdefault(m.b, []).append((*clauses_b[y].span, t("moved_sentence_in", where=a_num)))
    return out_a, out_b, spans_a, spans_b


def build_view(c, options=None) -> dict:
    """Everything the templates need, as plain data; text stays raw here and is escaped by jinja2."""
    from .decisions import section_names
    from .diff import pair_views
    from .force import comparison_force
    from .groups import BELOW_FLOOR_SHARE, BELOW_FLOOR_Z
    from .models import Options, genres_apart
    from .tokenize import Segmentation

    options = options or Options()
    t = Strings(getattr(options, "lang", None), wording(c))
    seg_a = Segmentation.of(c.a.text, options.cache_dir)
    seg_b = Segmentation.of(c.b.text, options.cache_dir)
    force = comparison_force(c, options.cache_dir)
    anchor_of_a, anchor_of_b = {}, {}
    for n, p in enumerate(c.pairs):
        if p.role == "item":
            continue
        for x in p.a:
            for s in (c.a.section(x).walk() if p.role == Role.UNIT else [c.a.section(x)]):
                anchor_of_a[s.id] = f"p{n}"
        for y in p.b:
            for s in (c.b.section(y).walk() if p.role == Role.UNIT else [c.b.section(y)]):
                anchor_of_b[s.id] = f"p{n}"
    b_order = [s.id for s in c.b.walk()]
    b_position = {sid: k for k, sid in enumerate(b_order)}
    moved_from_a, moved_into_b, moved_spans_a, moved_spans_b = _move_notes(c, anchor_of_a, anchor_of_b, t)
    names_a, names_b = section_names(c.a), section_names(c.b)
    places_a, places_b = place_names(c.a), place_names(c.b)
    unit_of_b = units_of(c.b)
    pairs = []
    for n, p in enumerate(c.pairs):
        if p.role == "item":
            continue  # an item's text stands, diffed, inside its article's pair
        deep = p.role == Role.UNIT
        views_a, views_b = pair_views(c, p, seg_a, seg_b)
        moved_after = None
        if p.kind == "moved":
            k, head = b_position[p.b[0]], c.b.section(p.b[0])
            if p.role == Role.CONTAINER:  # a chapter stands after the chapter before it, not after its last article
                before = next((b_order[j] for j in range(k - 1, -1, -1) if c.b.section(b_order[j]).level <= head.level),
                              None)
            else:
                before = next((b_order[j] for j in range(k - 1, -1, -1) if anchor_of_b[b_order[j]] != f"p{n}"), None)
            if before is not None:
                before = unit_of_b.get(before, before)  # after 第五十二条, not after its last item （五）
                opens = before == head.parent  # the first section under that heading
                moved_after = (t("moved_first_in" if opens else "moved_after", where=places_b(before)),
                               anchor_of_b[before])
        first = c.a.section(p.a[0]) if p.a else c.b.section(p.b[0])
        pair_force, marks_a, marks_b = _pair_force(force, n, t)
        pairs.append({
            "anchor": f"p{n}", "kind": p.kind, "kind_label": t("kind." + p.kind), "role": p.role,
            "score": p.score, "level": first.level,
            "view": "shared" if p.a and p.b and p.kind != Kind.SAME and p.score < options.lowscore_view else "diff",
            "both": bool(p.a and p.b),
            "views": ["diff", "shared"] if p.a and p.b and p.kind != Kind.SAME else ["diff"],
            "a": _side_view(c.a, p.a, views_a, deep, marks_a, names_a,
                            [m for x in p.a for m in moved_spans_a.get(x, [])]) if p.a else [],
            "b": _side_view(c.b, p.b, views_b, deep, marks_b, names_b,
                            [m for y in p.b for m in moved_spans_b.get(y, [])]) if p.b else [],
            "force": pair_force,
            "names": _compact_json({"a": [names_a[x] for x in p.a], "b": [names_b[y] for y in p.b]}),
            "decided": p.decided, "note": p.note,
            "moves": [note for x in p.a for note in moved_from_a.get(x, [])]
                     + [note for y in p.b for note in moved_into_b.get(y, [])],
            "label": _card_label(c, p, first),
            "clause_tally": _tally(p, t) if p.a and p.b else "",
            "moved_after": moved_after,
            "nearest": _nearest_view(c, p, (anchor_of_a, names_a, places_a), (anchor_of_b, names_b, places_b), t),
            "renumbered": t("renumbered", a=c.a.section(p.a[0]).number, b=c.b.section(p.b[0]).number)
                          if p.renumbered and p.role != "item" else "",
            # paired below the floor (a plan's measure and a law's article that only stand out for each other):
            # said on the card, so that a reader weighs it as the evidence it is
            "below_floor": t("below_floor_title", score=two_decimals(p.score), threshold=f"{c.threshold:.2f}")
                           if p.a and p.b and p.role == Role.UNIT and p.score < c.threshold and not p.decided else "",
        })
    apart = genres_apart(c.a, c.b)  # a plan in measures against a law in articles (see compare.groups)
    counts, headings = pair_counts(c)
    cards = {k: sum(1 for p in c.pairs if p.kind == k and p.role != Role.ITEM) for k in KIND_LABELS}  # a filter's
    clause_text_a = {cl.id: cl for s in c.a.walk() for cl in s.clauses}
    clause_text_b = {cl.id: cl for s in c.b.walk() for cl in s.clauses}
    clauses = [{"a": clause_text_a[cp.a].text, "b": clause_text_b[cp.b].text, "score": cp.score,
                "a_where": places_a(clause_text_a[cp.a].section_id),
                "b_where": places_b(clause_text_b[cp.b].section_id),
                "a_anchor": anchor_of_a[clause_text_a[cp.a].section_id],
                "b_anchor": anchor_of_b[clause_text_b[cp.b].section_id],
                "a_reuse": _reuse_note(c, "a", cp.a, t), "b_reuse": _reuse_note(c, "b", cp.b, t)}
               for cp in c.clause_pairs]
    return {
        "lang": t.lang, "wording": t.variant, "html_lang": t("html_lang"),
        "a": document_meta(c.a) | {"path": shown_path(c.a.path)},
        "b": document_meta(c.b) | {"path": shown_path(c.b.path)}, "score": c.score, "threshold": c.threshold,
        "counts": counts, "cards": cards, "kinds": t.kinds(), "pairs": pairs, "clauses": clauses,
        # the header leaves out kinds with none (位置不同 0 between a plan and a law, where none can be)
        "header_kinds": [(k, label) for k, label in t.kinds() if counts[k] or k in (Kind.ONLY_A, Kind.ONLY_B)],
        "counts_note": _counts_note(c, counts, headings, t),
        "contents_hint": t("contents_hint_apart" if apart else "contents_hint"),
        "threshold_note": t("threshold_note_apart", threshold=f"{c.threshold:.2f}", z=f"{BELOW_FLOOR_Z:g}",
                            low=f"{c.threshold * BELOW_FLOOR_SHARE:.2f}")
                          if apart else t("threshold_note", threshold=f"{c.threshold:.2f}"),
        "preamble": _preambles(c, options.cache_dir),
        "boilerplate": {"a": [(b.kind, b.text) for b in c.a.boilerplate], "b": [(b.kind, b.text) for b in c.b.boilerplate]},
        "heatmap": heatmap(c, anchor_of_a, t) | {"names": _compact_json(
            {"a": [names_a[x] for x in c.units_a], "b": [names_b[y] for y in c.units_b]} if c.matrix else {})},
        "force": force_chart(c, force, [p["force"] for p in pairs], t),
        "warnings": [t.note(w) for w in c.warnings],  # in the page's language
        "review": _review_view(c, t, names_a, names_b),
    }


def _card_label(c, p, first) -> str:
    """A card's label: the first section's caption; for two headings of different titles (甲第三章 金融发展 against
    乙第三章 金融风险防范与处置), both, so that the card does not read as one heading until opened."""
    label = first.caption(30)
    if p.role == Role.CONTAINER and p.a and p.b:
        other = c.b.section(p.b[0])
        if other.title != first.title:
            label += " ↔ " + other.caption(30)
    return label


def _nearest_view(c, p, side_a, side_b, t) -> dict | None:
    """A unit left alone: a link to the other plan's unit most like it, with the name review mode pairs by.
    ``side_a``, ``side_b``: (anchor of each section id, its review name, its place name) on each side."""
    if not p.nearest:
        return None
    other, score = p.nearest
    side, doc, (anchor, names, places) = ("b", c.b, side_b) if p.a else ("a", c.a, side_a)
    where = places(other) if doc.section(other).number else names[other]
    return {"text": t("nearest", side=t("side_" + side), where=where, score=two_decimals(score)),
            "title": t("nearest_title"), "href": "#" + anchor[other], "side": side, "name": names[other]}


def _reuse_note(c, side: str, clause_id: str, t) -> dict | None:
    """The clause's reuse cluster as the corpus index keeps it (compare reuse), for the clause panel; or None."""
    found = (getattr(c, "reuse", None) or {}).get(side, {}).get(clause_id)
    if not found:
        return None
    return {"text": reuse_phrase(t, found["plans"], found["first_plan"], found["first_date"]),
            "tip": t("reuse_appears_tip", cluster=found["cluster"])}


def _pair_force(force, n, t) -> tuple[dict | None, list, list]:
    """A pair's force for the page: (badge data or None, marks on A, marks on B). Only a pair whose force
    changed gets a badge, and its governing clauses' deciding markers are highlighted on both sides."""
    pf = force.pairs[n]
    if pf is None or pf.change == "same":
        return None, [], []
    marks = []
    for clauses, governing in ((force.a, pf.governing_a), (force.b, pf.governing_b)):
        found = [clauses[i].marker for i in governing if clauses[i].marker is not None]
        marks.append([(m.start, m.end, m.tier) for m in found])
    badge = {"change": pf.change, "label": t("force_up" if pf.change == "stronger" else "force_down"),
             "title": t("force_title", a=t("tier." + pf.a), b=t("tier." + pf.b)), "a": pf.a, "b": pf.b}
    return badge, marks[0], marks[1]


_COMPACT = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))  # what json.dumps makes per call


def _compact_json(data) -> str:
    """JSON for a data- attribute (jinja2 escapes it there): compact, UTF-8 text, deterministic."""
    return _COMPACT.encode(data)


def _review_view(c, t, names_a, names_b) -> dict:
    """What the report's review tools need: the decisions file's head, the decisions this report was built
    with, where to keep them in the browser (keyed by both plans' sha256), and their interface strings."""
    from .decisions import FORMAT

    head = {"format": FORMAT, "a": {"title": c.a.title, "sha256": c.a.sha256},
            "b": {"title": c.b.title, "sha256": c.b.sha256}}
    return {"head": _compact_json(head), "decisions": _compact_json(c.decisions),
            "key": f"{FORMAT}:{c.a.sha256}:{c.b.sha256}", "file": f"{c.a.name}_vs_{c.b.name}.decisions.json",
            "stale": c.stale_decisions, "count": len(c.decisions),
            "order": _compact_json({"a": list(names_a.values()), "b": list(names_b.values())}),
            "strings": _compact_json({k[7:]: v for k, v in t.table.items() if k.startswith("review.")})}


def _tally(p, t=None) -> str:
    """Clause counts of a pair, e.g. "分句：相同 3，修改 2，仅见于甲 1" ("clauses: 3 same, 2 changed, 1 only in A")."""
    t = t or Strings()
    counts = [(sum(1 for k in p.clauses if k.kind == kind), t("kind." + kind))
              for kind in (Kind.SAME, Kind.CHANGED, Kind.ONLY_A, Kind.ONLY_B)]
    items = t("tally_sep").join(t("tally_item", n=n, label=label) for n, label in counts if n)
    return t("tally", items=items) if p.clauses else ""


PREAMBLES_SHARE_CHARS = 10  # a run two preambles share to be diffed: a date line (\n2021年) is not enough


def _preambles(c, cache: str | None = None) -> dict:
    """Both preambles as shown: Markdown quote markers removed (listed in "markers", so the text is rebuilt
    exactly), and diffed A against B when both have one."""
    from .diff import EQUAL, Segment, diff_texts

    out = {}
    for side, doc in (("a", c.a), ("b", c.b)):
        shown, markers = strip_quote_markers(doc.preamble_text)
        out[side] = {"text": shown, "markers": markers, "segments": [Segment(EQUAL, shown)] if shown else []}
    diffed = diff_texts(out["a"]["text"], out["b"]["text"], cache=cache)
    # Two preambles without a phrase in common (a plan's issuing notice, a law's adoption record) are shown
    # side by side: a diff would strike one whole and insert the other whole, and say nothing.
    out["apart"] = bool(diffed) and not any(s.op == EQUAL and len(s.text) >= PREAMBLES_SHARE_CHARS for s in diffed[0])
    if diffed and not out["apart"]:
        out["a"]["segments"], out["b"]["segments"] = diffed
    out["diffed"] = diffed is not None and not out["apart"]
    return out


def render_html(c, options=None, template_dir=None) -> str:
    """The self-contained HTML report of a comparison, in the interface language ``options.lang``."""
    view = build_view(c, options)
    return render_page("report.html", template_dir, with_js=True, v=view, t=Strings(view["lang"], view["wording"]),
                        html_lang=view["html_lang"])


def wording(c) -> str | None:
    """The interface strings' variant for a comparison: None for two versions of one document, "other" for two
    documents, where kinds read 有差异/位置不同/一对多/多对一 and moved text 见于, not 修改/移动/拆分/合并/移出."""
    return None if versions_of_one(c.a, c.b) else "other"


def summary_line(c, lang: str | None = None) -> str:
    """One line for the terminal, in the interface language: score and counts of each kind of pair."""
    t = Strings(lang, wording(c))
    counts, headings = pair_counts(c)
    renumbered = counts["renumbered"] if t.variant is None else 0  # two documents number apart anyway
    kinds = t("cli.list_sep").join(t("count", label=t("kind." + k), n=counts[k]) for k in KIND_LABELS
                                   if counts[k] and k not in (Kind.ONLY_A, Kind.ONLY_B))
    kinds += t("cli.summary_renumbered", n=renumbered) if renumbered else ""
    line = t("cli.summary", score=two_decimals(c.score), paired=counts["paired"],
             kinds=t("cli.summary_kinds", kinds=kinds) if kinds else t("cli.summary_no_kinds"),
             only_a=counts["only_a"], only_b=counts["only_b"])
    line += t("cli.summary_headings", **headings) if any(headings.values()) else ""
    return line + (t("cli.summary_moves", n=len(c.moves)) if c.moves else "")


def _counts_note(c, counts: dict[str, int], headings: dict[str, int], t) -> str:
    """The line under the header's counts: headings counted apart, renumbered articles, partial moves.
    ``t``: the strings in the comparison's wording (:func:`wording`)."""
    parts = [t("headings_note", **headings)] if any(headings.values()) else []
    # Renumbering is news between two versions of one text; two documents number their articles apart anyway.
    parts += [t("counts_renumbered", n=counts["renumbered"])] if counts["renumbered"] and t.variant is None else []
    parts += [t("counts_moves", n=len(c.moves))] if c.moves else []
    return t("counts_sep").join(parts) + (t("cards_note") if any(headings.values()) else "")


def pair_counts(c) -> tuple[dict[str, int], dict[str, int]]:
    """(pairs of units, articles and measures, by kind and "paired"; headings (章, 一、 over measures) by
    "paired", "only_a", "only_b"). A heading counts apart: "相同 7" of which six are 第X章 reads as seven
    articles unchanged. Items stand inside their articles and are not counted."""
    units = [p for p in c.pairs if p.role == Role.UNIT]
    counts = {k: sum(1 for p in units if p.kind == k) for k in KIND_LABELS}
    counts["paired"] = sum(1 for p in units if p.a and p.b)
    counts["renumbered"] = sum(1 for p in units if p.renumbered)
    heads = [p for p in c.pairs if p.role == Role.CONTAINER]
    headings = {"paired": sum(1 for p in heads if p.a and p.b), "only_a": sum(1 for p in heads if not p.b),
                "only_b": sum(1 for p in heads if not p.a)}
    return counts, headings


def report_name(c) -> str:
    """Default file name of a pairwise report: A_vs_B.html."""
    return pair_file_name(c.a.name, c.b.name)


def pair_file_name(name_a: str, name_b: str) -> str:
    return f"{name_a}_vs_{name_b}.html"


def relative_href(file_name: str) -> str:
    """A link to a file beside the page: every character quoted, so no scheme, query, fragment or folder."""
    from urllib.parse import quote

    return "./" + quote(file_name, safe="")


def reuse_phrase(t, plans: int, first_plan: str | None, first_date: str | None) -> str:
    """"出现于 N 份规划，最早见于 X（date）" / "appears in N plans, first in X (date)"."""
    if first_plan and first_date:
        return t("reuse_appears", n=plans, plan=first_plan, date=first_date)
    return t("reuse_appears_undated", n=plans)
