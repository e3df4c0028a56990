"""Word-level diffs and shared phrases for aligned sections.

Each jieba token becomes one private-use character (diff-match-patch's
lines-to-chars idea applied to words), diff-match-patch diffs those strings
with ``Diff_Timeout = 0`` (exact, deterministic) and semantic cleanup, and
the characters are mapped back to tokens. Joining the ``equal`` and
``delete`` segments gives A's text back exactly; ``equal`` and ``insert``
give B's.

For pairs that share a topic but little wording, :func:`shared_phrases` marks
the token n-grams (n ≥ 2) that both sides contain, in any order.

This is the diff stage: :func:`pair_views` gives each aligned pair its segments
per view, :func:`diff_texts` the preambles'; the report only lays them out.
"""
from __future__ import annotations

import bisect
import operator
import weakref
from dataclasses import dataclass
from functools import lru_cache
from itertools import accumulate

from .models import Kind, Role
from .normalize import match_form
from .tokenize import content_key, domain_terms

EQUAL, DELETE, INSERT = 0, -1, 1
# A run equal once width, script and case are set aside ("(" and "（"): (FORM, (A's text, B's text)). Each side
# shows its own text, unmarked: a pair that is *same* after normalization shows no change.
FORM = 2
# diff-match-patch's semantic cleanup folds an equal run into the edits around it when they are longer
# (coincidental 的 or 发展 between rewritten sentences). A run of this many characters or more is text the two
# sides share, not chaff: it is never folded, or a sentence kept word for word between an item deleted and one
# added would show as deleted and inserted whole. Six characters is a phrase of a law (情节严重的，, 可疑交易报告,
# 履行反洗钱义务): at ten, 情节严重的， in 证券公司风险处置条例 第五十九条 was struck on one side and inserted on
# the other, though both versions keep it.
KEEP_EQUAL_CHARS = 6
_PUA = [(0xE000, 0xF8FF), (0xF0000, 0xFFFFD), (0x100000, 0x10FFFD)]  # private-use code points


@dataclass(frozen=True)
class Segment:
    """A run of text on one side: ``op`` is EQUAL/DELETE/INSERT for diffs, or 1/0 (shared or not).
    ``mark`` names a highlight laid over the run (a force tier for a deciding marker), or is empty;
    ``moved`` says where the run's sentence now stands or came from (a partial move), or is empty."""

    op: int
    text: str
    mark: str = ""
    moved: str = ""


def _codepoints():
    for lo, hi in _PUA:
        yield from range(lo, hi + 1)


_N_CODEPOINTS = sum(hi + 1 - lo for lo, hi in _PUA)
# One private-use character per matching key, shared by all diffs of the process (diff-match-patch compares
# characters only for equality, and takes none of these for a letter, a digit or a space, so which character a
# key gets changes no diff): a token is encoded by one dict look-up, which many small diffs (clause by clause)
# would otherwise repeat in building their own tables.
_CHAR_OF_KEY: dict[str, str] = {}
_CHAR_OF_TOKEN: dict[str, str] = {}  # a token as written -> its key's character
_POINTS = iter(())


def _room_for(n_tokens: int) -> None:
    """Start the tables afresh where a diff of ``n_tokens`` tokens could run out of code points."""
    global _POINTS
    if not _CHAR_OF_KEY or len(_CHAR_OF_KEY) + n_tokens > _N_CODEPOINTS:
        _CHAR_OF_KEY.clear()
        _CHAR_OF_TOKEN.clear()
        _POINTS = _codepoints()


def _encode(tokens: list[str]) -> str:
    chars = list(map(_CHAR_OF_TOKEN.get, tokens))
    if None in chars:
        for k, c in enumerate(chars):
            if c is None:
                t = tokens[k]
                key = _key(t)
                c = _CHAR_OF_KEY.get(key)
                if c is None:
                    c = _CHAR_OF_KEY[key] = chr(next(_POINTS))
                chars[k] = _CHAR_OF_TOKEN[t] = c
    return "".join(chars)


_TOKENS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()  # Segmentation -> its tokens, or False


def _all_tokens(seg) -> list[str] | bool:
    """Every token of a Segmentation's text, made once per Segmentation; False where its ends do not
    strictly increase (an empty token), so that :func:`tokens_in` cuts its text as it always did."""
    tokens = _TOKENS.get(seg)
    if tokens is None:
        ends, text = seg.ends, seg.text
        increasing = all(map(operator.lt, [0, *ends], ends))
        tokens = _TOKENS[seg] = [text[a:b] for a, b in zip([0, *ends], ends)] if increasing else False
    return tokens


