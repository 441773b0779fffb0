"""Contacts of a company: the people 招商 officers talk to.

A contact belongs to the unit that found it (``owner_unit_id``, the actor's unit on create).
Everyone sees that the person exists; phone and e-mail in full only inside the owning unit
subtree (docs/VISIBILITY.md), and only that subtree — or those who see everything — may edit
or delete the contact. Phones are Chinese mobiles (1[3-9] and 9 digits) or landlines
(0 + area code, optional dash, 7-8 digits, optional ``-extension``).
"""
from __future__ import annotations

import re
from typing import Any

from flask_babel import lazy_gettext as _l
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import Company, Contact
from crm.security.scope import scope_for

__all__ = ["PHONE_RE", "clean_phone", "create_contact", "delete_contact", "update_contact"]

FIELDS = ("name", "title", "phone", "email", "wechat", "notes")
PHONE_RE = re.compile(r"^(?:1[3-9]\d{9}|0\d{2,3}-?\d{7,8}(?:-\d{1,6})?)$")
_EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")


def clean_phone(phone: str | None) -> str | None:
    """Spaces dropped, full-width digits folded; ``None`` for blank.

    >>> clean_phone(" 139 0000 1111 "), clean_phone("０３５７－２３４５６７８"), clean_phone("  ")
    ('13900001111', '0357-2345678', None)
    """
    if phone is None:
        return None
    text = "".join(chr(ord(c) - 0xFEE0) if "！" <= c <= "～" else c for c in phone)
    text = re.sub(r"\s+", "", text)
    return text or None


def _apply(contact: Contact, data: dict[str, Any]) -> None:
    for key in FIELDS:
        if key in data:
            value = data[key]
            setattr(contact, key, value.strip() or None if isinstance(value, str) else value)
    if not contact.name:
        raise DomainError(_l("A contact needs a name."), "name")
    contact.phone = clean_phone(contact.phone)
    if contact.phone and not PHONE_RE.match(contact.phone):
        raise DomainError(_l("Enter a mobile number (11 digits starting with 13-19) or a landline such as "
                             "0357-2345678, optionally with -extension."), "phone")
    if contact.email and not _EMAIL_RE.match(contact.email):
        raise DomainError(_l("Enter an e-mail address such as name@example.cn."), "email")


def _ensure_owner(session: Session, actor, contact: Contact) -> None:
    if not scope_for(session, actor).owns_contact(contact):
        raise DomainError(_l("Only the unit that owns this contact can change it."))


def create_contact(session: Session, actor, company: Company, data: dict[str, Any]) -> Contact:
    contact = Contact(company_id=company.id, owner_unit_id=getattr(actor, "unit_id", None))
    _apply(contact, data)
    session.add(contact)
    audit.record_create(session, actor, contact)
    return contact


def update_contact(session: Session, actor, contact: Contact, data: dict[str, Any]) -> Contact:
    _ensure_owner(session, actor, contact)
    with audit.tracked_update(session, actor, contact):
        _apply(contact, data)
    return contact


def delete_contact(session: Session, actor, contact: Contact) -> None:
    _ensure_owner(session, actor, contact)
    audit.record_delete(session, actor, contact)
    session.delete(contact)
    session.flush()
