"""Command line: each command checks its options, makes one library call, writes the result."""
from __future__ import annotations

import functools
import os
import sys
from pathlib import Path

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
        except (click.ClickException, click.exceptions.Exit, click.exceptions.Abort):
            raise
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


def _say(lang, key, **values) -> str:
    from .templating import Strings

    return Strings(lang)(key, **values)


def _warn(messages, lang=None):
    """Warnings on stderr in the interface language (a library Note by its key; other text as it is)."""
    for message in messages:
        key = getattr(message, "key", None)
        text = _say(lang, key, **message.values) if key else str(message)
        click.echo(_say(lang, "cli.warning", message=text), err=True)


corpus_option = click.option(
    "--corpus", "corpus", envvar="COMPARE_CORPUS", type=click.Path(file_okay=False),
    help="Corpus folder for plan names and statistics [env COMPARE_CORPUS; default ./corpus].",
)
lang_option = click.option(
    "--lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, envvar="COMPARE_LANG",
    help="Interface language: the pages' labels and what the terminal shows [env COMPARE_LANG]. JSON and CSV "
         "keep their English keys.")
meta_option = click.option(
    "--meta", "meta", type=click.Path(exists=True, dir_okay=False),
    help="CSV or TSV with a header naming file and any of title, date, issuer: overrides what the plans carry "
         "(the index keeps it).")
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


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
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
              help="Indented outline or JSON.")
@click.option("--clauses", is_flag=True, help="Also list each section's clauses.")
@corpus_option
@lang_option
@with_input_options
@_fail_cleanly
def sections(plan, fmt, clauses, corpus, lang, input_format, encoding):
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
    _warn(doc.warnings, lang)
    click.echo((outline_json if fmt == "json" else outline_tree)(doc, clauses=clauses), nl=False)


@main.command()
@click.argument("plan", required=False)
@click.option("--all", "all_plans", is_flag=True,
              help="Every plan of the seeds and the corpus, ordered by date, instead of one PLAN.")
@click.option("--format", "fmt", type=click.Choice(["table", "json", "csv", "html"]),
              help="table, json, csv; with --all also html [default: table; with --all, from -o's suffix: "
                   ".html, .json, .csv].")
