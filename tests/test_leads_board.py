"""The lead board: column totals against a Python recomputation, visibility, paged columns, and moves
through the stage service — legal, refused with the rule's message, stale, and recorded in history."""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from sqlalchemy import select

from crm.leads import listing, services, stages
from crm.leads.board import COLUMNS
from crm.models import Lead, LeadStageChange
from crm.security.scope import scope_for
from tests.conftest import csrf_token
from tests.test_leads_services import UTC, new_lead, world  # noqa: F401 - the shared fixture


@pytest.fixture
def spread(db, world):  # noqa: F811
    """Leads of both counties at several stages, one of 乙县's with 甲县 as 协办."""
    plan = [("a", "clue", "100"), ("a", "clue", None), ("a", "contact", "2500.5"), ("a", "visit", "40000"),
            ("a_mgr", "negotiate", "3"), ("a", "paused", "70"), ("b", "clue", "999"), ("b", "visit", "1")]
    made = []
    for i, (who, stage, amount) in enumerate(plan):
        lead = new_lead(db, world, who, title=f"看板项目{i}", amount=amount)
        if stage != "clue":
            stages.move(db.session, world["users"][who], lead, stage, reason="等待" if stage == "paused" else None)
        made.append(lead)
    shared = new_lead(db, world, "b", title="乙县协办项目", amount="12", host_credit=60,
                      assists=[(world["units"]["a"].id, 40)])
    db.session.commit()
    return made + [shared]


def recompute(db, user) -> dict[str, tuple[int, Decimal]]:
    scope = scope_for(db.session, user)
    out = {}
    for lead in db.session.scalars(select(Lead)):
        if scope.can_see(db.session, lead):
            count, total = out.get(lead.stage, (0, Decimal(0)))
            out[lead.stage] = (count + 1, total + Decimal(lead.amount or 0))
    return out


@pytest.mark.parametrize("who", ["a", "b", "leader"])
def test_column_totals_equal_a_python_recomputation(db, world, spread, who):  # noqa: F811
    user = world["users"][who]
    filters = listing.LeadFilters()
    rows = db.session.execute(listing.board_totals_query(filters, scope_for(db.session, user))).all()
    assert {stage: (count, Decimal(amount or 0)) for stage, count, amount in rows} == recompute(db, user)
    # The list's filters apply to the totals too.
    narrowed = listing.LeadFilters(amount_min=Decimal(50))
    rows = db.session.execute(listing.board_totals_query(narrowed, scope_for(db.session, user))).all()
    expected = {s: c for s, c in ((lead.stage, 1) for lead in spread
                                  if lead.amount is not None and lead.amount >= 50
                                  and scope_for(db.session, user).can_see(db.session, lead))}
    assert {stage for stage, _c, _a in rows} == set(expected)


def test_board_page_shows_counts_sums_and_only_visible_cards(client, db, world, spread, login):  # noqa: F811
    login(world["users"]["a"])
    html = client.get("/leads/board/").get_data(as_text=True)
    for stage in COLUMNS:
        assert f'data-testid="column-{stage}"' in html
    assert 'data-testid="count-clue">3<' in html and 'data-testid="sum-clue">112.00<' in html  # with the 协办 one
    assert 'data-testid="count-visit">1<' in html and 'data-testid="sum-visit">40,000.00<' in html
    assert "看板项目0" in html and "乙县协办项目" in html  # own unit and the 协办 one
    assert "看板项目6" not in html and "看板项目7" not in html  # never another unit's lead
    assert f'data-testid="card-{spread[6].id}"' not in html
    column = client.get("/leads/board/column/clue?page=1").get_data(as_text=True)
    assert "看板项目0" in column and "看板项目6" not in column
    assert client.get("/leads/board/column/nowhere").status_code == 404
    login(world["users"]["b"])
    html = client.get("/leads/board/").get_data(as_text=True)
    assert "看板项目6" in html and "看板项目0" not in html


def test_columns_page_about_twenty_cards_with_a_more_button(client, db, world, login):  # noqa: F811
    for i in range(23):
        new_lead(db, world, "a", title=f"成批项目{i:02d}", now=dt.datetime(2026, 1, 1, tzinfo=UTC) + dt.timedelta(hours=i))
    login(world["users"]["a"])
    html = client.get("/leads/board/?method=").get_data(as_text=True)
    assert html.count('class="card board-card') == 20
    assert 'data-testid="more-clue"' in html and "/leads/board/column/clue?page=2" in html
    assert "成批项目22" in html and "成批项目02" not in html  # newest 首报 first
    more = client.get("/leads/board/column/clue?page=2").get_data(as_text=True)
    assert more.count('class="card board-card') == 3 and "成批项目00" in more
    assert 'data-testid="more-clue"' not in more
    assert 'data-testid="more-contact"' not in html


