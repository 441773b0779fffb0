"""The visibility scope: what records a user may see, compiled into SQL.

A scope is computed once per user (per request) from four sources (DESIGN.md §3):
the user's unit subtree, the chains the user leads as 链长, the projects the
user is 包联 for (as 包联领导, as a member of the 专班, or through a 包联部门 in the
unit subtree), and the problems assigned to the user's unit subtree. City
leaders and system admins see everything. :meth:`Scope.condition` turns the
scope into one SQL condition per model, which every list, search, board,
export and job applies; direct URLs use :meth:`Scope.can_see`. The table in
``docs/VISIBILITY.md`` states the same rules model by model, and
``tests/test_visibility.py`` checks each row on both databases.
"""
from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import ColumnElement, false, or_, select, true, union
from sqlalchemy.orm import Session, aliased

from crm.models import (ApprovalItem, ApprovalProfile, Chain, Company, Contact, Delegation, FactorRequest,
                        Interaction, Lead, LeadUnit, Problem, Project, ProjectDept, ProjectLeader, ProjectMonth,
                        ProjectTeamMember, Segment, Signing, Trip, Unit, User)

ALL_SEEING_ROLES = frozenset({"admin", "city_leader"})


def tree_of(pairs) -> dict[int | None, list[int]]:
    """The unit tree (parent id → child ids) from (id, parent_id) pairs."""
    children: dict[int | None, list[int]] = {}
    for uid, parent in pairs:
        children.setdefault(parent, []).append(uid)
    return children


def unit_tree(session: Session) -> dict[int | None, list[int]]:
    """The whole unit tree, from one read of the unit table (it is small)."""
    return tree_of(session.execute(select(Unit.id, Unit.parent_id)))


def subtree(children: dict[int | None, list[int]], root_id: int) -> frozenset[int]:
    """Ids of ``root_id`` and every unit below it in ``children`` (:func:`unit_tree`)."""
    out, stack = set(), [root_id]
    while stack:
        uid = stack.pop()
        if uid in out:
            continue
        out.add(uid)
        stack.extend(children.get(uid, ()))
    return frozenset(out)


def unit_subtree(session: Session, root_id: int) -> frozenset[int]:
    """Ids of ``root_id`` and every unit below it."""
    return subtree(unit_tree(session), root_id)


