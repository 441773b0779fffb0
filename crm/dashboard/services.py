"""Counts shown on the dashboard, all SQL aggregates under the user's scope.

Only figures the database holds are shown; the KPI cards come with the
project and reporting features.
"""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from crm.models import Company, Lead, Problem, Project
from crm.security.scope import Scope


def overview(session: Session, scope: Scope) -> dict[str, int]:
    def count(model) -> int:
        return session.scalar(select(func.count()).select_from(model).where(scope.condition(model))) or 0

    return {
        "companies": count(Company),
        "local_companies": session.scalar(
            select(func.count()).select_from(Company).where(Company.is_local.is_(True))) or 0,
        "leads": count(Lead),
        "projects": count(Project),
        "problems": count(Problem),
    }
