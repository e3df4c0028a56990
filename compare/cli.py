"""Command line: each command checks its options, makes one library call, writes the result.

The corpus commands (index, rank, clauses, matrix, reuse) are in :mod:`compare.cli_corpus`."""
from __future__ import annotations

import os
from pathlib import Path

import click

from . import __version__, api
from .cli_common import (corpus_option, emit, fail_cleanly, index_option, lang_option, progress_bar, run_meta_option,
                         say, stdout_dash, template_dir_option, warn, with_input_options)
from .models import Options


CORPUS_COMMANDS = ("index", "rank", "clauses", "matrix", "reuse")  # defined in compare.cli_corpus


class _Commands(click.Group):
    """The command group. The corpus commands' module is imported only when one of them is named, or when
    help lists them all: `compare run` does without it."""

    def list_commands(self, ctx):
        return sorted({*super().list_commands(ctx), *CORPUS_COMMANDS})

    def get_command(self, ctx, name):
        if name in CORPUS_COMMANDS and name not in self.commands:
            from .cli_corpus import COMMANDS

            for command in COMMANDS:
                self.add_command(command)
        return super().get_command(ctx, name)


@click.group(cls=_Commands, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="compare")
@click.option("--traceback", is_flag=True, help="Show the full traceback on errors (for bug reports).")
@click.option("--max-mb", type=click.FloatRange(min=0, min_open=True), envvar="COMPARE_MAX_MB",
              help="Size cap for one plan in megabytes: its file, its text, a DOCX's expanded parts "
                   "[env COMPARE_MAX_MB; default 50].")
def main(traceback, max_mb):
    """Compare Chinese policy plans section by section.

    \b
    Example:
      compare sections 成渝共建西部金融中心规划
      compare run 成渝共建 zj-local-finance-regulation-2020 --corpus ../shared/corpus
    """
    if max_mb is not None:  # the library and its worker processes read the cap from the environment
        before = os.environ.get("COMPARE_MAX_MB")
        os.environ["COMPARE_MAX_MB"] = repr(max_mb)
        click.get_current_context().call_on_close(lambda: _restore_env("COMPARE_MAX_MB", before))


def _restore_env(name: str, value: str | None) -> None:
    if value is None:
        os.environ.pop(name, None)
    else:
        os.environ[name] = value



@main.command()
@click.argument("plan")
@click.option("--format", "fmt", type=click.Choice(["tree", "json"]), default="tree", show_default=True,
              help="Indented outline, or the tree as one indented JSON document.")
@click.option("--clauses", is_flag=True, help="Also list each section's clauses.")
@corpus_option
@lang_option
@with_input_options
@fail_cleanly
def sections(plan, fmt, clauses, corpus, lang, input_format, encoding):
    """Print PLAN's section outline.

    PLAN is a path, or a name found in seeds/ and the corpus: a file stem, a
    unique prefix of one, or a unique part of a title.

    \b
    Example:
      compare sections seeds/chengyu-western-financial-centre-plan-2021.md
      compare sections 成渝 --format json --clauses
    """
    from .serialize import outline_json, outline_tree

    doc = api.outline(plan, corpus, Options(format=input_format, encoding=encoding))
    warn(doc.warnings, lang)
    click.echo(outline_json(doc, clauses=clauses) if fmt == "json" else outline_tree(doc, clauses, lang), nl=False)


@main.command()
@click.argument("plan", required=False)
@click.option("--all", "all_plans", is_flag=True,
              help="Every plan of the seeds and the corpus, ordered by date, instead of one PLAN.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "html"]),
              help="table, json (one indented document), csv; with --all also html [default: from -o's suffix, "
                   ".json, .csv, with --all .html; else table].")
@click.option("-o", "--output", metavar="FILE", callback=stdout_dash,
              help="Write to FILE instead of standard output ('-': standard output).")
