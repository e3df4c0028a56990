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
