"""Where the TF-IDF code used to live: it is :mod:`compare.tfidf` now ("index" means the SQLite store,
:mod:`compare.store`). These names stay importable from here for code that still imports them."""
from .tfidf import (Stats, build, corpus_stats, fit, frequencies, own_units, parser_fingerprint,  # noqa: F401
                    plan_frequencies, section_tokens, stats_key)
