"""Policy force: how strongly each clause commits, per section, per plan and per pair.

Tiers, weakest first: ``none`` < ``exploratory`` (探索, 研究, 试点, 逐步…) < ``supportive`` (支持, 鼓励,
引导…) < ``directive`` (推进, 建立, 加强…) < ``binding`` (应当, 必须, 不得, 严禁, 禁止, 须, and sanctions).
The words live in ``compare/data/force_lexicon.tsv``, which says where the tiers come from. Markers are
tokens of :mod:`compare.tokenize`, so 研究院 is not 研究.

What governs a clause (the rules, tested in tests/test_force.py and measured against clauses labelled
by reading in tests/data/truth/force.tsv):

- A clause is cut into phrases at ，；：、。 and the like; the clause's tier is the strongest of its
  phrases' (支持A，加快B → directive: a clause commits at least as much as its strongest promise).
- Inside a phrase the first marker governs the chain: 研究推动 is exploratory, 稳妥有序推进 exploratory,
  支持X探索Y supportive (the issuer supports; the exploring is X's), 鼓励…加强 supportive.
- Binding modals (应当, 必须, 不得, 严禁, 禁止, 须) bind wherever they stand, negated frames included:
  不得 is itself a negation, and 未经批准，不得… or 非…不得 still forbid.
- A negator (不, 未, 非, 无, 不予, 不再…) cancels the non-binding markers and sanctions after it in its
  phrase: 未建立…的 and 不予处罚 commit nothing.
- A phrase that ends in 的 is a condition (有下列行为之一的; 未按照规定建立…制度的): only binding modals in
  it count. Text inside 《》 is a title (《…促进条例》) and counts for nothing.
- A clause that states a purpose (为了…，制定本条例) or a definition (…是指…) commits nothing.

A unit's tier is its governing clauses' tier: the strongest of the clauses of its own body, or of its
items where the body commits nothing (a bare heading). A pair's change compares the two units' tiers.
"""
from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

TIERS = ("none", "exploratory", "supportive", "directive", "binding")  # weakest first
RANK = {tier: k for k, tier in enumerate(TIERS)}
STRONGER, WEAKER, SAME = "stronger", "weaker", "same"
PHRASE_BREAKS = frozenset("，,；;：:。！!？?\n")  # not 、: it lists nouns (普惠金融发展等…)
LEXICON = Path(__file__).with_name("data") / "force_lexicon.tsv"


@dataclass(frozen=True)
class Marker:
    """A marker token as found: its word, tier and offsets (half-open) into the document's text."""

    word: str
    tier: str
    start: int
    end: int


@dataclass(frozen=True)
class ClauseForce:
    """A clause's tier and the marker that decided it (None when the clause commits nothing)."""

    tier: str
    marker: Marker | None = None


@dataclass(frozen=True)
class Lexicon:
    markers: dict  # word -> tier
    sanctions: frozenset
    negators: frozenset
    states: frozenset
    nouns: frozenset  # (marker, next token)
    none_phrases: tuple


