"""What the commands share: clean failure, interface strings on the terminal, the common options, corpus queries."""
from __future__ import annotations

import functools
import sys

import click

from . import api
from .errors import CompareError, ExitStatus

FORMAT_CHOICE = click.Choice(["jekyll", "markdown", "html", "txt", "docx", "pdf"])


def fail_cleanly(func):
    """Turn CompareError (and unexpected errors) into one line and an exit status, unless --traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except CompareError as exc:
            if ctx.find_root().params.get("traceback"):
                raise
            from .templating import Strings

            t = Strings(ctx.params.get("lang"))
            raise Failure(t.note(exc.note()), t("cli.error_prefix"), exc.exit_code) from None
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
        except KeyboardInterrupt:
            if ctx.find_root().params.get("traceback"):
                raise
            click.echo(say(ctx.params.get("lang"), "cli.interrupted"), err=True)
            ctx.exit(ExitStatus.INTERRUPTED)
        except (OSError, ValueError, UnicodeError) as exc:
            if ctx.find_root().params.get("traceback"):
                raise
            raise click.ClickException(f"{exc.__class__.__name__}: {exc}") from None
        except Exception as exc:  # a bug: one line for the user, the traceback on request
            if ctx.find_root().params.get("traceback"):
                raise
            raise click.ClickException(
                f"internal error ({exc.__class__.__name__}: {exc}); run with --traceback and report it") from None

    return wrapper


class Failure(click.ClickException):
    """A CompareError as the command's last line, in the interface language: 错误：… or Error: …"""

    def __init__(self, message: str, prefix: str, exit_code: int):
        super().__init__(message)
        self.prefix, self.exit_code = prefix, exit_code

    def show(self, file=None) -> None:
        click.echo(self.prefix + self.format_message(), file=file, err=True)


def say(lang, key, **values) -> str:
    from .templating import Strings

    return Strings(lang)(key, **values)


def warn(messages, lang=None):
    """Warnings on stderr in the interface language (a library Note by its key; other text as it is)."""
    from .templating import Strings

    t = Strings(lang)
    for message in messages:
        click.echo(t("cli.warning", message=t.note(message)), err=True)


corpus_option = click.option(
    "--corpus", "corpus", envvar="COMPARE_CORPUS", type=click.Path(file_okay=False),
    help="Corpus folder for plan names and statistics [env COMPARE_CORPUS; default ./corpus].",
)
lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, envvar="COMPARE_LANG",
    help="Interface language: the pages' labels and what the terminal shows [env COMPARE_LANG]. JSON and CSV "
         "keep their English keys.")
META_HELP = "CSV or TSV with a header naming file and any of title, date, issuer: overrides what the plans carry"
meta_option = click.option(  # index, rank, clauses, matrix: kept in the index for later queries
    "--meta", "meta", type=click.Path(exists=True, dir_okay=False), help=META_HELP + " (the index keeps it).")
run_meta_option = click.option(  # run applies it to its two plans and never writes the index
    "--meta", "meta", type=click.Path(exists=True, dir_okay=False),
    help=META_HELP + ". For two plans, in this run only: the index does not keep it (as 'compare index --meta' "
                     "would); with --all, whose matrix page refreshes the index, the index keeps it.")
template_dir_option = click.option(
    "--template-dir", type=click.Path(exists=True, file_okay=False),
    help="Folder of templates that override the defaults.")
keep_duplicates_option = click.option(
    "--keep-duplicates", is_flag=True,
    help="List near-identical plans (same text after normalization, or whole-plan cosine >= 0.98) each on "
         "their own instead of once.")
input_options = [
    click.option("--input-format", "input_format", type=FORMAT_CHOICE, help="Force the input format instead of sniffing it."),
    click.option("--encoding", help="Force the input encoding, e.g. gb18030, big5, utf-16."),
]


def with_input_options(func):
    for option in reversed(input_options):
        func = option(func)
    return func



class progress_bar:
    """A progress bar on stderr when it is a terminal; silent otherwise. Yields a callback(done, total, label).
    ``key``: its label's entry in the interface strings, shown in ``lang``."""

    def __init__(self, key: str, lang=None):
        self.label, self.bar = say(lang, key), None

    def __enter__(self):
        if not sys.stderr.isatty():
            return None

        def update(done, total, item):  # the bar shows done of total as the caller says them (total may grow)
            if self.bar is None:
                self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
                self.bar.__enter__()
            self.bar.length = max(total, 1)
            self.bar.update(done - self.bar.pos)

        return update

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False



index_option = click.option("--index", "index_path", type=click.Path(dir_okay=False),
                            help="Index file [default: CORPUS/.compare/index.sqlite].")
output_format = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                             show_default=True, help="table for reading; json is one object per line; csv has a BOM for Excel.")
def stdout_dash(ctx, param, value):
    """``-o -`` is standard output, as ``--json -`` is: never a file named "-"."""
    return None if value == "-" else value


output_file = click.option("-o", "--output", metavar="FILE", callback=stdout_dash,
                           help="Write to FILE instead of standard output ('-': standard output).")


def emit(text: str, output: str | None, inputs, lang) -> None:
    from .output import write_output

    if output:
        click.echo(say(lang, "cli.wrote", path=write_output(output, text, inputs)), err=True)
    else:
        click.echo(text, nl=False)


def index_line(report, lang) -> str:
    line = say(lang, "cli.index_summary", added=len(report.added), updated=len(report.updated),
                removed=len(report.removed), unchanged=report.unchanged)
    return line + (say(lang, "cli.index_skipped", n=len(report.skipped)) if report.skipped else "")


def index_summary(report, lang) -> None:
    warn(report.warnings + report.skipped, lang)
    if report.changed or report.skipped:
        click.echo(index_line(report, lang), err=True)


def corpus_query(call, render, fmt, output, plan, corpus, lang, meta=None) -> None:
    """Refresh the index (progress on a terminal), run one query, write the rendered result."""
    from .output import check_targets

    read = api.inputs(plan, corpus=corpus, also=[meta])
    check_targets([output] if output else [], read)
    with progress_bar("progress.indexing", lang) as progress:
        result, report = call(progress)
    index_summary(report, lang)
    emit(render(result, fmt), output, read, lang)


def corpus_query_options(func):
    """The options every corpus query takes (rank, clauses): duplicates, dates, language, output, corpus, index."""
    for option in reversed([keep_duplicates_option, meta_option, lang_option, output_format, output_file,
                            corpus_option, index_option]):
        func = option(func)
    return func
