"""Templating for every page: the jinja2 environment, the one table of interface strings, and the
hash-based content security policy under which a page inlines its CSS and script and loads nothing.
"""
from __future__ import annotations

import json
import os
import re
from functools import lru_cache
from pathlib import Path

from .models import KINDS

KIND_LABELS = {kind: kind.replace("only_a", "only in A").replace("only_b", "only in B") for kind in KINDS}
LANGS = ("zh", "en")  # interface languages of the HTML pages; the first is the default
_NUMBER_CHOICE = re.compile(r"\{(\w+)\|([^{}|]*)\|([^{}|]*)\}")  # {n|passage|passages}: singular where n is 1


@lru_cache(maxsize=1)
def _ui_table() -> dict:
    """The one table of interface strings (compare/data/ui_strings.json): {lang: {key: text}}."""
    return json.loads((Path(__file__).with_name("data") / "ui_strings.json").read_text(encoding="utf-8"))


class Strings:
    """Interface strings of one language: ``t("key", n=3)`` formats the entry with the given values.

    The values (numbers, section numbers, titles) are substituted as text, never read as a format, and the
    result is plain text that jinja2 escapes like any other. ``variant`` picks ``key@variant`` where the table
    has one: "other" words a comparison of two different documents, where "修改" or "移出" would say that one
    was edited into the other. ``{n|one|other}`` in an entry is the wording for the count ``n``: ``one`` where
    it is 1, ``other`` otherwise ("1 passage", "2 passages").
    """

    def __init__(self, lang: str | None = None, variant: str | None = None):
        from .errors import BadArgument

        lang = lang or LANGS[0]
        if lang not in LANGS:
            raise BadArgument(f"unknown interface language (choose from {', '.join(LANGS)})", lang)
        self.lang = lang
        self.variant = variant
        self.table = _ui_table()[lang]

    def text(self, key: str) -> str:
        """The entry for ``key``, in this variant where it has one, unformatted."""
        if self.variant:
            return self.table.get(f"{key}@{self.variant}") or self.table[key]
        return self.table[key]

    def __call__(self, key: str, **values) -> str:
        text = self.text(key)
        return _numbered(text, values).format(**values) if values else text

    def for_script(self, key: str, field: str, count: int) -> str:
        """An entry as a template for the page's script: its wording for ``count`` of ``field``, with ``{field}``
        left for the script to fill (the review count: one wording for 1, another for more)."""
        return _numbered(self.text(key), {field: count})

    def around(self, key: str, field: str, **values) -> tuple[str, str]:
        """The text before and after ``{field}`` in an entry, for markup around a value (a count in bold)."""
        before, _, after = _numbered(self.text(key), values).partition("{" + field + "}")
        return before.format(**values), after.format(**values)

    def note(self, note) -> str:
        """A message (compare.errors.Note) in this language: its entry, with each value that is itself a Note
        put in this language too (a list of them joined); a message without a key is shown as it is."""
        if isinstance(note, (list, tuple)):
            return self.text("note_sep").join(self.note(n) for n in note)
        key = getattr(note, "key", None)
        if not key or key not in self.table:
            return str(note)
        return self(key, **{k: self.note(v) if isinstance(v, (str, list, tuple)) else v
                            for k, v in note.values.items()})

    def kinds(self) -> list[tuple[str, str]]:
        return [(kind, self.text("kind." + kind)) for kind in KIND_LABELS]


def _numbered(text: str, values: dict) -> str:
    """``{n|one|other}`` replaced by ``one`` where the value ``n`` is 1 (or "1"), else by ``other``."""
    if "|" not in text:
        return text
    return _NUMBER_CHOICE.sub(lambda m: m.group(2) if str(values.get(m.group(1))) == "1" else m.group(3), text)


TEMPLATE_DIRS = [Path(__file__).with_name("templates"), Path(__file__).resolve().parent.parent / "templates"]


