"""URL parameter parsing with clear errors (400 naming the parameter), and paging."""
from __future__ import annotations

from dataclasses import dataclass

from flask import abort, request
from flask_babel import gettext as _
from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session


def int_arg(name: str, default: int | None = None, *, minimum: int | None = None,
            maximum: int | None = None) -> int | None:
    raw = request.args.get(name, "").strip()
    if raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        abort(400, description=_("Parameter %(name)s must be a whole number, not %(value)s.",
                                 name=name, value=raw[:40]))
    if (minimum is not None and value < minimum) or (maximum is not None and value > maximum):
        abort(400, description=_("Parameter %(name)s is out of range.", name=name))
    return value


def choice_arg(name: str, choices, default: str | None = None) -> str | None:
    raw = request.args.get(name, "").strip()
    if raw == "":
        return default
    if raw not in choices:
        abort(400, description=_("Parameter %(name)s does not accept %(value)s.", name=name, value=raw[:40]))
    return raw


@dataclass
class Page:
    items: list
    page: int
    per_page: int
    total: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))

    @property
    def has_prev(self) -> bool:
        return self.page > 1

    @property
    def has_next(self) -> bool:
        return self.page < self.pages


def count_statement(stmt: Select) -> Select:
    """The total of ``stmt``'s rows, as :func:`paginate` counts them without a ``count`` of its own."""
    return select(func.count()).select_from(stmt.order_by(None).subquery())


def paginate(session: Session, stmt: Select, *, per_page: int = 50, count: Select | None = None,
             rows: bool = False) -> Page:
    """One page of ``stmt`` (the ``page`` URL parameter). ``count`` is a cheaper statement of the same
    total where the caller has one; ``rows`` keeps whole result rows instead of their first column."""
    page = int_arg("page", 1, minimum=1, maximum=100000)
    total = session.scalar(count if count is not None else count_statement(stmt)) or 0
    window = stmt.limit(per_page).offset((page - 1) * per_page)
    items = list(session.execute(window) if rows else session.scalars(window))
    return Page(items, page, per_page, total)
