"""Command line: each command checks its options, makes one library call, writes the result."""
from __future__ import annotations

import functools
import sys

import click

from . import __version__, api
from .errors import CompareError
from .models import Options

FORMAT_CHOICE = click.Choice(["jekyll", "markdown", "html", "txt", "docx", "pdf"])


def _fail_cleanly(func):
    """Turn CompareError (and unexpected errors) into one line and an exit status, unless --traceback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except CompareError as exc:
            if ctx.find_root().params.get("traceback"):
                raise
            err = click.ClickException(str(exc))
            err.exit_code = exc.exit_code
            raise err from None
        except (OSError, ValueError, UnicodeError) as exc:
            if ctx.find_root().params.get("traceback"):
                raise
            raise click.ClickException(f"{exc.__class__.__name__}: {exc}") from None

    return wrapper


def _warn(messages):
    for message in messages:
        click.echo(f"warning: {message}", err=True)


corpus_option = click.option(
    "--corpus", "corpus", envvar="COMPARE_CORPUS", type=click.Path(file_okay=False),
    help="Corpus folder for plan names and statistics [env COMPARE_CORPUS; default ./corpus].",
)
input_options = [
    click.option("--input-format", "input_format", type=FORMAT_CHOICE, help="Force the input format instead of sniffing it."),
    click.option("--encoding", help="Force the input encoding, e.g. gb18030, big5, utf-16."),
]


def with_input_options(func):
    for option in reversed(input_options):
        func = option(func)
    return func


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="compare")
@click.option("--traceback", is_flag=True, help="Show the full traceback on errors (for bug reports).")
def main(traceback):
    """Compare Chinese policy plans section by section.

    \b
    Example:
      compare sections 成渝共建西部金融中心规划
      compare run 成渝共建 zj-local-finance-regulation-2020 --corpus ../shared/corpus
    """


@main.command()
@click.argument("plan")
@click.option("--format", "fmt", type=click.Choice(["tree", "json"]), default="tree", show_default=True,
              help="Indented outline or JSON.")
@click.option("--clauses", is_flag=True, help="Also list each section's clauses.")
@corpus_option
@with_input_options
@_fail_cleanly
def sections(plan, fmt, clauses, corpus, input_format, encoding):
    """Print PLAN's section outline.

    PLAN is a path, or a name found in seeds/ and the corpus: a file stem, a
    unique prefix of one, or a unique part of a title.

    \b
    Example:
      compare sections seeds/chengyu-western-financial-centre-plan-2021.md
      compare sections 成渝 --format json --clauses
    """
    from .report import outline_json, outline_tree

    doc = api.outline(plan, corpus, Options(format=input_format, encoding=encoding))
    _warn(doc.warnings)
    click.echo((outline_json if fmt == "json" else outline_tree)(doc, clauses=clauses), nl=False)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
