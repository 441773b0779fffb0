"""问题清单 services: the full lifecycle with its history, only the assigning side closes, send-back,
escalation 县 → 市 → 省, notifications on 交办 and 反馈, the overdue list by unit and by 包联领导, bad input."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.models import AuditRecord, Notification, Problem, ProjectLeader
from crm.problems import listing, services
from crm.projects import services as project_services
from crm.security.scope import scope_for

PAST, FUTURE = dt.date(2020, 3, 1), dt.date(2099, 1, 1)


@pytest.fixture
def qworld(db, make_unit, make_user):
    city = make_unit("问题市", kind="city")
    a, b, c = make_unit("问题甲县", parent=city), make_unit("问题乙县", parent=city), make_unit("问题丙县", parent=city)
    users = {"a": make_user(("officer",), unit=a), "a_mgr": make_user(("manager",), unit=a),
             "b": make_user(("officer",), unit=b), "b_mgr": make_user(("manager",), unit=b),
             "c": make_user(("officer",), unit=c), "city_mgr": make_user(("manager",), unit=city),
             "leader": make_user(("city_leader",), unit=city)}
    project = project_services.create_project(db.session, users["a"], {
        "name": "问题测试项目", "source": "enterprise", "category": "industry", "resp_unit_id": a.id})
    db.session.add(ProjectLeader(project_id=project.id, user_id=users["leader"].id, level="city"))
    db.session.commit()
    return {"units": {"city": city, "a": a, "b": b, "c": c}, "users": users, "project": project}


def raise_and_assign(db, qworld, deadline=FUTURE, title="用地指标未落实"):
    u = qworld["users"]
    problem = services.raise_problem(db.session, u["a"], qworld["project"], {
        "title": title, "source_meeting": "第三次调度会", "kind": "land", "level": "county"})
    data = {"resp_unit_id": str(qworld["units"]["b"].id), "resp_person": "王局长", "deadline": deadline.isoformat()}
    services.assign(db.session, u["city_mgr"], problem, data)
    db.session.commit()
    return problem


def test_full_lifecycle_with_history_and_notifications(db, qworld):
    u = qworld["users"]
    problem = raise_and_assign(db, qworld)
    assert (problem.status, problem.resp_person) == ("assigned", "王局长")
    assert problem.assigning_unit_id == qworld["units"]["city"].id
    notices = db.session.scalars(select(Notification).where(Notification.kind == "problem_assigned")).all()
    assert [n.user_id for n in notices] == [u["b_mgr"].id] and notices[0].link == f"/problems/{problem.id}"
    with pytest.raises(DomainError):
        services.accept(db.session, u["a"], problem)  # not the responsible unit
    services.accept(db.session, u["b"], problem)
    services.answer(db.session, u["b"], problem, "已协调自然资源局落实指标")
    db.session.commit()
    assert problem.status == "answered"
    told = set(db.session.scalars(select(Notification.user_id).where(Notification.kind == "problem_answered")))
    assert told == {u["a"].id, u["city_mgr"].id}
    services.close(db.session, u["city_mgr"], problem, "已解决")
    db.session.commit()
    assert problem.status == "closed"
    steps = [(rec.field, who) for rec, who in services.transitions(db.session, problem)]
    assert [s for s, _who in steps] == ["raised", "assigned", "handling", "answered", "closed"]
    assert steps[3][1] == u["b"].name
    answer = db.session.scalar(select(AuditRecord.new).where(AuditRecord.entity_id == problem.id,
                                                             AuditRecord.field == "answered"))
    assert "已协调自然资源局落实指标" in answer


def test_responsible_unit_cannot_close_its_own_problem(db, qworld):
    u = qworld["users"]
    problem = raise_and_assign(db, qworld)
    services.answer(db.session, u["b"], problem, "已办结")
    db.session.commit()
    with pytest.raises(DomainError) as err:
        services.close(db.session, u["b_mgr"], problem)
    assert "销号" in str(err.value.message)
    with pytest.raises(DomainError):
        services.close(db.session, u["a_mgr"], problem)  # neither side
    with pytest.raises(DomainError):
        services.send_back(db.session, u["b_mgr"], problem, "自己退回")
    db.session.rollback()
    assert db.session.get(Problem, problem.id).status == "answered"


def test_send_back_needs_a_reason_and_returns_to_handling(db, qworld):
    u = qworld["users"]
    problem = raise_and_assign(db, qworld)
    services.answer(db.session, u["b"], problem, "已办")
    db.session.commit()
    with pytest.raises(DomainError) as err:
        services.send_back(db.session, u["city_mgr"], problem, "  ")
    assert err.value.field == "reason"
    services.send_back(db.session, u["city_mgr"], problem, "反馈内容不具体")
    db.session.commit()
    assert problem.status == "handling"
    with pytest.raises(DomainError):
        services.close(db.session, u["city_mgr"], problem)  # not answered again yet
    rec = db.session.scalar(select(AuditRecord).where(AuditRecord.entity_id == problem.id,
                                                      AuditRecord.field == "sent_back"))
    assert rec.user_id == u["city_mgr"].id and "反馈内容不具体" in rec.new


def test_escalation_county_city_province(db, qworld):
    u = qworld["users"]
    problem = raise_and_assign(db, qworld)
    with pytest.raises(DomainError):
        services.escalate(db.session, u["b"], problem, "")
    services.escalate(db.session, u["b"], problem, "县级无法协调")
    services.escalate(db.session, u["city_mgr"], problem, "需省级支持")
    db.session.commit()
    assert problem.level == "province"
    with pytest.raises(DomainError) as err:
        services.escalate(db.session, u["city_mgr"], problem, "再升")
    assert err.value.field == "level"
    moves = [(rec.old, rec.new) for rec, _who in services.transitions(db.session, problem) if rec.field == "escalated"]
    assert moves == [("county", "city · 县级无法协调"), ("city", "province · 需省级支持")]


def test_bad_input_is_refused(db, qworld):
    u = qworld["users"]
    project = qworld["project"]
    for data, field in (({"title": " "}, "title"), ({"title": "x", "level": "nation"}, "level"),
                        ({"title": "x", "kind": "gift"}, "kind"),
                        ({"title": "x", "resp_unit_id": "abc"}, "resp_unit_id"),
                        ({"title": "x", "deadline": "2026-13-40"}, "deadline")):
        with pytest.raises(DomainError) as err:
            services.raise_problem(db.session, u["a"], project, data)
        assert err.value.field == field
        db.session.rollback()
    problem = services.raise_problem(db.session, u["a"], project, {"title": "缺电"})
    for actor, data, field in ((u["city_mgr"], {"resp_unit_id": qworld["units"]["b"].id}, "deadline"),
                               (u["city_mgr"], {"deadline": "2026-05-01"}, "resp_unit_id"),
                               (u["b"], {"resp_unit_id": qworld["units"]["b"].id, "deadline": "2026-05-01"}, "status")):
        with pytest.raises(DomainError) as err:
            services.assign(db.session, actor, problem, data)
        assert err.value.field == field
    with pytest.raises(DomainError):
        services.answer(db.session, u["b"], problem, "尚未交办")
    with pytest.raises(DomainError):
        services.close(db.session, u["city_mgr"], problem)


def test_overdue_list_by_unit_and_by_leader(db, qworld):
    u = qworld["users"]
    late = raise_and_assign(db, qworld, deadline=PAST, title="逾期问题")
    raise_and_assign(db, qworld, deadline=FUTURE, title="未到期问题")
    closed = raise_and_assign(db, qworld, deadline=PAST, title="已销号问题")
    services.answer(db.session, u["b"], closed, "完成")
    services.close(db.session, u["city_mgr"], closed)
    db.session.commit()
    condition = scope_for(db.session, u["leader"]).condition(Problem)
    filters = listing.Filters(overdue=True, today=dt.date(2026, 6, 1))
    rows = db.session.execute(listing.problem_query(filters, condition)).all()
    assert [r[0].id for r in rows] == [late.id]
    assert db.session.execute(listing.by_unit(filters, condition)).all() == [(qworld["units"]["b"].id, "问题乙县", 1)]
    assert db.session.execute(listing.by_leader(filters, condition)).all() == [(u["leader"].id, u["leader"].name, 1)]
    by_other = listing.Filters(overdue=True, unit=qworld["units"]["a"].id, today=dt.date(2026, 6, 1))
    assert db.session.execute(listing.problem_query(by_other, condition)).all() == []
    with pytest.raises(listing.BadFilter):
        listing.filters_from_args({"status": "lost"})
    unrelated = scope_for(db.session, u["c"]).condition(Problem)
    assert db.session.execute(listing.by_unit(filters, unrelated)).all() == []
