"""The few calls people make from Python, a notebook or the CLI.

    >>> from compare import api
    >>> doc = api.outline("seeds/chengyu-western-financial-centre-plan-2021.md")
    >>> comparison = api.compare("成渝共建", "zj-local-finance-regulation-2020", corpus="../shared/corpus")
"""
from __future__ import annotations

from .corpus import resolve
from .models import Document, Options
from .sections import load_plan


def outline(plan: str, corpus: str | None = None, options: Options | None = None) -> Document:
    """Load and parse one plan, named by path or by name."""
    return load_plan(resolve(plan, corpus), options or Options())


def compare(plan_a: str, plan_b: str, corpus: str | None = None, options: Options | None = None):
    """Compare two plans, named by path or by name; TF-IDF fitted over the corpus plus both plans."""
    from .align import compare as align
    from .corpus import corpus_dir, plan_files
    from .index import corpus_stats

    options = options or Options()
    a = load_plan(resolve(plan_a, corpus), options)
    b = load_plan(resolve(plan_b, corpus), options)
    warnings = a.warnings + b.warnings
    stats = corpus_stats([a, b], plan_files(corpus_dir(corpus)), options, warnings)
    comparison = align(a, b, stats, options)
    comparison.warnings = warnings
    return comparison