def _best_effort_cache(jinja2):
    class BestEffortBytecodeCache(jinja2.FileSystemBytecodeCache):
        """Compiled templates on disk; a full or read-only cache disk only costs speed."""

        def dump_bytecode(self, bucket) -> None:
            try:
                super().dump_bytecode(bucket)
            except OSError:
                pass

    return BestEffortBytecodeCache


_DICT_ATTRIBUTES = frozenset(dir(dict))


@lru_cache(maxsize=1)
def _environment_class():
    import jinja2

    class Environment(jinja2.Environment):
        """jinja2's environment, with ``x.name`` on a plain dict looked up as the key straight away.

        jinja2 tries ``getattr`` first and the key after its AttributeError: the report's view is dicts, so
        every ``{{ p.kind }}`` paid for an exception. A plain dict has no attribute outside ``dir(dict)``,
        so for any other name the result is the same value (or the same undefined)."""

        def getattr(self, obj, attribute):
            if type(obj) is dict and attribute not in _DICT_ATTRIBUTES:
                try:
                    return obj[attribute]
                except KeyError:
                    return self.undefined(obj=obj, name=attribute)
            return super().getattr(obj, attribute)

    return Environment


def environment(template_dir: str | os.PathLike | None = None):
    """jinja2 environment: autoescape, StrictUndefined; a user folder overrides any default template.

    Compiled templates are kept in the cache folder, so a cold process does not recompile them.
    """
    import jinja2

    from .errors import TemplateProblem
    from .tokenize import cache_dir

    dirs = [str(d) for d in TEMPLATE_DIRS if d.is_dir()]
    if template_dir:
        if not Path(template_dir).is_dir():
            raise TemplateProblem("template folder does not exist", str(template_dir))
        for path in sorted(Path(template_dir).iterdir()):
            try:
                if path.is_file():
                    path.read_bytes().decode("utf-8")
            except UnicodeDecodeError:
                raise TemplateProblem("template is not UTF-8 text", str(path)) from None
            except OSError as exc:
                raise TemplateProblem(f"cannot read template ({exc.strerror})", str(path)) from None
        dirs.insert(0, str(template_dir))
    bytecode = cache_dir() / "jinja"
    try:
        bytecode.mkdir(exist_ok=True)
        cache = _best_effort_cache(jinja2)(str(bytecode))
    except OSError:  # an unwritable cache only costs speed
        cache = None
    # auto_reload off: an environment lives for one page, so a template need not be stat'ed at every include
    env = _environment_class()(loader=jinja2.FileSystemLoader(dirs), autoescape=True, auto_reload=False,
                               undefined=jinja2.StrictUndefined, keep_trailing_newline=True, bytecode_cache=cache)
    env.filters["diff_runs"] = diff_runs
    env.filters["heatmap_cells"] = heatmap_cells
    env.filters["two_decimals"] = two_decimals
    return env


_RUN_TAGS = {  # (view is "shared", op) -> the tags around a run: shared phrases, or deleted / inserted words
    (True, 1): ('<mark class="shared">', "</mark>"), (True, 0): ("", ""), (True, -1): ("", ""),
    (False, 0): ("", ""), (False, -1): ("<del>", "</del>"), (False, 1): ("<ins>", "</ins>"),
}


def two_decimals(value: float) -> str:
    """A score in [0, 1] shown cut, not rounded, to two decimals: 0.9999 reads 0.99, so only a score of 1
    reads 1.00 (beside 修改 it would say the texts are identical), and a cell that reads 0.20 is at least 0.20.
    The 1e-9 keeps 0.29, stored as 0.28999…, at 0.29."""
    import math

    return f"{math.floor(value * 100 + 1e-9) / 100:.2f}"


def escape_text(text: str) -> str:
    """``str(markupsafe.escape(text))`` for a str, without making a Markup: & < > ' " as markupsafe writes them."""
    return (text.replace("&", "&amp;").replace(">", "&gt;").replace("<", "&lt;").replace("'", "&#39;")
            .replace('"', "&#34;"))