@lang_option
@template_dir_option
@corpus_option
@with_input_options
@fail_cleanly
def profile(plan, all_plans, fmt, output, lang, template_dir, corpus, input_format, encoding):
    """Print PLAN's policy-force profile: clauses per tier (binding, directive,
    supportive, exploratory, none), per 10,000 characters, and each top-level
    part's share of each tier. See compare/force.py for how clauses are graded.

    With --all: every plan of the seeds and the corpus, ordered by date, with
    its genre (plan or regulation/law, from the title's last word), and the
    median binding share by genre and the trend of the binding+directive share
    over time. Files that cannot be read are skipped with a warning.

    \b
    Example:
      compare profile 成渝 --corpus ../shared/corpus
      compare profile sh-ftz-regulation-2014 --corpus ../shared/corpus --format json
      compare profile sh-ftz-regulation-2014 --corpus ../shared/corpus -o sh-ftz.csv
      compare profile --all --corpus ../shared/corpus -o profiles.html
      compare profile --all --corpus ../shared/corpus --format csv -o profiles.csv
    """
    from .output import check_targets
    from .pages import render_corpus_profiles, render_profile

    options = Options(format=input_format, encoding=encoding)
    by_suffix = {".html": "html", ".htm": "html", ".json": "json", ".csv": "csv"}
    chosen = fmt or (by_suffix.get(Path(output).suffix.lower(), "table") if output else "table")
    if not all_plans:
        if plan is None:
            raise click.UsageError("give a PLAN, or --all for every plan")
        if chosen == "html":
            raise click.UsageError("--format html needs --all" if fmt else
                                   f"-o {output} names an HTML page, which needs --all; for one PLAN give -o "
                                   "FILE.json, FILE.csv or --format table|json|csv")
        read = api.inputs(plan, corpus=corpus)
        check_targets([output] if output else [], read)
        emit(render_profile(api.profile(plan, corpus, options), chosen, lang), output, read, lang)
        return
    if plan is not None:
        raise click.UsageError("--all takes no PLAN")
    fmt = chosen
    read = api.inputs(corpus=corpus)
    check_targets([output] if output else [], read)
    profiles = api.profiles(corpus, options)
    warn(profiles.skipped, lang)
    if profiles.skipped:
        click.echo(say(lang, "cli.profile_summary", n=len(profiles.rows), skipped=len(profiles.skipped)), err=True)
    emit(render_corpus_profiles(profiles, fmt, template_dir, lang), output, read, lang)


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
@click.argument("plan_b", required=False)
@click.option("--all", "all_plans", is_flag=True,
              help="Compare PLAN_A with every corpus plan: reports plus the matrix page (index.html) in -o DIR.")
@click.option("-o", "--output", metavar="FILE",
              help="HTML report to write [default: A_vs_B.html; a folder gets that name inside; '-' for stdout]; "
                   "with --all, a folder [default: PLAN_vs_corpus].")
@click.option("--json", "json_out", metavar="FILE", help="Also write the comparison as JSON to FILE ('-' for stdout).")
@click.option("--no-html", is_flag=True, help="Write no HTML report (with --json).")
@template_dir_option
@click.option("--threshold", type=ThresholdType(), default="auto", show_default=True,
              help="Min cosine in [0, 1] for a unit pair; auto = 0.2. A pair must also stand out from the "
                   "background similarity of its two sections; between a plan in measures and a law in articles, "
                   "two that are each other's best match and stand out strongly pair down to half of it (see "
                   "README: How alignment works).")
@click.option("--clause-threshold", type=click.FloatRange(0, 1), default=0.3, show_default=True,
              help="Min cosine in [0, 1] for a clause pair.")
@lang_option
@run_meta_option
@click.option("--top-clauses", type=click.IntRange(0), default=50, show_default=True,
              help="How many of the most similar clause pairs to list.")
@click.option("--decisions", metavar="FILE",
              help="A reviewer's decisions (exported from a report): their pairs are kept, their unpairs never "
                   "proposed, the rest aligned around them (README: Correcting an alignment by hand).")
