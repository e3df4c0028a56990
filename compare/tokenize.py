"""Word tokens for matching and diffs: jieba's segmentation with a domain dictionary, and a stop list.

Segmentation runs on rjieba (jieba-rs, the Rust port of jieba: same algorithm,
same dictionary, about 17x faster), in a private instance with the domain
words added; its boundaries equal jieba's (tests/test_tokens_rjieba.py). jieba
itself, in its own Tokenizer, is the fallback where rjieba cannot load and
with ``COMPARE_TOKENIZER=jieba``. Either is loaded only when a text has to be
segmented; segmentations are cached on disk by content hash and the
:func:`dictionary_fingerprint` (which names the tokenizer and its version), so
unchanged plans never wake it. Text is put in :func:`compare.normalize.match_form`
first (full/half width, traditional → simplified), which keeps offsets, so
token offsets address the display text.
"""
from __future__ import annotations

import bisect
import hashlib
import json
import os
import re
from functools import lru_cache
from pathlib import Path

from .normalize import match_form
from .patterns import lazy_compile

DATA = Path(__file__).with_name("data")
TOKENIZER_VERSION = "3"  # bump when segmentation rules change: invalidates caches
_PUNCT_OR_SPACE = re.compile(r"[\s\W_]+", re.UNICODE)


def cache_dir(explicit: str | None = None) -> Path:
    """Cache folder: ``explicit``, else $COMPARE_CACHE_DIR, else the user's cache directory."""
    if explicit or os.environ.get("COMPARE_CACHE_DIR"):
        base = Path(explicit or os.environ["COMPARE_CACHE_DIR"])
    elif os.name == "nt":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home())) / "compare" / "Cache"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "compare"
    try:
        base.mkdir(parents=True, exist_ok=True)
    except OSError:
        pass  # an unwritable cache only costs speed: every write to it is best effort (write_cache)
    return base


def write_cache(path: Path, text: str) -> None:
    """Write a cache file atomically, or not at all: a full or read-only cache disk is not an error.

    The first write of a process under a cache folder prunes that folder (:func:`prune_cache`)."""
    tmp = path.with_suffix(f".{os.getpid()}.tmp")
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp.write_text(text, encoding="utf-8")
        os.replace(tmp, path)
    except OSError:
        try:
            tmp.unlink(missing_ok=True)
        except OSError:
            pass
        return
    root = next((p.parent for p in path.parents if p.name in PRUNED), None)
    if root is not None and root not in _PRUNED_ROOTS:
        _PRUNED_ROOTS.add(root)
        prune_cache(root, keep=path)


def cache_file(kind: str, key: str, cache: str | None = None) -> Path:
    """Where the cache keeps an entry of ``kind`` (tokens, plans, force) under ``key``: 256 folders a kind."""
    return cache_dir(cache) / kind / key[:2] / f"{key}.json"


def read_cache(path: Path, decode):
    """``decode`` of the JSON kept at ``path``; None where there is none, or it is damaged (``decode`` raises)."""
    try:
        return decode(json.loads(path.read_text(encoding="utf-8")))
    except (OSError, ValueError, TypeError, KeyError, IndexError, AttributeError):
        return None


PRUNED = ("tokens", "plans", "force", "idf", "titles")  # entries recomputed on a miss (never indexes/, jinja/)
CACHE_LIMIT = 512 * 2**20  # bytes of those entries a cache folder keeps
_PRUNED_ROOTS: set[Path] = set()


