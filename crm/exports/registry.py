"""Export kinds: a column spec with Chinese headers and a scoped Core statement."""
from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable, Mapping
from typing import Any

from sqlalchemy import Select

from crm.files.writers import Column
from crm.security.scope import Scope


class ExportKind(ABC):
    key: str = ""
    label: Any = ""
    filename: str = "export"
    columns: tuple[Column, ...] = ()

    @abstractmethod
    def statement(self, scope: Scope, args: Mapping[str, str]) -> Select:
        """The Core select under the user's scope and filters (raise DomainError on a bad filter)."""

    def rows(self, result: Iterable) -> Iterable:
        """Cell sequences in column order; rows of the statement as they are unless overridden."""
        return result


EXPORT_KINDS: dict[str, ExportKind] = {}


def register_export(kind: ExportKind) -> ExportKind:
    EXPORT_KINDS[kind.key] = kind
    return kind
