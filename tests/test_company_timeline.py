"""The company page's contact log: newest first, paged, and only what the viewer's scope allows —
an officer never reads another unit's interaction summaries; links only to what the viewer sees."""
from __future__ import annotations

import datetime as dt

from crm.leads import services
from crm.leads.timeline import PER_PAGE, company_timeline
from crm.security.scope import scope_for
from crm.visits import services as visits
from tests.test_leads_services import new_lead, world  # noqa: F401 - the shared fixture

UTC = dt.timezone.utc
NOW = dt.datetime.now(UTC).replace(microsecond=0)


def test_timeline_scoping_and_order(client, db, world, login):  # noqa: F811
    mine = new_lead(db, world, "a", title="甲县线索", now=NOW - dt.timedelta(days=10))
    theirs = new_lead(db, world, "b", title="乙县线索", now=NOW - dt.timedelta(days=10))
    services.log_interaction(db.session, world["users"]["a"], mine, kind="call", summary="甲县的电话纪要",
                             at=NOW - dt.timedelta(days=2))
    services.log_interaction(db.session, world["users"]["b"], theirs, kind="visit", summary="乙县的拜访纪要",
                             at=NOW - dt.timedelta(days=1))
    today = dt.date.today()
    data = {"title": "甲县出访上海", "start_on": today, "end_on": today, "destination_code": "31"}
    trip = visits.create_trip(db.session, world["users"]["a"], data)
    visits.record_visit(db.session, world["users"]["a"], trip=trip, company_id=world["company"].id,
                        summary="出访途中拜访", at=NOW - dt.timedelta(hours=1))
    db.session.commit()
    company_id = world["company"].id
    login(world["users"]["a"])
    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert "甲县的电话纪要" in html and "出访途中拜访" in html and "甲县出访上海" in html
    assert "乙县的拜访纪要" not in html and "乙县线索" not in html
    assert html.index("出访途中拜访") < html.index("甲县的电话纪要")  # newest first
    login(world["users"]["b"])
    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert "乙县的拜访纪要" in html and "甲县的电话纪要" not in html and "甲县出访上海" not in html
    login(world["users"]["leader"])
    html = client.get(f"/companies/{company_id}").get_data(as_text=True)
    assert "乙县的拜访纪要" in html and "甲县的电话纪要" in html


def test_timeline_pages(db, world):  # noqa: F811
    lead = new_lead(db, world, now=NOW - dt.timedelta(days=40))
    for n in range(PER_PAGE + 3):
        services.log_interaction(db.session, world["users"]["a"], lead, kind="call", summary=f"第{n}次电话",
                                 at=NOW - dt.timedelta(days=30) + dt.timedelta(hours=n))
    db.session.commit()
    scope = scope_for(db.session, world["users"]["a"])
    first = company_timeline(db.session, scope, world["company"].id, 1)
    second = company_timeline(db.session, scope, world["company"].id, 2)
    assert first.total == PER_PAGE + 3 and first.pages == 2
    assert first.items[0][0].summary == f"第{PER_PAGE + 2}次电话" and len(second.items) == 3
    other = scope_for(db.session, world["users"]["b"])
    assert company_timeline(db.session, other, world["company"].id, 1).total == 0
