"""The few calls people make from Python, a notebook or the CLI.

    >>> from compare import api
    >>> doc = api.outline("seeds/chengyu-western-financial-centre-plan-2021.md")
    >>> comparison = api.compare("成渝共建", "zj-local-finance-regulation-2020", corpus="../shared/corpus")
"""
from __future__ import annotations

from .corpus import resolve
from .meta import MetaInForce, read_meta
from .models import Document, Options
from .sections import load_plan


def outline(plan: str, corpus: str | None = None, options: Options | None = None) -> Document:
    """Load and parse one plan, named by path or by name."""
    return load_plan(resolve(plan, corpus), options or Options())


def compare(plan_a: str, plan_b: str, corpus: str | None = None, options: Options | None = None,
            decisions: str | None = None, index_path: str | None = None):
    """Compare two plans, named by path or by name; TF-IDF fitted over the corpus plus both plans.

    ``decisions``: a reviewer's decisions file (README "Correcting an alignment by hand"); its pairs are
    kept as given, its unpairs never proposed, and the rest aligned around them. ``index_path``: the corpus
    index whose reuse results and ``--meta`` entries the comparison reads (default the corpus's own); it is
    read only, never written.
    """
    from .align import compare as align
    from .corpus import corpus_dir, plan_files
    from .decisions import load as load_decisions
    from .tfidf import corpus_stats

    options = options or Options()
    force = meta_in_force(options.meta, corpus, index_path)
    a = force.apply(load_plan(resolve(plan_a, corpus), options))
    b = force.apply(load_plan(resolve(plan_b, corpus), options))
    decided = load_decisions(decisions, a, b) if decisions is not None else None
    warnings = a.warnings + b.warnings + (decided.warnings if decided else [])
    stats = corpus_stats([a, b], plan_files(corpus_dir(corpus)), options, warnings)
    comparison = align(a, b, stats, options, decided)
    comparison.warnings = warnings
    comparison.options = options  # to_html renders in the language and with the settings it was run with
    comparison.reuse = _kept_reuse(a, b, corpus_dir(corpus), force, index_path)
    return comparison


def _index_file(folder, index_path=None, required: bool = True):
    """The corpus index a command reads without refreshing it (``index_path``, else the folder's own), or
    None where there is none. An ``index_path`` given must be an index of compare (IndexProblem if not), and
    must exist if ``required``."""
    from pathlib import Path

    from .indexfile import default_index_path

    if index_path:
        from .errors import IndexProblem
        from .indexfile import ownership

        index = Path(index_path)
        if not index.exists() and not required:
            return None
        if not index.exists():
            raise IndexProblem("no such index file (compare index --index FILE or compare reuse --index FILE "
                               "writes one)", str(index))
        ownership(index, 5.0)  # another program's file, a FIFO, a folder: refused, as every command refuses it
    else:
        index = default_index_path(folder) if folder.is_dir() else None
    return index if index is not None and index.is_file() else None


def meta_in_force(meta: str | None, corpus: str | None = None, index_path: str | None = None,
                  required: bool = True) -> MetaInForce:
    """The metadata overrides a command applies: the ``--meta`` file given, else the entries the corpus
    index keeps (README: Dates and --meta), as rank and clauses apply them. ``required``: an ``index_path``
    given must exist (not for reuse, which writes it)."""
    from .corpus import corpus_dir, seed_dirs

    if meta:
        return MetaInForce(given=read_meta(meta))
    folder = corpus_dir(corpus)
    index = _index_file(folder, index_path, required)
    if index is None:  # no index: SQLite is not opened
        return MetaInForce()
    from .indexfile import kept_overrides

    return MetaInForce(kept=kept_overrides(index), folder=folder, seeds=seed_dirs())


def _kept_reuse(a: Document, b: Document, folder, force: MetaInForce | None = None, index_path=None) -> dict:
    """What the corpus index's reuse results say of A's and B's clauses, where current: {"a": {clause id:
    {cluster, plans, first_plan, first_date}}, "b": {…}}; empty sides without an index or results.
    ``force``: the metadata in force, for the plans' dates; ``index_path``: the index (default the corpus's)."""
    index = _index_file(folder, index_path)
    if index is None:  # no index: the store and SQLite readers are not imported
        return {"a": {}, "b": {}}
    from .reuse_index import for_plans

    found = for_plans(index, folder, [a, b], force)
    return {"a": found[0], "b": found[1]}


