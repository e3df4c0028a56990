"""Where plans live, and how a plan name becomes a file.

A PLAN is a path, or a name looked up in the seeds folder and the corpus
folder: by file stem (exactly, then as a unique prefix) or by a unique part
of the title. The corpus folder is ``--corpus``, else ``$COMPARE_CORPUS``,
else ``./corpus``.
"""
from __future__ import annotations

import os
import stat
from pathlib import Path

from .errors import AmbiguousPlan, CompareError, InputError, PlanNotFound
from .patterns import lazy_compile

PLAN_SUFFIXES = {".md", ".markdown", ".txt", ".html", ".htm", ".docx", ".pdf"}
PACKAGE_SEEDS = Path(__file__).with_name("seeds")  # installed: package_dir maps seeds/ here
CHECKOUT_SEEDS = Path(__file__).resolve().parent.parent / "seeds"  # running from a source checkout


def corpus_dir(explicit: str | os.PathLike | None = None) -> Path:
    """The corpus folder in force."""
    return Path(explicit or os.environ.get("COMPARE_CORPUS") or "corpus")


def seed_dirs() -> list[Path]:
    """./seeds when run from a checkout, then the seeds installed with the package."""
    dirs = [Path("seeds"), PACKAGE_SEEDS, CHECKOUT_SEEDS]
    seen, out = set(), []
    for d in dirs:
        if d.is_dir() and d.resolve() not in seen:
            seen.add(d.resolve())
            out.append(d)
    return out


REPORT_MARK = b'<meta name="generator" content="compare">'
SNIFF = 4096  # bytes read from the start of a file to recognise our own outputs
# The starts of the JSON this tool writes: `run --json`, `sections --format json`, `rank`/`clauses --format json`.
_OWN_JSON = lazy_compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*(?:"a"\s*:\s*\{\s*"path"\s*:|"path"\s*:\s*(?:"(?:[^"\\\n]|\\.)*"|null)'
                       rb'\s*,\s*"name"\s*:|"name"\s*:[^\n]*"shared_clauses"\s*:|"query_id"\s*:[^\n]*"plans_with_it"\s*:)')


def is_own_report(path: Path) -> bool:
    """An output of this tool, whatever its name: an HTML page with our generator tag, our JSON or CSV."""
    try:
        fd = os.open(path, os.O_RDONLY | getattr(os, "O_NONBLOCK", 0))  # a FIFO put in its place never blocks
        with open(fd, "rb") as fh:
            if not stat.S_ISREG(os.fstat(fd).st_mode):
                return False
            head = fh.read(SNIFF)
    except OSError:
        return False
    if REPORT_MARK in head or _OWN_JSON.match(head):
        return True
    from .pages import CLAUSE_FIELDS, RANK_FIELDS

    first = head.removeprefix(b"\xef\xbb\xbf").split(b"\r\n", 1)[0]
    return first in (",".join(RANK_FIELDS).encode(), ",".join(CLAUSE_FIELDS).encode())