def move(client, lead, stage, version=None, reason="", query=""):
    page = client.get("/leads/board/").get_data(as_text=True)
    return client.post(f"/leads/board/move{query}", data={
        "csrf_token": csrf_token(page), "lead_id": lead.id, "stage": stage, "reason": reason,
        "version_id": lead.version_id if version is None else version})


def test_a_legal_move_records_history_and_answers_new_totals(client, db, world, spread, login):  # noqa: F811
    lead = spread[0]
    login(world["users"]["a"])
    response = move(client, lead, "visit")
    assert response.status_code == 200, response.get_data(as_text=True)
    answer = response.get_json()
    db.session.refresh(lead)
    assert lead.stage == "visit" and answer["ok"] and answer["version_id"] == lead.version_id
    assert answer["totals"]["clue"] == {"count": 2, "amount": "12.00"}
    assert answer["totals"]["visit"] == {"count": 2, "amount": "40,100.00"}
    change = db.session.scalars(select(LeadStageChange).where(LeadStageChange.lead_id == lead.id)
                                .order_by(LeadStageChange.id.desc())).first()
    assert (change.from_stage, change.to_stage, change.user_id) == ("clue", "visit", world["users"]["a"].id)
    assert change.seconds_in_previous is not None and change.seconds_in_previous > 0
    # The totals follow the board's filters (sent in the move's query string).
    answer = move(client, lead, "negotiate", query="?amount_min=1000").get_json()
    assert answer["totals"]["negotiate"] == {"count": 0, "amount": "0.00"}
    assert answer["totals"]["visit"] == {"count": 1, "amount": "40,000.00"}


@pytest.mark.parametrize("stage, reason, message", [
    ("clue", "", ("manager", "管理人员")),              # backward without a manager
    ("paused", "", ("reason", "原因")),                   # an exit without a reason
    ("signed", "", ("正式合同",)),                        # 签约 without a contract
])
def test_illegal_moves_are_refused(client, db, world, spread, login, stage, reason, message):  # noqa: F811
    lead = spread[2]  # 接洽
    login(world["users"]["a"])
    answer = move(client, lead, stage, reason=reason).get_json()
    assert not answer["ok"] and answer["refused"] == "rule" and any(w in answer["message"] for w in message), answer
    db.session.refresh(lead)
    assert lead.stage == "contact"


def test_pause_with_a_reason_then_a_manager_moves_back(client, db, world, spread, login):  # noqa: F811
    lead = spread[2]
    login(world["users"]["a"])
    assert move(client, lead, "paused", reason="等待用地指标").get_json()["ok"]
    db.session.refresh(lead)
    assert (lead.stage, lead.exit_reason, lead.stage_before_exit) == ("paused", "等待用地指标", "contact")
    login(world["users"]["a_mgr"])
    assert move(client, lead, "clue").get_json()["ok"]  # back past the stage it left: a manager may
    db.session.refresh(lead)
    assert lead.stage == "clue"


def test_a_stale_version_is_refused(client, db, world, spread, login):  # noqa: F811
    lead = spread[0]
    old = lead.version_id
    services.update_lead(db.session, world["users"]["a"], lead, {"referrer": "另一位同事"})
    db.session.commit()
    login(world["users"]["a"])
    client.set_cookie("lang", "en")
    answer = move(client, lead, "contact", version=old).get_json()
    assert not answer["ok"] and answer["refused"] == "stale" and "changed by someone else" in answer["message"]
    db.session.refresh(lead)
    assert lead.stage == "clue"


def test_moves_outside_the_scope_or_the_role_are_refused(client, db, world, spread, login):  # noqa: F811
    login(world["users"]["a"])
    assert move(client, spread[6], "contact").status_code == 404  # 乙县's lead
    login(world["users"]["leader"])
    html = client.get("/leads/board/").get_data(as_text=True)
    assert "看板项目6" in html and 'draggable="true"' not in html  # leaders look, they do not drag
    assert move(client, spread[0], "contact").status_code == 403
    login(world["users"]["a"])
    page = client.get("/leads/board/").get_data(as_text=True)
    response = client.post("/leads/board/move", data={"csrf_token": csrf_token(page), "lead_id": "x"})
    assert response.status_code == 400 and not response.get_json()["ok"]
    db.session.refresh(spread[0])
    assert spread[0].stage == "clue"