def tokens_in(seg, start: int, end: int) -> list[str]:
    """All tokens (punctuation and spaces too) of a Segmentation covering text[start:end], cut at the ends."""
    if start >= end:
        return []
    ends = seg.ends
    i = bisect.bisect_right(ends, start)
    j = bisect.bisect_left(ends, end, i)
    text = seg.text
    if i == j:
        return [text[start:end]]
    tokens = _all_tokens(seg)
    if tokens is False:
        cuts = [start, *ends[i:j], end]
        return [text[a:b] for a, b in zip(cuts, cuts[1:]) if b > a]
    return [text[start:ends[i]], *tokens[i + 1:j], text[ends[j - 1]:end]]


def diff_tokens(a: list[str], b: list[str]) -> list[tuple[int, str | tuple[str, str]]]:
    """Diff two token lists: [(op, text)] with op in EQUAL/DELETE/INSERT, or (FORM, (a_text, b_text)) for a run
    equal in matching form only; lossless on both sides (see :func:`sides`). Tokens are compared in matching
    form, lower-cased, as the aligner compares them."""
    _room_for(len(a) + len(b))
    out: list[tuple[int, str | tuple[str, str]]] = []

    def add(op, text):
        if out and out[-1][0] == op:
            last = out[-1][1]
            out[-1] = (op, (last[0] + text[0], last[1] + text[1]) if op == FORM else last + text)
        else:
            out.append((op, text))

    at_a = list(accumulate(map(len, a), initial=0))  # where each token starts, in characters
    at_b: list[int] = []  # the same for B, counted where first needed

    def kept(run, before, after):
        """A whole phrase in common stays shown as common; so does a run longer, in characters, than the edits
        on one side of it: the cleanup's own rule, which it applies to tokens (自贸试验区 is one), so that
        “自贸试验区” against 自贸试验区 struck the word and inserted it whole."""
        i, j, n = run
        length = at_a[i + n] - at_a[i]
        if length >= KEEP_EQUAL_CHARS:
            return True
        if not at_b:
            at_b.extend(accumulate(map(len, b), initial=0))
        edits_before = max(at_a[i] - at_a[before[0]], at_b[j] - at_b[before[1]])
        edits_after = max(at_a[after[0]] - at_a[i + n], at_b[after[1]] - at_b[j + n])
        return length > edits_before or length > edits_after

    i = j = 0  # each token is one character of the encoding: runs are read back by position
    for op, chars in diff_chars(_encode(a), _encode(b), kept=kept):
        n = len(chars)
        if not n:
            continue
        if op == DELETE:
            add(DELETE, "".join(a[i:i + n]))
            i += n
        elif op == INSERT:
            add(INSERT, "".join(b[j:j + n]))
            j += n
        else:
            run_a, run_b = a[i:i + n], b[j:j + n]
            if run_a == run_b:  # the common case, compared in C: written alike
                add(EQUAL, "".join(run_a))
            else:
                for x, y in zip(run_a, run_b):
                    if x == y:
                        add(EQUAL, x)
                    else:
                        add(FORM, (x, y))
            i, j = i + n, j + n
    return out


_FAST_OPS = {"=": 0, "-": -1, "+": 1}


def _engine(fast: bool):
    """(a, b, cleanup) -> [(op, text)]: diff-match-patch with no time limit, semantic cleanup or none.
    fast-diff-match-patch (the C++ port, the same algorithm, about 30× faster on long pairs) where it is
    installed and ``fast``; else the pure-Python diff-match-patch, the reference."""
    if fast:
        try:
            import fast_diff_match_patch
        except ImportError:
            pass
        else:
            def run(a, b, cleanup):
                return [(_FAST_OPS[op], text) for op, text in fast_diff_match_patch.diff(
                    a, b, timelimit=0, checklines=False, cleanup="Semantic" if cleanup else "No", counts_only=False)]
            return run
    from diff_match_patch import diff_match_patch

    dmp = diff_match_patch()
    dmp.Diff_Timeout = 0

    def run(a, b, cleanup):
        diffs = dmp.diff_main(a, b, False)
        if cleanup:
            dmp.diff_cleanupSemantic(diffs)
        return [(op, text) for op, text in diffs]
    return run