@click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")
@lang_option
@template_dir_option
@corpus_option
@with_input_options
@_fail_cleanly
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
      compare profile --all --corpus ../shared/corpus -o profiles.html
      compare profile --all --corpus ../shared/corpus --format csv -o profiles.csv
    """
    from .output import check_targets
    from .pages import render_corpus_profiles, render_profile

    options = Options(format=input_format, encoding=encoding)
    if not all_plans:
        if plan is None:
            raise click.UsageError("give a PLAN, or --all for every plan")
        if fmt == "html":
            raise click.UsageError("--format html needs --all")
        read = api.inputs(plan, corpus=corpus)
        check_targets([output] if output else [], read)
        _emit(render_profile(api.profile(plan, corpus, options), fmt or "table"), output, read, lang)
        return
    if plan is not None:
        raise click.UsageError("--all takes no PLAN")
    by_suffix = {".html": "html", ".htm": "html", ".json": "json", ".csv": "csv"}
    fmt = fmt or (by_suffix.get(Path(output).suffix.lower(), "table") if output else "table")
    read = api.inputs(corpus=corpus)
    check_targets([output] if output else [], read)
    profiles = api.profiles(corpus, options)
    _warn(profiles.skipped, lang)
    if profiles.skipped:
        click.echo(_say(lang, "cli.profile_summary", n=len(profiles.rows), skipped=len(profiles.skipped)), err=True)
    _emit(render_corpus_profiles(profiles, fmt, template_dir, lang), output, read, lang)


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
              help="HTML report to write [default: A_vs_B.html; a folder gets that name inside]; with --all, a folder "
                   "[default: PLAN_vs_corpus].")
@click.option("--json", "json_out", metavar="FILE", help="Also write the comparison as JSON to FILE ('-' for stdout).")
@click.option("--no-html", is_flag=True, help="Write no HTML report (with --json).")
@template_dir_option
@click.option("--threshold", type=ThresholdType(), default="auto", show_default=True,
              help="Min cosine in [0, 1] for a unit pair; auto = 0.2. A pair must also stand out from the "
                   "background similarity of its two sections (see README: How alignment works).")
@click.option("--clause-threshold", type=click.FloatRange(0, 1), default=0.3, show_default=True,
              help="Min cosine in [0, 1] for a clause pair.")
@lang_option
@meta_option
@click.option("--top-clauses", type=click.IntRange(0), default=50, show_default=True,
              help="How many of the most similar clause pairs to list.")
@click.option("--decisions", metavar="FILE",
              help="A reviewer's decisions (exported from a report): their pairs are kept, their unpairs never "
                   "proposed, the rest aligned around them (README: Correcting an alignment by hand).")
@corpus_option
@with_input_options
@_fail_cleanly
def run(plan_a, plan_b, all_plans, output, json_out, no_html, template_dir, threshold,
        clause_threshold, top_clauses, lang, meta, decisions, corpus, input_format, encoding):
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
                    stand in B; every section of both plans appears exactly
                    once. kind: same, changed, moved, split, merge, only_a,
                    only_b. role: unit (measure or article), container
                    (heading over units), item (inside an article).
                    renumbered: one section a side, same numbering style,
                    different numbers (第五条 ↔ 第六条). clauses: the pair's clause
                    alignment [{a, b, score, kind}], kind same, changed,
                    only_a or only_b, in A's order. A pair with both sides
                    has force {a, b, change}: each side's tier (binding,
                    directive, supportive, exploratory, none) and change
                    (stronger, weaker, same); so has each clause row with
                    both sides.
      force         {a: {tier: clauses}, b: {tier: clauses}}
      clause_pairs  [{a: clause id, b: clause id, score}], best first
      moves         partial moves: [{a: unit id, b: unit id, sentences, of,
                    clauses: [[A clause id, B clause id]]}]: "sentences of
                    the `of` sentences of A's unit now stand in B's unit"
      stale_decisions  decisions (--decisions) whose sections no longer
                    resolve: [{action, a, b, note, reason}]; a pair made
                    or confirmed by a decision carries decided: "pair" or
                    "checked" (and its note)

    \b
    Example:
      compare run 成渝共建 zj-local-finance-regulation-2020 --corpus ../shared/corpus
      compare run 成渝 aml-law-2024 --corpus ../shared/corpus -o aml.html --json aml.json
      compare run --all 成渝 --corpus ../shared/corpus -o reports/
      compare run 成渝 aml-law-2024 --corpus ../shared/corpus --decisions reviewed.json
    """
    from .output import check_targets, into_folder, write_outputs
    from .report import comparison_json, render_html, summary_line

    options = Options(threshold=threshold, clause_threshold=clause_threshold,
                      top_clauses=top_clauses, format=input_format, encoding=encoding, lang=lang, meta=meta)
    if all_plans:
        if plan_b or json_out or no_html or decisions:
            raise click.UsageError("--all takes one PLAN and -o DIR, and writes HTML only (no --decisions)")
        with _progress("comparing") as progress:
            written, skipped = api.run_all(plan_a, output, corpus, options, template_dir, progress=progress)
        _warn(skipped, lang)
        click.echo(_say(lang, "cli.wrote_all", n=len(written), folder=written[-1].parent, reports=len(written) - 1)
                   + (_say(lang, "cli.skipped", n=len(skipped)) if skipped else ""), err=True)
        return
    if not plan_b:
        raise click.UsageError("PLAN_B is missing (or use --all)")
    if no_html and not json_out:
        raise click.UsageError("--no-html needs --json")
    read = api.inputs(plan_a, plan_b, corpus=corpus)
    default = f"{Path(read[0]).stem}_vs_{Path(read[1]).stem}"
    output = into_folder(output, default + ".html") if output else default + ".html"
    json_out = into_folder(json_out, default + ".json") if json_out and json_out != "-" else json_out
    read += [f for f in (decisions, meta) if f]  # never written over either
    check_targets([t for t in (output, json_out) if t and t != "-"], read)  # before the work, not after
    comparison = api.compare(plan_a, plan_b, corpus, options, decisions)
    _warn(comparison.warnings, lang)
    outputs = []  # everything is rendered before anything is written
    if json_out and json_out != "-":
        outputs.append((json_out, comparison_json(comparison)))
    if not no_html:
        outputs.append((output, render_html(comparison, options, template_dir)))
    for path in write_outputs(outputs, read):
        click.echo(_say(lang, "cli.wrote", path=path), err=True)
    if json_out == "-":
        click.echo(comparison_json(comparison), nl=False)
    click.echo(summary_line(comparison, lang), err=True)


