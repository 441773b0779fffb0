"""Cell formatting done by the database, for CSV exports.

A CSV cell is text, so money and times can leave the database already formatted: the driver
hands over strings and neither SQLAlchemy's result processors (a ``datetime`` parsed per cell on
SQLite) nor a Python formatter run per cell. The text equals what ``crm.files.writers`` writes:
money with two decimals, times in Beijing time (UTC+8 all year) to the minute. XLSX keeps real
numbers and dates, so only the CSV statement uses these.
"""
from __future__ import annotations

from sqlalchemy import String
from sqlalchemy.ext.compiler import compiles
from sqlalchemy.sql.functions import FunctionElement


class money_text(FunctionElement):
    """An amount as text with two decimals (NULL stays NULL)."""

    type = String()
    inherit_cache = True
    name = "money_text"


class local_minute_text(FunctionElement):
    """A UTC timestamp as ``YYYY-MM-DD HH:MM`` in Beijing time (NULL stays NULL)."""

    type = String()
    inherit_cache = True
    name = "local_minute_text"


@compiles(money_text)
def _money_postgresql(element, compiler, **kw):
    # NUMERIC(16, 2) as text already has exactly two decimals.
    return f"CAST({compiler.process(element.clauses, **kw)} AS TEXT)"


@compiles(money_text, "sqlite")
def _money_sqlite(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    return f"CASE WHEN {value} IS NULL THEN NULL ELSE printf('%.2f', {value}) END"


@compiles(local_minute_text)
def _minute_postgresql(element, compiler, **kw):
    value = compiler.process(element.clauses, **kw)
    return f"to_char({value} AT TIME ZONE 'Asia/Shanghai', 'YYYY-MM-DD HH24:MI')"


@compiles(local_minute_text, "sqlite")
def _minute_sqlite(element, compiler, **kw):
    # SQLAlchemy stores UTC as 'YYYY-MM-DD HH:MM:SS.ffffff'; strftime returns NULL for NULL.
    return f"strftime('%Y-%m-%d %H:%M', {compiler.process(element.clauses, **kw)}, '+8 hours')"