def diff_chars(a: str, b: str, fast: bool = True, kept=None) -> list[tuple[int, str]]:
    """diff-match-patch over two strings, no time limit, semantic cleanup: [(op, text)].

    ``fast``: the C++ engine where installed (see :func:`_engine`). ``kept(run, before, after)``, where given,
    names equal runs of the uncleaned diff that the cleanup must not fold into the edits around them: ``run``
    is (offset in a, offset in b, length), ``before`` the (a, b) offsets where the edits before it start and
    ``after`` where the edits after it end. The stretches between kept runs are diffed and cleaned on their own.
    """
    run = _engine(fast)
    if kept is None:
        return run(a, b, True)
    raw, i, j = [], 0, 0  # (op, offset in a, offset in b, length) of the uncleaned diff
    for op, text in run(a, b, False):
        raw.append((op, i, j, len(text)))
        i += len(text) if op != INSERT else 0
        j += len(text) if op != DELETE else 0
    equal = [k for k, (op, *_) in enumerate(raw) if op == EQUAL]
    anchors = []  # (offset in a, offset in b, length) of each equal run kept
    for n, k in enumerate(equal):
        start = raw[equal[n - 1]] if n else None
        stop = raw[equal[n + 1]] if n + 1 < len(equal) else None
        before = (start[1] + start[3], start[2] + start[3]) if start else (0, 0)
        after = (stop[1], stop[2]) if stop else (len(a), len(b))
        if kept(raw[k][1:], before, after):
            anchors.append(raw[k][1:])
    if not anchors:
        return run(a, b, True)
    out: list[tuple[int, str]] = []
    i = j = 0
    for ia, jb, n in anchors + [(len(a), len(b), 0)]:
        if ia > i and jb > j:
            out += run(a[i:ia], b[j:jb], True)
        elif ia > i or jb > j:  # one side only: nothing to diff
            out.append((DELETE, a[i:ia]) if ia > i else (INSERT, b[j:jb]))
        if n:
            out.append((EQUAL, a[ia:ia + n]))
        i, j = ia + n, jb + n
    merged: list[tuple[int, str]] = []
    for op, text in out:  # a stretch's diff may end or start with an equal run beside the kept one
        if merged and merged[-1][0] == op:
            merged[-1] = (op, merged[-1][1] + text)
        elif text:
            merged.append((op, text))
    return merged


def sides(diffs) -> tuple[list[Segment], list[Segment]]:
    """Split a diff into A's segments (EQUAL/DELETE) and B's segments (EQUAL/INSERT); a FORM run is EQUAL on
    both, each side with its own text. Neighbouring EQUAL runs are one segment."""
    if all(op != FORM for op, _ in diffs):  # the common case: nothing to merge
        return ([Segment(op, t) for op, t in diffs if op in (EQUAL, DELETE)],
                [Segment(op, t) for op, t in diffs if op in (EQUAL, INSERT)])
    a: list[Segment] = []
    b: list[Segment] = []
    for op, text in diffs:
        for side, mine, keep in ((a, 0, DELETE), (b, 1, INSERT)):
            if op == FORM:
                op_here, text_here = EQUAL, text[mine]
            elif op in (EQUAL, keep):
                op_here, text_here = op, text
            else:
                continue
            if side and side[-1].op == op_here == EQUAL:
                side[-1] = Segment(EQUAL, side[-1].text + text_here)
            else:
                side.append(Segment(op_here, text_here))
    return a, b


@lru_cache(maxsize=65536)
def _key(token: str) -> str:
    return match_form(token).lower()