class _progress:
    """A progress bar on stderr when it is a terminal; silent otherwise. Yields a callback(done, total, label)."""

    def __init__(self, label: str):
        self.label, self.bar = label, None

    def __enter__(self):
        if not sys.stderr.isatty():
            return None

        def update(done, total, item):
            if self.bar is None:
                self.bar = click.progressbar(length=total, label=self.label, file=sys.stderr)
                self.bar.__enter__()
            self.bar.update(1)

        return update

    def __exit__(self, *exc):
        if self.bar is not None:
            self.bar.__exit__(*exc)
        return False


index_option = click.option("--index", "index_path", type=click.Path(dir_okay=False),
                            help="Index file [default: CORPUS/.compare/index.sqlite].")
output_format = click.option("--format", "fmt", type=click.Choice(["table", "json", "csv"]), default="table",
                             show_default=True, help="table for reading; json is one object per line; csv has a BOM for Excel.")
output_file = click.option("-o", "--output", metavar="FILE", help="Write to FILE instead of standard output.")


def _emit(text: str, output: str | None, inputs, lang) -> None:
    from .output import write_output

    if output:
        click.echo(_say(lang, "cli.wrote", path=write_output(output, text, inputs)), err=True)
    else:
        click.echo(text, nl=False)


def _index_line(report, lang) -> str:
    line = _say(lang, "cli.index_summary", added=len(report.added), updated=len(report.updated),
                removed=len(report.removed), unchanged=report.unchanged)
    return line + (_say(lang, "cli.index_skipped", n=len(report.skipped)) if report.skipped else "")


def _index_summary(report, lang) -> None:
    _warn(report.warnings + report.skipped, lang)
    if report.changed or report.skipped:
        click.echo(_index_line(report, lang), err=True)


def _corpus_query(call, render, fmt, output, plan, corpus, lang) -> None:
    """Refresh the index (progress on a terminal), run one query, write the rendered result."""
    from .output import check_targets

    read = api.inputs(plan, corpus=corpus)
    check_targets([output] if output else [], read)
    with _progress("indexing") as progress:
        result, report = call(progress)
    _index_summary(report, lang)
    _emit(render(result, fmt), output, read, lang)


@main.command()
@corpus_option
@index_option
@click.option("--jobs", type=click.IntRange(1), help="Worker processes for parsing and tokenizing "
              "[default: cores, when 64 or more files changed; else one process].")
@meta_option
@lang_option
@_fail_cleanly
def index(corpus, index_path, jobs, meta, lang):
    """Build or refresh the corpus index (incremental: only new and changed files are read).

    The seed plans (seeds/) are indexed with the corpus. Bad files are skipped with
    a warning; the summary counts them. With --meta, the index keeps the file's
    titles, dates and issuers for later queries.

    \b
    Example:
      compare index --corpus ../shared/corpus
      compare index --corpus ../shared/corpus --meta ../shared/corpus/MANIFEST.tsv
    """
    with _progress("indexing") as progress:
        report = api.index(corpus, index_path, progress=progress, jobs=jobs, meta=meta)
    _warn(report.warnings + report.skipped, lang)
    click.echo(_index_line(report, lang) + _say(lang, "cli.index_chars", chars=f"{report.chars:,}"))


