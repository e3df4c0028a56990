"""Where plans live, and how a plan name becomes a file.

A PLAN is a path, or a name looked up in the seeds folder and the corpus
folder: by file stem (exactly, then as a unique prefix) or by a unique part
of the title. The corpus folder is ``--corpus``, else ``$COMPARE_CORPUS``,
else ``./corpus``.
"""
from __future__ import annotations

import os
import re
import stat
from pathlib import Path

from .errors import AmbiguousPlan, InputError, PlanNotFound

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
_OWN_JSON = re.compile(rb'\A(?:\xef\xbb\xbf)?\s*\{\s*(?:"a"\s*:\s*\{\s*"path"\s*:|"path"\s*:\s*(?:"(?:[^"\\\n]|\\.)*"|null)'
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
    """Plan files directly in ``folder``, sorted by name; hidden files, READMEs and (``sniff``) our own outputs
    skipped. The index passes ``sniff=False`` and sniffs only the files it reads."""
    if not folder.is_dir():
        return []
    return sorted(
        p for p in folder.iterdir()
        if p.suffix.lower() in PLAN_SUFFIXES and not p.name.startswith(".") and p.stem.upper() != "README"
        and p.is_file() and not (sniff and is_own_report(p))
    )


def _title_of(path: Path) -> str:
    from .load import load

    try:
        return load(path).title
    except InputError:
        return ""


def resolve(name: str, corpus: str | os.PathLike | None = None) -> Path:
    """The file a PLAN argument names. Raises PlanNotFound or AmbiguousPlan."""
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
    for match in (lambda: [p for p in files if p.stem == name], lambda: [p for p in files if p.stem.startswith(name)],
                  lambda: [p for p in files if name in titles[p]]):
        unique = _prefer_seeds(_dedupe(match()), seeds, titles)
        if len(unique) == 1:
            return unique[0]
        if len(unique) > 1:
            raise AmbiguousPlan(f"{name!r} matches several plans: " + "; ".join(f"{p} ({titles[p]})" for p in unique))
    if not folder.is_dir():
        raise PlanNotFound(f"no plan named {name!r}, and the corpus folder {folder} does not exist: give a path, "
                           "or --corpus DIR (or COMPARE_CORPUS), or put plans in ./corpus")
    hint = _close_matches(name, files, titles)
    where = ", ".join(str(d) for d in seed_dirs() + [folder])
    raise PlanNotFound(f"no plan named {name!r} in {where}" + (f"; did you mean {hint}?" if hint else
                       " (give a path, a file stem or part of a title)"))


class _Titles(dict):
    """Plan titles, read on first use."""

    def __missing__(self, path: Path) -> str:
        self[path] = _title_of(path)
        return self[path]


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
