"""The one TF-IDF: corpus statistics and vectors, for `run` (alignment), the corpus index, `rank` and `clauses`.

The units counted are each section's own text (title and body without its
children), in every plan. Both builders below start from the
same per-plan document frequencies (:func:`plan_frequencies`) and end in
:func:`build`:

    idf(t) = ln((1 + n) / (1 + df(t))) + 1        (scikit-learn's smooth idf)
    w(t, s) = (1 + ln tf(t, s)) · idf(t),  rows L2-normalized (sublinear tf),

so a dot product of two rows is a cosine in [0, 1], and a pair of plans
scores the same whichever command asks. numpy only (:meth:`Stats.rows`; scipy.sparse only where a
caller asks for :meth:`Stats.vectors`): scikit-learn (1.3 s to import) is never needed. ``compare run``
caches its statistics by the plans' content hashes (:func:`corpus_stats`); the index derives them from
the per-plan frequencies it stores (``derived._derive_stats``).
"""
from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from .errors import CompareError, Note, note_data, note_from_data
from .models import Document, Section
from .tokenize import Segmentation, cache_dir, dictionary_fingerprint, read_cache, write_cache

PARSER_VERSION = "3"  # bump when section parsing or the units counted change what the statistics are


@dataclass
class Stats:
    """Fitted corpus statistics: vocabulary → column (terms in sorted order), and the idf of each column."""

    vocabulary: dict[str, int]
    idf: list[float]
    n_units: int
    key: str = ""
    skipped: list[str] = field(default_factory=list)  # corpus files that could not be read: "path: reason"

    def vectors(self, token_lists):
        """CSR matrix (scipy.sparse), one L2-normalized TF-IDF row per token list; unknown tokens ignored.

        ``token_lists`` may be any iterable, read once: the corpus index streams its units through here,
        and the rows are kept in typed arrays, never as Python floats."""
        return self.rows(token_lists).to_scipy()

    def rows(self, token_lists):
        """The rows of :meth:`vectors` as a :class:`compare.sparse.Rows`, without importing scipy.

        Tokens become column numbers list by list; every ``CHUNK_TOKENS`` tokens they are counted and
        weighted as arrays, each row's norm as ``sqrt(sum(w²))`` over that row alone (the sum numpy gives one
        row: :func:`compare.sparse.segment_sums`), so memory stays a few arrays of a chunk's size however many
        lists stream through."""
        return self.rows_of_columns(self._columns(token_lists))

    def _columns(self, token_lists):
        """(columns, lengths) chunks of about CHUNK_TOKENS tokens: each token's column, -1 where it has none."""
        from array import array
        from itertools import repeat

        import numpy as np

        column, unknown = self.vocabulary.get, repeat(-1)
        pending, lengths = array("i"), []
        for tokens in token_lists:
            pending.extend(map(column, tokens, unknown))
            lengths.append(len(tokens))
            if len(pending) >= CHUNK_TOKENS:
                yield np.frombuffer(pending, dtype=np.int32).astype(np.int64), lengths
                pending, lengths = array("i"), []
        if lengths:
            yield np.frombuffer(pending, dtype=np.int32).astype(np.int64), lengths

    def rows_of_columns(self, chunks):
        """:meth:`rows` for tokens already turned into columns: ``chunks`` yields (columns, lengths), an int
        array (-1 for a token with no column) holding consecutive rows of ``lengths`` tokens each. The corpus
        index keeps each plan's tokens as ids and hands over a plan's rows at once."""
        import numpy as np

        rows = _RowWriter(self)
        pending, lengths, n = [], [], 0
        for columns, row_lengths in chunks:
            pending.append(columns)
            lengths.extend(row_lengths)
            n += len(columns)
            if n >= CHUNK_TOKENS:
                rows.add(np.concatenate(pending).astype(np.int64, copy=False), lengths)
                pending, lengths, n = [], [], 0
        if lengths:
            rows.add(np.concatenate(pending).astype(np.int64, copy=False), lengths)
        return rows.result()


