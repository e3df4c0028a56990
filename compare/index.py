"""TF-IDF statistics over the corpus, and vectors for sections and clauses.

The IDF is fitted with scikit-learn's ``TfidfVectorizer`` (callable analyzer,
``sublinear_tf=True``, ``smooth_idf=True``, L2 rows) over every section of
every plan in the corpus plus A and B, so stock phrases that all plans repeat
weigh little. The fitted vocabulary and IDF are cached by the plans' content
hashes; on a cache hit neither scikit-learn nor jieba is imported, and
vectors are computed here with the same formula:

    w(t, s) = (1 + ln tf(t, s)) · idf(t),  rows L2-normalized,

so a dot product of two rows is a cosine in [0, 1].
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from pathlib import Path

from .errors import CompareError
from .models import Document, Section
from .tokenize import Segmentation, cache_dir, dictionary_fingerprint, write_cache

PARSER_VERSION = "1"  # bump when section parsing changes what a unit's text is


@dataclass
class Stats:
    """Fitted corpus statistics: vocabulary → column, and the idf of each column."""

    vocabulary: dict[str, int]
    idf: list[float]
    n_units: int
    key: str = ""
    skipped: list[str] = field(default_factory=list)  # corpus files that could not be read, with why

    def vectors(self, token_lists: list[list[str]]):
        """CSR matrix, one L2-normalized TF-IDF row per token list; unknown tokens ignored."""
        import numpy as np
        from scipy.sparse import csr_matrix

        indptr, indices, data = [0], [], []
        idf = self.idf
        for tokens in token_lists:
            counts: dict[int, int] = {}
            for t in tokens:
                col = self.vocabulary.get(t)
                if col is not None:
                    counts[col] = counts.get(col, 0) + 1
            cols = sorted(counts)
            weights = np.array([(1.0 + np.log(counts[c])) * idf[c] for c in cols], dtype=np.float64)
            norm = float(np.sqrt((weights * weights).sum())) if cols else 0.0
            indices.extend(cols)
            data.extend((weights / norm).tolist() if norm else weights.tolist())
            indptr.append(len(indices))
        return csr_matrix((data, indices, indptr), shape=(len(token_lists), len(self.vocabulary)))


def section_tokens(doc: Document, seg: Segmentation, section: Section, deep: bool = False) -> list[str]:
    """Content tokens of a section's title and own body (``deep``: with its descendants)."""
    return seg.tokens(section.title_start, section.end if deep else section.span[1])


def own_units(doc: Document, seg: Segmentation) -> list[list[str]]:
    """The token lists used to fit the IDF: each section's own text, and the preamble."""
    units = [seg.tokens(*doc.preamble)] if doc.preamble[1] > doc.preamble[0] else []
    units += [section_tokens(doc, seg, s) for s in doc.walk()]
    return [u for u in units if u]


def fit(token_lists: list[list[str]]) -> Stats:
    """Fit the IDF with scikit-learn over pre-tokenized units."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectorizer = TfidfVectorizer(analyzer=_identity, sublinear_tf=True, smooth_idf=True, norm="l2")
    vectorizer.fit(token_lists)
    vocabulary = {term: int(col) for term, col in sorted(vectorizer.vocabulary_.items(), key=lambda kv: kv[1])}
    return Stats(vocabulary=vocabulary, idf=[float(x) for x in vectorizer.idf_], n_units=len(token_lists))


def _identity(tokens):
    return tokens


def stats_key(hashes: list[str]) -> str:
    h = hashlib.sha256(f"{dictionary_fingerprint()}|{PARSER_VERSION}".encode())
    for digest in sorted(set(hashes)):
        h.update(digest.encode())
    return h.hexdigest()[:24]


def corpus_stats(docs: list[Document], corpus_files: list[Path], options=None, warnings: list | None = None) -> Stats:
    """Statistics over ``docs`` plus every plan in ``corpus_files``, cached by content hash.

    Corpus files that cannot be loaded are skipped; each skip is appended to
    ``warnings`` and recorded in ``Stats.skipped``.
    """
    from .sections import load_plan

    from .load import read_bytes

    file_hashes = {}
    for path in corpus_files:
        try:
            file_hashes[path] = hashlib.sha256(read_bytes(path, getattr(options, "max_bytes", None))).hexdigest()
        except CompareError as exc:  # unreadable, not a regular file, over the size cap
            file_hashes[path] = None
            if warnings is not None:
                warnings.append(f"{exc} (skipped)")
    own = {d.sha256 for d in docs}
    key = stats_key([d.sha256 for d in docs] + [h for h in file_hashes.values() if h])
    cache = cache_dir(getattr(options, "cache_dir", None)) / "idf" / f"{key}.json"
    try:
        data = json.loads(cache.read_text(encoding="utf-8"))
        stats = Stats(vocabulary=data["vocabulary"], idf=data["idf"], n_units=data["n_units"], key=key,
                      skipped=data.get("skipped", []))
        if warnings is not None:
            warnings.extend(stats.skipped)
        return stats
    except (OSError, ValueError, KeyError):
        pass
    units, skipped = [], []
    for d in docs:
        units += own_units(d, Segmentation.of(d.text, getattr(options, "cache_dir", None)))
    for path, digest in sorted(file_hashes.items()):
        if digest is None or digest in own:
            continue
        try:
            doc = load_plan(path, options)
        except CompareError as exc:
            skipped.append(f"{exc} (skipped)")
            continue
        units += own_units(doc, Segmentation.of(doc.text, getattr(options, "cache_dir", None)))
    if not units:
        units = [["_"]]
    stats = fit(units)
    stats.key, stats.skipped = key, skipped
    if warnings is not None:
        warnings.extend(skipped)
    write_cache(cache, json.dumps({"vocabulary": stats.vocabulary, "idf": stats.idf, "n_units": stats.n_units,
                                   "skipped": skipped}, ensure_ascii=False))
    return stats
