"""The lead list: its URL filters, whitelisted sort keys and the statements the list and board run.

:func:`filters_from_args` reads and checks the URL parameters: an unknown choice or id answers 400
naming the parameter (:class:`~crm.companies.listing.BadFilter`), while a bad amount range is kept
as a message on the filters and left out, so the page still renders. The statement builders take
the filters and the viewer's :class:`~crm.security.scope.Scope` and return plain ``select``s, so
the pages, the benchmarks and the EXPLAIN tests compile exactly the same SQL:

- :func:`lead_query` — the list's rows (lead, company, unit and owner names), in the chosen order;
- :func:`count_query` — the list's total;
- :func:`board_totals_query` — count and sum of intended investment per stage, one GROUP BY;
- :func:`board_cards_query` — one board column's cards (the list's rows at one stage).
"""
from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, replace
from decimal import Decimal, InvalidOperation

from flask import has_request_context
from flask_babel import get_timezone
from flask_babel import gettext as _
from sqlalchemy import ColumnElement, Select, and_, case, func, or_, select

from crm.core.filters import BadFilter, bad_param, choice_filter
from crm.leads.rules import METHOD_LABELS, PIPELINE
from crm.models import Company, Lead, Unit, User
from crm.models.leads import LEAD_STAGES
from crm.refdata import lookup
from crm.security.scope import Scope

__all__ = ["SORT_KEYS", "DUE_CHOICES", "CONTACT_CHOICES", "LeadFilters", "filters_from_args", "local_today",
           "conditions", "lead_query", "count_query", "board_totals_query", "board_cards_query", "BadFilter",
           "bad_param"]

# URL value → what the header says; the order is the pipeline's, not the alphabet's, for "stage".
SORT_KEYS = ("first", "contact", "followup", "amount", "stage", "company")
DIRECTIONS = ("asc", "desc")
_DEFAULT_DIRECTION = {"first": "desc", "contact": "desc", "followup": "asc", "amount": "desc", "stage": "asc",
                      "company": "asc"}
DUE_CHOICES = ("due", "overdue", "today", "week")        # follow-up due: by today, before, on, this week
CONTACT_CHOICES = ("7", "30", "90", "over30", "over90")  # contacted within N days, or not for N days
CLOSED_STAGES = ("signed", "ended")                       # no follow-up is due on these
_STAGE_ORDER = {stage: i for i, stage in enumerate((*PIPELINE, "paused", "ended"))}
MAX_AMOUNT = Decimal("99999999999999")


def _zone():
    # Outside a request (CLI, benchmarks) the house zone, Asia/Shanghai, which has no summer time.
    return get_timezone() if has_request_context() else dt.timezone(dt.timedelta(hours=8))


def local_today() -> dt.date:
    """Today in the app's time zone, where follow-up dates live."""
    return dt.datetime.now(_zone()).date()


@dataclass(frozen=True)
class LeadFilters:
    cluster: str | None = None
    province_code: str | None = None
    city_code: str | None = None
    stage: str | None = None
    method: str | None = None
    owner: int | None = None
    unit: int | None = None
    segment: int | None = None
    mine: bool = False
    due: str | None = None
    contact: str | None = None
    amount_min: Decimal | None = None
    amount_max: Decimal | None = None
    sort: str = "first"
    dir: str = "desc"
    today: dt.date = field(default_factory=local_today)
    errors: tuple[str, ...] = ()  # messages on parameters left out (a bad amount range)

    def args(self, **override) -> dict[str, str]:
        """The filters as URL arguments (empty ones left out), for sort links, pager and board columns."""
        values = {**asdict(self), **override}
        values["province"], values["city"] = values.pop("province_code"), values.pop("city_code")
        values.pop("today"), values.pop("errors")
        values["mine"] = "1" if values["mine"] else None
        return {k: str(v) for k, v in values.items() if v not in (None, "")}

    @property
    def active(self) -> bool:
        """Whether anything narrows the list (the board shows a "filtered" note)."""
        return any(v not in (None, False) for k, v in asdict(self).items()
                   if k not in ("sort", "dir", "today", "errors"))


_choice = choice_filter


def _id(args: Mapping[str, str], name: str) -> int | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    if not (raw.isascii() and raw.isdigit()) or not 0 < int(raw) < 2**31:
        raise BadFilter(name, raw)
    return int(raw)


def _division(args: Mapping[str, str], name: str, level: str) -> str | None:
    raw = (args.get(name) or "").strip()
    if not raw:
        return None
    found = lookup.division(raw) if raw.isascii() and raw.isdigit() else None
    if found is None or found.level != level:
        raise BadFilter(name, raw)
    return found.code


def _amount(args: Mapping[str, str], name: str, errors: list[str]) -> Decimal | None:
    raw = (args.get(name) or "").strip().replace(",", "")
    if not raw:
        return None
    try:
        value = Decimal(raw)
    except InvalidOperation:
        value = None
    if value is None or not value.is_finite() or value < 0 or value > MAX_AMOUNT:
        errors.append(_("The amount %(value)s is not a number of 10k yuan such as 5000; it was left out.",
                        value=raw[:20]))
        return None
    return value


