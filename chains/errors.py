"""The one exception root of the chain engine and the error record of the parsers.

Every error the engine raises derives from :class:`ChainError`, so the web app can catch one
class. Parsers collect every problem of a file before raising, as :class:`Issue` tuples naming the
file, the row (1-based; 0 for the file as a whole) and the field.
"""
from __future__ import annotations

from typing import NamedTuple

__all__ = ["ChainError", "ParamsError", "ChainParseError", "Issue"]


class ChainError(Exception):
    """Root of every error of the chain engine."""


class ParamsError(ChainError, ValueError):
    """A parameter is out of range; ``errors`` maps each bad field to its message.

    Examples
    --------
    >>> err = ParamsError({"k": "must be at least 1"})
    >>> str(err)
    'k: must be at least 1'
    """

    def __init__(self, errors: dict[str, str]):
        self.errors = dict(errors)
        super().__init__("; ".join(f"{key}: {msg}" for key, msg in self.errors.items()))


class Issue(NamedTuple):
    """One problem in an input file: where it is and what is wrong."""

    file: str
    row: int
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}:{self.row}:{self.field}: {self.message}"


class ChainParseError(ChainError):
    """A chain file (or pair of files) was refused; ``errors`` lists every :class:`Issue` found.

    Parsing is all-or-nothing: when this is raised nothing of the input is usable.

    Examples
    --------
    >>> err = ChainParseError([Issue("links.csv", 3, "source", "unknown segment 'x'")])
    >>> err.errors[0].field, str(err)
    ('source', "links.csv:3:source: unknown segment 'x'")
    """

    def __init__(self, errors: list[Issue]):
        self.errors = list(errors)
        super().__init__("\n".join(str(e) for e in self.errors))
