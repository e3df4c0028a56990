"""One error family. Every message is a single line a user can act on.

The CLI turns any ``CompareError`` into a ``click.ClickException`` with the
exit status of the subclass; the library never prints.
"""
from __future__ import annotations


class CompareError(Exception):
    """Base class: a problem the user can fix. ``exit_code`` is the process status."""

    exit_code = 1

    def __init__(self, message: str, path: str | None = None):
        self.path = path
        super().__init__(f"{path}: {message}" if path else message)


class InputError(CompareError):
    """A plan file is missing, empty, binary, undecodable or malformed."""

    exit_code = 2


class PlanNotFound(CompareError):
    """A plan name matched no file in seeds/ or the corpus."""

    exit_code = 3


class AmbiguousPlan(CompareError):
    """A plan name matched several files; the message lists them."""

    exit_code = 3


class TemplateProblem(CompareError):
    """A user template could not be loaded or rendered."""

    exit_code = 4


class IndexProblem(CompareError):
    """The corpus index could not be read or written."""

    exit_code = 5