@corpus_option
@index_option
@with_input_options
@fail_cleanly
def run(plan_a, plan_b, all_plans, output, json_out, no_html, template_dir, threshold,
        clause_threshold, top_clauses, lang, meta, decisions, corpus, index_path, input_format, encoding):
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
      pairs         [{a: [ids], b: [ids], score, kind, role, renumbered,
                    clauses}] in A's reading order, only-B pairs where they
                    stand in B (between a plan in measures and one in
                    articles: after all of A's, in B's order); every section
                    of both plans appears exactly once. kind: same, changed,
                    moved (not between measures and articles), split, merge,
                    only_a, only_b. role: unit (measure or article), container
                    (heading over units), item (inside an article).
                    renumbered: one section a side, same numbering style,
                    different numbers (第五条 ↔ 第六条). clauses: the pair's clause
                    alignment [{a, b, score, kind}], kind same, changed,
                    only_a or only_b, in A's order. A pair with both sides
                    has force {a, b, change}: each side's tier (binding,
                    directive, supportive, exploratory, none) and change
                    (stronger, weaker, same); so has each clause row with
                    both sides. A unit left alone may carry nearest {id,
                    score}: the other plan's unit most like it (cosine ≥
                    0.1), where the evidence fell short of a pair.
      force         {a: {tier: clauses}, b: {tier: clauses}}
      clause_pairs  [{a: clause id, b: clause id, score}], best first
      moves         partial moves: [{a: unit id, b: unit id, sentences, of,
                    clauses: [[A clause id, B clause id]]}]: "sentences of
                    the `of` sentences of A's unit now stand in B's unit"
      stale_decisions  decisions (--decisions) whose sections no longer
                    resolve: [{action, a, b, note, reason}]; a pair made
                    or confirmed by a decision carries decided: "pair" or
                    "checked" (and its note)
      reuse         {a: {clause id: {cluster, plans, first_plan,
                    first_date}}, b: {…}}: clauses that `compare reuse`
                    found in several plans of the corpus, from the corpus
                    index while its results are current; empty otherwise

    \b
    Example:
      compare run 成渝共建 zj-local-finance-regulation-2020 --corpus ../shared/corpus
      compare run 成渝 aml-law-2024 --corpus ../shared/corpus -o aml.html --json aml.json
      compare run --all 成渝 --corpus ../shared/corpus -o reports/
      compare run 成渝 aml-law-2024 --corpus ../shared/corpus --decisions reviewed.json
    """
    from .output import check_targets, into_folder, write_outputs
    from .report import render_html, summary_line
    from .serialize import comparison_json

    options = Options(threshold=threshold, clause_threshold=clause_threshold,
                      top_clauses=top_clauses, format=input_format, encoding=encoding, lang=lang, meta=meta)
    if all_plans:
        if plan_b or json_out or no_html or decisions:
            raise click.UsageError("--all takes one PLAN and -o DIR, and writes HTML only (no --decisions)")
        if output == "-":
            raise click.BadParameter("--all writes a report per plan into a folder; '-' (standard output) is not one",
                                     param_hint="'-o'")
        with progress_bar("progress.comparing", lang) as progress:
            written, skipped = api.run_all(plan_a, output, corpus, options, template_dir, index_path, progress=progress)
        warn(skipped, lang)
        click.echo(say(lang, "cli.wrote_all", n=len(written), folder=written[-1].parent, reports=len(written) - 1)
                   + (say(lang, "cli.skipped", n=len(skipped)) if skipped else ""), err=True)
        return
    if not plan_b:
        raise click.UsageError("PLAN_B is missing (or use --all)")
    if no_html and not json_out:
        raise click.UsageError("--no-html needs --json")
    if output == "-" and json_out == "-":
        raise click.UsageError("-o - and --json - cannot both go to standard output")
    read = api.inputs(plan_a, plan_b, corpus=corpus, also=[decisions, meta])  # never written over, any of them
    default = f"{Path(read[0]).stem}_vs_{Path(read[1]).stem}"
    if output != "-":  # "-": the HTML goes to standard output
        output = into_folder(output, default + ".html") if output else default + ".html"
    json_out = into_folder(json_out, default + ".json") if json_out and json_out != "-" else json_out
    check_targets([t for t in (output, json_out) if t and t != "-"], read)  # before the work, not after
    comparison = api.compare(plan_a, plan_b, corpus, options, decisions, index_path)
    warn(comparison.warnings, lang)
    skipped = sum(getattr(w, "key", "") == "warn.skipped" for w in comparison.warnings)
    if skipped:
        click.echo(say(lang, "cli.corpus_skipped", n=skipped), err=True)
    outputs = []  # everything is rendered before anything is written
    if json_out and json_out != "-":
        outputs.append((json_out, comparison_json(comparison)))
    if not no_html and output != "-":
        outputs.append((output, render_html(comparison, options, template_dir)))
    for path in write_outputs(outputs, read):
        click.echo(say(lang, "cli.wrote", path=path), err=True)
    if json_out == "-":
        click.echo(comparison_json(comparison), nl=False)
    elif output == "-" and not no_html:
        click.echo(render_html(comparison, options, template_dir), nl=False)
    click.echo(summary_line(comparison, lang), err=True)


if __name__ == "__main__":  # pragma: no cover
    main()
