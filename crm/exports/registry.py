"""Export kinds: a column spec with Chinese headers and a scoped Core statement."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from dataclasses import replace
from typing import Any

from sqlalchemy import Select

from crm.files.writers import Column
from crm.security.scope import Scope


class ExportKind(ABC):
    key: str = ""
    label: Any = ""
    filename: str = "export"
    columns: tuple[Column, ...] = ()

    #: Column kinds the CSV statement already returns as finished text (see ``crm.exports.sqlformat``).
    csv_formatted_in_sql: frozenset[str] = frozenset()

    @abstractmethod
    def statement(self, scope: Scope, args: Mapping[str, str], fmt: str = "xlsx") -> Select:
        """The Core select under the user's scope and filters (raise DomainError on a bad filter).

        ``fmt`` is the file format: a kind may let the database format CSV cells as text.
        """

    def columns_for(self, fmt: str) -> tuple[Column, ...]:
        """The column spec for ``fmt``: cells the CSV statement formats are written as they come."""
        if fmt != "csv" or not self.csv_formatted_in_sql:
            return self.columns
        return tuple(replace(c, kind="text", safe=True) if c.kind in self.csv_formatted_in_sql else c
                     for c in self.columns)

    def rows(self, result: Iterable) -> Iterable:
        """Cell sequences in column order; rows of the statement as they are unless overridden."""
        return result


EXPORT_KINDS: dict[str, ExportKind] = {}


def register_export(kind: ExportKind) -> ExportKind:
    EXPORT_KINDS[kind.key] = kind
    return kind
