"""``--meta``: a file of titles, dates and issuers that replace what a plan's own text says, and the entries
in force for a command (the file given, else those the corpus index keeps)."""
from __future__ import annotations

import datetime
import re
from pathlib import Path

from .errors import InputError
from .load import _DATE, _looks_textual, read_bytes
from .models import Document

META_COLUMNS = ("file", "title", "date", "issuer")


def read_meta(path: str | Path) -> dict[str, dict]:
    """A metadata file (``--meta``): CSV or TSV with a header naming ``file`` and any of ``title``, ``date``,
    ``issuer`` (other columns ignored). Returns {file: {title, date, issuers}}, empty cells left out.

    ``file`` names a plan by its file name, its path inside the corpus or its stem. Dates are ISO
    (2016-02-06, 2016-02 or 2016) or 2016年2月6日; issuers are separated by 、 ; or ；.
    """
    import csv
    import io

    name = str(path)
    data = read_bytes(path)
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InputError("metadata file is not UTF-8", name) from None
    if not _looks_textual(text):
        raise InputError("metadata file is not text (control characters or NUL bytes)", name)
    first = text.split("\n", 1)[0]
    rows = list(csv.reader(io.StringIO(text), delimiter="\t" if first.count("\t") > first.count(",") else ","))
    header = [h.strip().lower() for h in rows[0]] if rows else []
    if "file" not in header or not {"title", "date", "issuer"} & set(header):
        raise InputError(f"metadata file needs a header with file and any of title, date, issuer (found {first[:80]!r})",
                         name)
    col = {k: header.index(k) for k in META_COLUMNS if k in header}
    out: dict[str, dict] = {}
    for line, row in enumerate(rows[1:], start=2):
        if not any(cell.strip() for cell in row):
            continue
        cells = {k: row[i].strip() if i < len(row) else "" for k, i in col.items()}
        entry = {}
        if cells.get("title"):
            entry["title"] = cells["title"]
        if cells.get("date"):
            entry["date"] = _meta_date(cells["date"], name, line)
        if cells.get("issuer"):
            entry["issuers"] = [w.strip() for w in re.split(r"[、;；]", cells["issuer"]) if w.strip()]
        if cells["file"] and entry:
            out[cells["file"]] = entry
    return out


def _meta_date(text: str, path: str, line: int) -> str:
    m = re.fullmatch(r"(\d{4})(?:-(\d{1,2})(?:-(\d{1,2}))?)?", text) or _DATE.fullmatch(text.replace(" ", ""))
    try:
        if m and m.group(3):
            return datetime.date(int(m.group(1)), int(m.group(2)), int(m.group(3))).isoformat()
        if m and m.group(2):
            return datetime.date(int(m.group(1)), int(m.group(2)), 1).isoformat()[:7]
        if m:
            return m.group(1)
    except ValueError:
        pass
    raise InputError(f"line {line}: {text!r} is not a date (2016-02-06, 2016-02, 2016 or 2016年2月6日)", path)


def meta_for(meta: dict[str, dict], key: str) -> dict:
    """The metadata entry for a plan whose name inside its folder is ``key`` (file name, path or stem)."""
    p = Path(key)
    for k in (key, p.name, p.stem):
        if k in meta:
            return meta[k]
    return {}


def apply_meta(doc: Document, meta: dict[str, dict] | None) -> Document:
    """Override the document's title, date and issuers with its ``--meta`` entry, if any (in place)."""
    return _override(doc, meta_for(meta or {}, Path(doc.path).name))


def _override(doc: Document, entry: dict) -> Document:
    for field, value in entry.items():
        setattr(doc, field, value)
    if "date" in entry:
        doc.date_kind = None  # a date given is the user's: the text's kind no longer describes it
    return doc


class MetaInForce:
    """The metadata overrides a command applies to a plan file, so one plan has one title and date in every
    output for one index state: the ``--meta`` file given to the command (looked up by file name, as
    :func:`apply_meta`), else the entries the corpus index keeps (looked up by the plan's name inside the
    corpus folder, or ``seeds/NAME``, as the index applies them to its rows; a file elsewhere has none)."""

    def __init__(self, given: dict[str, dict] | None = None, kept: dict[str, dict] | None = None,
                 folder: Path | None = None, seeds: list[Path] = ()):
        self.given, self.kept, self.folder, self.seeds = given, kept or {}, folder, list(seeds)

    def entry(self, path) -> dict:
        import os

        if self.given is not None:
            return meta_for(self.given, Path(path).name)
        if not self.kept:
            return {}
        here = os.path.abspath(path)
        if self.folder is not None:
            root = os.path.abspath(self.folder)
            if here.startswith(root + os.sep):
                return meta_for(self.kept, Path(os.path.relpath(here, root)).as_posix())
        if any(os.path.dirname(here) == os.path.abspath(d) for d in self.seeds):
            return meta_for(self.kept, f"seeds/{Path(path).name}")
        return {}

    def apply(self, doc: Document) -> Document:
        """Override the document's title, date and issuers with its entry, if any (in place)."""
        return _override(doc, self.entry(doc.path))