def diff_runs(segments, view: str):
    """The markup of one side's segments (compare.diff.Segment) in a report view: each run's text escaped,
    in <del>/<ins> (view "diff") or <mark class="shared"> (view "shared", op 1), a force marker (``mark``)
    in <b class="force-marker tier-…">, a sentence of a partial move (``moved``) in <span class="moved-text">
    titled with where it went or came from. The filter ``diff_runs`` of every template (``_diff.html``'s
    ``segments`` macro); one Python loop where a jinja2 loop cost 2–3× as much."""
    from markupsafe import Markup

    shared = view == "shared"
    out = []
    for s in segments:
        tags = _RUN_TAGS.get((shared, s.op)) or ("", "")
        text = escape_text(s.text)
        if s.mark:
            text = f'<b class="force-marker tier-{escape_text(s.mark)}">{text}</b>'
        run = f"{tags[0]}{text}{tags[1]}" if tags[0] else text
        # outside the run's own tags, so a shared phrase's or an insertion's colour shows over the move's
        out.append(f'<span class="moved-text" title="{escape_text(s.moved)}">{run}</span>' if s.moved else run)
    return Markup("".join(out))


def heatmap_cells(cells, size: int):
    """The heatmap's cells (compare.report.heatmap) as SVG: a link per cell around its square and tooltip,
    paired cells outlined. The filter ``heatmap_cells`` of every template (``_heatmap.html``)."""
    from markupsafe import Markup

    side = escape_text(str(size))
    outline = ' stroke="#d9480f" stroke-width="2"'
    out = []
    for c in cells:
        paired = c["paired"]
        out.append(f'<a href="{escape_text(c["href"])}" class="cell{" paired" if paired else ""}" '
                   f'data-ij="{escape_text(str(c["ij"]))}"><rect x="{escape_text(str(c["x"]))}" '
                   f'y="{escape_text(str(c["y"]))}" width="{side}" height="{side}" fill="{escape_text(c["fill"])}"'
                   f'{outline if paired else ""}><title>{escape_text(c["tip"])}</title></rect></a>')
    return Markup("".join(out))


def _csp_hash(text: str) -> str:
    import base64
    import hashlib

    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


SCRIPTS = ("report.js", "review.js")  # the report's script: the page's own, then the review tools


def render_page(template: str, template_dir=None, with_js: bool = False, **context) -> str:
    """Render a page with the CSS (and JS) inlined, allowed by a hash-based CSP; no network at all."""
    import jinja2
    from markupsafe import Markup

    from .errors import TemplateProblem

    env = environment(template_dir)
    try:
        css = env.loader.get_source(env, "report.css")[0]
        scripts = [(name, env.loader.get_source(env, name)[0]) for name in SCRIPTS] if with_js else []
        js = "\n".join(text for _, text in scripts)  # one script, one hash
        for name, text in [("report.css", css)] + scripts:
            if "</" in text.lower():
                raise TemplateProblem(f"{name} must not contain '</'")
        script_src = _csp_hash(js) if js else "'none'"
        csp = (f"default-src 'none'; style-src {_csp_hash(css)}; script-src {script_src}; "
               "img-src data:; base-uri 'none'; form-action 'none'")
        # css, js and csp are ours (templates), never document text
        return env.get_template(template).render(css=Markup(css), js=Markup(js), csp=Markup(csp), **context)
    except jinja2.TemplateError as exc:
        raise TemplateProblem(f"template error: {exc}", _template_file(exc)) from None
    except RecursionError:
        raise TemplateProblem("templates include or extend one another without end",
                              str(template_dir) if template_dir else None) from None


def _template_file(exc: Exception) -> str | None:
    """The template file an error arose in: named by the error, else the innermost template frame."""
    where = getattr(exc, "filename", None)
    tb = exc.__traceback__
    while tb is not None:
        name = tb.tb_frame.f_code.co_filename
        if name.endswith((".html", ".css", ".js")):
            where = name
        tb = tb.tb_next
    return where
