"""Parse a Document's text into its section tree, preamble, boilerplate and clauses.

Each paragraph that opens with a numbering marker is a heading candidate. A
candidate is accepted when its number continues its style's sequence (1, the
next number among siblings, or the next number after the last of that style
anywhere: the seed's items 1–28 run on across parents), or when the whole
document says its style numbers the text (:func:`numbered_by_evidence`): an
excerpt starts at 第五条 or （三）, an amendment lists 第十二条, 第二十条 and
第四十五条, a plan whose articles were deleted skips numbers. Nesting follows the
order in which styles appear, as in any outline: a style already open closes
everything below it; a new style opens one level deeper. 编/章/节/条/款 also
keep their legal rank, so a 节 never nests under a 条.

The preamble, the sections' spans and the boilerplate tile ``Document.text``
exactly: see :func:`coverage`.
"""
from __future__ import annotations

from .errors import Note
from .models import Boilerplate, Clause, Document, Section
from .numbering import LEGAL_RANK, Marker, int_to_cn, longest_increasing_earliest, match_marker
from .patterns import lazy_compile

_FOOTER = lazy_compile(r"[（(]\s*(?:文章|信息|稿件)?(?:来源|出处|责任编辑|编辑|作者)\s*[:：].{0,60}[）)]")
_LINK = lazy_compile(r"(?:(?:https?:)?//|www\.)\S+")
_NAV = lazy_compile(r"(?:返回|打印|关闭|分享|收藏|上一篇|下一篇|【\s*(?:打印|关闭|字号)|扫一扫).{0,60}")
_NOT_AFTER_TIAO = ("规定", "規定", "所", "的", "之", "至", "中", "、", "，", "和", "或", "第")
_LEGAL_FOLLOW = lazy_compile(r"\s|$|【")
_CJK_GAP = lazy_compile(r"(?<=[\u4e00-\u9fff]) +(?=[\u4e00-\u9fff])")  # typeset spacing: 附 则


def _boilerplate_kind(par: str) -> str | None:
    if _FOOTER.fullmatch(par):
        return "footer"
    if _LINK.fullmatch(par):
        return "link"
    if _NAV.fullmatch(par) and len(par) <= 60:
        return "navigation"
    return None


def _paragraphs(text: str) -> list[tuple[int, int]]:
    """(start, end) of each line; end excludes the newline."""
    spans, start = [], 0
    for line in text.split("\n"):
        spans.append((start, start + len(line)))
        start += len(line) + 1
    return spans


def _heading_form(marker: Marker) -> bool:
    """Does the marker stand as a heading's does, whatever its number: 第X条 followed by a space, a
    【title】 or the line's end (not 第三条规定…); any other numbered style with text after it on the line
    (not a bare number, nor a list sentence such as 1、2、3项)?"""
    if marker.style in ("annex", "box"):
        return False  # accepted by their own rule in _plausible
    if marker.style in LEGAL_RANK:
        return bool(_LEGAL_FOLLOW.match(marker.rest))
    rest = marker.rest.strip()
    if not rest:
        return False
    after = match_marker(rest)
    return after is None or after.style != marker.style


def numbered_by_evidence(markers: dict[int, Marker]) -> set[int]:
    """Paragraphs whose marker the whole document shows to be numbering, gaps and a late start allowed.

    ``markers``: paragraph index → the marker opening it. For each style, the markers of heading form
    (:func:`_heading_form`) are read in order; each 1 starts a new run (lists restart under each
    parent). Within a run, the longest strictly increasing sequence of numbers is numbering, whatever
    its start and its gaps; a number that goes back is not (a reference, a quoted article). A run that
    is one marker long counts too: an excerpt may hold a single article.
    """
    runs: dict[str, list[list[tuple[int, int]]]] = {}
    for pi in sorted(markers):
        marker = markers[pi]
        if not _heading_form(marker):
            continue
        style_runs = runs.setdefault(marker.style, [])
        if marker.value == 1 or not style_runs:
            style_runs.append([])
        style_runs[-1].append((pi, marker.value))
    accepted: set[int] = set()
    for style_runs in runs.values():
        for run in style_runs:
            accepted |= {run[k][0] for k in longest_increasing_earliest([v for _, v in run])}
    return accepted