def profile(plan: str, corpus: str | None = None, options: Options | None = None):
    """PLAN's policy-force profile (compare.force.PlanProfile): clauses per tier, per 10,000 characters,
    and each top-level part's shares."""
    from .force import plan_profile
    from .tokenize import Segmentation

    options = options or Options()
    doc = meta_in_force(None, corpus).apply(load_plan(resolve(plan, corpus), options))
    return plan_profile(doc, Segmentation.of(doc.text, options.cache_dir), options.cache_dir)


def profiles(corpus: str | None = None, options: Options | None = None):
    """Every plan's force profile, seeds and corpus, ordered by date (compare.force.CorpusProfiles), with the
    median binding share by genre and the trend of binding+directive share over time. A file that cannot be
    read is skipped (``.skipped``: "path: reason"); a file whose content is already listed appears once."""
    from .corpus import plan_files, seed_dirs
    from .errors import CompareError
    from .force import corpus_profiles, corpus_row, plan_profile
    from .tfidf import file_digest
    from .tokenize import Segmentation

    options = options or Options()
    folder = _folder(corpus)
    rows, skipped, seen = [], [], set()
    force = meta_in_force(None, corpus)
    for path in [p for d in seed_dirs() + [folder] for p in plan_files(d)]:
        try:
            digest = file_digest(path, options.max_bytes)
            if digest in seen:
                continue
            seen.add(digest)
            doc = force.apply(load_plan(path, options))
            rows.append(corpus_row(plan_profile(doc, Segmentation.of(doc.text, options.cache_dir), options.cache_dir),
                                   str(path)))
        except CompareError as exc:
            skipped.append(exc.note())  # "path: reason", in the interface language where it is shown
    return corpus_profiles(rows, skipped)


def inputs(*plans: str | None, corpus: str | None = None, also=()) -> list:
    """Every file a command reads: the plans named, the seeds, the corpus plans and ``also`` (a --meta or
    --decisions file; None is skipped). Outputs never replace them."""
    from .corpus import corpus_dir, plan_files, seed_dirs

    named = [resolve(p, corpus) for p in plans if p]
    return named + [p for d in seed_dirs() + [corpus_dir(corpus)] for p in plan_files(d)] + [f for f in also if f]


def seed_plans() -> dict:
    """The seed plans, as extra corpus rows keyed ``seeds/NAME`` (the first seeds folder wins a name)."""
    from .corpus import plan_files, seed_dirs

    found = {}
    for folder in seed_dirs():
        for p in plan_files(folder):
            found.setdefault(f"seeds/{p.name}", p)
    return found


def _folder(corpus):
    """The corpus folder, which must exist: CorpusNotFound (one line naming it, exit status 4) otherwise."""
    from .corpus import corpus_dir
    from .errors import CorpusNotFound

    folder = corpus_dir(corpus)
    if not folder.is_dir():
        raise CorpusNotFound(str(folder))
    return folder


def index(corpus: str | None = None, index_path: str | None = None, progress=None, jobs: int | None = None,
          meta: str | None = None):
    """Build or refresh the corpus index (the corpus folder and the seeds); returns an IndexReport (added,
    updated, removed, skipped, warnings). ``meta``: a --meta file whose entries the index keeps."""
    from pathlib import Path

    from .store import refresh

    folder = _folder(corpus)
    return refresh(folder, Path(index_path) if index_path else None, jobs=jobs, progress=progress,
                   extra=seed_plans(), meta=read_meta(meta) if meta else None)


def _corpus(corpus, index_path, progress, meta=None):
    from pathlib import Path

    from .store import open_corpus

    folder = _folder(corpus)
    return open_corpus(folder, Path(index_path) if index_path else None, progress=progress, extra=seed_plans(),
                       meta=read_meta(meta) if meta else None)


