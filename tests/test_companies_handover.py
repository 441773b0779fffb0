"""Handover (离岗交接): a user's companies, leads and projects move to another user in one audited step."""
from __future__ import annotations

import pytest
from sqlalchemy import select

from crm.companies.services import create_company
from crm.core.errors import DomainError
from crm.models import AuditRecord, Company, Lead, Project
from crm.users.handover import handover, owned_counts
from crm.users.services import set_active
from tests.conftest import csrf_token


@pytest.fixture
def team(db, make_unit, make_user):
    s = db.session
    county = make_unit("交接县")
    zone = make_unit("交接县开发区", kind="zone", parent=county)
    other = make_unit("别的县")
    leaving = make_user(("officer",), unit=zone)
    receiving = make_user(("officer",), unit=county)
    bystander = make_user(("officer",), unit=county)
    companies = [create_company(s, leaving, {"name": f"交接企业{i}有限公司"}) for i in range(2)]
    kept = create_company(s, bystander, {"name": "旁人企业有限公司"})
    s.flush()
    leads = [Lead(company_id=companies[0].id, title=f"项目{i}", unit_id=zone.id, owner_id=leaving.id) for i in range(3)]
    project = Project(name="交接项目", resp_unit_id=zone.id, source="attraction", category="industry",
                      owner_id=leaving.id)
    s.add_all([*leads, project])
    s.commit()
    return dict(county=county, zone=zone, other=other, leaving=leaving, receiving=receiving, bystander=bystander,
                companies=companies, kept=kept, leads=leads, project=project)


def test_handover_moves_companies_leads_and_projects(db, team, make_user):
    s = db.session
    admin = make_user(("unit_admin",), unit=team["county"])
    versions = [c.version_id for c in team["companies"]]
    result = handover(s, admin, team["leaving"], team["receiving"])
    s.commit()
    assert result.counts == {"company": 2, "lead": 3, "project": 1}
    s.expire_all()
    receiving = team["receiving"].id
    assert [s.get(Company, c.id).owner_id for c in team["companies"]] == [receiving, receiving]
    assert {s.get(Lead, lead.id).owner_id for lead in team["leads"]} == {receiving}
    assert s.get(Project, team["project"].id).owner_id == receiving
    assert s.get(Company, team["kept"].id).owner_id == team["bystander"].id  # others' records untouched
    # Versions move on: a form left open on a moved record is stale.
    assert [s.get(Company, c.id).version_id for c in team["companies"]] == [v + 1 for v in versions]
    assert owned_counts(s, team["leaving"]) == {"company": 0, "lead": 0, "project": 0}


def test_handover_is_audited_per_kind_under_one_batch(db, team, make_user):
    s = db.session
    admin = make_user(("admin",))
    result = handover(s, admin, team["leaving"], team["receiving"])
    s.commit()
    rows = list(s.scalars(select(AuditRecord).where(AuditRecord.batch_id == result.batch_id)))
    assert sorted(r.field for r in rows) == ["company.owner_id", "lead.owner_id", "project.owner_id"]
    assert {r.batch_id for r in rows} == {result.batch_id}
    assert all(r.entity_type == "user" and r.entity_id == team["leaving"].id and r.user_id == admin.id
               and r.action == "update" for r in rows)
    by_field = {r.field: r for r in rows}
    assert by_field["lead.owner_id"].new == f"{team['receiving'].id} (3)"
    assert by_field["lead.owner_id"].old == str(team["leaving"].id)


def test_handover_to_a_disabled_user_is_refused(db, team, make_user):
    s = db.session
    admin = make_user(("admin",))
    set_active(s, admin, team["receiving"], False)
    s.commit()
    with pytest.raises(DomainError) as err:
        handover(s, admin, team["leaving"], team["receiving"])
    assert err.value.field == "to_user_id"
    s.rollback()
    assert owned_counts(s, team["leaving"])["company"] == 2


def test_handover_outside_the_actors_unit_is_refused(db, team, make_user):
    s = db.session
    outsider = make_user(("manager",), unit=team["other"])
    with pytest.raises(DomainError):
        handover(s, outsider, team["leaving"], team["receiving"])
    # A manager of the zone reaches the leaving user but not the receiver in the county above.
    zone_manager = make_user(("manager",), unit=team["zone"])
    with pytest.raises(DomainError) as err:
        handover(s, zone_manager, team["leaving"], team["receiving"])
    assert err.value.field == "to_user_id"
    s.rollback()
    assert owned_counts(s, team["leaving"]) == {"company": 2, "lead": 3, "project": 1}


def test_a_manager_hands_over_within_the_unit_subtree(db, team, make_user):
    manager = make_user(("manager",), unit=team["county"])
    assert handover(db.session, manager, team["leaving"], team["bystander"]).counts["lead"] == 3


def test_handing_over_to_oneself_is_refused(db, team, make_user):
    with pytest.raises(DomainError):
        handover(db.session, make_user(("admin",)), team["leaving"], team["leaving"])


# --- the page ---------------------------------------------------------------------------------------------

def test_handover_page_shows_counts_then_moves(client, db, team, make_user, login):
    manager = make_user(("manager",), unit=team["county"])
    login(manager)
    client.set_cookie("lang", "en")
    url = f"/users/{team['leaving'].id}/handover"
    html = client.get(url).get_data(as_text=True)
    assert 'data-testid="count-company">2<' in html and 'data-testid="count-lead">3<' in html
    assert 'data-testid="count-project">1<' in html
    # Receivers: active users the manager reaches, not the leaving user, not other counties.
    options = html[html.index('name="to_user_id"'):html.index("</select>", html.index('name="to_user_id"'))]
    assert f'value="{team["receiving"].id}"' in options and f'value="{team["leaving"].id}"' not in options
    response = client.post(url, data={"csrf_token": csrf_token(html), "to_user_id": str(team["receiving"].id)})
    assert response.status_code == 302
    db.session.expire_all()
    assert owned_counts(db.session, team["receiving"]) == {"company": 2, "lead": 3, "project": 1}
    assert "Handed over 2 companies, 3 leads and 1 projects" in client.get(url).get_data(as_text=True)


def test_handover_page_does_not_offer_disabled_users(client, db, team, make_user, login):
    admin = make_user(("admin",))
    set_active(db.session, admin, team["receiving"], False)
    db.session.commit()
    login(admin)
    url = f"/users/{team['leaving'].id}/handover"
    html = client.get(url).get_data(as_text=True)
    assert f'value="{team["receiving"].id}"' not in html
    response = client.post(url, data={"csrf_token": csrf_token(html), "to_user_id": str(team["receiving"].id)})
    assert response.status_code == 200
    assert owned_counts(db.session, team["leaving"])["company"] == 2


def test_handover_page_is_404_outside_the_unit_and_403_without_the_function(client, db, team, make_user, login):
    login(make_user(("manager",), unit=team["other"]))
    assert client.get(f"/users/{team['leaving'].id}/handover").status_code == 404
    client.post("/logout", data={"csrf_token": csrf_token(client.get("/dashboard").get_data(as_text=True))})
    login(make_user(("officer",), unit=team["county"]))
    assert client.get(f"/users/{team['leaving'].id}/handover").status_code == 403