def _plausible(marker: Marker, hints: frozenset, last: dict, open_values: dict, by_evidence: bool = False) -> bool:
    """Is this marker a heading, not a reference or a name? ``by_evidence``: the whole document shows its
    number to be part of a numbering (:func:`numbered_by_evidence`), so a gap or a late start is no objection."""
    style, value, rest = marker.style, marker.value, marker.rest
    if "footnote" in hints:  # a PDF's footnote (① 本条所称…) is a note, not an item
        return False
    if style in LEGAL_RANK:
        if not _LEGAL_FOLLOW.match(rest):
            # "第三条规定…" is a reference; "第一章总则" and "第一条为了…" still count when in sequence
            if rest.startswith(_NOT_AFTER_TIAO) or value != last.get(style, 0) + 1:
                return False
    if style in ("annex", "box") and len(rest) > 40 and not hints:
        return False
    if style == "cn_dun" and not rest:
        return False
    sibling = open_values.get(style)
    expected = {1, last.get(style, 0) + 1}
    if sibling is not None:
        expected.add(sibling + 1)
    if style in ("annex", "box"):
        return True
    if value in expected or by_evidence:
        return True
    # Tolerate a gap of one or two when the layout says it is a heading.
    return bool(hints & {"bold", "h1", "h2", "h3", "h4", "h5", "h6"}) and 0 < value - last.get(style, 0) <= 3


_BRACKETS = {"（": "）", "(": ")", "《": "》", "“": "”", "‘": "’", "「": "」", "『": "』", "【": "】", "[": "]"}
_CLOSERS = {v: k for k, v in _BRACKETS.items()}


_SPECIAL = lazy_compile(r"[（(《“‘「『【\[）)》”’」』】\]。；;！!？?\n]")


def _sentence_ends(text: str, stops: str = "。；;！!？?") -> list[int]:
    """Offsets just after each sentence end outside brackets and quotes (a newline also ends one)."""
    ends, depth = [], 0
    for m in _SPECIAL.finditer(text):  # visit only brackets, quotes and stops
        ch, i = m.group(), m.start()
        if ch in _BRACKETS:
            depth += 1
        elif ch in _CLOSERS:
            if depth:
                depth -= 1
        elif ch == "\n":
            depth = 0
            ends.append(i)
        elif ch in stops and depth == 0:
            ends.append(i + 1)
    return ends


_TITLE_BRACKETS = lazy_compile(r"【([^】]{1,30})】")
_STOP_IN_TITLE = lazy_compile(r"[。；;！？]")


def split_title(marker: Marker, under_article: bool) -> tuple[str, int]:
    """Split the text after a marker into (title, offset where the body starts).

    In ``（一）加强组织协调。坚持…`` the title ends at the first 。 and the body
    follows. Articles (第X条) and the items under them carry no titles, except
    a leading 【…】.
    """
    rest = marker.rest
    lead = len(rest) - len(rest.lstrip())
    body = rest[lead:]
    if marker.style in ("tiao", "kuan") or under_article:
        m = _TITLE_BRACKETS.match(body)
        return (m.group(1), lead + m.end()) if m else ("", lead)
    if len(body) <= 40 and not _STOP_IN_TITLE.search(body, 0, len(body) - 1):
        return body.rstrip("。：:"), len(rest)
    ends = _sentence_ends(body[:61], "。！？")  # only a first sentence of up to 60 characters is a title
    if ends and ends[0] <= 60 and body[ends[0] - 1] == "。":
        return body[: ends[0] - 1], lead + ends[0]
    return "", lead