def plan_files(folder: Path, sniff: bool = True) -> list[Path]:
    """Plan files directly in ``folder``, sorted by name; hidden files, READMEs, folders and (``sniff``) our own
    outputs skipped. The index passes ``sniff=False`` and sniffs only the files it reads.

    A name that is not a regular file (a dangling symlink, a FIFO) is listed: reading it fails in one line,
    so the commands warn about it and count it as skipped, as they do an empty or binary plan."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir()
        if p.suffix.lower() in PLAN_SUFFIXES and not p.name.startswith(".") and p.stem.upper() != "README"
        and not p.is_dir() and not (sniff and is_own_report(p))
    )


def resolve(name: str, corpus: str | os.PathLike | None = None) -> Path:
    """The file a PLAN argument names. Raises PlanNotFound or AmbiguousPlan."""
    if not name.strip():
        raise PlanNotFound("empty plan name: give a file, a file name in the corpus, or a title", repr(name),
                           "plan.empty_name")
    direct = Path(name)
    try:
        exists = direct.exists()
    except OSError:  # e.g. a name too long to stat: load() reports it as bad input
        exists = True
    if exists or os.sep in name or "/" in name or direct.suffix.lower() in PLAN_SUFFIXES:
        return direct  # a path; load() reports it if it is missing
    seeds = [p for d in seed_dirs() for p in plan_files(d)]
    folder = corpus_dir(corpus)
    files = seeds + plan_files(folder)
    titles = _Titles()  # read a file for its title only when a stem does not settle the name
    try:
        return _match(name, files, seeds, folder, titles)
    finally:
        titles.save()


def _match(name: str, files: list[Path], seeds: list[Path], folder: Path, titles: "_Titles") -> Path:
    for match in (lambda: [p for p in files if p.stem == name], lambda: [p for p in files if p.stem.startswith(name)],
                  lambda: [p for p in files if name in titles[p]]):
        unique = _prefer_seeds(_dedupe(match()), seeds, titles)
        if len(unique) == 1:
            return unique[0]
        if len(unique) > 1:
            plans = "; ".join(f"{p} ({titles[p]})" for p in unique)
            raise AmbiguousPlan(f"{name!r} matches several plans: {plans}", key="plan.ambiguous", name=repr(name),
                                plans=plans)
    if not folder.is_dir():
        raise PlanNotFound(f"no plan named {name!r}, and the corpus folder {folder} does not exist: give a path, "
                           "or --corpus DIR (or COMPARE_CORPUS), or put plans in ./corpus",
                           key="plan.no_corpus", name=repr(name), folder=str(folder))
    hint = _close_matches(name, files, titles)
    where = ", ".join(str(d) for d in seed_dirs() + [folder])
    if hint:
        raise PlanNotFound(f"no plan named {name!r} in {where}; did you mean {hint}?", key="plan.not_found_hint",
                           name=repr(name), where=where, hint=hint)
    raise PlanNotFound(f"no plan named {name!r} in {where} (give a path, a file stem or part of a title)",
                       key="plan.not_found", name=repr(name), where=where)


_KNOWN_TITLES: dict[Path, dict[str, str]] = {}  # title cache file → {sha256 of a plan file: its title}


class _Titles(dict):
    """Plan titles, read on first use. A file's title is remembered in the cache folder by the sha256 of its
    bytes, under the loader's and the data files' fingerprints, so naming a plan by its title does not parse
    every seed and corpus plan on each run (about 0.15 s for the 21 plans of ../shared/corpus)."""

    def __init__(self):
        super().__init__()
        self.added = False

    def __missing__(self, path: Path) -> str:
        from .load import load
        from .tfidf import file_digest

        try:
            digest = file_digest(path)  # the same digests corpus_stats then needs: each file is hashed once
        except CompareError:  # unreadable, not a regular file, over the size cap
            self[path] = ""
            return ""
        known = _known_titles(_title_cache())
        if digest not in known:
            try:
                known[digest] = load(path).title
            except InputError:
                known[digest] = ""
            self.added = True
        self[path] = known[digest]
        return self[path]

    def save(self) -> None:
        """Write the titles read from files into the cache (best effort, atomic)."""
        if self.added:
            import json

            from .tokenize import write_cache

            cache = _title_cache()
            write_cache(cache, json.dumps(_known_titles(cache), ensure_ascii=False, sort_keys=True))
            self.added = False


def _title_cache() -> Path:
    from .load import size_cap
    from .tfidf import parser_fingerprint
    from .tokenize import cache_dir, dictionary_fingerprint

    return cache_dir() / "titles" / f"{parser_fingerprint()}-{dictionary_fingerprint()}-{size_cap()}.json"


def _known_titles(cache: Path) -> dict[str, str]:
    if cache not in _KNOWN_TITLES:
        from .tokenize import read_cache

        _KNOWN_TITLES[cache] = read_cache(cache, _titles) or {}
    return _KNOWN_TITLES[cache]


def _titles(kept) -> dict[str, str]:
    if not isinstance(kept, dict) or not all(isinstance(v, str) for v in kept.values()):
        raise ValueError("damaged cache")
    return kept


def _prefer_seeds(paths: list[Path], seeds: list[Path], titles) -> list[Path]:
    """A plan in seeds/ wins over corpus copies of it (the same title)."""
    in_seeds = [p for p in paths if p in seeds]
    if len(in_seeds) == 1 and all(p in seeds or titles[p] == titles[in_seeds[0]] for p in paths):
        return in_seeds
    return paths


def _close_matches(name: str, files: list[Path], titles: dict) -> str:
    """Up to three stems or titles close to a mistyped name, quoted, for a "did you mean" hint."""
    import difflib

    candidates = sorted({p.stem for p in files} | {t for t in (titles[p] for p in files) if t})
    return " or ".join(repr(m) for m in difflib.get_close_matches(name, candidates, n=3, cutoff=0.6))


def _dedupe(paths: list[Path]) -> list[Path]:
    """The same seed may sit in ./seeds and in the installed package: keep one per content."""
    seen, out = set(), []
    for p in paths:
        key = (p.name, p.stat().st_size)
        if key not in seen:
            seen.add(key)
            out.append(p)
    return out
