"""Word tokens for matching and diffs: jieba in its own Tokenizer, a domain dictionary, a stop list.

jieba is imported only when a text has to be segmented; segmentations are
cached on disk by content hash, so unchanged plans never wake it. Text is put
in :func:`compare.load.match_form` first (full/half width, traditional →
simplified), which keeps offsets, so token offsets address the display text.
"""
from __future__ import annotations

import hashlib
import json
import logging
import os
import re
from functools import lru_cache
from pathlib import Path

from .load import match_form

DATA = Path(__file__).with_name("data")
TOKENIZER_VERSION = "2"  # bump when segmentation rules change: invalidates caches
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
    """Write a cache file atomically, or not at all: a full or read-only cache disk is not an error."""
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


@lru_cache(maxsize=1)
def dictionary_fingerprint() -> str:
    """Changes whenever the domain dictionary, stop list or tokenizer rules change."""
    h = hashlib.sha256(TOKENIZER_VERSION.encode())
    for name in ("domain_dict.txt", "stopwords.txt"):
        h.update((DATA / name).read_bytes())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def _jieba():
    """A private jieba.Tokenizer with the domain dictionary; its dictionary cache under our cache dir."""
    import jieba

    jieba.setLogLevel(logging.CRITICAL)  # jieba logs a traceback when its cache cannot be written; that is not an error
    tokenizer = jieba.Tokenizer()
    tokenizer.tmp_dir = str(cache_dir())
    tokenizer.cache_file = "jieba.cache"
    tokenizer.initialize()
    for entry in _read_list("domain_dict.txt"):
        word, _, freq = entry.partition(" ")
        tokenizer.add_word(word, int(freq) if freq.strip().isdigit() else None)
    return tokenizer


CHUNK = 200  # longest run of word characters handed to jieba at once
_WORD_RUN = re.compile(r"[\u4e00-\u9fd5a-zA-Z0-9+#&._%\-]+")  # jieba's own block pattern


def _chunks(norm: str):
    """``norm`` in consecutive pieces, runs of word characters cut every CHUNK characters.

    jieba's HMM (Viterbi with path copies) is quadratic in an unpunctuated run:
    100,000 × 规 took 87 s. Normal text, whose runs are shorter, comes out whole.
    """
    prev = 0
    for m in _WORD_RUN.finditer(norm):
        if m.end() - m.start() > CHUNK:
            for cut in range(m.start() + CHUNK, m.end(), CHUNK):
                yield norm[prev:cut]
                prev = cut
    yield norm[prev:]


def segment(text: str) -> list[int]:
    """Boundaries of jieba tokens over the whole text: ascending end offsets, last == len(text)."""
    if not text:
        return []
    from itertools import accumulate, chain

    cut = _jieba().cut
    return list(accumulate(map(len, chain.from_iterable(cut(piece, HMM=True) for piece in _chunks(match_form(text))))))


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


def is_content(token: str) -> bool:
    """A token that counts for similarity: not punctuation, space or a stop word."""
    return content_key(token) is not None


class Segmentation:
    """A document's token boundaries, cached on disk by the text's hash and the dictionary."""

    def __init__(self, text: str, ends: list[int], norm: str | None = None):
        self.text = text
        self.norm = match_form(text) if norm is None else norm
        self.ends = ends
        self._starts: list[int] | None = None  # start offsets of content tokens
        self._keys: list[str] = []

    @classmethod
    def of(cls, text: str, cache: str | None = None) -> "Segmentation":
        """The segmentation of ``text``: from this process's memory, else the disk cache, else jieba."""
        key = hashlib.sha256(text.encode("utf-8")).hexdigest()
        known = _RECENT.get(key)
        if known is not None:
            return known
        path = cache_dir(cache) / "tokens" / f"{key[:2]}" / f"{key}-{dictionary_fingerprint()}.json"
        try:
            return _remember(key, cls(text, json.loads(path.read_text(encoding="utf-8"))))
        except (OSError, ValueError):
            pass
        ends = segment(text)
        write_cache(path, json.dumps(ends))
        return _remember(key, cls(text, ends))

    def _index_content(self) -> None:
        starts, keys, prev = [], [], 0
        for end in self.ends:
            key = content_key(self.norm[prev:end])
            if key is not None:
                starts.append(prev)
                keys.append(key)
            prev = end
        self._starts, self._keys = starts, keys

    def tokens(self, start: int = 0, end: int | None = None) -> list[str]:
        """Content tokens (normalized, lower-cased) whose start lies in [start, end)."""
        import bisect

        if self._starts is None:
            self._index_content()
        end = len(self.text) if end is None else end
        return self._keys[bisect.bisect_left(self._starts, start):bisect.bisect_left(self._starts, end)]


_RECENT: dict[str, Segmentation] = {}  # the last few segmentations, so pipeline stages share one


def _remember(key: str, seg: Segmentation) -> Segmentation:
    if len(_RECENT) >= 8:
        _RECENT.pop(next(iter(_RECENT)))
    _RECENT[key] = seg
    return seg