def shared_phrases(a: list[str], b: list[str], n: int = 2, min_chars: int = 3) -> tuple[list[Segment], list[Segment]]:
    """Mark runs of tokens that form an n-gram (of content tokens) found on the other side.

    A single shared token counts too when it is a domain term or has 4+ characters
    (小额贷款公司, 地方金融组织). Returns segments per side with op 1 (shared) or 0 (not);
    joining them gives the side's text.
    """
    from itertools import compress

    terms = domain_terms()

    def content_grams(tokens):
        """[(gram, first token, last token)]: every n-gram of content tokens, and the long or domain single ones."""
        idx = list(compress(range(len(tokens)), map(content_key, tokens)))  # a key is None or non-empty
        keys = list(map(_key, map(tokens.__getitem__, idx)))
        found = list(zip(zip(*(keys[k:] for k in range(n))), idx, idx[n - 1:]))
        found += [((key,), i, i) for i, key in zip(idx, keys) if len(key) >= 4 or key in terms]
        return found

    ga, gb = content_grams(a), content_grams(b)
    common = {gram for gram, _, _ in ga}.intersection([gram for gram, _, _ in gb])

    def mark(tokens, grams):
        count = len(tokens)
        on = bytearray(count)  # 1 where a token is part of a shared gram
        for gram, first, last in grams:
            if gram in common:
                on[first:last + 1] = b"\x01" * (last + 1 - first)
        merged: list[list] = []  # [op, text] runs; too-short shared runs are noise: unmarked
        start = 0
        while start < count:  # run by run: the next flip is found by bytearray.find
            op = on[start]
            stop = on.find(b"\x00" if op else b"\x01", start)
            stop = count if stop < 0 else stop
            text = "".join(tokens[start:stop])
            start = stop
            if op == 1 and len(text.strip()) < min_chars:
                op = 0
            if merged and merged[-1][0] == op:
                merged[-1][1] += text
            else:
                merged.append([op, text])
        return [Segment(op, text) for op, text in merged]

    return mark(a, ga), mark(b, gb)


def split_at(segments: list[Segment], cuts: list[int]) -> list[list[Segment]]:
    """Cut a side's segments at character offsets ``cuts`` (ascending): one list per piece."""
    pieces: list[list[Segment]] = [[]]
    pos, k = 0, 0
    for seg in segments:
        text = seg.text
        if not (k < len(cuts) and pos + len(text) > cuts[k]):  # no cut inside: the segment as it is
            if text:
                pieces[-1].append(seg)
                pos += len(text)
            continue
        while k < len(cuts) and pos + len(text) > cuts[k]:
            head = cuts[k] - pos
            if head:
                pieces[-1].append(Segment(seg.op, text[:head], seg.mark, seg.moved))
            pieces.append([])
            text, pos, k = text[head:], cuts[k], k + 1
        if text:
            pieces[-1].append(Segment(seg.op, text, seg.mark, seg.moved))
            pos += len(text)
    while len(pieces) < len(cuts) + 1:
        pieces.append([])
    return pieces


# ---------------------------------------------------------------- aligned pairs

def shown_span(doc, s, deep=False) -> tuple[int, int, int]:
    """(start, end, title_cut) of a section as shown: its text after the number (``deep``: with its items),
    trailing line breaks left out; ``title_cut`` is where the body starts, counted from ``start``."""
    start, end = s.title_start, s.end if deep else s.span[1]
    text = doc.text
    while end > start and text[end - 1] == "\n":
        end -= 1
    return start, end, max(0, min(s.body_start, end) - start)


def shown_tokens(doc, seg, s, deep=False):
    """(tokens, title_cut) for a section: its text after the number (``deep``: with its items),
    split where the body starts."""
    start, end, cut = shown_span(doc, s, deep)
    return tokens_in(seg, start, end), cut


def joined_tokens(doc, seg, ids, deep=False):
    """Tokens of sections shown together, joined by "\n"."""
    tokens = []
    for k, i in enumerate(ids):
        if k:
            tokens.append("\n")
        tokens += shown_tokens(doc, seg, doc.section(i), deep)[0]
    return tokens