def filters_from_args(args: Mapping[str, str], *, today: dt.date | None = None) -> LeadFilters:
    """Read and check the filters from any mapping (URL query, export form, job parameters)."""
    province = _division(args, "province", "province")
    city = _division(args, "city", "city")
    if province and city and not city.startswith(province):
        raise BadFilter("city", city)
    errors: list[str] = []
    low, high = _amount(args, "amount_min", errors), _amount(args, "amount_max", errors)
    if low is not None and high is not None and low > high:
        errors.append(_("The minimum amount is above the maximum; the amount range was left out."))
        low = high = None
    sort = _choice(args, "sort", SORT_KEYS, "first")
    return LeadFilters(
        cluster=_choice(args, "cluster", tuple(lookup.CLUSTERS)), province_code=province, city_code=city,
        stage=_choice(args, "stage", LEAD_STAGES), method=_choice(args, "method", tuple(METHOD_LABELS)),
        owner=_id(args, "owner"), unit=_id(args, "unit"), segment=_id(args, "segment"),
        mine=bool(_choice(args, "mine", ("1",))), due=_choice(args, "due", DUE_CHOICES),
        contact=_choice(args, "contact", CONTACT_CHOICES), amount_min=low, amount_max=high,
        sort=sort, dir=_choice(args, "dir", DIRECTIONS, _DEFAULT_DIRECTION[sort]),
        today=today or local_today(), errors=tuple(errors))


def _start_of_day(day: dt.date) -> dt.datetime:
    """Midnight of a local day, as an aware datetime (contact times are stored in UTC)."""
    zone, midnight = _zone(), dt.datetime.combine(day, dt.time())
    local = zone.localize(midnight) if hasattr(zone, "localize") else midnight.replace(tzinfo=zone)
    return local.astimezone(dt.timezone.utc)


def _due_condition(due: str, today: dt.date) -> ColumnElement[bool]:
    if due == "overdue":
        window = Lead.next_followup < today
    elif due == "today":
        window = Lead.next_followup == today
    elif due == "week":  # from today to this week's Sunday
        window = Lead.next_followup.between(today, today + dt.timedelta(days=6 - today.weekday()))
    else:
        window = Lead.next_followup <= today
    return and_(window, Lead.stage.not_in(CLOSED_STAGES))


def _contact_condition(contact: str, today: dt.date) -> ColumnElement[bool]:
    days = int(contact.removeprefix("over"))
    since = _start_of_day(today - dt.timedelta(days=days))
    if contact.startswith("over"):
        return or_(Lead.last_contact_at < since, Lead.last_contact_at.is_(None))
    return Lead.last_contact_at >= since


def conditions(filters: LeadFilters, scope: Scope) -> list[ColumnElement[bool]]:
    """The WHERE clauses every lead statement shares: the visibility scope, then the filters."""
    out = [scope.condition(Lead)]
    located = [column == value for column, value in ((Company.cluster, filters.cluster),
                                                     (Company.province_code, filters.province_code),
                                                     (Company.city_code, filters.city_code)) if value]
    if located:
        out.append(Lead.company_id.in_(select(Company.id).where(*located)))
    for value, column in ((filters.stage, Lead.stage), (filters.method, Lead.method), (filters.owner, Lead.owner_id),
                          (filters.unit, Lead.unit_id), (filters.segment, Lead.segment_id)):
        if value is not None:
            out.append(column == value)
    if filters.mine:
        out.append(Lead.owner_id == scope.user_id)
    if filters.due:
        out.append(_due_condition(filters.due, filters.today))
    if filters.contact:
        out.append(_contact_condition(filters.contact, filters.today))
    if filters.amount_min is not None:
        out.append(Lead.amount >= filters.amount_min)
    if filters.amount_max is not None:
        out.append(Lead.amount <= filters.amount_max)
    return out


def _order(filters: LeadFilters) -> list:
    desc = filters.dir == "desc"
    if filters.sort == "stage":
        column = case(_STAGE_ORDER, value=Lead.stage)
    else:
        column = {"first": Lead.first_reported_at, "contact": Lead.last_contact_at, "followup": Lead.next_followup,
                  "amount": Lead.amount, "company": Company.name}[filters.sort]
    ordered = column.desc() if desc else column.asc()
    if filters.sort in ("contact", "followup", "amount"):
        ordered = ordered.nulls_last()  # leads without a date or figure last, whichever the direction
    return [ordered, Lead.id.desc() if desc else Lead.id.asc()]


def lead_query(filters: LeadFilters, scope: Scope) -> Select:
    """The list's rows: ``(Lead, company_name, unit_name, owner_name)`` matching ``filters`` inside
    ``scope``, in the chosen order (page it with ``limit``/``offset``)."""
    return (select(Lead, Company.name.label("company_name"), Unit.name.label("unit_name"),
                   User.name.label("owner_name"))
            .join(Company, Company.id == Lead.company_id).join(Unit, Unit.id == Lead.unit_id)
            .join(User, User.id == Lead.owner_id)
            .where(*conditions(filters, scope)).order_by(*_order(filters)))


def count_query(filters: LeadFilters, scope: Scope) -> Select:
    """How many leads :func:`lead_query` lists (no joins: every lead has its company, unit, owner)."""
    return select(func.count(Lead.id)).where(*conditions(filters, scope))


def _board(filters: LeadFilters) -> LeadFilters:
    return replace(filters, stage=None)  # the board's columns are the stages


def board_totals_query(filters: LeadFilters, scope: Scope) -> Select:
    """Per stage: ``(stage, leads, sum of intended investment)`` in one GROUP BY, same scope and filters."""
    return (select(Lead.stage, func.count(Lead.id).label("leads"), func.sum(Lead.amount).label("amount"))
            .where(*conditions(_board(filters), scope)).group_by(Lead.stage))


def board_cards_query(filters: LeadFilters, scope: Scope, stage: str) -> Select:
    """One board column: the list's rows at ``stage``, in the list's order (page it ~20 at a time)."""
    return lead_query(replace(filters, stage=stage), scope)