class _RowWriter:
    """Rows of TF-IDF weights appended chunk by chunk into typed arrays (see :meth:`Stats.rows`)."""

    def __init__(self, stats: Stats):
        from array import array

        import numpy as np

        idf = stats.__dict__.get("_idf_array")
        if idf is None or len(idf) != len(stats.idf):  # the idf as an array, made once per Stats
            idf = stats.__dict__["_idf_array"] = np.asarray(stats.idf, dtype=np.float64)
        self.idf, self.n_cols = idf, len(stats.vocabulary)
        self.indptr, self.indices, self.data = array("q", [0]), array("i"), array("d")

    def add(self, ids, lengths: list[int]) -> None:
        """Append rows: ``ids`` (int64 columns, -1 unknown) of consecutive rows of ``lengths`` tokens each."""
        import numpy as np

        from .sparse import segment_sums

        n_cols = self.n_cols
        row = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
        known = ids >= 0
        cells, counts = np.unique(row[known] * n_cols + ids[known], return_counts=True)  # row, then column
        row, cols = np.divmod(cells, max(1, n_cols))
        weights = (1.0 + np.log(counts.astype(np.float64))) * self.idf[cols]
        stored = np.bincount(row, minlength=len(lengths))  # each row's cells
        weights /= np.repeat(np.sqrt(segment_sums(weights * weights, stored)), stored)
        self.indptr.frombytes((np.cumsum(stored, dtype=np.int64) + len(self.indices)).tobytes())
        self.indices.frombytes(cols.astype(np.int32).tobytes())
        self.data.frombytes(weights.tobytes())

    def result(self):
        import numpy as np

        from .sparse import Rows

        index_type = np.int32 if len(self.indices) < 2**31 else np.int64
        return Rows(np.array(self.data, dtype=np.float64), np.array(self.indices, dtype=index_type),
                    np.array(self.indptr, dtype=np.int64), self.n_cols)


CHUNK_TOKENS = 1 << 20  # tokens counted at once by Stats.rows


def section_tokens(doc: Document, seg: Segmentation, section: Section, deep: bool = False) -> list[str]:
    """Content tokens of a section's title and own body (``deep``: with its descendants)."""
    return seg.tokens(section.title_start, section.end if deep else section.span[1])


def own_units(doc: Document, seg: Segmentation) -> list[list[str]]:
    """The units the statistics count: each section's own text, empty ones left out.

    The preamble (issuing notice, title, signatories) is not a unit: no command compares it.
    """
    return [u for u in (section_tokens(doc, seg, s) for s in doc.walk()) if u]


def frequencies(units: list[list[str]]) -> tuple[dict[str, int], int]:
    """(document frequency of each term over ``units``, number of non-empty units)."""
    from itertools import accumulate, chain

    import numpy as np

    terms = sorted(set(chain.from_iterable(units)))
    local = {t: k for k, t in enumerate(terms)}
    ids = np.fromiter(map(local.__getitem__, chain.from_iterable(units)), dtype=np.uint32)
    stops = list(accumulate(map(len, units)))
    counts, n_units = unit_frequencies(ids, list(zip([0, *stops], stops)), len(terms))
    return {terms[k]: int(counts[k]) for k in np.flatnonzero(counts)}, n_units


def unit_frequencies(ids, runs, n_terms: int):
    """(document frequency of each term id in [0, n_terms) over the units, as uint32 counts; the number of
    non-empty units). ``ids``: a plan's term ids in text order; ``runs``: each unit's (start, stop) in them."""
    import numpy as np

    bounds = np.array(runs, dtype=np.int64).reshape(-1, 2)
    lengths = bounds[:, 1] - bounds[:, 0]
    unit = np.repeat(np.arange(len(lengths), dtype=np.int64), lengths)
    # each unit's positions: 0..total-1, shifted by the gap between its start and where it lands
    positions = np.arange(int(lengths.sum()), dtype=np.int64) + np.repeat(bounds[:, 0] - (np.cumsum(lengths) - lengths),
                                                                          lengths)
    pairs = np.sort(unit * n_terms + np.asarray(ids, dtype=np.int64)[positions])  # (unit, term) as one number
    first = np.ones(len(pairs), dtype=bool)  # each distinct pair once (np.unique would import numpy.ma)
    first[1:] = pairs[1:] != pairs[:-1]
    return np.bincount(pairs[first] % max(1, n_terms), minlength=n_terms).astype(np.uint32), int(np.count_nonzero(lengths))