@main.command()
@click.argument("plan")
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="How many plans to list.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.2, show_default=True,
              help="Min cosine in [0, 1] for a section to count as covered.")
@click.option("--clause-threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Min cosine in [0, 1] for a clause to count as shared.")
@keep_duplicates_option
@meta_option
@lang_option
@output_format
@output_file
@corpus_option
@index_option
@_fail_cleanly
def rank(plan, top, threshold, clause_threshold, keep_duplicates, meta, lang, fmt, output, corpus, index_path):
    """The corpus plans (seeds included) most similar to PLAN.

    \b
    Columns:
      score           cosine of the two plans' whole TF-IDF vectors, in [0, 1]
      coverage        share of PLAN's measures/articles that some section of
                      the plan matches at cosine >= --threshold: a cosine
                      reach, an upper bound on what 'compare run' pairs (a
                      pair there must also stand out from the background)
      shared clauses  PLAN's clauses whose best match there is >= --clause-threshold
      duplicates      near-identical plans, counted once in this row

    \b
    Example:
      compare rank 成渝 --corpus ../shared/corpus --top 5
    """
    from .pages import render_rank

    _corpus_query(lambda progress: api.rank(plan, corpus, index_path, top, threshold, clause_threshold, progress,
                                            keep_duplicates, meta),
                  lambda result, f: render_rank(result, f, lang, threshold), fmt, output, plan, corpus, lang)