@dataclass(frozen=True)
class Scope:
    user_id: int | None
    sees_all: bool
    unit_ids: frozenset[int]

    # -- record conditions -------------------------------------------------
    def _chains_led(self):
        # The chain's 链长 (a user) and its 链办 (a unit, with the units below it) see it across counties.
        return select(Chain.id).where(or_(Chain.chief_id == self.user_id, self._units(Chain.office_unit_id)))

    def _segments_led(self):
        return select(Segment.id).where(Segment.chain_id.in_(self._chains_led()))

    def _units(self, column) -> ColumnElement[bool]:
        return column.in_(sorted(self.unit_ids)) if self.unit_ids else false()

    def lead_condition(self) -> ColumnElement[bool]:
        if self.sees_all:
            return true()
        # One IN over a UNION rather than an OR of three tests: both databases then look the visible
        # leads up through their indexes (PostgreSQL cannot use an index under an OR of sub-selects).
        # The inner lead is an alias so it is never correlated with the outer query's lead.
        inner = aliased(Lead)
        visible = union(select(inner.id).where(self._units(inner.unit_id)),
                        select(LeadUnit.lead_id).where(self._units(LeadUnit.unit_id)),
                        select(inner.id).where(inner.segment_id.in_(self._segments_led())))
        return Lead.id.in_(visible)

    def project_condition(self) -> ColumnElement[bool]:
        if self.sees_all:
            return true()
        # As for leads: one IN over a UNION, so each source is looked up through its own index. The
        # project and problem are aliases, never correlated with an outer query on the same table
        # (problem_condition nests this inside a query on problems).
        inner, problem = aliased(Project), aliased(Problem)
        visible = union(
            select(inner.id).where(self._units(inner.resp_unit_id)),
            select(inner.id).where(self._units(inner.location_unit_id)),
            select(inner.id).where(inner.segment_id.in_(self._segments_led())),
            select(ProjectLeader.project_id).where(ProjectLeader.user_id == self.user_id),  # 包联领导
            select(ProjectDept.project_id).where(self._units(ProjectDept.unit_id)),  # 包联部门
            select(ProjectTeamMember.project_id).where(ProjectTeamMember.user_id == self.user_id),  # 专班
            select(problem.project_id).where(self._units(problem.resp_unit_id)))
        return Project.id.in_(visible)

    def problem_condition(self) -> ColumnElement[bool]:
        if self.sees_all:
            return true()
        visible_projects = select(Project.id).where(self.project_condition())
        return or_(self._units(Problem.resp_unit_id), Problem.project_id.in_(visible_projects))

    def project_month_condition(self) -> ColumnElement[bool]:
        if self.sees_all:
            return true()
        return ProjectMonth.project_id.in_(select(Project.id).where(self.project_condition()))

    def factor_request_condition(self) -> ColumnElement[bool]:
        if self.sees_all:
            return true()
        return FactorRequest.project_id.in_(select(Project.id).where(self.project_condition()))

    def approval_condition(self, model) -> ColumnElement[bool]:
        """A project's approval profile and checklist items: whoever sees the project."""
        if self.sees_all:
            return true()
        return model.project_id.in_(select(Project.id).where(self.project_condition()))

    def interaction_condition(self) -> ColumnElement[bool]:
        if self.sees_all:
            return true()
        visible_leads = select(Lead.id).where(self.lead_condition())
        return or_(self._units(Interaction.unit_id), Interaction.lead_id.in_(visible_leads))

    def signing_condition(self) -> ColumnElement[bool]:
        if self.sees_all:
            return true()
        visible_leads = select(Lead.id).where(self.lead_condition())
        return or_(self._units(Signing.unit_id), Signing.lead_id.in_(visible_leads))

    def condition(self, model) -> ColumnElement[bool]:
        """The SQL condition restricting ``model`` rows to this scope."""
        if model is Company:
            return true()  # master data: every user sees companies (contacts are masked)
        if model is Contact:
            return true()  # the contact exists for all; phone masking is per row
        if model is User:
            return true() if self.sees_all else self._units(User.unit_id)
        if model is Trip:
            return true() if self.sees_all else self._units(Trip.unit_id)
        if model is Delegation:
            return true() if self.sees_all else self._units(Delegation.host_unit_id)
        conditions = {
            Lead: self.lead_condition, Project: self.project_condition, Problem: self.problem_condition,
            Interaction: self.interaction_condition, Signing: self.signing_condition,
            ProjectMonth: self.project_month_condition, FactorRequest: self.factor_request_condition,
            ApprovalProfile: lambda: self.approval_condition(ApprovalProfile),
            ApprovalItem: lambda: self.approval_condition(ApprovalItem),
        }
        try:
            return conditions[model]()
        except KeyError:
            raise LookupError(f"no visibility rule for {model.__name__}") from None

    def can_see(self, session: Session, obj) -> bool:
        """Whether one loaded record is inside the scope (for direct URLs)."""
        model = type(obj)
        pk = model.__mapper__.primary_key[0]
        stmt = select(pk).where(pk == getattr(obj, pk.key), self.condition(model))
        return session.execute(stmt).first() is not None

    def owns_contact(self, contact: Contact) -> bool:
        """Full contact details (phone) only inside the owning unit's subtree."""
        return self.sees_all or contact.owner_unit_id in self.unit_ids


def scope_for(session: Session, user) -> Scope:
    """Compute the scope of ``user`` (an anonymous user sees nothing)."""
    if user is None or not getattr(user, "is_authenticated", False):
        return Scope(None, False, frozenset())
    if user.roles & ALL_SEEING_ROLES:
        return Scope(user.id, True, frozenset())
    return Scope(user.id, False, unit_subtree(session, user.unit_id))


def lead_existence(company_id: int):
    """What anyone may know of any unit's leads on a company: that they exist.

    Company, unit and since when — enough to detect 撞单 — never the owner's
    contacts, notes, amounts or stage. Deliberately not scoped.
    """
    return (select(Lead.company_id, Lead.unit_id, Unit.name.label("unit_name"), Lead.first_reported_at)
            .join(Unit, Unit.id == Lead.unit_id)
            .where(Lead.company_id == company_id, Lead.stage != "ended")
            .order_by(Lead.first_reported_at))


def mask_phone(phone: str | None) -> str | None:
    """Keep the first three and last four digits: 13912345678 → 139****5678.

    >>> mask_phone("13912345678")
    '139****5678'
    >>> mask_phone("0357-2345678")
    '035*****5678'
    >>> mask_phone(None) is None
    True
    """
    if not phone:
        return phone
    if len(phone) <= 7:
        return "*" * len(phone)
    return phone[:3] + "*" * (len(phone) - 7) + phone[-4:]
