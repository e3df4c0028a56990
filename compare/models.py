"""Plain dataclasses that pass between the pipeline's stages.

Offsets (``span``) are character offsets into ``Document.text``, half-open
``(start, end)``. ``Document.text`` is the extracted body with whitespace
normalized; the original wording and punctuation are kept for display.
Matching uses ``match_form(text)`` from :mod:`compare.normalize`, which maps
characters one to one, so the same spans address both forms.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

Span = tuple[int, int]
_PHRASE_ENDS = "，；。：、,;:"


def _first_words(text: str, limit: int) -> str:
    """``text`` on one line, cut to at most ``limit`` characters with … where cut."""
    words = " ".join(text.split())
    if len(words) <= limit:
        return words
    cut = max(words.rfind(ch, 0, limit) for ch in _PHRASE_ENDS)
    head = words[:cut] if cut >= limit // 2 else words[:limit - 1]
    return head.rstrip(_PHRASE_ENDS + " ") + "…"


class Kind(StrEnum):
    """How a pair's sections relate. The values are the JSON kind names."""

    SAME = "same"
    CHANGED = "changed"
    MOVED = "moved"
    SPLIT = "split"
    MERGE = "merge"
    ONLY_A = "only_a"
    ONLY_B = "only_b"


class Role(StrEnum):
    """What a section is to the aligner (see :func:`roles`)."""

    UNIT = "unit"  # a numbered measure or article, with its items
    ITEM = "item"  # inside an article: its （一）（二） list
    CONTAINER = "container"  # a heading over units: 一、, 第X章


KINDS = tuple(Kind)
ARTICLE_STYLES = ("tiao", "kuan")  # 第X条 / 第X款: a unit even when it has items


@dataclass
class Clause:
    """A sentence-level unit of a section's own body."""

    id: str  # "<section id>#<index>", index from 1
    section_id: str
    index: int
    text: str
    span: Span


@dataclass
class Section:
    """A numbered heading with its own body and its children."""

    id: str  # path of numbers, e.g. "2/5/17"; stable across runs
    level: int  # 1 = top
    number: str  # as written: "（五）", "17、", "第三章"
    title: str
    text: str  # own body: the heading line's text after the title, plus unnumbered paragraphs
    span: Span  # the whole heading + own body (children excluded)
    style: str = ""  # numbering style, e.g. "zhang", "tiao", "cn_paren"
    title_start: int = 0  # offset just after the number marker, where the title begins
    body_start: int = 0  # offset where the own body begins (after the title)
    parent: str | None = None
    children: list["Section"] = field(default_factory=list)
    clauses: list[Clause] = field(default_factory=list)

    def walk(self):
        """Yield this section and its descendants in reading order."""
        yield self
        for child in self.children:
            yield from child.walk()

    @property
    def heading(self) -> str:
        return f"{self.number}{self.title}"

    def short_title(self, limit: int) -> str:
        """Its title or, untitled, its first words: at most ``limit`` characters, cut after a phrase where
        one ends in the second half, and marked … where cut."""
        return self.title or _first_words(self.text, limit)

    def caption(self, limit: int) -> str:
        """Its number and short title (``short_title``), e.g. ``第十三条 鼓励金融机构、金融组织…``."""
        return f"{self.number} {self.short_title(limit)}".strip()

    @property
    def end(self) -> int:
        """Offset where the section ends with its descendants (``span`` covers only its own text)."""
        return max(s.span[1] for s in self.walk())


@dataclass
class Boilerplate:
    """Text kept out of the sections but accounted for: site footers, links, navigation."""

    kind: str  # "footer", "link", "navigation"
    text: str
    span: Span