@main.command()
@click.argument("plan", required=False)
@click.option("--query", help="Search for this text instead of PLAN's clauses.")
@click.option("--top", "top", type=click.IntRange(1), default=5, show_default=True, help="Hits per clause.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.3, show_default=True, help="Min cosine in [0, 1].")
@click.option("--per-plan", type=click.IntRange(1), default=3, show_default=True,
              help="At most this many hits per clause from one plan.")
@keep_duplicates_option
@meta_option
@lang_option
@output_format
@output_file
@corpus_option
@index_option
@_fail_cleanly
def clauses(plan, query, top, min_score, per_plan, keep_duplicates, meta, lang, fmt, output, corpus, index_path):
    """For each clause of PLAN, or for --query, the most similar clauses in the corpus (seeds included).

    Each hit gives plan, date, section path, clause text and score. Boilerplate
    (a clause found in at least 30% of plans, and 3) is marked and ranked at half
    its score. Hits that are near-identical to one another (cosine >= 0.9) form a
    group: the group names its earliest-dated plan once ("first said"), and each
    hit says whether it is the earliest of its group (JSON/CSV: group,
    group_plans, group_first_plan, group_first_date, earliest).

    \b
    Example:
      compare clauses 成渝 --corpus ../shared/corpus --top 3 --min-score 0.5
      compare clauses --query "支持小额贷款公司、融资担保公司规范发展" --corpus ../shared/corpus
    """
    from .pages import render_clauses

    if (plan is None) == (query is None):
        raise click.UsageError("give a PLAN or --query, not both")
    _corpus_query(lambda progress: api.clauses(plan, query, corpus, index_path, top, min_score, progress, per_plan,
                                               keep_duplicates, meta),
                  lambda result, f: render_clauses(result, f, lang), fmt, output, plan, corpus, lang)


@main.command()
@click.argument("plan", required=False)
@click.option("-o", "--output", metavar="FILE", required=True, help="HTML page to write.")
@click.option("--top", type=click.IntRange(2), default=40, show_default=True,
              help="How many of the plans most similar to PLAN to show.")
@template_dir_option
@lang_option
@keep_duplicates_option
@meta_option
@corpus_option
@index_option
@_fail_cleanly
def matrix(plan, output, top, template_dir, lang, keep_duplicates, meta, corpus, index_path):
    """One HTML page: a clustered plan x plan heatmap, and PLAN's coverage table.

    PLAN defaults to the seed plan; the other seeds are rows like corpus plans.
    A coverage column links to its pairwise report where that report stands
    beside the page ('compare run --all PLAN -o DIR' writes them all).

    \b
    Example:
      compare matrix --corpus ../shared/corpus -o matrix.html
    """
    from .corpus import seed_dirs, plan_files
    from .output import check_targets, write_output
    from .pages import render_matrix

    if plan is None:
        seeds = [p for d in seed_dirs() for p in plan_files(d)]
        if not seeds:
            raise click.UsageError("no seed plan found: give PLAN")
        plan = str(seeds[0])
    read = api.inputs(plan, corpus=corpus)
    check_targets([output], read)
    with _progress("indexing") as progress:
        m, report = api.matrix(plan, corpus, index_path, top, progress, keep_duplicates, meta,
                               reports_dir=str(Path(output).parent))
    _index_summary(report, lang)
    click.echo(_say(lang, "cli.wrote", path=write_output(output, render_matrix(m, template_dir, lang), read)), err=True)


@main.command()
@click.option("-o", "--output", "out_dir", metavar="DIR", required=True,
              help="Folder for clusters.parquet, members.parquet, edges.parquet and index.html.")
@click.option("--scheduler", metavar="ADDRESS",
              help="Dask scheduler, e.g. tcp://host:8786 [default: a LocalCluster on this machine's cores]; "
                   "'local' runs in this process without Dask.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.8, show_default=True,
              help="Min cosine in [0, 1] for two clauses to count as one reused clause.")
@click.option("--workers", type=click.IntRange(1), help="Worker processes of the LocalCluster [default: cores].")
@click.option("--format", "fmt", type=click.Choice(["json", "csv"]),
              help="Also print the clusters: json is one object per line; csv has a BOM for Excel.")
@lang_option
@click.option("--no-index", is_flag=True, help="Do not keep the clusters in the corpus index.")
@corpus_option
@index_option
@_fail_cleanly
def reuse(out_dir, scheduler, threshold, workers, fmt, lang, no_index, corpus, index_path):
    """Text reuse across the whole corpus: every clause of every plan against all other plans, on Dask.

    Candidates come from MinHash LSH over each clause's tokens; each is verified
    with the TF-IDF cosine 'compare clauses' uses. Near-duplicates form clusters,
    each with its plans, the plan that said it first (earliest date, ties by
    name) and a boilerplate flag; plan -> plan edges count the clauses two plans
    share, from the earlier to the later. Workers read the plan files
    themselves: on a cluster, the corpus must be at the same path for all.

    The clusters are also kept in the corpus index (--index, default the
    corpus's own; --no-index not): while the plans are unchanged, 'compare
    clauses' and the pair report's clause panel then say "appears in N plans,
    first in X (date)" for a clause of a cluster.

    \b
    JSON (one object per cluster):
      {"id", "size" (plans), "plans": [{plan, date, sections}],
       "first": {"plan", "date"}, "boilerplate", "text"}

    \b
    Example:
      compare reuse --corpus ../shared/corpus -o reuse/
      compare reuse --corpus /shared/plans --scheduler tcp://10.0.0.5:8786 -o reuse/ --format json
    """
    from .reuse_output import render_clusters, summary_line

    with _progress("reuse") as progress:
        result, written = api.reuse(corpus, out_dir, scheduler, threshold, workers, progress=progress,
                                    on_dashboard=lambda link: click.echo(_say(lang, "cli.dashboard", link=link), err=True),
                                    lang=lang, index_path=index_path, keep_in_index=not no_index)
    _warn(result.skipped + result.warnings, lang)
    if fmt:
        click.echo(render_clusters(result, fmt), nl=False)
    click.echo(_say(lang, "cli.wrote_files", n=len(written), folder=written[0].parent), err=True)
    if result.index:
        click.echo(_say(lang, "cli.reuse_index", path=result.index), err=True)
    click.echo(summary_line(result, lang), err=True)


if __name__ == "__main__":  # pragma: no cover
    main(sys.argv[1:])