def plan_frequencies(doc: Document, seg: Segmentation) -> tuple[dict[str, int], int]:
    """A plan's contribution to the statistics: its :func:`own_units`' frequencies."""
    return frequencies(own_units(doc, seg))


def add_frequencies(*parts: tuple[dict, int]) -> tuple[dict, int]:
    """Sum (df, n_units) pairs, one per plan or per partial sum (a step of a tree reduction)."""
    total: dict[str, int] = {}
    n = 0
    for df, units in parts:
        n += units
        for term, k in df.items():
            total[term] = total.get(term, 0) + k
    return total, n


def build(parts) -> Stats:
    """Statistics from (df, n_units) parts, one per plan: summed, then the smooth idf of every term."""
    import numpy as np

    df, n_units = add_frequencies(*parts)
    terms = sorted(df)
    counts = np.array([df[t] for t in terms], dtype=np.float64)
    idf = np.log((1.0 + n_units) / (1.0 + counts)) + 1.0
    return Stats(vocabulary={t: k for k, t in enumerate(terms)}, idf=idf.tolist(), n_units=n_units)


def fit(token_lists: list[list[str]]) -> Stats:
    """Statistics over pre-tokenized units (equal to scikit-learn's TfidfVectorizer(sublinear_tf=True) fit)."""
    return build([frequencies(token_lists)])


PARSER_MODULES = ("load.py", "formats.py", "pdf.py", "numbering.py", "sections.py", "models.py", "tfidf.py")


def _digest(h, sources) -> str:
    """``h`` updated with each source file's bytes (its name alone where it is not installed: bytecode only,
    and the package version stands in), as 16 hex digits."""
    for source in sources:
        try:
            h.update(Path(source).read_bytes())
        except OSError:
            h.update(Path(source).name.encode())
    return h.hexdigest()[:16]


@lru_cache(maxsize=1)
def parser_fingerprint() -> str:
    """Changes whenever what a plan's units are could: PARSER_VERSION and the source of the loader and parser."""
    return _digest(hashlib.sha256(PARSER_VERSION.encode()), [Path(__file__).with_name(n) for n in PARSER_MODULES])


def code_fingerprint(*sources: Path) -> str:
    """For a cache of what the parser, the tokens and ``sources`` decide (parsed plans, clause forces): changes
    with :func:`parser_fingerprint`, with the tokenizer and its data, and with those files."""
    return _digest(hashlib.sha256(f"{parser_fingerprint()}|{dictionary_fingerprint()}".encode()), sources)


def stats_key(hashes: list[str], options=None) -> str:
    """The IDF cache key: the plans' bytes, the tokenizer and data (dictionary_fingerprint), the parser, and the
    options that change how A and B are read (format, encoding) and which plans are read at all (size cap)."""
    from .load import size_cap

    read = [getattr(options, "format", None), getattr(options, "encoding", None),
            size_cap(getattr(options, "max_bytes", None))]  # the cap in effect, $COMPARE_MAX_MB included
    h = hashlib.sha256(f"{dictionary_fingerprint()}|{parser_fingerprint()}|{json.dumps(read)}".encode())
    for digest in sorted(set(hashes)):
        h.update(digest.encode())
    return h.hexdigest()[:24]


_DIGESTS: dict[tuple, str] = {}  # (path, size, mtime, ctime, inode, cap) -> sha256: `run --all` hashes each file once


