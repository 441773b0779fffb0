"""Global search: one query per kind (企业, 联系人, 线索, 项目) inside the user's visibility scope.

:func:`search` answers, for each kind asked, how many records match and the best few (exact
name first, then names that start with the text, then shorter names). Each kind's condition is
the visibility condition of :meth:`crm.security.scope.Scope.condition` and the match built by
:mod:`crm.search.matching`; a contact matches by phone only inside the unit subtree that owns it
(elsewhere the phone is masked, so searching by it would reveal it), and phones are masked here,
before any template sees them.
"""
from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import ColumnElement, and_, case, false, func, or_, select, true
from sqlalchemy.orm import Session

from crm.models import Company, Contact, Lead, Project, Unit
from crm.search.matching import SearchText, prefix, substring
from crm.security.scope import Scope, mask_phone

KINDS = ("company", "contact", "lead", "project")
TOP = 10


@dataclass
class Group:
    kind: str
    total: int
    hits: list[dict] = field(default_factory=list)


@dataclass
class Results:
    query: SearchText
    groups: list[Group]

    @property
    def total(self) -> int:
        return sum(g.total for g in self.groups)


# --- conditions ----------------------------------------------------------------------------------------

def company_match(session: Session, query: SearchText) -> ColumnElement[bool]:
    """Full name or 简称 containing the text; credit code, stock code or pinyin initials starting with it."""
    conditions = [substring(session, Company, (Company.name, Company.short_name), query)]
    if query.code:
        conditions += [prefix(session, Company.uscc, query.code.upper()),
                       prefix(session, Company.stock_code, query.code.upper()),
                       prefix(session, Company.name_initials, query.code)]
    return or_(*conditions)


def _owned_contacts(scope: Scope) -> ColumnElement[bool]:
    if scope.sees_all:
        return true()
    return Contact.owner_unit_id.in_(sorted(scope.unit_ids)) if scope.unit_ids else false()


def contact_match(session: Session, scope: Scope, query: SearchText) -> ColumnElement[bool]:
    conditions = [substring(session, Contact, (Contact.name,), query)]
    if query.digits:
        conditions.append(and_(Contact.phone.contains(query.digits, autoescape=True), _owned_contacts(scope)))
    return or_(*conditions)


def lead_match(session: Session, query: SearchText) -> ColumnElement[bool]:
    """The project intent (title) or the investor company's name."""
    companies = select(Company.id).where(company_match(session, query))
    return or_(substring(session, Lead, (Lead.title,), query), Lead.company_id.in_(companies))


def project_match(session: Session, query: SearchText) -> ColumnElement[bool]:
    return substring(session, Project, (Project.name,), query)


def condition(session: Session, scope: Scope, kind: str, query: SearchText) -> ColumnElement[bool]:
    """What one kind's search matches inside the scope (also used by the EXPLAIN tests)."""
    if kind == "company":
        return and_(scope.condition(Company), company_match(session, query))
    if kind == "contact":
        return and_(scope.condition(Contact), contact_match(session, scope, query))
    if kind == "lead":
        return and_(scope.condition(Lead), lead_match(session, query))
    if kind == "project":
        return and_(scope.condition(Project), project_match(session, query))
    raise LookupError(kind)


def _rank(column, query: SearchText):
    """Exact name first, then names starting with the text, then the rest; shorter names first."""
    return (case((column == query.text, 0), (column.startswith(query.text, autoescape=True), 1), else_=2),
            func.length(column), column)


# --- hits per kind -------------------------------------------------------------------------------------

def _companies(session, scope, query, where, limit, offset) -> list[dict]:
    stmt = (select(Company.id, Company.name, Company.short_name, Company.uscc, Company.stock_code)
            .where(where).order_by(*_rank(Company.name, query), Company.id).limit(limit).offset(offset))
    return [dict(row._mapping) for row in session.execute(stmt)]


def _contacts(session, scope, query, where, limit, offset) -> list[dict]:
    stmt = (select(Contact.id, Contact.name, Contact.title, Contact.phone, Contact.owner_unit_id,
                   Contact.company_id, Company.name.label("company_name"))
            .join(Company, Company.id == Contact.company_id)
            .where(where).order_by(*_rank(Contact.name, query), Contact.id).limit(limit).offset(offset))
    hits = []
    for row in session.execute(stmt):
        hit = dict(row._mapping)
        unit_id = hit.pop("owner_unit_id")
        owned = scope.sees_all or unit_id in scope.unit_ids
        hit["phone"] = hit["phone"] if owned else mask_phone(hit["phone"])
        hits.append(hit)
    return hits


def _leads(session, scope, query, where, limit, offset) -> list[dict]:
    stmt = (select(Lead.id, Lead.title, Lead.stage, Company.name.label("company_name"),
                   Unit.name.label("unit_name"))
            .join(Company, Company.id == Lead.company_id).join(Unit, Unit.id == Lead.unit_id)
            .where(where).order_by(*_rank(Lead.title, query), Lead.first_reported_at.desc(), Lead.id.desc())
            .limit(limit).offset(offset))
    return [dict(row._mapping) for row in session.execute(stmt)]


def _projects(session, scope, query, where, limit, offset) -> list[dict]:
    stmt = (select(Project.id, Project.name, Project.stage, Project.lead_id, Company.name.label("company_name"))
            .outerjoin(Company, Company.id == Project.company_id)
            .where(where).order_by(*_rank(Project.name, query), Project.id).limit(limit).offset(offset))
    hits = [dict(row._mapping) for row in session.execute(stmt)]
    lead_ids = {h["lead_id"] for h in hits if h["lead_id"] is not None}
    visible = set(session.scalars(select(Lead.id).where(Lead.id.in_(lead_ids), scope.condition(Lead)))) \
        if lead_ids else set()
    for hit in hits:
        # The project links to its lead only when the user may open that lead.
        hit["lead_id"] = hit["lead_id"] if hit["lead_id"] in visible else None
    return hits


_HITS = {"company": _companies, "contact": _contacts, "lead": _leads, "project": _projects}
MODELS = {"company": Company, "contact": Contact, "lead": Lead, "project": Project}


def count(session: Session, scope: Scope, kind: str, query: SearchText) -> int:
    model = MODELS[kind]
    stmt = select(func.count()).select_from(model).where(condition(session, scope, kind, query))
    return session.scalar(stmt) or 0


def search(session: Session, scope: Scope, query: SearchText, *, kinds=KINDS, limit: int = TOP,
           offset: int = 0) -> Results:
    """The matches of ``query`` per kind: each kind's total and up to ``limit`` hits from ``offset``."""
    groups = []
    for kind in kinds:
        total = count(session, scope, kind, query)
        hits = _HITS[kind](session, scope, query, condition(session, scope, kind, query), limit, offset) \
            if total > offset else []
        groups.append(Group(kind, total, hits))
    return Results(query, groups)
