"""The corpus commands: index, rank, clauses, matrix and reuse, over the corpus index."""
from __future__ import annotations

from pathlib import Path

import click

from . import api
from .cli_common import (corpus_option, corpus_query, corpus_query_options, emit, fail_cleanly, index_line,
                         index_option, index_summary, keep_duplicates_option, lang_option, meta_option, progress_bar,
                         say, stdout_dash, template_dir_option, warn)


@click.command()
@corpus_option
@index_option
@click.option("--jobs", type=click.IntRange(1), help="Worker processes for parsing and tokenizing "
              "[default: the cores, at most 4, when 64 or more files changed; else one process].")
@meta_option
@lang_option
@fail_cleanly
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
    with progress_bar("progress.indexing", lang) as progress:
        report = api.index(corpus, index_path, progress=progress, jobs=jobs, meta=meta)
    warn(report.warnings + report.skipped, lang)
    click.echo(index_line(report, lang) + say(lang, "cli.index_chars", chars=f"{report.chars:,}"))


@click.command()
@click.argument("plan")
@click.option("--top", type=click.IntRange(1), default=10, show_default=True, help="How many plans to list.")
@click.option("--threshold", type=click.FloatRange(0, 1), default=0.2, show_default=True,
              help="Min cosine in [0, 1] for a section to count as covered.")
@click.option("--clause-threshold", type=click.FloatRange(0, 1), default=0.5, show_default=True,
              help="Min cosine in [0, 1] for a clause to count as shared.")
@corpus_query_options
@fail_cleanly
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

    corpus_query(lambda progress: api.rank(plan, corpus, index_path, top, threshold, clause_threshold, progress,
                                            keep_duplicates, meta),
                  lambda result, f: render_rank(result, f, lang, threshold), fmt, output, plan, corpus, lang, meta)


@click.command()
@click.argument("plan", required=False)
@click.option("--query", help="Search for this text instead of PLAN's clauses.")
@click.option("--top", "top", type=click.IntRange(1), default=5, show_default=True, help="Hits per clause.")
@click.option("--min-score", type=click.FloatRange(0, 1), default=0.3, show_default=True, help="Min cosine in [0, 1].")
@click.option("--per-plan", type=click.IntRange(1), default=3, show_default=True,
              help="At most this many hits per clause from one plan.")
@corpus_query_options
@fail_cleanly
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

    if plan is not None and query is not None:
        raise click.UsageError("give a PLAN or --query, not both")
    if plan is None and not (query or "").strip():
        raise click.UsageError("give a PLAN, or --query with some text" if query is None else "--query is empty")
    corpus_query(lambda progress: api.clauses(plan, query, corpus, index_path, top, min_score, progress, per_plan,
                                               keep_duplicates, meta),
                  lambda result, f: render_clauses(result, f, lang), fmt, output, plan, corpus, lang, meta)


@click.command()
@click.argument("plan", required=False)
@click.option("-o", "--output", metavar="FILE", required=True, callback=stdout_dash,
              help="HTML page to write ('-': standard output).")
@click.option("--top", type=click.IntRange(2), default=40, show_default=True,
              help="How many of the plans most similar to PLAN to show.")
@template_dir_option
@lang_option
@keep_duplicates_option
@meta_option
@corpus_option
@index_option
@fail_cleanly
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
    from .output import check_targets
    from .pages import render_matrix

    if plan is None:
        seeds = [p for d in seed_dirs() for p in plan_files(d)]
        if not seeds:
            raise click.UsageError("no seed plan found: give PLAN")
        plan = str(seeds[0])
    read = api.inputs(plan, corpus=corpus, also=[meta])
    check_targets([output] if output else [], read)
    with progress_bar("progress.indexing", lang) as progress:  # on standard output, links go to the working folder
        m, report = api.matrix(plan, corpus, index_path, top, progress, keep_duplicates, meta,
                               reports_dir=str(Path(output).parent) if output else ".")
    index_summary(report, lang)
    emit(render_matrix(m, template_dir, lang), output, read, lang)


@click.command()
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
@fail_cleanly
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

    if out_dir == "-":
        raise click.BadParameter("reuse writes several files into a folder; '-' (standard output) is not one "
                                 "(--format json|csv prints the clusters)", param_hint="'-o'")
    with progress_bar("progress.reuse", lang) as progress:
        result, written = api.reuse(corpus, out_dir, scheduler, threshold, workers, progress=progress,
                                    on_dashboard=lambda link: click.echo(say(lang, "cli.dashboard", link=link), err=True),
                                    lang=lang, index_path=index_path, keep_in_index=not no_index)
    warn(result.skipped + result.warnings, lang)
    if fmt:
        click.echo(render_clusters(result, fmt), nl=False)
    click.echo(say(lang, "cli.wrote_files", n=len(written), folder=written[0].parent), err=True)
    if result.index:
        click.echo(say(lang, "cli.reuse_index", path=result.index), err=True)
    click.echo(summary_line(result, lang), err=True)



COMMANDS = [index, rank, clauses, matrix, reuse]
