"""Import kinds: the fields a file may carry, and how a row is matched, checked and written."""
from __future__ import annotations

import re
from abc import ABC, abstractmethod
import unicodedata
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy.orm import Session


@dataclass(frozen=True)
class Field:
    key: str
    label: Any                       # lazy Chinese/English label
    aliases: tuple[str, ...] = ()    # header texts that map to it automatically
    required: bool = False
    # How the import core normalises the cell before the kind sees it (crm.files.normalise.normalise_cell):
    # text (as it is), money (万元, not negative), money_signed, date (a day), month (a month is enough), year.
    kind: str = "text"


class RowError(ValueError):
    """A problem with one cell (``field``) or the whole row (``field=None``)."""

    def __init__(self, message: str, field_key: str | None = None):
        super().__init__(message)
        self.message, self.field = message, field_key


@dataclass
class Prepared:
    """A row checked against the database: what applying it would do."""

    action: str                      # create, update, error
    data: dict[str, Any]
    key: Any = None                  # natural key, to find duplicates inside the file
    target_id: int | None = None
    errors: list[dict] = field(default_factory=list)


class ImportKind(ABC):
    """Subclass per importable thing; see :mod:`crm.companies.importing`."""

    key: str = ""
    label: Any = ""
    fields: tuple[Field, ...] = ()
    model: Any = None
    presets: dict[str, dict[str, str]] = {}   # built-in: name → {header text: field key}

    @abstractmethod
    def prepare_chunk(self, session: Session, rows: list[dict[str, str]]) -> list[Prepared]:
        """Clean, validate and match a chunk of mapped rows (text values by field key)."""

    @abstractmethod
    def apply(self, session: Session, actor, batch) -> dict:
        """Write the batch's staged create and update rows in the caller's transaction.

        Created rows carry ``batch.batch_key``; returns ``{"created": n, "updated": n}``.
        """

    @abstractmethod
    def revert(self, session: Session, actor, batch, *, force: bool) -> dict:
        """Undo an applied batch, or raise DomainError listing the rows changed since."""


IMPORT_KINDS: dict[str, ImportKind] = {}


def register_import(kind: ImportKind) -> ImportKind:
    IMPORT_KINDS[kind.key] = kind
    return kind


def normalise_header(text: str) -> str:
    """Compare headers loosely: width, case, spaces, brackets and units don't matter.

    >>> normalise_header(" 注册资本（万元） ")
    '注册资本'
    >>> normalise_header("USCC")
    'uscc'
    """
    text = unicodedata.normalize("NFKC", text or "").strip().lower()
    text = re.sub(r"[(\[【（].*?[)\]】）]", "", text)
    return re.sub(r"[\s*:：_\-]", "", text)


def auto_map(headers: list[str], fields: tuple[Field, ...], preset: dict[str, str] | None = None) -> dict[str, str]:
    """Map header positions to field keys: a preset first, then labels and aliases."""
    by_name: dict[str, str] = {}
    for f in fields:
        for name in (f.key, str(f.label), *f.aliases):
            by_name.setdefault(normalise_header(name), f.key)
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, header in enumerate(headers):
        key = (preset or {}).get(header) or by_name.get(normalise_header(header))
        if key and key not in used:
            mapping[str(index)] = key
            used.add(key)
    return mapping