@dataclass
class Document:
    """A loaded and parsed plan."""

    path: str
    name: str  # file stem, used to refer to the plan
    title: str
    text: str
    format: str
    encoding: str
    sha256: str
    issuers: list[str] = field(default_factory=list)
    date: str | None = None  # ISO yyyy-mm-dd (or yyyy-mm, yyyy)
    # what the date is, as the text says it: issued (a notice's or signature's date, a post's); adopted,
    # revised, amended, approved, published (a law's 通过/修订/修正/批准/公布 record); effective (自…起施行);
    # file_name (a year taken from the file's name); file_properties (a DOCX's); None where --meta gave it
    date_kind: str | None = None
    doc_number: str | None = None  # 文号
    preamble: Span = (0, 0)
    sections: list[Section] = field(default_factory=list)
    boilerplate: list[Boilerplate] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    hints: dict[int, frozenset] = field(default_factory=dict, repr=False)  # paragraph offset -> layout hints

    def walk(self):
        """All sections in reading order."""
        for top in self.sections:
            yield from top.walk()

    def written_paths(self) -> dict[str, str]:
        """Section id → its numbers as written, from the top: "二、/（七）/24、", "第五章/第三十二条/（七）"."""
        paths: dict[str, str] = {}
        for s in self.walk():
            paths[s.id] = (paths[s.parent] + "/" if s.parent else "") + s.number
        return paths

    @property
    def in_articles(self) -> bool:
        """Whether the plan is written in articles (第X条, a law's genre) rather than in measures (一、/(一)/1、).

        Read from the numbering, not from the title's last word (force.genre): a pasted excerpt has no title."""
        return any(s.style in ARTICLE_STYLES for s in self.walk())

    @property
    def preamble_text(self) -> str:
        return self.text[self.preamble[0] : self.preamble[1]]

    def section(self, section_id: str) -> Section:
        """The section with this id (KeyError if none); indexed on first use."""
        index = self.__dict__.get("_by_id")
        if index is None or section_id not in index:
            index = self.__dict__["_by_id"] = {s.id: s for s in self.walk()}
        return index[section_id]


def genres_apart(a: Document, b: Document) -> bool:
    """One plan in measures, the other in articles: a law does not follow its plan's order, and a measure shares
    less wording with the article that carries it out than two laws share (see compare.groups.BELOW_FLOOR_Z)."""
    return a.in_articles != b.in_articles


def versions_of_one(a: Document, b: Document) -> bool:
    """Two versions of one document (AML 2006 and 2024): the same title, width and spacing aside, and a closing
    note in brackets aside (（2020年修正）, （试行）, --meta's （2006年原文；…）). Otherwise two documents (two regions'
    laws, a plan and its regulation), which were not edited one into the other."""
    import re
    import unicodedata

    def key(doc: Document) -> str:
        title = unicodedata.normalize("NFKC", "".join((doc.title or "").split()))
        bare = re.sub(r"(\([^()]*\))+$", "", title)  # NFKC made （） into ()
        return bare or title

    return bool(key(a)) and key(a) == key(b)


def roles(doc: Document) -> dict[str, Role]:
    """Section id → its role: units are leaves and articles not inside an article."""
    out: dict[str, Role] = {}

    def visit(s: Section, inside_unit: bool):
        if inside_unit:
            out[s.id] = Role.ITEM
        elif not s.children or s.style in ARTICLE_STYLES:
            out[s.id] = Role.UNIT
        else:
            out[s.id] = Role.CONTAINER
        for c in s.children:
            visit(c, inside_unit or out[s.id] == Role.UNIT)

    for top in doc.sections:
        visit(top, False)
    return out

def units_of(doc: Document, role: dict[str, Role] | None = None) -> dict[str, str]:
    """Section id → the unit (article or measure) holding it, itself for a unit; headings are not listed.
    ``role``: :func:`roles` of ``doc``, where the caller has it."""
    role = roles(doc) if role is None else role
    return {d.id: s.id for s in doc.walk() if role[s.id] == Role.UNIT for d in s.walk()}


@dataclass
class ClauseLink:
    """One row of a pair's clause alignment: a clause of A, of B, or both."""

    a: str | None  # clause id in A
    b: str | None  # clause id in B
    score: float  # cosine in [0, 1]; 1.0 for "same", 0.0 for one-sided rows
    kind: Kind  # SAME, CHANGED, ONLY_A or ONLY_B