def prune_cache(root: Path, keep: Path | None = None) -> int:
    """Past ``CACHE_LIMIT`` bytes of entries under ``root``, delete the least recently written until three
    quarters are left (``keep`` stays); returns how many went. Best effort: a file another process removed
    or is writing is skipped. A run writes entries only when something is new, so a warm run never scans."""
    entries = []
    for kind in PRUNED:
        for folder, _, names in os.walk(root / kind):
            for name in names:
                if name.endswith(".json"):
                    try:
                        st = os.stat(os.path.join(folder, name))
                    except OSError:
                        continue
                    entries.append((st.st_mtime_ns, st.st_size, os.path.join(folder, name)))
    total = sum(size for _, size, _ in entries)
    if total <= CACHE_LIMIT:
        return 0
    removed = 0
    for _, size, name in sorted(entries):
        if total <= CACHE_LIMIT * 3 // 4:
            break
        if keep is not None and name == os.fspath(keep):
            continue
        try:
            os.unlink(name)
        except OSError:
            continue
        total -= size
        removed += 1
    return removed


def _read_list(name: str) -> list[str]:
    return [line.strip() for line in (DATA / name).read_text(encoding="utf-8").splitlines()
            if line.strip() and not line.startswith("#")]


@lru_cache(maxsize=1)
def stopwords() -> frozenset[str]:
    return frozenset(_read_list("stopwords.txt"))


@lru_cache(maxsize=1)
def domain_terms() -> frozenset[str]:
    """The domain dictionary's terms, normalized and lower-cased."""
    return frozenset(match_form(e.partition(" ")[0]).lower() for e in _read_list("domain_dict.txt"))


DATA_FILES = ("domain_dict.txt", "stopwords.txt", "t2s.txt")  # what segmentation and matching read


@lru_cache(maxsize=1)
def dictionary_fingerprint() -> str:
    """Changes whenever a segmentation could: this package's version, the tokenizer rules, the tokenizer
    (name, version) and the data files (domain dictionary, stop list, traditional → simplified table)."""
    from . import __version__

    h = hashlib.sha256(f"{__version__}|{TOKENIZER_VERSION}|{'/'.join(tokenizer())}".encode())
    for name in DATA_FILES:
        data = (DATA / name).read_bytes()
        h.update(f"{name}:{len(data)}:".encode())
        h.update(data)
    return h.hexdigest()[:16]


def _domain_entries() -> list[tuple[str, int | None]]:
    out = []
    for entry in _read_list("domain_dict.txt"):
        word, _, freq = entry.partition(" ")
        out.append((word, int(freq) if freq.strip().isdigit() else None))
    return out


def _dist_version(package_dir: Path, name: str) -> str:
    """An installed distribution's version from its dist-info folder name (importlib.metadata takes 60 ms)."""
    for info in sorted(package_dir.parent.glob(f"{name}-*.dist-info")):
        return info.name[len(name) + 1:-len(".dist-info")]
    return "?"


@lru_cache(maxsize=1)
def _rjieba_module():
    """rjieba's extension module, loaded without its package ``__init__`` (which builds a dictionary we do not use)."""
    import importlib.machinery
    import importlib.util

    package = importlib.util.find_spec("rjieba")
    if package is None or not package.submodule_search_locations:
        raise ImportError("rjieba is not installed")
    spec = importlib.machinery.PathFinder.find_spec("rjieba", list(package.submodule_search_locations))
    if spec is None or spec.loader is None:
        raise ImportError("rjieba's extension module is missing")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    module.version = _dist_version(Path(spec.origin).parent, "rjieba")
    return module


@lru_cache(maxsize=1)
def tokenizer() -> tuple[str, str]:
    """(name, version) of the segmenter in use: rjieba, or jieba with COMPARE_TOKENIZER=jieba or without rjieba."""
    if os.environ.get("COMPARE_TOKENIZER", "").strip().lower() != "jieba":
        try:
            return "rjieba", _rjieba_module().version
        except (ImportError, OSError):
            pass
    import importlib.util

    spec = importlib.util.find_spec("jieba")
    return "jieba", _dist_version(Path(spec.origin).parent, "jieba") if spec and spec.origin else "?"


