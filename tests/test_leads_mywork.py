"""My work: the buckets (overdue, due today, 保护期 ending, stale, all mine), their settings, and the page."""
from __future__ import annotations

import datetime as dt

from crm.leads import stages
from crm.leads.listing import local_today
from crm.leads.mywork import bucket_query
from crm.security.scope import scope_for
from crm.settings import set_value
from tests.test_leads_services import UTC, new_lead, world  # noqa: F401 - the shared fixture

TODAY = dt.date(2026, 3, 10)


def bucket(db, user, name, **days) -> set[str]:
    stmt = bucket_query(name, scope_for(db.session, user), today=TODAY, **days)
    return {row[0].title for row in db.session.execute(stmt)}


def test_buckets(db, world):  # noqa: F811
    made = {
        "overdue": new_lead(db, world, title="逾期跟进", next_followup=TODAY - dt.timedelta(days=1)),
        "today": new_lead(db, world, title="今天跟进", next_followup=TODAY),
        "later": new_lead(db, world, title="以后跟进", next_followup=TODAY + dt.timedelta(days=5),
                          now=dt.datetime(2026, 3, 9, tzinfo=UTC)),
        "expiring": new_lead(db, world, title="保护期将满", now=dt.datetime(2025, 12, 15, tzinfo=UTC)),
        "ended": new_lead(db, world, title="已终止", next_followup=TODAY - dt.timedelta(days=3)),
        "others": new_lead(db, world, "a_mgr", title="别人的", next_followup=TODAY - dt.timedelta(days=3)),
    }
    stages.move(db.session, world["users"]["a"], made["ended"], "ended", reason="放弃")
    db.session.commit()
    a = world["users"]["a"]
    assert bucket(db, a, "overdue") == {"逾期跟进"}
    assert bucket(db, a, "today") == {"今天跟进"}
    # 首报 2025-12-15 + 90 days = 2026-03-15: within 14 days of the 10th, not within 3.
    assert bucket(db, a, "expiring") == {"保护期将满"}
    assert bucket(db, a, "expiring", warn_days=3) == set()
    # No contact since 首报 (1 March) for 30 days? Only the one reported in December is stale.
    assert bucket(db, a, "stale") == {"保护期将满"}
    assert bucket(db, a, "stale", stale_days=5) == {"逾期跟进", "今天跟进", "保护期将满"}
    assert bucket(db, a, "assigned") == {"逾期跟进", "今天跟进", "以后跟进", "保护期将满"}
    assert "别人的" in bucket(db, world["users"]["a_mgr"], "overdue")


def test_windows_are_settings_and_the_page_works_on_a_phone(client, db, world, login):  # noqa: F811
    today = local_today()
    new_lead(db, world, title="今天要跟进的项目", next_followup=today, now=dt.datetime.now(UTC))
    new_lead(db, world, title="快到期的项目", now=dt.datetime.now(UTC) - dt.timedelta(days=80))
    new_lead(db, world, "b", title="乙县的逾期项目", next_followup=today - dt.timedelta(days=2))
    login(world["users"]["a"])
    html = client.get("/leads/my/").get_data(as_text=True)
    today_bucket = html.split('data-testid="bucket-today"')[1].split("</section>")[0]
    assert "今天要跟进的项目" in today_bucket
    expiring = html.split('data-testid="bucket-expiring"')[1].split("</section>")[0]
    assert "快到期的项目" in expiring
    assert "乙县的逾期项目" not in html
    assert "<table" not in html  # cards, no wide tables
    assert 'href="/leads/my/"' in html  # in the navigation
    set_value(db.session, None, "lead_protection_warning_days", 5)
    db.session.commit()
    html = client.get("/leads/my/").get_data(as_text=True)
    assert "快到期的项目" not in html.split('data-testid="bucket-expiring"')[1].split("</section>")[0]