def _clause_driven_diff(c, p, seg_a, seg_b, ta, tb):
    """A diff made clause by clause, for a group, a pair whose sentences changed order, or a pair where it
    shows more text in common than one diff over the whole.

    One diff over the joined texts shows a sentence that moved as deleted on one side and inserted on
    the other, and can miss a sentence kept between an item deleted and an item added (it matches the
    item numbers instead); here each clause is diffed against the clause it is aligned with, wherever it
    stands. Returns (A segments, B segments): for a pair in order, whichever of the two shows more text in
    common (the one diff on a tie); None where no clause is aligned or the clauses do not tile the text.
    """
    if p.role != Role.UNIT:
        return None
    position_b = {cl.id: k for k, cl in enumerate(cl for y in p.b for s in c.b.section(y).walk() for cl in s.clauses)}
    matched = [position_b[k.b] for k in p.clauses if k.a and k.b]
    in_order = len(p.a) == 1 and len(p.b) == 1 and matched == sorted(matched)
    plain = None
    if in_order:
        if not matched:
            return None
        plain = sides(diff_tokens(ta, tb))
        # Text shown in common is shown on both sides, so clause by clause can add at most twice the smaller of
        # what the one diff deletes and inserts: under a phrase's worth, it is not worth the work.
        struck = [sum(len(x.text) for x in side if x.op != EQUAL) for side in plain]
        if min(struck) < KEEP_EQUAL_CHARS:
            return plain
    clause_a = {cl.id: cl for x in p.a for s in c.a.section(x).walk() for cl in s.clauses}
    clause_b = {cl.id: cl for y in p.b for s in c.b.section(y).walk() for cl in s.clauses}
    pieces_a, pieces_b = {}, {}
    for k in p.clauses:
        if k.a and k.b:
            pieces_a[k.a], pieces_b[k.b] = sides(diff_tokens(tokens_in(seg_a, *clause_a[k.a].span),
                                                             tokens_in(seg_b, *clause_b[k.b].span)))
        elif k.a:
            pieces_a[k.a] = [Segment(DELETE, clause_a[k.a].text)]
        else:
            pieces_b[k.b] = [Segment(INSERT, clause_b[k.b].text)]
    da = _around_clauses(c.a, p.a, pieces_a, clause_a, EQUAL)
    db = _around_clauses(c.b, p.b, pieces_b, clause_b, EQUAL)
    if "".join(x.text for x in da) != "".join(ta) or "".join(x.text for x in db) != "".join(tb):
        return None  # clauses that do not tile the text as shown: the plain diff is always lossless
    if plain is not None and _equal_chars(da, db) <= _equal_chars(*plain):
        return plain  # one diff reads as well: kept unless clause by clause shows more text in common
    return da, db


def _equal_chars(a: list[Segment], b: list[Segment]) -> int:
    return sum(len(x.text) for x in a if x.op == EQUAL) + sum(len(x.text) for x in b if x.op == EQUAL)


def _around_clauses(doc, ids, pieces, clauses, equal):
    """One side's segments: each clause's diff pieces, the text between clauses unchanged, sections joined by "\n"."""
    out = []
    for k, i in enumerate(ids):
        if k:
            out.append(Segment(equal, "\n"))
        s = doc.section(i)
        start, end = s.title_start, s.end
        while end > start and doc.text[end - 1] == "\n":
            end -= 1
        pos, inside = start, {d.id for d in s.walk()}
        for cl in sorted((cl for cl in clauses.values() if cl.section_id in inside and cl.id in pieces
                          and start <= cl.span[0] and cl.span[1] <= end), key=lambda cl: cl.span):
            if cl.span[0] > pos:
                out.append(Segment(equal, doc.text[pos:cl.span[0]]))
            out += [x for x in pieces[cl.id] if x.text]
            pos = cl.span[1]
        if end > pos:
            out.append(Segment(equal, doc.text[pos:end]))
    return out


def pair_views(c, p, seg_a, seg_b) -> tuple[dict[str, list[Segment]], dict[str, list[Segment]]]:
    """A pair's segments on each side, per view: "diff" (word-level redline), and "shared" (shared
    phrases) for pairs that are not the same. A one-sided pair shows its text unchanged."""
    deep = p.role == Role.UNIT
    ta, tb = joined_tokens(c.a, seg_a, p.a, deep), joined_tokens(c.b, seg_b, p.b, deep)
    if not (p.a and p.b):
        return ({"diff": [Segment(EQUAL, "".join(ta))] if ta else []},  # a section may have no text at all
                {"diff": [Segment(EQUAL, "".join(tb))] if tb else []})
    da, db = _clause_driven_diff(c, p, seg_a, seg_b, ta, tb) or sides(diff_tokens(ta, tb))
    views_a, views_b = {"diff": da}, {"diff": db}
    if p.kind != Kind.SAME:  # a same pair has nothing to highlight: no shared-phrases view
        views_a["shared"], views_b["shared"] = shared_phrases(ta, tb)
    return views_a, views_b


PREAMBLE_DIFF_CHARS = 20_000  # longer texts are shown side by side without a diff


def diff_texts(a: str, b: str, limit: int = PREAMBLE_DIFF_CHARS,
               cache: str | None = None) -> tuple[list[Segment], list[Segment]] | None:
    """Word-level diff of two free texts (preambles); None when either is empty or both exceed ``limit`` chars.

    Tokens come through the segmentation cache, so a warm run does not wake the segmenter for them."""
    from .tokenize import Segmentation, pieces

    if not (a and b) or len(a) + len(b) > limit:
        return None
    return sides(diff_tokens(pieces(a, Segmentation.of(a, cache).ends), pieces(b, Segmentation.of(b, cache).ends)))
