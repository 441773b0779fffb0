"""Lead pages: visibility on the list and direct URLs, the create form with its split, the
on-page forms (stage, contact log, signing, reopen), the rulers' 撞单 page and its permissions."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crm.leads import services
from crm.models import Interaction, Lead, LeadConflict, Signing
from tests.conftest import csrf_token
from tests.test_leads_services import new_lead, world  # noqa: F401 - the shared fixture


def token(client, url="/leads/new"):
    return csrf_token(client.get(url).get_data(as_text=True))


def test_list_and_direct_url_follow_the_scope(client, db, world, login):  # noqa: F811
    mine = new_lead(db, world, "a", title="甲县的项目")
    theirs = new_lead(db, world, "b", title="乙县的项目")
    login(world["users"]["a"])
    html = client.get("/leads/").get_data(as_text=True)
    assert "甲县的项目" in html and "乙县的项目" not in html
    assert client.get(f"/leads/{mine.id}").status_code == 200
    for url in (f"/leads/{theirs.id}", f"/leads/{theirs.id}/edit"):
        assert client.get(url).status_code == 404, url
    data = {"csrf_token": token(client), "stage": "contact", "version_id": theirs.version_id}
    response = client.post(f"/leads/{theirs.id}/stage", data=data)
    assert response.status_code == 404
    login(world["users"]["leader"])
    html = client.get("/leads/").get_data(as_text=True)
    assert "甲县的项目" in html and "乙县的项目" in html
    assert client.get(f"/leads/{theirs.id}").status_code == 200


def test_assisting_unit_sees_the_lead(client, db, world, login):  # noqa: F811
    lead = new_lead(db, world, "a", title="协办的项目", host_credit=70, assists=[(world["units"]["b"].id, 30)])
    login(world["users"]["b"])
    assert "协办的项目" in client.get("/leads/").get_data(as_text=True)
    assert client.get(f"/leads/{lead.id}").status_code == 200


def test_list_filters(client, db, world, login):  # noqa: F811
    due = new_lead(db, world, "a", title="到期跟进项目", method="chain", next_followup=dt.date(2020, 1, 1))
    new_lead(db, world, "a", title="不到期项目", method="zone", next_followup=dt.date(2099, 1, 1))
    login(world["users"]["a"])
    html = client.get("/leads/?due=due").get_data(as_text=True)
    assert "到期跟进项目" in html and "不到期项目" not in html
    html = client.get("/leads/?method=zone").get_data(as_text=True)
    assert "到期跟进项目" not in html and "不到期项目" in html
    html = client.get(f"/leads/?stage=clue&unit={world['units']['a'].id}&mine=1").get_data(as_text=True)
    assert "到期跟进项目" in html and due.id
    assert client.get("/leads/?stage=nowhere").status_code == 400


def test_create_form_with_split_and_refusal(client, db, world, login):  # noqa: F811
    login(world["users"]["a"])
    client.set_cookie("lang", "en")
    base = {"csrf_token": token(client), "company_id": world["company"].id, "title": "表单创建项目",
            "amount": "12000", "method": "business", "host_credit": "60",
            "assists-0-unit_id": world["units"]["b"].id, "assists-0-credit": "30"}
    response = client.post("/leads/new", data=base)
    assert response.status_code == 200 and "add up to 100" in response.get_data(as_text=True)
    assert db.session.scalar(select(Lead.id).where(Lead.title == "表单创建项目")) is None
    response = client.post("/leads/new", data={**base, "assists-0-credit": "40"})
    assert response.status_code == 302
    lead = db.session.scalar(select(Lead).where(Lead.title == "表单创建项目"))
    assert lead.unit_id == world["units"]["a"].id and lead.method == "business"
    assert len(services.credit_split(db.session, lead)) == 2


def test_create_form_flags_a_clash(client, db, world, login):  # noqa: F811
    new_lead(db, world, "a", title="焦炉煤气制氢", now=None)
    login(world["users"]["b"])
    response = client.post("/leads/new", data={"csrf_token": token(client), "company_id": world["company"].id,
                                               "title": "焦炉煤气制氢项目", "host_credit": "100"},
                           follow_redirects=True)
    html = response.get_data(as_text=True)
    assert 'data-testid="conflict-notice"' in html and "线索甲县" in html
    assert db.session.scalar(select(LeadConflict.id)) is not None


def test_stage_form_rules_and_stale_version(client, db, world, login):  # noqa: F811
    lead = new_lead(db, world, "a")
    login(world["users"]["a"])
    client.set_cookie("lang", "en")
    page = f"/leads/{lead.id}"
    version = lead.version_id
    response = client.post(f"{page}/stage", data={"csrf_token": token(client, page), "stage": "visit",
                                                  "version_id": version})
    assert response.status_code == 302
    db.session.refresh(lead)
    assert lead.stage == "visit"
    response = client.post(f"{page}/stage", data={"csrf_token": token(client, page), "stage": "negotiate",
                                                  "version_id": version}, follow_redirects=True)
    assert "changed by someone else" in response.get_data(as_text=True)
    response = client.post(f"{page}/stage", data={"csrf_token": token(client, page), "stage": "clue",
                                                  "version_id": lead.version_id})
    assert response.status_code == 422 and "manager" in response.get_data(as_text=True)
    response = client.post(f"{page}/stage", data={"csrf_token": token(client, page), "stage": "paused",
                                                  "version_id": lead.version_id})
    assert response.status_code == 422 and "needs a reason" in response.get_data(as_text=True)
    client.post(f"{page}/stage", data={"csrf_token": token(client, page), "stage": "paused", "reason": "等待政策",
                                       "version_id": lead.version_id})
    db.session.refresh(lead)
    assert lead.stage == "paused"
    response = client.post(f"{page}/reopen", data={"csrf_token": token(client, page), "version_id": lead.version_id})
    assert response.status_code == 302
    db.session.refresh(lead)
    assert lead.stage == "visit"
    html = client.get(page).get_data(as_text=True)
    assert "days in the previous stage" in html


def test_log_contact_and_signing_from_the_lead_page(client, db, world, login):  # noqa: F811
    lead = new_lead(db, world, "a")
    login(world["users"]["a"])
    page = f"/leads/{lead.id}"
    response = client.post(f"{page}/interactions", data={
        "csrf_token": token(client, page), "kind": "visit", "at": "2026-04-01T10:30", "summary": "赴企业总部洽谈",
        "participants": "王局长", "next_step": "寄送资料", "next_followup": "2026-04-15"})
    assert response.status_code == 302
    interaction = db.session.scalar(select(Interaction).where(Interaction.lead_id == lead.id))
    assert interaction.summary == "赴企业总部洽谈"
    assert interaction.at.replace(tzinfo=dt.timezone.utc) == dt.datetime(2026, 4, 1, 2, 30, tzinfo=dt.timezone.utc)
    assert "赴企业总部洽谈" in client.get(page).get_data(as_text=True)
    response = client.post(f"{page}/interactions", data={"csrf_token": token(client, page), "kind": "visit",
                                                         "at": "2026-04-01T10:30", "summary": ""})
    assert response.status_code == 422
    response = client.post(f"{page}/signings", data={
        "csrf_token": token(client, page), "kind": "contract", "signed_on": "2026-05-01", "amount": "30000",
        "deadline_start": "2026-09-01"})
    assert response.status_code == 302
    db.session.refresh(lead)
    assert lead.stage == "signed"
    assert db.session.scalar(select(Signing.amount).where(Signing.lead_id == lead.id)) == 30000


def test_conflicts_page_and_ruling(client, db, world, login):  # noqa: F811
    first = new_lead(db, world, "a", title="焦化项目")
    second = new_lead(db, world, "b", title="焦化")
    conflict = db.session.scalar(select(LeadConflict))
    login(world["users"]["a"])
    assert client.get("/leads/conflicts").status_code == 403
    login(world["users"]["leader"])
    html = client.get("/leads/conflicts").get_data(as_text=True)
    assert f'data-testid="conflict-{conflict.id}"' in html
    response = client.post(f"/leads/conflicts/{conflict.id}/rule", data={
        "csrf_token": csrf_token(html), f"c{conflict.id}-kept_lead_id": first.id,
        f"c{conflict.id}-ruling": "keep", f"c{conflict.id}-note": "甲县先报"})
    assert response.status_code == 302
    db.session.refresh(second)
    db.session.refresh(conflict)
    assert second.stage == "ended" and conflict.ruling == "keep"
    assert client.post("/leads/conflicts/999999/rule", data={"csrf_token": csrf_token(html)}).status_code == 404


@pytest.mark.parametrize("role", ["city_leader", "county_leader", "unit_admin"])
def test_leaders_view_but_do_not_edit(client, make_user, login, role):
    login(make_user((role,)))
    assert client.get("/leads/").status_code == 200
    assert client.get("/leads/new").status_code == 403