@lru_cache(maxsize=4)
def lexicon(path: str | None = None) -> Lexicon:
    """The force lexicon (compare/data/force_lexicon.tsv unless ``path``)."""
    from .errors import CompareError

    source = Path(path) if path else LEXICON
    markers, sanctions, negators, states, nouns, none_phrases = {}, set(), set(), set(), set(), []
    for n, line in enumerate(source.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        kind, _, rest = line.partition("\t")
        fields = rest.split("\t")
        if kind in ("marker", "sanction") and len(fields) == 2 and fields[1] in TIERS:
            markers[fields[0]] = fields[1]
            if kind == "sanction":
                sanctions.add(fields[0])
        elif kind == "negator":
            negators.add(fields[0])
        elif kind == "state":
            states.add(fields[0])
        elif kind == "noun" and len(fields[0].split()) == 2:
            nouns.add(tuple(fields[0].split()))
        elif kind == "none":
            none_phrases.append(fields[0])
        else:
            raise CompareError(f"force lexicon line {n} is not 'kind<TAB>word[<TAB>tier]'", str(source))
    return Lexicon(markers, frozenset(sanctions), frozenset(negators), frozenset(states), frozenset(nouns),
                   tuple(none_phrases))


def stronger(a: str, b: str) -> str:
    return a if RANK[a] >= RANK[b] else b


def change(a: str, b: str) -> str:
    """How B's tier stands to A's: "stronger", "weaker" or "same"."""
    return STRONGER if RANK[b] > RANK[a] else WEAKER if RANK[b] < RANK[a] else SAME


def _tokens(seg, start: int, end: int) -> list[tuple[str, int, int]]:
    """All tokens (punctuation too) of a Segmentation inside [start, end), in the matching form, with offsets."""
    if start >= end:
        return []
    ends = seg.ends
    i = bisect.bisect_right(ends, start)
    if i >= len(ends):
        return []
    j = bisect.bisect_left(ends, end, i)
    cuts = [start, *ends[i:j]] + ([end] if j < len(ends) else [])
    norm = seg.norm
    return [(norm[a:b], a, b) for a, b in zip(cuts, cuts[1:]) if b > a]


def _phrases(tokens):
    """Tokens grouped into phrases at punctuation; text inside 《》 dropped (titles of other documents)."""
    phrase, depth = [], 0
    breaks = PHRASE_BREAKS
    for tok in tokens:
        word = tok[0]
        if "《" in word or "〈" in word:
            depth += 1
        if depth:
            if "》" in word or "〉" in word:
                depth = max(0, depth - 1)
            continue
        stripped = word.strip()
        if not stripped:
            continue
        if breaks.issuperset(stripped):
            if phrase:
                yield phrase
            phrase = []
        else:
            phrase.append(tok)
    if phrase:
        yield phrase


def _phrase_force(phrase, lex: Lexicon) -> ClauseForce:
    condition = phrase[-1][0] == "的"
    negated = False
    first = None
    for k, (word, start, end) in enumerate(phrase):
        tier = lex.markers.get(word)
        if word in lex.negators:
            negated = True
        if tier is None:
            continue
        marker = Marker(word, tier, start, end)
        if tier == "binding" and word not in lex.sanctions:
            return ClauseForce(tier, marker)  # a modal binds in any frame
        if negated or condition:
            continue
        if k and phrase[k - 1][0] in lex.states:
            continue
        if k + 1 < len(phrase) and (word, phrase[k + 1][0]) in lex.nouns:
            continue
        if tier == "binding":  # a sanction outranks whatever governs before it
            return ClauseForce(tier, marker)
        if first is None:
            first = marker
    return ClauseForce(first.tier, first) if first else ClauseForce("none")


def text_force(seg, start: int, end: int, lex: Lexicon | None = None) -> ClauseForce:
    """The force of the text ``seg.text[start:end]`` (a clause): its tier and deciding marker."""
    lex = lex or lexicon()
    norm = seg.norm[start:end]
    if any(p in norm for p in lex.none_phrases):
        return ClauseForce("none")
    best = ClauseForce("none")
    for phrase in _phrases(_tokens(seg, start, end)):
        found = _phrase_force(phrase, lex)
        if best.tier == "supportive" and found.tier != "binding":
            continue  # 支持A，优化B: the phrases after a leading 支持/鼓励/可以 are what it supports
        if RANK[found.tier] > RANK[best.tier]:
            best = found
    return best


def clause_forces(doc, seg, cache: str | None = None) -> dict[str, ClauseForce]:
    """Every clause of a document: clause id → its force, in reading order.

    Remembered in the cache folder (``cache``, else the user's) under the hash of the text and of every
    clause's id and span, and :func:`_fingerprint`: a warm `compare run` reads the forces of its two plans
    (1 ms) instead of deciding them again (about 17 ms for 355 clauses)."""
    import hashlib
    import json

    from .tokenize import cache_file, read_cache, write_cache

    clauses = [c for s in doc.walk() for c in s.clauses]
    h = hashlib.sha256(doc.text.encode("utf-8", "surrogatepass"))
    h.update(json.dumps([[c.id, *c.span] for c in clauses]).encode())
    path = cache_file("force", f"{h.hexdigest()}-{_fingerprint()}", cache)
    kept = read_cache(path, lambda values: {c.id: _decoded(v) for c, v in zip(clauses, values, strict=True)})
    if kept is not None:
        return kept
    lex = lexicon()
    forces = {c.id: text_force(seg, c.span[0], c.span[1], lex) for c in clauses}
    write_cache(path, json.dumps([_encoded(f) for f in forces.values()], ensure_ascii=False))
    return forces


def _encoded(f: ClauseForce) -> list:
    m = f.marker
    return [f.tier] if m is None else [f.tier, m.word, m.tier, m.start, m.end]


def _decoded(value: list) -> ClauseForce:
    if len(value) == 1 and value[0] in RANK:
        return ClauseForce(value[0])
    tier, word, marker_tier, start, end = value
    if tier not in RANK or marker_tier not in RANK or not isinstance(start, int) or not isinstance(end, int):
        raise ValueError("damaged force cache")
    return ClauseForce(tier, Marker(word, marker_tier, start, end))


@lru_cache(maxsize=1)
def _fingerprint() -> str:
    """Changes whenever a clause's force could: this module's rules, the lexicon, the tokens (the tokenizer
    and its data) and the section parser."""
    from .tfidf import code_fingerprint

    return code_fingerprint(Path(__file__), LEXICON)


def unit_force(doc, section_ids, forces: dict[str, ClauseForce], deep: bool = True) -> tuple[str, list[str]]:
    """A unit's tier and its governing clauses (ids, those at that tier).

    The governing clauses are the sections' own clauses; with ``deep`` (a unit with items) the items'
    clauses stand in where the own clauses commit nothing.
    """
    own = [c.id for i in section_ids for c in doc.section(i).clauses]
    tier = max((forces[c].tier for c in own), key=RANK.get, default="none")
    if tier == "none" and deep:
        own = [c.id for i in section_ids for s in list(doc.section(i).walk())[1:] for c in s.clauses]
        tier = max((forces[c].tier for c in own), key=RANK.get, default="none")
    return tier, [c for c in own if tier != "none" and forces[c].tier == tier]


def profile(forces: dict[str, ClauseForce]) -> dict[str, int]:
    """Clauses per tier: {tier: n} for every tier, strongest first."""
    counts = {tier: 0 for tier in reversed(TIERS)}
    for f in forces.values():
        counts[f.tier] += 1
    return counts


@dataclass
class PairForce:
    a: str
    b: str
    change: str
    governing_a: list[str]  # clause ids of A that decided its tier
    governing_b: list[str]


@dataclass
class ComparisonForce:
    """Force over a comparison: every clause of both plans, and every pair with both sides."""

    a: dict[str, ClauseForce]
    b: dict[str, ClauseForce]
    pairs: list[PairForce | None]  # in the order of Comparison.pairs; None for a one-sided pair

    def clause_change(self, a_id: str, b_id: str) -> dict:
        ta, tb = self.a[a_id].tier, self.b[b_id].tier
        return {"a": ta, "b": tb, "change": change(ta, tb)}


def comparison_force(c, cache: str | None = None) -> ComparisonForce:
    """The force of both plans' clauses and of each pair of a Comparison; computed once per Comparison
    (its JSON and its report both ask), again only if its pairs have changed since."""
    key = tuple((tuple(p.a), tuple(p.b)) for p in c.pairs)
    kept = c.__dict__.get("_force")
    if kept is not None and kept[0] == key:
        return kept[1]
    result = _comparison_force(c, cache)
    c.__dict__["_force"] = (key, result)
    return result


def _comparison_force(c, cache: str | None = None) -> ComparisonForce:
    from .models import Role
    from .tokenize import Segmentation

    fa = clause_forces(c.a, Segmentation.of(c.a.text, cache), cache)
    fb = clause_forces(c.b, Segmentation.of(c.b.text, cache), cache)
    pairs = []
    for p in c.pairs:
        if not (p.a and p.b):
            pairs.append(None)
            continue
        deep = p.role == Role.UNIT
        ta, ga = unit_force(c.a, p.a, fa, deep)
        tb, gb = unit_force(c.b, p.b, fb, deep)
        pairs.append(PairForce(ta, tb, change(ta, tb), ga, gb))
    return ComparisonForce(fa, fb, pairs)


@dataclass
class PlanProfile:
    """A plan's force profile: clauses per tier, per 10,000 characters of text, and each top-level part's
    share of its clauses per tier (shares in [0, 1])."""

    plan: str
    title: str
    date: str | None
    chars: int
    clauses: int
    tiers: dict  # tier -> clauses, strongest first
    per_10k: dict  # tier -> clauses per 10,000 characters of the plan's text
    parts: list  # [{"id", "number", "title", "clauses", "shares": {tier: share}}]


def plan_profile(doc, seg, cache: str | None = None) -> PlanProfile:
    """The force profile of a parsed plan (``seg`` its Segmentation; ``cache`` the cache folder)."""
    forces = clause_forces(doc, seg, cache)
    counts = profile(forces)
    chars = len(doc.text)
    parts = []
    for top in doc.sections:
        own = profile({c.id: forces[c.id] for s in top.walk() for c in s.clauses})
        n = sum(own.values())
        parts.append({"id": top.id, "number": top.number, "title": top.title, "clauses": n,
                      "shares": {tier: round(k / n, 4) if n else 0.0 for tier, k in own.items()}})
    return PlanProfile(doc.name, doc.title, doc.date, chars, len(forces), counts,
                       {tier: round(k * 10_000 / chars, 2) if chars else 0.0 for tier, k in counts.items()}, parts)


# ---------------------------------------------------------------- the corpus view

PLAN_GENRE, REGULATION_GENRE, OTHER_GENRE = "plan", "regulation", "other"
# A Chinese policy title ends with its document type: 《…规划》, 《…实施方案》, 《…指导意见》 are plans and
# policy documents; 《…条例》, 《…法》, 《…管理办法》, 《…规定》 are regulations and laws.
GENRE_ENDINGS = ((PLAN_GENRE, ("规划", "方案", "意见", "纲要", "计划")),
                 (REGULATION_GENRE, ("条例", "法", "办法", "规定", "细则", "规则")))
_TRAILING_NOTE = re.compile(r"\s*[（(][^（）()]*[）)]\s*$")  # （试行）, （2020年修订）
TREND_TIERS = ("binding", "directive")  # the trend is of the share of clauses that oblige or direct


def genre(title: str) -> str:
    """"plan", "regulation" or "other": by the word the title ends with (GENRE_ENDINGS), a trailing note in
    brackets and 《》 set aside."""
    core = title.strip().strip("《》")
    while _TRAILING_NOTE.search(core):
        core = _TRAILING_NOTE.sub("", core).strip("《》 ")
    return next((g for g, endings in GENRE_ENDINGS if core.endswith(endings)), OTHER_GENRE)


@dataclass
class CorpusRow:
    """One plan on the corpus page: its tier counts, per 10,000 characters, and shares of its clauses
    (in [0, 1], rounded to 4 places)."""

    plan: str
    title: str
    date: str | None
    genre: str
    path: str
    chars: int
    clauses: int
    tiers: dict
    per_10k: dict
    shares: dict

    @property
    def trend_share(self) -> float:
        """Share of clauses binding or directive, in [0, 1]."""
        return round(sum(self.shares[t] for t in TREND_TIERS), 4)


@dataclass
class CorpusProfiles:
    """Every plan's force profile, ordered by date (undated last, ties by name), with the two answers:

    ``by_genre``: {genre: {"plans": n, "median_binding_share": share}} for each genre present;
    ``trend``: {"plans": n dated, "rho": Spearman's ρ of binding+directive share against date (None under
    3 plans or without variation), "threshold": 1.96/√(n−1), the |ρ| that chance alone passes about one time in
    twenty, "direction": "rising" | "falling" | "flat" | None}.
    """

    rows: list
    by_genre: dict
    trend: dict
    skipped: list  # "path: reason" per file that could not be read


def _ranks(values) -> list[float]:
    """Ranks from 1, ties given their average rank."""
    order = sorted(range(len(values)), key=lambda i: values[i])
    ranks = [0.0] * len(values)
    k = 0
    while k < len(order):
        j = k
        while j + 1 < len(order) and values[order[j + 1]] == values[order[k]]:
            j += 1
        for i in order[k:j + 1]:
            ranks[i] = (k + j) / 2 + 1
        k = j + 1
    return ranks


def spearman(xs, ys) -> float | None:
    """Spearman's rank correlation in [-1, 1] (Pearson's r of the ranks); None under 3 points or when either
    side does not vary."""
    if len(xs) < 3:
        return None
    rx, ry = _ranks(list(xs)), _ranks(list(ys))
    mx, my = sum(rx) / len(rx), sum(ry) / len(ry)
    sxy = sum((a - mx) * (b - my) for a, b in zip(rx, ry))
    sxx, syy = sum((a - mx) ** 2 for a in rx), sum((b - my) ** 2 for b in ry)
    return round(sxy / (sxx * syy) ** 0.5, 4) if sxx and syy else None


def corpus_row(pp: PlanProfile, path: str) -> CorpusRow:
    shares = {t: round(n / pp.clauses, 4) if pp.clauses else 0.0 for t, n in pp.tiers.items()}
    return CorpusRow(pp.plan, pp.title, pp.date, genre(pp.title), path, pp.chars, pp.clauses, pp.tiers, pp.per_10k,
                     shares)


def corpus_profiles(rows: list[CorpusRow], skipped: list[str]) -> CorpusProfiles:
    """The corpus view of plan rows: ordered by date, undated last, ties by name (then path)."""
    import statistics

    rows = sorted(rows, key=lambda r: (r.date is None, r.date or "", r.plan, r.path))
    by_genre = {}
    for g in (PLAN_GENRE, REGULATION_GENRE, OTHER_GENRE):
        members = [r.shares["binding"] for r in rows if r.genre == g]
        if members:
            by_genre[g] = {"plans": len(members), "median_binding_share": round(statistics.median(members), 4)}
    dated = [r for r in rows if r.date]
    rho = spearman([r.date for r in dated], [r.trend_share for r in dated])
    threshold = round(1.96 / (len(dated) - 1) ** 0.5, 4) if len(dated) > 1 else None
    direction = None if rho is None else "rising" if rho >= threshold else "falling" if rho <= -threshold else "flat"
    trend = {"plans": len(dated), "rho": rho, "threshold": threshold, "direction": direction}
    return CorpusProfiles(rows, by_genre, trend, skipped)
