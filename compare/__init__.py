"""compare: section-by-section comparison of Chinese policy plans.

For notebooks::

    import compare
    c = compare.run("成渝共建西部金融中心规划", "zj-local-finance-regulation-2020", corpus="../shared/corpus")
    c.to_html("report.html"); data = c.to_json()
    for pair in c.pairs: a_texts, b_texts = c.texts(pair)
    rows = compare.rank("成渝共建西部金融中心规划", corpus="../shared/corpus")  # pd.DataFrame(rows)

Heavy modules load on first use: ``import compare`` alone costs next to nothing.
"""
__version__ = "0.1.0"

__all__ = ["run", "rank", "clauses", "outline", "Options"]


def run(plan_a: str, plan_b: str, corpus: str | None = None, decisions: str | None = None, **options):
    """Compare two plans (paths or names); returns a Comparison. ``decisions``: a reviewer's decisions file;
    ``options``: fields of compare.Options, kept on the Comparison (its to_html speaks ``lang``)."""
    from . import api
    from .models import Options

    return api.compare(plan_a, plan_b, corpus, Options(**options), decisions)


def rank(plan: str, corpus: str | None = None, top: int = 10, **kwargs) -> list[dict]:
    """The corpus plans most similar to PLAN, best first, as rows (dicts) that pandas takes as they are."""
    from dataclasses import asdict

    from . import api

    ranks, _ = api.rank(plan, corpus, top=top, **kwargs)
    return [asdict(r) for r in ranks]


def clauses(plan: str | None = None, query: str | None = None, corpus: str | None = None, **kwargs) -> list[dict]:
    """For each clause of PLAN, or for a query text, the most similar corpus clauses, as rows (dicts)."""
    from dataclasses import asdict

    from . import api

    results, _ = api.clauses(plan, query, corpus, **kwargs)
    return [asdict(h) for h in results.hits]


def outline(plan: str, corpus: str | None = None):
    """Load and parse one plan; returns a Document with its section tree."""
    from . import api

    return api.outline(plan, corpus)


def __getattr__(name):  # compare.Options without importing the pipeline up front
    if name == "Options":
        from .models import Options

        return Options
    raise AttributeError(name)