def parse(doc: Document) -> Document:
    """Fill ``doc.sections``, ``doc.preamble`` and ``doc.boilerplate``; return ``doc``."""
    text = doc.text
    pars = _paragraphs(text)
    # Trailing boilerplate: site footers, bare links, navigation.
    body_end_par = len(pars)
    while body_end_par > 0 and _boilerplate_kind(text[slice(*pars[body_end_par - 1])]):
        body_end_par -= 1
    if body_end_par == 0:  # nothing but links or footers: that is the plan's text, not a wrapper around it
        body_end_par = len(pars)
    doc.boilerplate = [
        Boilerplate(_boilerplate_kind(text[s:e]), text[s:e], (s, min(e + 1, len(text))))
        for s, e in pars[body_end_par:]
    ]
    body_end = pars[body_end_par][0] if body_end_par < len(pars) else len(text)

    headings = []  # (paragraph index, marker, level, parent index in headings or None)
    stack: list[int] = []  # indexes into headings
    last: dict[str, int] = {}
    markers = {pi: m for pi in range(body_end_par) if (m := match_marker(text[slice(*pars[pi])])) is not None}
    evidence = numbered_by_evidence(markers)
    for pi, marker in sorted(markers.items()):
        start, end = pars[pi]
        hints = doc.hints.get(start, frozenset())
        open_values = {headings[h][1].style: headings[h][1].value for h in stack}
        if not _plausible(marker, hints, last, open_values, pi in evidence):
            continue
        style = marker.style
        styles = [headings[h][1].style for h in stack]
        if style == "annex":
            stack = []
        elif style in styles:
            stack = stack[: styles.index(style)]
        elif style in LEGAL_RANK:
            keep = max((i + 1 for i, s in enumerate(styles) if s in LEGAL_RANK and LEGAL_RANK[s] < LEGAL_RANK[style]), default=None)
            if keep is None:
                keep = next((i for i, s in enumerate(styles) if s in LEGAL_RANK), len(styles))
            stack = stack[:keep]
        parent = stack[-1] if stack else None
        headings.append((pi, marker, len(stack) + 1, parent))
        stack.append(len(headings) - 1)
        last[style] = marker.value

    headings = _paragraphs_after_items(headings, text, pars, body_end_par)
    if not headings:
        doc.warnings.append(Note("warn.no_headings", f"{doc.path}: no numbered headings found; the plan is treated as one "
                                 "section", path=doc.path))
        start = 0
        section = Section(id="1", level=1, number="", title=doc.title, text=text[:body_end].strip(),
                          span=(0, body_end), style="whole")
        section.clauses = _clauses(text, section, start)
        doc.sections, doc.preamble = [section], (0, 0)
        return doc

    nodes: list[Section] = []
    used_ids: set[str] = set()
    next_copy: dict[str, int] = {}  # base id -> next "~n" to try: 30,000 × "1." must not be quadratic
    for hi, (pi, marker, level, parent) in enumerate(headings):
        start = pars[pi][0]
        end = pars[headings[hi + 1][0]][0] if hi + 1 < len(headings) else body_end
        under_article = parent is not None and headings[parent][1].style in ("tiao", "kuan")
        title, body_offset = split_title(marker, under_article)
        body_start = pars[pi][1] - len(marker.rest) + body_offset
        key = marker.written if marker.style in ("annex", "box") else f"k{marker.value}" if marker.implied \
            else str(marker.value)
        sid = key if parent is None else f"{nodes[parent].id}/{key}"
        if sid in used_ids:
            base, n = sid, next_copy.get(sid, 2)
            while f"{base}~{n}" in used_ids:
                n += 1
            sid, next_copy[base] = f"{base}~{n}", n + 1
        used_ids.add(sid)
        section = Section(
            id=sid, level=level, number=marker.written, title=_CJK_GAP.sub("", title), text=text[body_start:end].strip(),
            span=(start, end), style=marker.style, title_start=pars[pi][1] - len(marker.rest.lstrip()),
            body_start=body_start, parent=nodes[parent].id if parent is not None else None,
        )
        section.clauses = _clauses(text, section, body_start)
        nodes.append(section)
        if parent is None:
            doc.sections.append(section)
        else:
            nodes[parent].children.append(section)
    doc.preamble = (0, pars[headings[0][0]][0])
    return doc


ITEM_STYLES = ("cn_paren", "arabic_paren", "arabic", "circled")  # the items an article lists: （一）, (1), 1., ①


