"""What the dashboard's charts call things (msgids in English), handed to dashboard.js with the data."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l

from crm.leads.rules import STAGE_LABELS
from crm.refdata.lookup import CLUSTERS

WORDS = {
    "ranking": _l("County ranking within 板块 (晾晒)"),
    "as_reported": _l("As reported (调度口径)"),
    "confirmed": _l("Confirmed (认定/统计口径)"),
    "target": _l("Target in force"),
    "chains": _l("Plan projects by chain"),
    "projects": _l("Projects"),
    "planned": _l("Planned this year (100 million yuan)"),
    "clusters": _l("Leads by investor cluster"),
    "provinces": _l("Leads by province"),
    "leads": _l("Leads"),
    "funnel": _l("Lead funnel (stage reached)"),
    "stage_days": _l("Median days per lead stage"),
    "days": _l("Days"),
    "overdue": _l("Overdue problems by unit"),
    "problems": _l("Problems"),
    "officers": _l("Contacts logged per officer"),
    "contacts": _l("Contacts"),
    "save": _l("Save as picture"),
    "none": _l("No data"),
    "other": _l("Not set"),
}


def chart_words() -> dict:
    """Labels as plain strings for the JSON block (stages and clusters by their codes)."""
    return {"words": {k: str(v) for k, v in WORDS.items()},
            "stages": {k: str(v) for k, v in STAGE_LABELS.items()},
            "clusters": dict(CLUSTERS)}
