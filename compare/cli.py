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


class ThresholdType(click.ParamType):
    name = "auto|FLOAT"

    def convert(self, value, param, ctx):
        if value is None or value == "auto":
            return None
        try:
            number = float(value)
        except ValueError:
            self.fail(f"{value!r} is not 'auto' or a number", param, ctx)
        if not 0.0 <= number <= 1.0:
            self.fail(f"{number} is not in [0, 1]", param, ctx)
        return number


@main.command()
@click.argument("plan_a")
@click.argument("plan_b")
@click.option("-o", "--output", metavar="FILE", help="HTML report to write [default: A_vs_B.html in the working directory].")
@click.option("--json", "json_out", metavar="FILE", help="Also write the comparison as JSON to FILE ('-' for stdout).")
@click.option("--no-html", is_flag=True, help="Write no HTML report (with --json).")
@click.option("--template-dir", type=click.Path(file_okay=False), help="Folder of templates that override the defaults.")
@click.option("--threshold", type=ThresholdType(), default="auto", show_default=True,
              help="Min cosine in [0, 1] for a section pair; auto = half the median best match, within [0.12, 0.3].")
@click.option("--clause-threshold", type=click.FloatRange(0, 1), default=0.3, show_default=True,
              help="Min cosine in [0, 1] for a clause pair.")
@click.option("--top-clauses", type=click.IntRange(0), default=50, show_default=True,
              help="How many of the most similar clause pairs to list.")
@corpus_option
@with_input_options
@_fail_cleanly
def run(plan_a, plan_b, output, json_out, no_html, template_dir, threshold, clause_threshold, top_clauses, corpus,
        input_format, encoding):
    """Align PLAN_A's sections against PLAN_B's; write an HTML report (and JSON).

    Plans are named as in 'compare sections'. Similarity is TF-IDF cosine over
    jieba tokens, with the IDF fitted over the corpus folder plus both plans.

    \b
    JSON fields:
      a, b          each plan: path, title, issuers, date, doc_number, and
                    sections [{id, level, number, title, parent, chars}]
      score         overall score in [0, 1]: length-weighted mean of the
                    unit-pair scores, unpaired text counting 0
      threshold     the section threshold in force
      pairs         [{a: [ids], b: [ids], score, kind, role}] in A's reading
                    order, only-B pairs where they stand in B; every section
                    of both plans appears exactly once. kind: same, changed,
                    moved, split, merge, only_a, only_b. role: unit (measure
                    or article), container (heading over units), item
                    (inside an article).
      clause_pairs  [{a: clause id, b: clause id, score}], best first

    \b
    Example:
      compare run 成渝共建 zj-local-finance-regulation-2020 --corpus ../shared/corpus
      compare run 成渝 aml-law-2024 --corpus ../shared/corpus -o aml.html --json aml.json
    """
    from .report import comparison_json, render_html, write_atomic

    if no_html and not json_out:
        raise click.UsageError("--no-html needs --json")
    options = Options(threshold=threshold, clause_threshold=clause_threshold, top_clauses=top_clauses,
                      format=input_format, encoding=encoding)
    comparison = api.compare(plan_a, plan_b, corpus, options)
    _warn(comparison.warnings)
    html = None if no_html else render_html(comparison, options, template_dir)  # render fully before writing
    text = comparison_json(comparison) if json_out else None
    if json_out == "-":
        click.echo(text, nl=False)
    elif json_out:
        click.echo(f"wrote {write_atomic(json_out, text)}", err=True)
    if html is not None:
        target = output or f"{comparison.a.name}_vs_{comparison.b.name}.html"
        click.echo(f"wrote {write_atomic(target, html)}", err=True)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
