"""Pure lead rules shared by the services: the intent key for 撞单, the stage order, the credit split.

Nothing here touches the database: the functions take values and answer values or raise
:class:`~crm.core.errors.DomainError`, so they are cheap to test and reuse (board, imports).
"""
from __future__ import annotations

import re
import unicodedata
from decimal import Decimal, InvalidOperation

from flask_babel import lazy_gettext as _l

from crm.core.errors import DomainError

__all__ = ["PIPELINE", "EXITS", "MANAGER_ROLES", "STAGE_LABELS", "METHOD_LABELS", "INTERACTION_LABELS",
           "SIGNING_LABELS", "RULING_LABELS", "DUE_LABELS", "CONTACT_LABELS", "intent_key", "is_backward",
           "check_split"]

PIPELINE = ("clue", "contact", "visit", "negotiate", "signed")
EXITS = ("paused", "ended")
# Who may move a lead backward (or reopen it to another stage than the one it left).
MANAGER_ROLES = frozenset({"manager", "admin"})

STAGE_LABELS = {
    "clue": _l("Clue (线索)"), "contact": _l("Contact (接洽)"), "visit": _l("Site visit (考察)"),
    "negotiate": _l("Negotiation (洽谈)"), "signed": _l("Signed (签约)"), "paused": _l("Paused (暂缓)"),
    "ended": _l("Ended (终止)"),
}
METHOD_LABELS = {
    "business": _l("Through investors (以商招商)"), "chain": _l("Along a chain (以链招商)"),
    "zone": _l("Through a zone (以区招商)"), "personal": _l("Personal ties (以情招商)"),
    "county": _l("County-led (以县招商)"),
}
INTERACTION_LABELS = {
    "call": _l("Call"), "visit": _l("Visit"), "delegation": _l("Delegation received"), "meeting": _l("Meeting"),
    "fair": _l("Fair"), "wechat": _l("WeChat"), "mail": _l("Mail"),
}
SIGNING_LABELS = {"framework": _l("Framework agreement (框架)"), "intent": _l("Letter of intent (意向)"),
                  "contract": _l("Contract (正式合同)")}
DUE_LABELS = {"due": _l("Due by today"), "overdue": _l("Overdue"), "today": _l("Due today"),
              "week": _l("Due this week")}
CONTACT_LABELS = {"7": _l("Contacted in the last 7 days"), "30": _l("Contacted in the last 30 days"),
                  "90": _l("Contacted in the last 90 days"), "over30": _l("No contact for 30 days"),
                  "over90": _l("No contact for 90 days")}
RULING_LABELS = {"keep": _l("Keep one, end the other"), "share": _l("Share: both stay, credit split"),
                 "transfer": _l("Transfer the other lead to the kept side")}

_NOT_WORD = re.compile(r"[\W_]+")
_GENERIC_TAIL = ("项目", "project")
HUNDRED = Decimal("100")


def intent_key(title: str) -> str:
    """The 撞单 comparison key of a project intent: NFKC-folded, lower-cased, without spaces,
    punctuation or a trailing 项目, so spellings of one intent meet.

    >>> intent_key("年产 30 万吨 焦化项目"), intent_key("年产30万吨焦化")
    ('年产30万吨焦化', '年产30万吨焦化')
    >>> intent_key("ＥＶ电池（二期）"), intent_key("  —— ")
    ('ev电池二期', '')
    """
    text = _NOT_WORD.sub("", unicodedata.normalize("NFKC", title or "").casefold())
    for tail in _GENERIC_TAIL:
        if text.endswith(tail) and len(text) > len(tail):
            text = text[:-len(tail)]
    return text[:200]


def is_backward(current: str, target: str) -> bool:
    """Whether a move between pipeline stages goes back (forward moves may skip stages)."""
    return PIPELINE.index(target) < PIPELINE.index(current)


def _percent(value, field: str) -> Decimal:
    try:
        number = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise DomainError(_l("A credit share is a percentage such as 60."), field) from None
    if number <= 0 or number > HUNDRED:
        raise DomainError(_l("Each credit share must be above 0 and at most 100."), field)
    return number


def check_split(host_unit_id: int, host_credit, assists) -> list[tuple[int, str, Decimal]]:
    """Validate a credit split: 主办 plus 协办 shares sum to exactly 100, each unit once.

    ``assists`` is an iterable of ``(unit_id, credit)``. Answers ``[(unit_id, role, credit), …]``.

    >>> check_split(1, 60, [(2, 40)])
    [(1, 'host', Decimal('60.00')), (2, 'assist', Decimal('40.00'))]
    """
    rows = [(host_unit_id, "host", _percent(host_credit, "host_credit"))]
    seen = {host_unit_id}
    for unit_id, credit in assists:
        if unit_id in seen:
            raise DomainError(_l("A unit can appear only once in the credit split."), "assists")
        seen.add(unit_id)
        rows.append((unit_id, "assist", _percent(credit, "assists")))
    total = sum(credit for _u, _r, credit in rows)
    if total != HUNDRED:
        raise DomainError(_l("The credit shares add up to %(total)s; they must add up to 100.", total=total),
                          "host_credit")
    return rows