def _query_doc(plan, corpus, indexed):
    """The query plan, with the metadata the index keeps for it (from --meta) where it is indexed."""
    from .ranking import is_self

    doc = load_plan(resolve(plan, corpus))
    for d in indexed.docs:
        if is_self(d, doc):
            doc.title, doc.date, doc.issuers = d["title"], d["date"], d["issuers"]
            break
    return doc


def rank(plan: str, corpus: str | None = None, index_path: str | None = None, top: int = 10,
         threshold: float = 0.2, clause_threshold: float = 0.5, progress=None, keep_duplicates: bool = False,
         meta: str | None = None):
    """Corpus plans most similar to PLAN: (list[PlanRank], IndexReport)."""
    from .ranking import query_plan, rank_plans

    indexed, report = _corpus(corpus, index_path, progress, meta)
    q = query_plan(_query_doc(plan, corpus, indexed), indexed)
    return rank_plans(q, indexed, top, threshold, clause_threshold, keep_duplicates), report


def clauses(plan: str | None = None, query: str | None = None, corpus: str | None = None,
            index_path: str | None = None, top: int = 5, min_score: float = 0.3, progress=None,
            per_plan: int = 3, keep_duplicates: bool = False, meta: str | None = None):
    """The corpus clauses (seeds included) most similar to each clause of PLAN, or to a query text:
    (ClauseResults, IndexReport). At most ``per_plan`` hits per plan; near-identical plans searched once."""
    from .ranking import QUERY_ID, own_plans, query_places, query_plan, query_text, similar_clauses

    indexed, report = _corpus(corpus, index_path, progress, meta)
    if query is not None:
        return similar_clauses(query_text(query, indexed), [QUERY_ID], [query], indexed, top, min_score,
                               per_plan=per_plan, keep_duplicates=keep_duplicates), report
    q = query_plan(_query_doc(plan, corpus, indexed), indexed)
    results = similar_clauses(q.clause_rows, q.clause_ids, q.clause_texts, indexed, top, min_score,
                              own_plans(q, indexed, keep_duplicates), per_plan, keep_duplicates)
    results.query_places = query_places(q.doc, q.clause_ids)
    return results, report


def matrix(plan: str, corpus: str | None = None, index_path: str | None = None, top: int = 40, progress=None,
           keep_duplicates: bool = False, meta: str | None = None, reports_dir: str | None = None):
    """Plan × plan similarity (clustered) and PLAN's coverage table: (Matrix, IndexReport).

    ``reports_dir``: the folder the page goes to; a coverage column links its pairwise report only where
    that report is there.
    """
    from pathlib import Path

    from .corpus import corpus_dir, plan_files
    from .errors import Note
    from .ranking import build_matrix, query_plan
    from .report import pair_file_name

    indexed, report = _corpus(corpus, index_path, progress, meta)
    m = build_matrix(query_plan(_query_doc(plan, corpus, indexed), indexed), indexed, top, keep_duplicates)
    if not plan_files(corpus_dir(corpus)):  # a page of the seeds alone: say why, not just show it
        folder_name = str(corpus_dir(corpus))
        report.warnings.append(Note("warn.empty_corpus", f"{folder_name}: no plan files in the corpus folder; "
                                    "the page holds the seeds alone", path=folder_name))
    folder = Path(reports_dir) if reports_dir is not None else None
    m.reports = [name if folder is not None and (folder / name).is_file() else None
                 for name in (pair_file_name(m.seed["name"], col["name"]) for col in m.columns)]
    return m, report