def _paragraphs_after_items(headings: list, text: str, pars: list, body_end_par: int) -> list:
    """Headings with an implied 第N款 where paragraphs follow an article's list of items.

    In a statute an item is one paragraph, and a paragraph after the list is the article's next 款 (前款第二项
    所称…; 有下列情形之一的：, which opens a list of its own), not more of the item before it: taken as the item's,
    it changed the item's words, its pairing and its policy force. The paragraphs after a list are one section,
    named by the 款 it starts (the article's own paragraphs come first). An article one of whose items runs on
    over several paragraphs before the next item of its list is left as it is. ``headings``: (paragraph
    index, marker, level, parent index) in order; returns the same, parents re-indexed.
    """
    ends = [headings[h + 1][0] for h in range(len(headings) - 1)] + [body_end_par]
    articles = {h for h, (_, m, _, _) in enumerate(headings) if m.style == "tiao"}
    items: dict[int, list[int]] = {}  # an article's heading index -> its items' heading indexes
    for h, (_, m, _, parent) in enumerate(headings):
        if parent in articles and m.style in ITEM_STYLES:
            items.setdefault(parent, []).append(h)
    added: dict[int, tuple[int, Marker]] = {}  # item heading index -> (paragraph, marker) of the implied heading after it
    for article, members in items.items():
        longer = [h for h in members if ends[h] > headings[h][0] + 1]  # items with paragraphs after their own
        if any(h + 1 in members and headings[h + 1][1].value != 1 for h in longer):
            continue  # paragraphs inside a list, not after it: items that run on
        kuan = ends[article] - headings[article][0]  # the article's own paragraphs come first
        for h in longer:
            if h + 1 < len(headings) and headings[h + 1][2] > headings[h][2]:
                continue  # the item has items of its own (what follows them is theirs)
            after = range(headings[h][0] + 1, ends[h])
            if any((m := match_marker(text[slice(*pars[pi])])) and m.style in ITEM_STYLES for pi in after):
                continue  # an item's number the parser did not take (it goes back): the list goes on
            # One section for the text after the list, named by the 款 it starts: a PDF may break a paragraph
            # in two where a line ends in 。, and the outline must not change with it.
            kuan += 1
            paragraph = text[slice(*pars[after[0]])]
            added[h] = (after[0], Marker("kuan", kuan, f"第{int_to_cn(kuan)}款", paragraph, True))
    if not added:
        return headings
    out, index = [], {}
    for h, (pi, marker, level, parent) in enumerate(headings):
        index[h] = len(out)
        out.append((pi, marker, level, index[parent] if parent is not None else None))
        if h in added:
            out.append((*added[h], level, index[parent]))
    return out


def _clauses(text: str, section: Section, body_start: int) -> list[Clause]:
    body = text[body_start:section.span[1]]
    sid, out, prev = section.id, [], 0
    for cut in _sentence_ends(body) + [len(body)]:
        piece = body[prev:cut]
        rest = piece.lstrip()
        clause = rest.rstrip()
        if clause:
            s = body_start + prev + len(piece) - len(rest)
            n = len(out) + 1
            out.append(Clause(f"{sid}#{n}", sid, n, clause, (s, s + len(clause))))
        prev = cut
    return out


def coverage(doc: Document) -> list[tuple[int, int, str]]:
    """The units that tile ``doc.text``: (start, end, what), sorted; see :func:`check_lossless`."""
    units = [(doc.preamble[0], doc.preamble[1], "preamble")] if doc.preamble[1] > doc.preamble[0] else []
    units += [(s.span[0], s.span[1], s.id) for s in doc.walk()]
    units += [(b.span[0], b.span[1], b.kind) for b in doc.boilerplate]
    return sorted(units)


def check_lossless(doc: Document) -> None:
    """Raise AssertionError unless preamble, sections and boilerplate tile the text exactly."""
    pos = 0
    for start, end, what in coverage(doc):
        assert start == pos, f"{doc.path}: gap or overlap at {pos}..{start} before {what}"
        assert end > start, f"{doc.path}: empty unit {what}"
        pos = end
    assert pos == len(doc.text), f"{doc.path}: text after {pos} of {len(doc.text)} is not accounted for"


def load_plan(path, options=None) -> Document:
    """Load and parse a plan file in one call (remembered in the cache folder: :mod:`compare.plancache`)."""
    from .plancache import load_plan as cached

    return cached(path, options)
