"""The search text and the SQL conditions that match it, per database.

Substrings (Chinese names included): on SQLite, queries of three characters or more go through
the FTS5 ``trigram`` tables the migration keeps in step with their base tables (``<table>_fts``,
matched as a quoted phrase, so ``%``, ``_`` and quotes are plain characters); shorter queries —
two-character names such as 焦煤, which trigrams cannot find — use ``LIKE`` on the base table with
the wildcards escaped. On PostgreSQL every substring is an escaped ``ILIKE`` served by a
``pg_trgm`` GIN index. Codes (credit code, stock code, pinyin initials) match as prefixes: a
range on the B-tree index on SQLite, ``ILIKE 'x%'`` on a trigram index on PostgreSQL.
"""
from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from flask_babel import lazy_gettext as _l
from sqlalchemy import ColumnElement, false, literal_column, or_, select, table
from sqlalchemy.orm import Session

from crm.core.errors import DomainError

MIN_LENGTH = 2
MAX_LENGTH = 100
FTS_MIN_LENGTH = 3  # trigrams: shorter queries go to LIKE on the base table
_WORD = re.compile(r"^[a-z0-9]+$")
_PHONE = re.compile(r"^[\d\s+\-()]+$")
_SPACES = re.compile(r"\s+")
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")  # NUL is refused by PostgreSQL; none belongs in a name


@dataclass(frozen=True)
class SearchText:
    text: str       # as typed, spaces collapsed: matched as a substring of names
    code: str       # NFKC, lower-case, alphanumerics only when the text is one such word, else ""
    digits: str     # the digits when the text looks like a phone number (3 digits or more), else ""

    @property
    def like(self) -> str:
        """``%text%`` with LIKE's wildcards and the escape character escaped (escape ``\\``)."""
        escaped = self.text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        return f"%{escaped}%"

    @property
    def phrase(self) -> str:
        """An FTS5 phrase: the text in double quotes, quotes doubled; matches it as a substring."""
        return '"' + self.text.replace('"', '""') + '"'


def parse(raw: str | None) -> SearchText:
    """Check and normalise the search box's text; a clear :class:`DomainError` when unusable.

    >>> parse("  山西  焦煤 ").text, parse("ＳＸＪＭ").code, parse("139-1234").digits
    ('山西 焦煤', 'sxjm', '1391234')
    >>> parse("焦煤").code, parse("焦煤").digits, parse("\\x00焦煤\\t").text
    ('', '', '焦煤')
    """
    text = _SPACES.sub(" ", _CONTROL.sub(" ", raw or "")).strip()
    if len(text) < MIN_LENGTH:
        raise DomainError(_l("Type at least %(n)s characters to search.", n=MIN_LENGTH), "q")
    if len(text) > MAX_LENGTH:
        raise DomainError(_l("Search for at most %(n)s characters.", n=MAX_LENGTH), "q")
    folded = unicodedata.normalize("NFKC", text).lower()
    code = folded if _WORD.match(folded) else ""
    digits = re.sub(r"\D", "", folded) if _PHONE.match(folded) else ""
    return SearchText(text, code, digits if len(digits) >= 3 else "")


def is_sqlite(session: Session) -> bool:
    return session.get_bind().dialect.name == "sqlite"


def uses_fts(session: Session, query: SearchText) -> bool:
    return is_sqlite(session) and len(query.text) >= FTS_MIN_LENGTH


def substring(session: Session, model, columns, query: SearchText) -> ColumnElement[bool]:
    """Rows of ``model`` with ``query.text`` inside any of ``columns`` (case-insensitive for Latin).

    On SQLite with the FTS path ``columns`` must be the columns of ``<table>_fts`` (the phrase
    is matched against all of them).
    """
    if uses_fts(session, query):
        fts_name = f"{model.__tablename__}_fts"
        fts = table(fts_name, literal_column("rowid"))
        matching = select(literal_column("rowid")).select_from(fts).where(
            literal_column(fts_name).op("MATCH")(query.phrase))
        return model.id.in_(matching)
    return or_(*(column.ilike(query.like, escape="\\") for column in columns))


def prefix(session: Session, column, value: str) -> ColumnElement[bool]:
    """``column`` starts with ``value`` (an alphanumeric code, already in the column's case)."""
    if not value:
        return false()
    if is_sqlite(session):
        # BINARY collation: a half-open range that the B-tree index answers.
        upper = value[:-1] + chr(ord(value[-1]) + 1)
        return (column >= value) & (column < upper)
    return column.ilike(value + "%")
