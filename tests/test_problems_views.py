"""问题清单 pages: raise from the project page, the lifecycle through the forms (the responsible unit's close
refused with a message), visibility (the assigned county sees it, an unrelated officer gets 404), the
overdue page grouped by unit and 包联领导, the export read back, bad parameters."""
from __future__ import annotations

import io

import openpyxl
from sqlalchemy import select

from crm.models import Problem
from crm.problems import services
from tests.conftest import csrf_token
from tests.test_problems_services import PAST, qworld, raise_and_assign  # noqa: F401 - the shared fixture


def test_raise_from_the_project_page_and_work_it_through(client, db, qworld, login):  # noqa: F811
    u, project = qworld["users"], qworld["project"]
    login(u["a"])
    page = client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert 'data-testid="raise-problem-link"' in page
    form = client.get(f"/problems/project/{project.id}/new").get_data(as_text=True)
    data = {"csrf_token": csrf_token(form), "title": "", "level": "county"}
    refused = client.post(f"/problems/project/{project.id}/new", data=data)
    assert refused.status_code == 422 and "问题" in refused.get_data(as_text=True)
    data.update(title="环评批复滞后", source_meeting="月度调度会", kind="approval",
                resp_unit_id=qworld["units"]["b"].id, resp_person="李科长", deadline="2099-01-01")
    response = client.post(f"/problems/project/{project.id}/new", data=data)
    assert response.status_code == 302
    problem = db.session.scalar(select(Problem).where(Problem.title == "环评批复滞后"))
    assert (problem.status, problem.kind, problem.raised_by) == ("raised", "approval", u["a"].id)
    assert "环评批复滞后" in client.get(f"/projects/{project.id}").get_data(as_text=True)
    assert client.post(f"/problems/{problem.id}/assign", data={"csrf_token": data["csrf_token"]}).status_code == 403

    login(u["city_mgr"])
    token = csrf_token(client.get(f"/problems/{problem.id}").get_data(as_text=True))
    client.post(f"/problems/{problem.id}/assign", data={"csrf_token": token, "resp_unit_id": qworld["units"]["b"].id,
                                                        "deadline": "2099-01-01"})
    login(u["b"])
    page = client.get(f"/problems/{problem.id}").get_data(as_text=True)
    assert 'data-testid="accept-form"' in page
    token = csrf_token(page)
    client.post(f"/problems/{problem.id}/accept", data={"csrf_token": token})
    client.post(f"/problems/{problem.id}/answer", data={"csrf_token": token, "answer": "已上报生态环境局"})
    db.session.expire_all()
    assert db.session.get(Problem, problem.id).status == "answered"
    login(u["b_mgr"])
    token = csrf_token(client.get(f"/problems/{problem.id}").get_data(as_text=True))
    refused = client.post(f"/problems/{problem.id}/close", data={"csrf_token": token}, follow_redirects=True)
    assert "销号" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Problem, problem.id).status == "answered"

    def post(who, step, **data):
        login(u[who])
        token = csrf_token(client.get(f"/problems/{problem.id}").get_data(as_text=True))
        return client.post(f"/problems/{problem.id}/{step}", data={"csrf_token": token, **data}, follow_redirects=True)

    post("city_mgr", "send-back", reason="请补充批复时间")
    post("b", "answer", answer="6月10日批复")
    post("city_mgr", "escalate", reason="需市级协调")
    closed = post("city_mgr", "close")
    html = closed.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Problem, problem.id).status == "closed"
    assert db.session.get(Problem, problem.id).level == "city"
    assert "请补充批复时间" in html and 'data-testid="step-closed"' in html and 'data-testid="step-escalated"' in html


def test_visibility_assigned_county_sees_and_unrelated_officer_gets_404(client, db, qworld, login):  # noqa: F811
    problem = raise_and_assign(db, qworld)
    login(qworld["users"]["b"])
    assert client.get(f"/problems/{problem.id}").status_code == 200
    assert "用地指标未落实" in client.get("/problems/").get_data(as_text=True)
    login(qworld["users"]["c"])
    assert client.get(f"/problems/{problem.id}").status_code == 404
    assert "用地指标未落实" not in client.get("/problems/").get_data(as_text=True)
    assert client.get(f"/problems/project/{qworld['project'].id}/new").status_code == 404
    token = csrf_token(client.get("/problems/").get_data(as_text=True))
    assert client.post(f"/problems/{problem.id}/escalate", data={"csrf_token": token, "reason": "x"}).status_code \
        == 404


def test_overdue_page_groups_and_export_reads_back(client, db, qworld, login):  # noqa: F811
    u = qworld["users"]
    late = raise_and_assign(db, qworld, deadline=PAST, title="逾期未解决问题")
    raise_and_assign(db, qworld, title="未到期问题")
    login(u["leader"])
    html = client.get("/problems/overdue").get_data(as_text=True)
    assert "逾期未解决问题" in html and "未到期问题" not in html
    assert f'data-testid="unit-count-{qworld["units"]["b"].id}"' in html
    assert f'data-testid="leader-count-{u["leader"].id}"' in html
    assert "逾期未解决问题" in client.get(f"/problems/overdue?leader={u['leader'].id}").get_data(as_text=True)
    assert "逾期未解决问题" not in client.get(f"/problems/overdue?unit={qworld['units']['a'].id}").get_data(as_text=True)
    assert client.get("/problems/overdue?level=moon").status_code == 400
    assert client.get("/problems/?unit=abc").status_code == 400
    token = csrf_token(html)
    response = client.post("/exports/problems", data={"csrf_token": token, "format": "xlsx", "overdue": "1"})
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    header = list(rows[0])
    assert header[:3] == ["项目名称", "问题", "问题类型"] and len(rows) == 2
    row = dict(zip(header, rows[1]))
    assert (row["问题"], row["责任单位"], row["状态"], row["是否逾期"]) == (late.title, "问题乙县", "已交办", "是")
    assert (row["问题类型"], row["层级"], row["包联领导"]) == ("用地", "县级", u["leader"].name)
    csv = client.post("/exports/problems", data={"csrf_token": token, "format": "csv"})
    assert csv.status_code == 200 and "未到期问题" in csv.get_data(as_text=True)
    assert client.post("/exports/problems", data={"csrf_token": token, "format": "csv", "status": "x"}).status_code \
        == 400
    login(u["c"])
    csv = client.post("/exports/problems", data={"csrf_token": token, "format": "csv"})
    assert "逾期未解决问题" not in csv.get_data(as_text=True)


def test_answer_notifies_and_shows_in_the_steps(client, db, qworld, login):  # noqa: F811
    problem = raise_and_assign(db, qworld)
    services.answer(db.session, qworld["users"]["b"], problem, "书面反馈")
    db.session.commit()
    login(qworld["users"]["a"])
    html = client.get(f"/problems/{problem.id}").get_data(as_text=True)
    assert "书面反馈" in html and 'data-testid="step-answered"' in html
    assert 'data-testid="close-form"' not in html  # an officer holds no problem.assign
