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


@dataclass
class Recognised:
    """What a kind found in an upload (:meth:`ImportKind.recognise`): options to keep on the batch."""

    options: dict[str, Any] = field(default_factory=dict)


class ImportKind(ABC):
    """Subclass per importable thing; see :mod:`crm.companies.importing`.

    Optional hooks, for a kind whose file belongs to a context (a unit's month: see
    :mod:`crm.reporting.importing`): ``upload_template`` (a partial rendered inside the upload form, with
    :meth:`upload_context`) and :meth:`read_upload` (its inputs → the batch's options); :meth:`recognise`
    (accept or refuse the file, refine the options); :meth:`prepare_rows` (the batch at hand);
    ``apply_options`` (checkboxes on the apply form, kept in the options); :meth:`review` (a partial on
    the dry-run page). The batch's options are read with ``crm.imports.services.options(batch)``."""

    key: str = ""
    label: Any = ""
    fields: tuple[Field, ...] = ()
    model: Any = None
    presets: dict[str, dict[str, str]] = {}   # built-in: name → {header text: field key}
    same_key_message: Any = None    # lazy text with %(n)s: a second row with the same key (default: company)
    upload_template: str | None = None
    stage_on_upload: bool = False   # every required field mapped on upload: straight to the dry run
    apply_options: tuple[tuple[str, Any, bool], ...] = ()  # (name, label, checked by default)

    def upload_context(self, session: Session, actor, args) -> dict:
        """What ``upload_template`` shows (``args``: the page's query arguments)."""
        return {}

    def read_upload(self, session: Session, actor, form) -> dict:
        """Check the upload form's own inputs; raise DomainError naming the field; answer the options."""
        return {}

    def recognise(self, session: Session, actor, table, data: bytes, options: dict) -> Recognised | None:
        """Look at the whole table (read in full) before it becomes a batch: refuse with DomainError, or
        answer the options to keep. Called only for kinds that define it."""
        return None

    def prepare_rows(self, session: Session, batch, rows: list[dict[str, str]]) -> list[Prepared]:
        """:meth:`prepare_chunk` for the batch at hand (a kind needing the batch's options overrides this)."""
        return self.prepare_chunk(session, rows)

    def review(self, session: Session, batch) -> tuple[str, dict] | None:
        """A partial shown on the dry-run page: ``(template, context)``."""
        return None

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


def auto_map(headers: list[str], fields: tuple[Field, ...], preset: dict[str, str] | None = None,
             keys: list[str] | None = None) -> dict[str, str]:
    """Map header positions to field keys: a preset first, then a 台账's key row (``keys``: a column's stable
    key naming a field), then labels and aliases."""
    by_name: dict[str, str] = {}
    for f in fields:
        for name in (f.key, str(f.label), *f.aliases):
            by_name.setdefault(normalise_header(name), f.key)
    known = {f.key for f in fields}
    mapping: dict[str, str] = {}
    used: set[str] = set()
    for index, header in enumerate(headers):
        by_key = keys[index] if keys and index < len(keys) and keys[index] in known else None
        key = (preset or {}).get(header) or by_key or by_name.get(normalise_header(header))
        if key and key not in used:
            mapping[str(index)] = key
            used.add(key)
    return mapping
