"""Regular expressions compiled on first use.

The parser and the loader define a few dozen patterns (about 15 ms to compile). A run that reads its
parsed plans from the cache never uses them, so they are compiled only when a plan is parsed.
"""
from __future__ import annotations

import re

_PUBLIC = tuple(name for name in dir(re.Pattern) if not name.startswith("_"))


class LazyPattern:
    """Behaves as ``re.compile(pattern, flags)``: ``.match``, ``.sub``, ``.finditer``… The first use compiles
    it and keeps the compiled pattern's methods on the instance, so later calls cost what the pattern's own do."""

    def __init__(self, pattern: str | bytes, flags: int = 0):
        self._source = (pattern, flags)

    def __getattr__(self, name: str):  # only for names not yet on the instance
        if name == "_source":
            raise AttributeError(name)
        compiled = re.compile(*self._source)
        for attr in _PUBLIC:
            setattr(self, attr, getattr(compiled, attr))
        return getattr(compiled, name)

    def __repr__(self) -> str:
        return f"LazyPattern({self._source[0]!r}, {self._source[1]})"


def lazy_compile(pattern: str | bytes, flags: int = 0) -> LazyPattern:
    """``re.compile``, deferred to the pattern's first use."""
    return LazyPattern(pattern, flags)