def run_all(plan: str, out_dir: str | None = None, corpus: str | None = None, options: Options | None = None,
            template_dir: str | None = None, index_path: str | None = None, top: int = 40, progress=None):
    """Reports for PLAN against every corpus plan, and the matrix page, written into OUT_DIR
    (default: a folder named after the plan, PLAN_vs_corpus).

    Returns (written paths, skipped "path: reason" lines). A bad corpus file is skipped, not fatal.
    """
    from pathlib import Path

    from .corpus import corpus_dir, plan_files
    from .errors import CompareError
    from .errors import BadArgument
    from .output import check_targets, write_output
    from .pages import render_matrix
    from .report import render_html, report_name

    options = options or Options()
    _folder(corpus)  # before any report is written: the matrix page at the end needs the corpus
    out = Path(out_dir) if out_dir else Path(f"{Path(resolve(plan, corpus)).stem}_vs_corpus")
    if out.exists() and not out.is_dir():
        raise BadArgument("is not a folder; --all writes a report per plan into -o DIR", str(out_dir))
    from .tfidf import file_digest

    def digest(path):  # None for a file that cannot be read: compare() reports it, as a skip
        try:
            return file_digest(path, options.max_bytes)  # remembered: each pair's corpus_stats hashes none again
        except CompareError:
            return None

    a = resolve(plan, corpus)
    own = digest(a)
    plans = list(seed_plans().values()) + plan_files(corpus_dir(corpus))
    others = [p for p in plans if p.resolve() != Path(a).resolve() and (own is None or digest(p) != own)]
    read = [a, *plans] + ([options.meta] if options.meta else [])  # never written over: a plan named index.html
    check_targets([out / "index.html"], read)  # before the work, not after
    written, skipped = [], []
    for k, other in enumerate(others, start=1):
        if progress:
            progress(k, len(others), str(other))
        try:
            comparison = compare(str(a), str(other), corpus, options, index_path=index_path)
            written.append(write_output(out / report_name(comparison), render_html(comparison, options, template_dir),
                                        inputs=read))
        except CompareError as exc:
            skipped.append(exc.note())
    m, report = matrix(str(a), corpus, index_path, top, meta=options.meta, reports_dir=str(out))
    written.append(write_output(out / "index.html", render_matrix(m, template_dir, options.lang), inputs=read))
    return written, list(dict.fromkeys(skipped + report.skipped))  # one line per bad file


def reuse(corpus: str | None = None, out_dir: str = "reuse", scheduler: str | None = None,
          threshold: float | None = None, workers: int | None = None, partitions: int | None = None,
          progress=None, on_dashboard=None, template_dir: str | None = None, lang: str | None = None,
          index_path: str | None = None, keep_in_index: bool = True):
    """Corpus-wide text reuse on Dask: clusters, first-said plans and diffusion edges, written into OUT_DIR
    (clusters.parquet, members.parquet, edges.parquet, index.html). Returns (ReuseResult, written paths).

    Unless ``keep_in_index`` is false, the clusters are also kept in the corpus index (``index_path``, default
    the corpus's own), where ``compare clauses`` and the pair report read them while the plans are unchanged;
    ``result.index`` names it and ``result.warnings`` holds its notes.

    ``scheduler`` is a Dask scheduler address (``tcp://host:8786``); without one a LocalCluster of ``workers``
    processes (default: the cores) starts here, and ``scheduler="local"`` runs in this process without Dask.
    ``on_dashboard(link)`` is called once the cluster is up. Bad plan files are skipped (``result.skipped``).
    """
    from pathlib import Path

    from .corpus import plan_files
    from .errors import BadArgument, CompareError
    from .output import check_targets, write_outputs
    from .reuse import DEFAULT_THRESHOLD
    from .reuse_engine import InProcess, OnDask, run_job
    from .reuse_output import outputs

    folder = _folder(corpus)
    files = plan_files(folder)
    if not files:
        raise CompareError("no plan files in the corpus folder", str(folder))
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise BadArgument("is not a folder; reuse writes its tables and index.html into -o DIR", str(out_dir))
    check_targets([out / n for n in ("clusters.parquet", "members.parquet", "edges.parquet", "index.html")], files)
    executor = InProcess(progress) if scheduler == "local" else OnDask(scheduler, workers, progress)
    try:
        if on_dashboard and executor.dashboard:
            on_dashboard(executor.dashboard)
        result = run_job(files, executor, DEFAULT_THRESHOLD if threshold is None else threshold, partitions,
                         overrides=meta_in_force(None, corpus, index_path, required=False).entry)
    finally:
        executor.close()
    written = write_outputs(outputs(result, out, template_dir, lang), files)
    if keep_in_index:
        from .reuse_index import save
        from .store import default_index_path

        target = Path(index_path) if index_path else default_index_path(folder)
        result.warnings += save(target, folder, files, result)
        result.index = str(target)
    return result, written
