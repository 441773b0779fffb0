"""My work (我的工作): what an officer should do today, on one page that works on a phone.

Buckets of the user's own leads (owner), inside the visibility scope: follow-ups overdue and due
today, leads whose 保护期 ends within ``lead_protection_warning_days``, stale leads (no contact for
``lead_stale_days``) and every open lead assigned to the user. Both windows are settings.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, render_template
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from sqlalchemy import Select, and_, func, or_

from crm.extensions import db
from crm.leads.listing import LeadFilters, lead_query, local_today
from crm.leads.rules import STAGE_LABELS
from crm.models import Lead
from crm.security.permissions import requires
from crm.security.scope import Scope
from crm.security.web import current_scope
from crm.settings import get as get_setting
from crm.settings.registry import SettingDef, register

__all__ = ["BUCKETS", "bucket_query"]

bp = Blueprint("mywork", __name__, url_prefix="/leads/my")

register(SettingDef("lead_protection_warning_days", "int", 14, _l("Warn this many days before a 保护期 ends"),
                    _l("Leads"), _l("My work lists leads whose protection period ends within this many days."),
                    minimum=1, maximum=365))
register(SettingDef("lead_stale_days", "int", 30, _l("A lead is stale after this many days without contact"),
                    _l("Leads"), _l("My work lists open leads with no contact for this many days."),
                    minimum=1, maximum=3650))

BUCKETS = ("overdue", "today", "expiring", "stale", "assigned")
OPEN_STAGES = ("clue", "contact", "visit", "negotiate", "paused")  # 签约 and 终止 need no follow-up
ACTIVE_STAGES = ("clue", "contact", "visit", "negotiate")           # paused leads are not "stale"
PER_BUCKET = 50


def _bucket_condition(bucket: str, today: dt.date, warn_days: int, stale_days: int):
    if bucket == "overdue":
        return and_(Lead.next_followup < today, Lead.stage.in_(OPEN_STAGES))
    if bucket == "today":
        return and_(Lead.next_followup == today, Lead.stage.in_(OPEN_STAGES))
    if bucket == "expiring":
        return and_(Lead.protected_until.between(today, today + dt.timedelta(days=warn_days)),
                    Lead.stage.in_(OPEN_STAGES))
    if bucket == "stale":
        since = dt.datetime.combine(today - dt.timedelta(days=stale_days), dt.time(), tzinfo=dt.timezone.utc)
        return and_(Lead.stage.in_(ACTIVE_STAGES),
                    or_(Lead.last_contact_at < since,
                        and_(Lead.last_contact_at.is_(None), Lead.first_reported_at < since)))
    return Lead.stage.in_(OPEN_STAGES)


def bucket_query(bucket: str, scope: Scope, *, today: dt.date, warn_days: int = 14, stale_days: int = 30) -> Select:
    """One bucket of the user's (``scope.user_id``) leads, as the list's rows, most urgent first."""
    stmt = lead_query(LeadFilters(mine=True, today=today), scope).order_by(None)
    stmt = stmt.where(_bucket_condition(bucket, today, warn_days, stale_days))
    order = {"expiring": [Lead.protected_until], "stale": [func.coalesce(Lead.last_contact_at, Lead.first_reported_at)],
             "assigned": [Lead.next_followup.asc().nulls_last()]}.get(bucket, [Lead.next_followup])
    return stmt.order_by(*order, Lead.id)


@bp.route("/")
@requires("lead.view")
def index():
    scope, today = current_scope(), local_today()
    warn_days = int(get_setting(db.session, "lead_protection_warning_days"))
    stale_days = int(get_setting(db.session, "lead_stale_days"))
    buckets = {}
    for bucket in BUCKETS:
        stmt = bucket_query(bucket, scope, today=today, warn_days=warn_days, stale_days=stale_days)
        buckets[bucket] = db.session.execute(stmt.limit(PER_BUCKET)).all()
    return render_template("leads/my_work.html", buckets=buckets, today=today, warn_days=warn_days,
                           stale_days=stale_days, stages=STAGE_LABELS, per_bucket=PER_BUCKET,
                           user_id=current_user.id)