@dataclass
class Pair:
    """Sections of A and B that correspond. One side is empty for only_a / only_b."""

    a: list[str]
    b: list[str]
    score: float  # cosine in [0, 1]
    kind: Kind
    role: Role = Role.UNIT
    clauses: list[ClauseLink] = field(default_factory=list)
    renumbered: bool = False  # one section a side, same numbering style, different numbers (第五条 ↔ 第六条)
    decided: str | None = None  # "pair" or "checked" where a reviewer's decision made or confirmed it
    note: str = ""  # the reviewer's note on it
    # A unit left alone: the other plan's unit most like it, (section id, cosine in [0, 1]), where the cosine
    # reaches NEAREST_MIN but the pair fell short of the evidence the aligner asks for; else None.
    nearest: tuple[str, float] | None = None
    # An item left alone inside a paired article (no item of the other article is its counterpart) whose
    # sentences the article pair links to the other side: (the sections they stand in, how many of its
    # sentences, of how many). 2020 第七十一条（三） became the body of 2024 第八十一条: an item, not dropped.
    kept_in: tuple[tuple[str, ...], int, int] | None = None


@dataclass
class Move:
    """Part of an A unit's text that now stands in a B unit other than its counterpart."""

    a: str  # unit id in A
    b: str  # unit id in B where the sentences stand
    clauses: list[tuple[str, str]]  # (A clause id, B clause id) for each sentence that moved
    of: int  # how many sentences the A unit has (short stock sentences not counted)


@dataclass
class ClausePair:
    a: str  # clause id in A
    b: str  # clause id in B
    score: float  # cosine in [0, 1]


@dataclass
class Comparison:
    a: Document
    b: Document
    pairs: list[Pair]
    clause_pairs: list[ClausePair]
    score: float  # overall document score in [0, 1], see align.document_score
    threshold: float = 0.0  # the section threshold in force (auto or given)
    matrix: list[list[float]] = field(default_factory=list)  # unit rows (A) x unit cols (B)
    units_a: list[str] = field(default_factory=list)
    units_b: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)  # e.g. corpus files skipped while fitting the IDF
    moves: list[Move] = field(default_factory=list)  # partial moves, in A's order
    decisions: list[dict] = field(default_factory=list)  # the reviewer's decisions applied, as written
    stale_decisions: list[dict] = field(default_factory=list)  # those whose sections no longer resolve, with "reason"
    reuse: dict = field(default_factory=dict)  # {"a"/"b": {clause id: {cluster, plans, first_plan, first_date}}}
    # the Options it was made with (language, cache, low-score view): what to_html renders with
    options: Options | None = field(default=None, repr=False, compare=False)

    def texts(self, pair: Pair) -> tuple[list[str], list[str]]:
        """The texts of a pair's sections on each side, as written: a unit with its items."""
        def text(doc, sid):
            s = doc.section(sid)
            return doc.text[s.span[0]:s.end if pair.role == "unit" else s.span[1]].strip()

        return [text(self.a, x) for x in pair.a], [text(self.b, y) for y in pair.b]

    def to_json(self) -> str:
        """The comparison as JSON, as ``compare run --json`` writes it."""
        from .serialize import comparison_json

        return comparison_json(self)

    def to_html(self, path: str | None = None, template_dir: str | None = None, lang: str | None = None) -> str:
        """The HTML report; written to ``path`` (never over a plan being read) when one is given.

        In the language the comparison was run with (``compare.run(…, lang="en")``), unless ``lang`` says
        otherwise ("zh" or "en")."""
        from dataclasses import replace

        from .report import render_html

        options = self.options or Options()
        if lang is not None:
            options = replace(options, lang=lang)
        page = render_html(self, options, template_dir=template_dir)
        if path is not None:
            from .output import write_output

            write_output(path, page, inputs=[self.a.path, self.b.path])
        return page


@dataclass(frozen=True)
class Options:
    """Settings passed down the pipeline (black's Mode, in spirit)."""

    threshold: float | None = None  # min cosine for a unit pair in [0, 1]; None = align.FLOOR (0.2)
    clause_threshold: float = 0.3  # min cosine for a clause pair inside paired sections
    top_clauses: int = 50  # size of the "most similar clauses" list
    lowscore_view: float = 0.5  # below this score the report shows shared phrases, not a diff
    format: str | None = None  # force an input format
    encoding: str | None = None  # force an input encoding
    cache_dir: str | None = None  # token/IDF cache; None = user cache dir
    max_bytes: int | None = None  # size cap for a plan (file, text, expanded DOCX); None = $COMPARE_MAX_MB or 50 MB
    lang: str = "zh"  # interface language of the HTML report: "zh" (default) or "en"
    meta: str | None = None  # --meta file (CSV/TSV: file, title, date, issuer) overriding what plans carry