@lru_cache(maxsize=1)
def _jieba():
    """A private jieba.Tokenizer with the domain dictionary; its dictionary cache under our cache dir.

    jieba's ``add_word`` adds a re-added word's frequency to the total without
    taking off the old one; jieba-rs keeps the total the sum of the frequencies.
    The total is put right here, so both segmenters use one model.
    """
    import logging

    import jieba

    jieba.setLogLevel(logging.CRITICAL)  # jieba logs a traceback when its cache cannot be written; that is not an error
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(cache_dir())
    tokenizer.cache_file = "jieba.cache"
    tokenizer.initialize()
    for word, freq in _domain_entries():
        old = tokenizer.FREQ.get(word, 0)
        tokenizer.add_word(word, freq)
        tokenizer.total -= old
    return tokenizer


@lru_cache(maxsize=1)
def _rjieba():
    """A private rjieba.Jieba (jieba-rs, jieba's dictionary built in) with the domain dictionary."""
    segmenter = _rjieba_module().Jieba()
    for word, freq in _domain_entries():
        segmenter.add_word(word, freq, None)
    return segmenter


# jieba's own patterns (jieba/__init__.py, jieba/finalseg): where rjieba needs help, text is split as jieba does.
# Compiled on first use (about 16 ms): a run whose tokens all come from the cache never segments.
_JIEBA_BLOCK = lazy_compile(r"([\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]+)")  # re_han_default
_JIEBA_SKIP = lazy_compile(r"(\r\n|\s)")  # re_skip_default
_HMM_SKIP = lazy_compile(r"([a-zA-Z0-9]+(?:\.\d+)?%?)")  # finalseg's re_skip
_HAN = lazy_compile(r"[\u4e00-\u9fd5]")
_ASCII_WORD = lazy_compile(r"[a-zA-Z0-9+#&._%\-]")
# A word of letters and digits alone is one _HMM_SKIP match and a word of symbols alone holds none, so a word
# that splits holds both, side by side: text without a letter or digit beside one of +#&._%- holds no such word.
# Written to open with the symbol (a letter or digit before it looked behind at), so the search skips ahead
# over the text as fast as re can: the two-branch form tried both at every character (0.1 ms a plan, now 0.02).
_MAY_SPLIT = lazy_compile(r"[+#&._%\-](?:(?<=[a-zA-Z0-9][+#&._%\-])|(?=[a-zA-Z0-9]))")
# characters jieba-rs takes for Chinese and jieba does not (a superset); with a character three times running
# (_tripled_han), a text that is cut into jieba's blocks first
_EXT_HAN = lazy_compile(r"[\u3400-\u4dbf\u9fd6-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_TRIPLED = lazy_compile(r"([\u4e00-\u9fd5])\1\1")

CHUNK = 200  # longest run of word characters handed to jieba at once
_WORD_CHARS = r"[\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]"  # jieba's own block pattern
_LONG_RUN = lazy_compile(rf"(?<!{_WORD_CHARS}){_WORD_CHARS}{{{CHUNK + 1},}}")  # a whole run longer than CHUNK


def _cut_rjieba(piece: str):
    """jieba's tokens of ``piece`` (HMM on), computed by rjieba.

    jieba-rs differs from jieba in three places, each put right here: its HMM
    leaves an unknown run of letters, digits and ``._-`` whole ("www.gov.cn"),
    which jieba splits with finalseg's pattern; it takes more characters as
    Chinese (CJK extension A, U+9FD6–U+9FFF, compatibility ideographs, other
    planes), which jieba emits one by one, so such text is cut into jieba's
    blocks first; and its Viterbi breaks exact ties between two paths the other
    way, which only a character repeated three times running has been seen to
    cause: such a block goes to jieba.
    """
    segmenter = _rjieba()
    if _EXT_HAN.search(piece) is None and not _tripled_han(piece):
        words = segmenter.cut(piece, True)
        return _split_ascii(words, segmenter) if _MAY_SPLIT.search(piece) else words
    out = []
    for k, block in enumerate(_JIEBA_BLOCK.split(piece)):
        if not k % 2:  # not a block jieba segments: whitespace (\r\n whole) and single characters
            for x in _JIEBA_SKIP.split(block):
                out.extend([x] if _JIEBA_SKIP.match(x) else x)
        elif _TRIPLED.search(block):
            out.extend(_jieba().cut(block, HMM=True))
        else:
            out.extend(_split_ascii(segmenter.cut(block, True), segmenter))
    return out


def _code_points(text: str):
    """The text's code points as a numpy uint32 array (one vectorised pass instead of a regex's per character)."""
    import numpy as np

    return np.frombuffer(text.encode("utf-32-le"), dtype=np.uint32)


def _tripled_han(text: str) -> bool:
    """Does a character of U+4E00–U+9FD5 stand three times running (what _TRIPLED finds)?"""
    points = _code_points(text)
    if len(points) < 3:
        return False
    same = (points[:-2] == points[1:-1]) & (points[1:-1] == points[2:])
    if not same.any():
        return False
    first = points[:-2][same]
    return bool(((first >= 0x4E00) & (first <= 0x9FD5)).any())


@lru_cache(maxsize=1)
def _word_table():
    """Which BMP code points jieba's block pattern takes as word characters (_WORD_CHARS), as a bool array."""
    import numpy as np

    table = np.zeros(0x10000, dtype=bool)
    table[0x4E00:0x9FD6] = True
    for ch in "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789+#&._%-":
        table[ord(ch)] = True
    return table


def _longest_word_run(text: str) -> int:
    """The longest run of word characters (_WORD_CHARS) in ``text``, in characters."""
    import numpy as np

    points = _code_points(text)
    word = np.zeros(len(points) + 2, dtype=np.int8)
    word[1:-1] = _word_table()[np.minimum(points, 0xFFFF)] & (points <= 0xFFFF)
    edges = np.flatnonzero(np.diff(word))
    return int((edges[1::2] - edges[::2]).max()) if len(edges) else 0


def _split_ascii(words: list[str], segmenter) -> list[str]:
    """Unknown non-Chinese words split as jieba's HMM step splits them ("a.b" → a . b).

    Whether a word splits is decided once per distinct word (remembered in this process): a plan's
    words pass through set operations, and the list is rebuilt only where one of them splits."""
    known, splitting = _ascii_memo(segmenter)
    distinct = set(words)
    for word in distinct.difference(known):
        # Most words open with a Han character, so hold no unknown ASCII run: the first test is cheap.
        if (len(word) > 1 and not "\u4e00" <= word[0] <= "\u9fd5" and _HAN.search(word) is None
                and _ASCII_WORD.search(word) and not segmenter.has_word(word)):
            parts = [x for x in _HMM_SKIP.split(word) if x]
            if parts != [word]:
                splitting[word] = parts
        known.add(word)
    if len(known) > 1_000_000:  # bound the memory of a long-lived process
        known.clear()
        splitting.clear()
    if distinct.isdisjoint(splitting):
        return words
    out = []
    for word in words:
        parts = splitting.get(word)
        if parts is None:
            out.append(word)
        else:
            out.extend(parts)
    return out


@lru_cache(maxsize=1)
def _ascii_memo(segmenter) -> tuple[set[str], dict[str, list[str]]]:
    """(words already decided, the ones that split → their parts), for one segmenter instance."""
    return set(), {}


def _cutter():
    """piece -> its tokens, with the segmenter in use."""
    if tokenizer()[0] == "rjieba":
        return _cut_rjieba
    cut = _jieba().cut
    return lambda piece: cut(piece, HMM=True)


def warm(segmenter: bool = False) -> None:
    """Build jieba's dictionary once (it writes its cache file, which pool workers then read); ``segmenter``:
    build the segmenter in use whichever it is (for workers forked from this process)."""
    if tokenizer()[0] == "jieba":
        _jieba()
    elif segmenter:
        _rjieba()


def _chunks(norm: str):
    """``norm`` in consecutive pieces, runs of word characters cut every CHUNK characters.

    jieba's HMM (Viterbi with path copies) is quadratic in an unpunctuated run:
    100,000 × 规 took 87 s. Normal text, whose runs are shorter, comes out whole.
    """
    if _longest_word_run(norm) <= CHUNK:  # the common case, told in one vectorised pass
        yield norm
        return
    prev = 0
    for m in _LONG_RUN.finditer(norm):
        for cut in range(m.start() + CHUNK, m.end(), CHUNK):
            yield norm[prev:cut]
            prev = cut
    yield norm[prev:]


def words(norm: str) -> list[str]:
    """The tokens of a text in matching form, in order: ''.join(words(norm)) == norm."""
    from itertools import chain

    cut = _cutter()
    return list(chain.from_iterable(cut(piece) for piece in _chunks(norm)))


def segment(text: str, norm: str | None = None) -> list[int]:
    """Boundaries of jieba tokens over the whole text: ascending end offsets, last == len(text).
    ``norm``: the text's matching form, where the caller has it already."""
    if not text:
        return []
    from itertools import accumulate

    return list(accumulate(map(len, words(match_form(text) if norm is None else norm))))


def pieces(text: str, ends: list[int] | None = None) -> list[str]:
    """Every token of ``text`` in order, punctuation and spaces included: ''.join(pieces) == text."""
    ends = segment(text) if ends is None else ends
    out, prev = [], 0
    for end in ends:
        out.append(text[prev:end])
        prev = end
    return out


@lru_cache(maxsize=200_000)
def content_key(token: str) -> str | None:
    """The matching key of a token (lower-cased normalized form), or None for punctuation, space, stop words."""
    if not token or _PUNCT_OR_SPACE.fullmatch(token) or token in stopwords():
        return None
    return token.lower()


class Segmentation:
    """A document's token boundaries, cached on disk by the text's hash and the dictionary."""

    def __init__(self, text: str, ends: list[int], norm: str | None = None, tokens: list[str] | None = None):
        """``tokens``: the tokens of ``norm`` the ends were summed from, where the caller has them."""
        self.text = text
        self.norm = match_form(text) if norm is None else norm
        self.ends = ends
        self._words = tokens
        self._starts: list[int] | None = None  # start offsets of content tokens
        self._start_array = self._kids = None  # the same as an array; each content token's key id in _names
        self._names: list[str] = []
        self._keys: list[str] | None = None

    @classmethod
    def build(cls, text: str, norm: str | None = None) -> "Segmentation":
        """Segment ``text`` now (no cache); ``norm``: its matching form, where the caller has it."""
        from itertools import accumulate

        norm = match_form(text) if norm is None else norm
        tokens = words(norm) if text else []
        return cls(text, list(accumulate(map(len, tokens))), norm, tokens)

    @classmethod
    def of(cls, text: str, cache: str | None = None) -> "Segmentation":
        """The segmentation of ``text``: from this process's memory, else the disk cache, else the segmenter."""
        digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
        key = f"{digest}-{dictionary_fingerprint()}"
        known = _RECENT.get(key)
        if known is not None:
            return known
        path = cache_file("tokens", key, cache)
        kept = read_cache(path, lambda ends: cls(text, ends))
        if kept is not None:
            return _remember(key, kept)
        norm = match_form(text)
        ends = segment(text, norm)
        write_cache(path, json.dumps(ends))
        return _remember(key, cls(text, ends, norm))

    def _index_content(self) -> None:
        import numpy as np

        tokens = self._words
        if tokens is None:
            norm = self.norm
            tokens = [norm[a:b] for a, b in zip([0, *self.ends], self.ends)]
        table = _key_table()
        kids = np.fromiter(map(table.__getitem__, tokens), dtype=np.int64, count=len(tokens))
        content = kids >= 0
        starts = np.zeros(len(tokens), dtype=np.int64)  # a token starts where the one before ends
        starts[1:] = self.ends[:-1]
        self._start_array, self._kids, self._names = starts[content], kids[content], table.names
        self._words = None  # not needed any more

    def _content_index(self):
        if self._kids is None:
            self._index_content()
        return self._start_array, self._kids

    def tokens(self, start: int = 0, end: int | None = None) -> list[str]:
        """Content tokens (normalized, lower-cased) whose start lies in [start, end)."""
        first, stop = self.token_range(start, end)
        return self.content()[first:stop]

    def token_range(self, start: int = 0, end: int | None = None) -> tuple[int, int]:
        """The content tokens whose start lies in [start, end), as (first, stop) indexes into :meth:`content`."""
        if self._starts is None:
            self._starts = self._content_index()[0].tolist()
        end = len(self.text) if end is None else end
        return bisect.bisect_left(self._starts, start), bisect.bisect_left(self._starts, end)

    def token_ranges(self, spans):
        """:meth:`token_range` of many spans at once: ``spans`` an (n, 2) int array of (start, end) character
        offsets; returns the (first, stop) pairs, an (n, 2) int64 array."""
        import numpy as np

        return np.searchsorted(self._content_index()[0], spans, side="left")

    def content(self) -> list[str]:
        """Every content token of the text, in order (what :meth:`tokens` slices)."""
        if self._keys is None:
            kids = self._content_index()[1]
            self._keys = [self._names[k] for k in kids.tolist()]
        return self._keys

    def vocabulary(self):
        """(the text's distinct content tokens, in the order each first occurs; each content token's index in
        them, in text order, as a uint32 array): the plan's own vocabulary, of which a section or a clause is a
        run of ids. First occurrence, not sorted: one sort of integers, where sorting the words cost 0.15 ms a
        plan."""
        import numpy as np

        kids = self._content_index()[1]
        order = np.argsort(kids)  # groups of equal ids, in any order within a group
        grouped = kids[order]
        first = np.ones(len(grouped), dtype=bool)
        first[1:] = grouped[1:] != grouped[:-1]
        starts = np.flatnonzero(first)
        seen_at = np.minimum.reduceat(order, starts) if len(starts) else starts  # each distinct id's first place
        by_occurrence = np.argsort(seen_at)  # no ties: distinct places
        rank = np.empty(len(starts), dtype=np.uint32)
        rank[by_occurrence] = np.arange(len(starts), dtype=np.uint32)
        ids = np.empty(len(kids), dtype=np.uint32)
        ids[order] = rank[np.cumsum(first) - 1]
        return [self._names[k] for k in grouped[starts][by_occurrence].tolist()], ids


class _KeyTable(dict):
    """token -> the index of its content key (:func:`content_key`) in ``names``, -1 for a token that is not
    content: one look-up per token, the key worked out on a token's first sight in this process."""

    def __init__(self):
        super().__init__()
        self.names: list[str] = []
        self._index: dict[str, int] = {}

    def __missing__(self, token: str) -> int:
        key = content_key(token)
        kid = -1 if key is None else self._index.setdefault(key, len(self.names))
        if kid == len(self.names):
            self.names.append(key)
        self[token] = kid
        return kid


_KEY_TABLE = _KeyTable()


def _key_table() -> _KeyTable:
    global _KEY_TABLE
    if len(_KEY_TABLE) > 1_000_000:  # bound a long-lived process's memory: segmentations keep their own names
        _KEY_TABLE = _KeyTable()
    return _KEY_TABLE


_RECENT: dict[str, Segmentation] = {}  # the last few segmentations, so pipeline stages share one


def _remember(key: str, seg: Segmentation) -> Segmentation:
    if len(_RECENT) >= 8:
        _RECENT.pop(next(iter(_RECENT)))
    _RECENT[key] = seg
    return seg
