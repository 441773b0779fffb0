"""Notifications: a lead released past its 保护期 tells its owner and its unit's managers (not other
units, not officers of the unit); a 撞单 tells both sides about their own lead; the navbar bell
counts the unread ones; the page marks one or all read, and only the user's own."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from crm.leads import services
from crm.models import Notification
from crm.notifications import services as notices
from tests.conftest import csrf_token
from tests.test_leads_services import new_lead, world  # noqa: F401 - the shared fixture

DAY = dt.date(2026, 3, 1) + dt.timedelta(days=91)


def inbox(db, user) -> list[Notification]:
    return list(db.session.scalars(select(Notification).where(Notification.user_id == user.id)
                                   .order_by(Notification.id)))


def test_release_notifies_owner_and_unit_managers(db, world, make_user):  # noqa: F811
    colleague = make_user(("officer",), unit=world["units"]["a"])
    lead = new_lead(db, world, title="无人跟进项目")
    services.release_expired(db.session, DAY)
    db.session.commit()
    users = world["users"]
    for who in (users["a"], users["a_mgr"]):
        rows = inbox(db, who)
        assert [(n.kind, n.link) for n in rows] == [("lead_released", f"/leads/{lead.id}")]
        assert "无人跟进项目" in rows[0].message and world["company"].name in rows[0].message
    for who in (colleague, users["b"], users["leader"]):
        assert inbox(db, who) == []


def test_release_cli_notifies(app, db, world):  # noqa: F811
    lead = new_lead(db, world, title="命令行释放项目")
    result = app.test_cli_runner().invoke(args=["leads", "release", "--today", "2026-12-31"])
    assert result.exit_code == 0, result.output
    rows = inbox(db, world["users"]["a"])
    assert [n.link for n in rows] == [f"/leads/{lead.id}"]


def test_conflict_tells_each_side_about_its_own_lead(db, world):  # noqa: F811
    first = new_lead(db, world, "a", title="焦炉煤气制氢")
    second = new_lead(db, world, "b", title="焦炉煤气制氢项目")
    a_rows, b_rows = inbox(db, world["users"]["a"]), inbox(db, world["users"]["b"])
    assert [(n.kind, n.link) for n in a_rows] == [("lead_conflict", f"/leads/{first.id}")]
    assert [(n.kind, n.link) for n in b_rows] == [("lead_conflict", f"/leads/{second.id}")]
    assert "焦炉煤气制氢项目" not in a_rows[0].message  # the other side's intent is not shown
    assert [n.link for n in inbox(db, world["users"]["a_mgr"])] == [f"/leads/{first.id}"]


def test_notify_drops_duplicates_and_checks_the_kind(db, world):  # noqa: F811
    user = world["users"]["a"]
    rows = notices.notify(db.session, [user.id, user.id, None], "lead_released", "x")
    assert len(rows) == 1
    try:
        notices.notify(db.session, [user.id], "nonsense", "x")
    except ValueError:
        pass
    else:
        raise AssertionError("an unknown kind was accepted")


def test_bell_count_and_mark_read(client, db, world, login):  # noqa: F811
    user, other = world["users"]["a"], world["users"]["b"]
    first, second, third = notices.notify(db.session, [user.id], "lead_released", "甲") + \
        notices.notify(db.session, [user.id], "lead_released", "乙") + \
        notices.notify(db.session, [user.id], "lead_released", "丙")
    foreign = notices.notify(db.session, [other.id], "lead_released", "丁")[0]
    db.session.commit()
    login(user)
    html = client.get("/notifications/").get_data(as_text=True)
    assert 'data-testid="bell-count">3<' in html
    assert "甲" in html and "丁" not in html
    token = csrf_token(html)
    assert client.post(f"/notifications/{first.id}/read", data={"csrf_token": token}).status_code == 302
    assert 'data-testid="bell-count">2<' in client.get("/trips/").get_data(as_text=True)
    assert client.post(f"/notifications/{foreign.id}/read", data={"csrf_token": token}).status_code == 404
    db.session.refresh(foreign)
    assert foreign.read_at is None
    assert client.post("/notifications/read-all", data={"csrf_token": token}).status_code == 302
    html = client.get("/notifications/").get_data(as_text=True)
    assert 'data-testid="bell-count"' not in html
    assert notices.unread_count(db.session, user.id) == 0 and notices.unread_count(db.session, other.id) == 1
    assert second.id and third.id
