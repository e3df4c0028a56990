"""One error family. Every message is a single line a user can act on.

The CLI turns any ``CompareError`` into a ``click.ClickException`` with the
exit status of the subclass; the library never prints. The statuses are one
``ExitStatus`` enum (as httpie does), documented in the README.
"""
from __future__ import annotations

from enum import IntEnum


class ExitStatus(IntEnum):
    """Process exit statuses. 2 is click's own status for a usage error."""

    OK = 0
    ERROR = 1  # anything else, including internal errors
    BAD_ARGUMENTS = 2  # usage errors, and an output path that must not be written
    BAD_INPUT = 3  # a plan file is missing, empty, binary, undecodable, malformed or too large
    UNKNOWN_PLAN = 4  # a plan name matches no file, or several; or the corpus folder does not exist
    TEMPLATE = 5  # a user template cannot be loaded or rendered
    INDEX = 6  # the corpus index cannot be read, written, locked or rebuilt
    INTERRUPTED = 130  # Ctrl-C (128 + SIGINT, as shells report it): nothing half-written is left


class CompareError(Exception):
    """Base class: a problem the user can fix. ``exit_code`` is the process status.

    The message is English. ``key`` and ``values``, where given, name the message's entry in the interface
    strings, so that the CLI says it in the interface language: an error that ends the command, or a file
    skipped for this reason (:meth:`note`); an error without a key ends the command in English."""

    exit_code = ExitStatus.ERROR

    def __init__(self, message: str, path: str | None = None, key: str | None = None, **values):
        self.path, self.message, self.key, self.values = path, message, key, values
        super().__init__(f"{path}: {message}" if path else message)

    def note(self) -> Note | str:
        """The message as a Note ("path: reason", the reason by its key) for a warning; where the message has
        no key, its reason stays the English text."""
        reason = Note(self.key, self.message, **self.values) if self.key else self.message
        return Note("at_path", str(self), path=self.path, reason=reason) if self.path else reason


class InputError(CompareError):
    """A plan file is missing, empty, binary, undecodable, malformed or too large."""

    exit_code = ExitStatus.BAD_INPUT


class BadArgument(CompareError):
    """An option names something that must not be used, e.g. an output path that is one of the inputs."""

    exit_code = ExitStatus.BAD_ARGUMENTS


class PlanNotFound(CompareError):
    """A plan name matched no file in seeds/ or the corpus."""

    exit_code = ExitStatus.UNKNOWN_PLAN


class AmbiguousPlan(CompareError):
    """A plan name matched several files; the message lists them."""

    exit_code = ExitStatus.UNKNOWN_PLAN


class CorpusNotFound(CompareError):
    """The corpus folder (--corpus, COMPARE_CORPUS or ./corpus) does not exist. Like a plan name that matches
    nothing, it names plans that are not there: the same exit status, whichever command meets it."""

    exit_code = ExitStatus.UNKNOWN_PLAN

    def __init__(self, folder: str):
        super().__init__("corpus folder does not exist (give --corpus DIR or set COMPARE_CORPUS)", folder,
                         "corpus.not_found")


class TemplateProblem(CompareError):
    """A user template could not be loaded or rendered."""

    exit_code = ExitStatus.TEMPLATE


class IndexProblem(CompareError):
    """The corpus index could not be read, written, locked or rebuilt."""

    exit_code = ExitStatus.INDEX


class Note(str):
    """A one-line message for the user: English as a str, with the ``key`` of its entry in the interface
    strings (compare/data/ui_strings.json) and the ``values`` it takes, so an interface can show it in its
    language. Pickles (it crosses process pools) and compares as the plain string."""

    def __new__(cls, key: str, text: str, **values):
        note = super().__new__(cls, text)
        note.key, note.values = key, values
        return note

    def __reduce__(self):
        return (_note, (self.key, str(self), self.values))


def _note(key: str, text: str, values: dict) -> Note:
    return Note(key, text, **values)


def note_data(note):
    """A Note (its values may be Notes, or lists of them) as JSON data: [key, text, values]; any other str as it
    is. :func:`note_from_data` reads it back."""
    if isinstance(note, Note):
        return [note.key, str(note), {k: note_data(v) for k, v in note.values.items()}]
    if isinstance(note, (list, tuple)):
        return {"list": [note_data(v) for v in note]}
    return note


def note_from_data(data):
    if isinstance(data, list):
        key, text, values = data
        return Note(key, text, **{k: note_from_data(v) for k, v in values.items()})
    if isinstance(data, dict):
        return [note_from_data(v) for v in data["list"]]
    return data