def file_digest(path, max_bytes: int | None = None) -> str:
    """sha256 of a plan file's bytes, remembered in this process while the file's stat signature holds.

    Raises CompareError as read_bytes does (not a regular file, over the size cap, unreadable).
    """
    import os

    from .load import size_cap

    try:
        st = os.stat(path)
        key = (os.fspath(path), st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, size_cap(max_bytes))
    except OSError:
        key = None  # read_bytes says why, in one line
    known = _DIGESTS.get(key) if key else None
    if known is None:
        known = _hash_file(path, max_bytes)
        if key:
            if len(_DIGESTS) > 100_000:
                _DIGESTS.clear()
            _DIGESTS[key] = known
    return known


def _hash_file(path, max_bytes: int | None) -> str:
    from .load import read_bytes

    return hashlib.sha256(read_bytes(path, max_bytes)).hexdigest()


def skipped_note(reason) -> Note:
    """The warning for a corpus file that could not be read: "path: reason (skipped)", in the user's language.
    ``reason``: the CompareError, or its note (CompareError.note)."""
    message = reason.note() if isinstance(reason, CompareError) else reason
    return Note("warn.skipped", f"{message} (skipped)", message=message)


def corpus_options(options):
    """Options for reading corpus plans: A's size cap and cache, never A's --encoding or --input-format."""
    from .models import Options

    return Options(max_bytes=getattr(options, "max_bytes", None), cache_dir=getattr(options, "cache_dir", None))


def corpus_stats(docs: list[Document], corpus_files: list[Path], options=None, warnings: list | None = None) -> Stats:
    """Statistics over ``docs`` plus every plan in ``corpus_files``, cached (see :func:`stats_key`).

    Corpus files are read with their own format and encoding sniffed; files that cannot be loaded are skipped; each skip is appended to
    ``warnings`` and recorded in ``Stats.skipped``.
    """
    from .sections import load_plan

    file_hashes = {}
    for path in corpus_files:
        try:
            file_hashes[path] = file_digest(path, getattr(options, "max_bytes", None))
        except CompareError as exc:  # unreadable, not a regular file, over the size cap
            file_hashes[path] = None
            if warnings is not None:
                warnings.append(skipped_note(exc))
    own = {d.sha256 for d in docs}
    key = stats_key([d.sha256 for d in docs] + [h for h in file_hashes.values() if h], options)
    cache = cache_dir(getattr(options, "cache_dir", None)) / "idf" / f"{key}.json"

    def kept(data) -> Stats:
        stats = Stats(vocabulary={t: k for k, t in enumerate(data["terms"])}, idf=data["idf"],
                      n_units=data["n_units"], key=key, skipped=data.get("skipped", []))
        if len(stats.idf) != len(stats.vocabulary):
            raise ValueError("damaged cache")
        return stats

    stats = read_cache(cache, kept)
    if stats is not None:
        stats.skipped = [note_from_data(s) for s in stats.skipped]
    if stats is not None:
        if warnings is not None:
            warnings.extend(map(skipped_note, stats.skipped))
        return stats
    parts, skipped = [], []
    for d in docs:
        parts.append(plan_frequencies(d, Segmentation.of(d.text, getattr(options, "cache_dir", None))))
    for path, digest in sorted(file_hashes.items()):
        if digest is None or digest in own:
            continue
        try:
            doc = load_plan(path, corpus_options(options))  # each corpus file sniffed for itself
        except CompareError as exc:
            skipped.append(exc.note())
            continue
        parts.append(plan_frequencies(doc, Segmentation.of(doc.text, getattr(options, "cache_dir", None))))
    stats = build(parts)
    stats.key, stats.skipped = key, skipped
    if warnings is not None:
        warnings.extend(map(skipped_note, skipped))
    write_cache(cache, json.dumps({"terms": list(stats.vocabulary), "idf": stats.idf, "n_units": stats.n_units,
                                   "skipped": [note_data(s) for s in skipped]}, ensure_ascii=False))
    return stats
