"""台账 exports read back cell by cell on a hand-made fixture (both databases): title, meta row, merged
two-level headers, the hidden key row and its defined name, 总计 and 小计 rows and values, number formats,
dates as dates, widths, freeze panes and print setup; the 月报 under a county officer's scope (other units'
projects absent, other units' phones masked); the overdue 调度 list and the signing list; the download view."""
from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal
from urllib.parse import quote

import openpyxl
import pytest

from crm.core.errors import DomainError
from crm.ledgers import fields, service
from crm.models import Contact, ProjectLeader, ProjectMonth
from crm.projects import plans
from crm.security.scope import scope_for
from tests.conftest import csrf_token
from tests.test_projects_services import new_project, pworld  # noqa: F401 - the shared fixture

TODAY = dt.date(2026, 3, 20)
MONTHS = {  # project → {(year, month): completed}
    "p1": {(2025, 11): "100", (2025, 12): "200", (2026, 1): "100", (2026, 2): "150.5", (2026, 3): "50",
           (2026, 4): "999"},
    "p2": {(2026, 3): "99.5"},
}


@pytest.fixture
def lworld(db, pworld):  # noqa: F811
    from crm.leads.services import create_lead, record_signing
    from crm.problems.services import raise_problem
    users, units, company = pworld["users"], pworld["units"], pworld["company"]
    users["leader"].name, users["leader2"].name = "王市长", "李副市长"
    p1 = new_project(db, pworld, name="甲县新材料项目", code="2026-141002-44-01-000101", company_id=company.id,
                     total_investment="12000", nature="new", content="年产5万吨新材料", start_year=2025, end_year=2027,
                     planned_complete_on=dt.date(2027, 6, 30))
    p1.location_code = "141002"
    p2 = new_project(db, pworld, who="zone", unit="zone", name="甲县开发区道路工程", category="infrastructure",
                     total_investment="5000", nature="expand")
    p3 = new_project(db, pworld, who="b", unit="b", name="乙县康养项目", category="livelihood",
                     total_investment="3000", company_id=company.id)
    new_project(db, pworld, name="甲县未入计划项目", total_investment="777")
    for project, who, planned, start in ((p1, "a", "1200", 2), (p2, "zone", "800", None), (p3, "b", None, None)):
        plans.set_year(db.session, users[who], project, 2026, {"plan_list": "new", "planned_investment": planned,
                                                               "planned_start_month": start})
    for key, project in (("p1", p1), ("p2", p2)):
        for (year, month), amount in MONTHS[key].items():
            db.session.add(ProjectMonth(project_id=project.id, year=year, month=month, completed=Decimal(amount),
                                        stats_status="entered" if (key, year, month) == ("p1", 2026, 3) else "none",
                                        progress="主体结构施工" if (key, year, month) == ("p1", 2026, 3) else None))
    db.session.add_all([ProjectLeader(project_id=p1.id, user_id=users["leader"].id, level="city"),
                        ProjectLeader(project_id=p1.id, user_id=users["leader2"].id, level="county"),
                        ProjectLeader(project_id=p2.id, user_id=users["leader2"].id, level="city"),
                        Contact(company_id=company.id, name="张三", phone="13912345678", owner_unit_id=units["a"].id)])
    late = raise_problem(db.session, users["a"], p2, {
        "title": "用地指标不足", "kind": "land", "level": "city", "resp_unit_id": units["a"].id, "resp_person": "李四",
        "source_meeting": "第3次调度会", "deadline": "2026-01-05"})
    raise_problem(db.session, users["b"], p3,
                  {"title": "=环评未批复", "resp_unit_id": units["b"].id, "deadline": "2026-02-01"})
    raise_problem(db.session, users["a"], p1, {"title": "电力接入", "deadline": "2026-03-25"})  # not overdue yet
    lead = create_lead(db.session, users["a"], {"company_id": company.id, "title": "新材料产业园"})
    other = create_lead(db.session, users["b"], {"company_id": company.id, "title": "康养小镇"})
    for who, on_lead, kind, on, amount in (("a", lead, "contract", dt.date(2026, 2, 10), "5000"),
                                           ("b", other, "framework", dt.date(2026, 3, 5), "1000.25"),
                                           ("a", lead, "intent", dt.date(2025, 12, 30), "9"),
                                           ("a", lead, "intent", dt.date(2026, 4, 2), "9")):
        record_signing(db.session, users[who], on_lead, kind=kind, signed_on=on, amount=amount,
                       deadline_start=dt.date(2026, 9, 30) if kind == "contract" else None)
    db.session.commit()
    return {**pworld, "p1": p1, "p2": p2, "p3": p3, "late": late}


def _export(db, user, key, tmp_path, month=3, unit_id=None, by=None, year=2026):
    template = service.templates()[key]
    ctx = service.context(db.session, scope_for(db.session, user), year, month, unit_id, TODAY)
    path = tmp_path / f"{key}-{by}.xlsx"
    count = service.export(db.session, template, ctx, str(path), by=by)
    book = openpyxl.load_workbook(path)
    return book, book.worksheets[0], count


def _columns(ws, key_row=5) -> dict[str, int]:
    """Column numbers by key, read from the hidden key row as a re-import would."""
    return {ws.cell(key_row, c).value: c for c in range(1, ws.max_column + 1) if ws.cell(key_row, c).value}


def _rows_by_id(ws, cols, id_key="project_id", first=6):
    return {ws.cell(r, cols[id_key]).value: r for r in range(first, ws.max_row + 1) if ws.cell(r, cols[id_key]).value}


def test_every_shipped_template_loads_and_the_monthly_report_has_the_columns_used_in_practice():
    shipped = service.templates()
    assert set(shipped) == {"monthly_key_projects", "overdue_problems", "signings"}
    headers = [c.header for c in shipped["monthly_key_projects"].columns if not c.hidden]
    assert headers == ["序号", "投资项目代码", "项目名称", "建设单位", "建设地点", "建设性质", "建设内容", "建设起止年限", "总投资",
                       "截至上年底累计完成", "今年计划投资", "1-{month}月完成", "占年计划%", "本月完成投资", "开工以来累计",
                       "计划开工时间", "计划竣工时间", "形象进度", "前期手续情况", "是否入统", "项目类别", "所属产业链", "包联领导",
                       "责任单位", "联系人及电话", "建设阶段", "本月进展", "问题和建议"]
    # the keys other features are to register are known now and blank until then
    assert {"approvals", "month_note", "contact"} <= fields.registered() and fields.AWAITING == {}


def test_approvals_liaison_and_month_note_columns_come_from_their_features(db, lworld, tmp_path):
    from crm.approvals.services import items_of, set_profile, update_item
    from crm.teams import services as team_services
    users, p1, p2 = lworld["users"], lworld["p1"], lworld["p2"]
    set_profile(db.session, users["a"], p1, {"approval_type": "record", "land_supply": "none", "in_zone": False})
    first = items_of(db.session, p1.id)[0]
    update_item(db.session, users["a"], p1, first, {"status": "done", "doc_number": "临发改备〔2026〕1号"})
    team_services.add_member(db.session, users["a"], p1, {"role": "liaison", "name": "赵联络", "phone": "13800001111"})
    db.session.execute(ProjectMonth.__table__.update().where(
        (ProjectMonth.project_id == p2.id) & (ProjectMonth.month == 3)).values(note="路基完成80%"))
    db.session.commit()
    for user, phone in ((users["leader"], "13800001111"), (users["b"], "138****1111")):
        _book, ws, _count = _export(db, user, "monthly_key_projects", tmp_path)
        cols = _columns(ws)
        rows = _rows_by_id(ws, cols)
        if p1.id in rows:  # 乙县 does not see 甲县's projects at all
            approvals = ws.cell(rows[p1.id], cols["approvals"]).value
            assert approvals.startswith("已办 1/") and ws.cell(rows[p1.id], cols["contact"]).value == f"赵联络 {phone}"
            assert ws.cell(rows[p2.id], cols["month_note"]).value == "路基完成80%"
            assert ws.cell(rows[p2.id], cols["contact"]).value is None  # no 联络员 and no company
    # The 联络员 replaces the owner company's contact; a masked phone outside the owning units.
    from crm.ledgers.fields import Context, ProjectIds, field_value_fn
    from sqlalchemy import select
    from crm.models import Project
    ids = ProjectIds([p1.id], select(Project.id).where(Project.id == p1.id))
    ctx = Context(scope_for(db.session, users["b"]), 2026, 3, "")
    assert field_value_fn("contact")(db.session, ids, ctx) == {p1.id: "赵联络 138****1111"}


def test_monthly_report_read_back_cell_by_cell(db, lworld, tmp_path):
    book, ws, count = _export(db, lworld["users"]["leader"], "monthly_key_projects", tmp_path)
    assert count == 3 and ws.title == "重点项目月报"
    assert ws["A1"].value == "2026年项目市重点项目建设进展情况表（截至3月底）"
    merged = {str(r) for r in ws.merged_cells.ranges}
    assert "A1:AC1" in merged
    assert [ws["A2"].value, ws["J2"].value, ws["T2"].value] == ["填报单位：项目市", "截止日期：2026年3月31日", "单位：万元"]
    assert {"A2:I2", "J2:S2", "T2:AC2"} <= merged
    # two-level header: groups merged across their children, plain columns merged down both rows
    assert {"I3:K3", "L3:O3", "P3:S3", "A3:A4", "B3:B4", "C3:C4", "AB3:AB4"} <= merged
    assert [ws["I3"].value, ws["L3"].value, ws["P3"].value] == ["投资情况", "2026年完成投资", "建设进度"]
    assert [ws.cell(4, c).value for c in range(9, 20)] == ["总投资", "截至上年底累计完成", "今年计划投资", "1-3月完成",
                                                           "占年计划%", "本月完成投资", "开工以来累计", "计划开工时间",
                                                           "计划竣工时间", "形象进度", "前期手续情况"]
    assert ws["A3"].value == "序号" and ws["AB3"].value == "问题和建议"
    # the hidden key row, also reachable through the defined name
    cols = _columns(ws)
    assert ws.row_dimensions[5].hidden and cols["seq"] == 1 and cols["problems"] == 28 and cols["project_id"] == 29
    assert book.defined_names["ledger_keys"].attr_text == "'重点项目月报'!$A$5:$AC$5"
    assert ws.column_dimensions["AC"].hidden
    props = {p.name: p.value for p in book.custom_doc_props.props}
    assert props == {"chaincrm_template": "monthly_key_projects", "chaincrm_period": "2026-03"}
    # 总计 at the top: sums, the ratio of the sums, the project count
    assert ws["C6"].value == "总计" and ws["B6"].value == 3 and ws["B6"].number_format == '0"项"'
    expected_total = {"total_investment": 20000, "before_year": 300, "year_plan": 2000, "ytd": 400,
                      "ytd_percent": 0.2, "this_month": 149.5, "since_start": 700}
    assert {k: ws.cell(6, cols[k]).value for k in expected_total} == expected_total
    assert ws.cell(6, cols["ytd_percent"]).number_format == "0.00%"
    rows = _rows_by_id(ws, cols)
    p1, p2, p3 = (rows[lworld[k].id] for k in ("p1", "p2", "p3"))
    assert sorted(rows.values()) == [7, 8, 9]  # the project outside the year's plan is absent

    def row(r):
        return {k: ws.cell(r, c).value for k, c in cols.items()}
    one = row(p1)
    assert one["code"] == "2026-141002-44-01-000101" and one["name"] == "甲县新材料项目"
    assert one["company"] == "项目测试集团有限公司" and one["location"] == "尧都区" and one["nature"] == "新建"
    assert one["years"] == "2025—2027" and one["total_investment"] == 12000 and one["before_year"] == 300
    assert one["year_plan"] == 1200 and one["ytd"] == 300.5 and one["ytd_percent"] == 0.2504
    assert one["this_month"] == 50 and one["since_start"] == 600.5  # April's 999 is after the period
    assert one["planned_start"] == dt.datetime(2026, 2, 1) and one["planned_finish"] == dt.datetime(2027, 6, 30)
    assert one["progress"] == "主体结构施工" and one["stats_status"] == "是" and one["category"] == "产业"
    assert one["leaders"] == "王市长、李副市长" and one["resp_unit"] == "项目甲县" and one["stage"] == "签约"
    assert one["contact"] == "张三 13912345678" and one["problems"] == "电力接入"
    assert one["approvals"] is None and one["month_note"] is None  # no checklist, no note in this fixture
    c = cols["planned_start"]
    assert ws.cell(p1, c).is_date and ws.cell(p1, c).number_format == 'yyyy"年"m"月"'
    assert ws.cell(p1, cols["total_investment"]).number_format == "#,##0.00"
    assert ws.cell(p1, cols["code"]).number_format == "@" and ws.cell(p1, 1).value in (1, 2, 3)
    two, three = row(p2), row(p3)
    assert two["ytd_percent"] == 0.1244 and two["before_year"] is None and two["since_start"] == 99.5
    assert two["stats_status"] == "否" and two["problems"] == "用地指标不足" and two["leaders"] == "李副市长"
    assert three["ytd"] is None and three["ytd_percent"] is None and three["since_start"] is None
    assert sorted(ws.cell(r, 1).value for r in (p1, p2, p3)) == [1, 2, 3]
    # widths, frozen panes (below 总计, three columns) and print setup
    assert ws.column_dimensions["C"].width == pytest.approx(28.71, abs=0.01)
    assert ws.column_dimensions["A"].width == pytest.approx(6.71, abs=0.01)
    assert ws.freeze_panes == "D7"
    assert ws.page_setup.orientation == "landscape" and ws.sheet_properties.pageSetUpPr.fitToPage
    assert ws.page_setup.fitToWidth in (None, 1) and ws.page_setup.fitToHeight == 0  # 1 page wide is the default
    assert ws.page_setup.paperSize == 8
    assert ws.print_title_rows == "$3:$4"


def test_monthly_report_subtotals_by_category_and_by_county(db, lworld, tmp_path):
    _book, ws, _n = _export(db, lworld["users"]["leader"], "monthly_key_projects", tmp_path, by="category")
    cols = _columns(ws)
    labels = [(ws.cell(r, cols["name"]).value, ws.cell(r, cols["project_id"]).value) for r in range(6, 13)]
    assert labels == [("总计", None), ("产业小计", None), ("甲县新材料项目", lworld["p1"].id),
                      ("基础设施小计", None), ("甲县开发区道路工程", lworld["p2"].id),
                      ("社会民生小计", None), ("乙县康养项目", lworld["p3"].id)]
    assert ws.max_row == 12
    assert [ws.cell(r, cols["ytd"]).value for r in (6, 7, 9, 11)] == [400, 300.5, 99.5, None]
    assert [ws.cell(r, cols["code"]).value for r in (6, 7, 9, 11)] == [3, 1, 1, 1]  # counts
    assert ws.cell(7, cols["ytd_percent"]).value == 0.2504 and ws.cell(11, cols["ytd_percent"]).value is None
    assert ws.cell(7, cols["ytd"]).fill.fgColor.rgb.endswith("FFF2CC")  # 小计 styled apart from data
    assert [ws.cell(r, 1).value for r in (8, 10, 12)] == [1, 2, 3]
    _book, ws, _n = _export(db, lworld["users"]["leader"], "monthly_key_projects", tmp_path, by="county")
    names = [ws.cell(r, cols["name"]).value for r in range(6, 12)]
    # the zone's project counts under its county (属地); 乙 (U+4E59) sorts before 甲 (U+7532)
    assert names == ["总计", "项目乙县小计", "乙县康养项目", "项目甲县小计", "甲县开发区道路工程", "甲县新材料项目"]
    assert ws.cell(9, cols["total_investment"]).value == 17000 and ws.cell(9, cols["ytd"]).value == 400
    assert ws.cell(9, cols["ytd_percent"]).value == 0.2


def test_monthly_report_under_a_county_officers_scope(db, lworld, tmp_path):
    _book, ws, count = _export(db, lworld["users"]["b"], "monthly_key_projects", tmp_path)
    cols = _columns(ws)
    assert count == 1 and ws["A2"].value == "填报单位：项目乙县"
    assert list(_rows_by_id(ws, cols)) == [lworld["p3"].id]
    assert ws.cell(6, cols["total_investment"]).value == 3000
    # the contact belongs to 甲县: its phone is masked for 乙县
    assert ws.cell(7, cols["contact"]).value == "张三 139****5678"
    with pytest.raises(DomainError) as err:
        _export(db, lworld["users"]["b"], "monthly_key_projects", tmp_path, unit_id=lworld["units"]["a"].id)
    assert err.value.field == "unit_id"
    # a city-wide user may narrow to one county: the zone below it comes along
    _book, ws, count = _export(db, lworld["users"]["leader"], "monthly_key_projects", tmp_path,
                               unit_id=lworld["units"]["a"].id)
    assert count == 2 and ws.cell(6, cols["ytd"]).value == 400


def test_a_registered_field_fills_its_column_in_one_call(db, lworld, tmp_path):
    calls = []

    def approvals(session, project_ids):
        calls.append(sorted(project_ids))
        return {i: "立项已办；用地在办" for i in project_ids}
    shipped = fields.field_object("approvals")
    try:
        fields.register_field("approvals", approvals)
        _book, ws, _n = _export(db, lworld["users"]["leader"], "monthly_key_projects", tmp_path)
    finally:
        fields.register_field("approvals", shipped)  # put the approvals feature's field back
    cols = _columns(ws)
    assert calls == [sorted(lworld[k].id for k in ("p1", "p2", "p3"))]
    assert {ws.cell(r, cols["approvals"]).value for r in (7, 8, 9)} == {"立项已办；用地在办"}


def test_overdue_problem_list(db, lworld, tmp_path):
    _book, ws, count = _export(db, lworld["users"]["leader"], "overdue_problems", tmp_path, by="resp_unit")
    cols = _columns(ws)
    assert ws["A1"].value == "重点项目超期未办结问题调度清单（截至2026年3月20日）"
    assert {"F3:H3", "J3:K3", "A3:A4"} <= {str(r) for r in ws.merged_cells.ranges}
    assert count == 2 and ws.cell(6, cols["project"]).value == "合计" and ws.cell(6, cols["title"]).value == 2
    got = [[ws.cell(r, cols[k]).value for k in ("project", "title", "resp_unit", "days_overdue", "level", "kind")]
           for r in range(7, 11)]
    assert got == [["项目乙县小计", 1, None, None, None, None],
                   ["乙县康养项目", "=环评未批复", "项目乙县", 47, "县级", None],
                   ["项目甲县小计", 1, None, None, None, None],
                   ["甲县开发区道路工程", "用地指标不足", "项目甲县", 74, "市级", "用地"]]
    assert ws.cell(8, cols["title"]).quotePrefix and ws.cell(8, cols["title"]).data_type == "s"
    late = 10
    assert ws.cell(late, cols["deadline"]).value == dt.datetime(2026, 1, 5)
    assert ws.cell(late, cols["deadline"]).number_format == "yyyy-mm-dd"
    assert [ws.cell(late, cols[k]).value for k in ("resp_person", "leaders", "meeting", "status", "problem_id")] == [
        "李四", "李副市长", "第3次调度会", "已提出", lworld["late"].id]
    # 乙县's officer sees its own problem only
    _book, ws, count = _export(db, lworld["users"]["b"], "overdue_problems", tmp_path)
    assert count == 1 and ws.cell(7, cols["project"]).value == "乙县康养项目"


def test_signing_list(db, lworld, tmp_path):
    _book, ws, count = _export(db, lworld["users"]["leader"], "signings", tmp_path, by="kind")
    cols = _columns(ws)
    assert ws["A1"].value == "2026年项目市招商引资签约项目清单（1-3月）"
    assert count == 2  # December 2025 and April 2026 are outside 1–3月 of 2026
    got = [[ws.cell(r, cols[k]).value for k in ("company", "project", "kind", "amount", "unit")] for r in range(6, 11)]
    assert got == [["合计", 2, None, 6000.25, None],
                   ["正式合同小计", 1, None, 5000, None],
                   ["项目测试集团有限公司", "新材料产业园", "正式合同", 5000, "项目甲县"],
                   ["框架协议小计", 1, None, 1000.25, None],
                   ["项目测试集团有限公司", "康养小镇", "框架协议", 1000.25, "项目乙县"]]
    assert ws.cell(8, cols["signed_on"]).value == dt.datetime(2026, 2, 10)
    assert ws.cell(8, cols["deadline_start"]).value == dt.datetime(2026, 9, 30)
    assert ws.cell(6, cols["amount"]).number_format == "#,##0.00"


def test_the_page_and_the_download(db, lworld, client, login):
    login(lworld["users"]["leader"])
    page = client.get("/ledgers/")
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "重点项目月报" in html and "超期问题调度清单" in html
    token = csrf_token(html)
    prefix = "monthly_key_projects-"
    data = {f"{prefix}csrf_token": token, f"{prefix}year": "2026", f"{prefix}month": "3",
            f"{prefix}unit_id": "", f"{prefix}group": "category"}
    response = client.post("/ledgers/monthly_key_projects", data=data)
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    name = "重点项目月报-项目市-2026年03月.xlsx"
    assert response.headers["Content-Disposition"] == (
        f"attachment; filename=\"ledger.xlsx\"; filename*=UTF-8''{quote(name)}")
    ws = openpyxl.load_workbook(io.BytesIO(response.data)).worksheets[0]
    assert ws["C7"].value == "产业小计"
    for bad in ({f"{prefix}month": "13"}, {f"{prefix}group": "nonsense"}, {f"{prefix}unit_id": "999999"}):
        assert client.post("/ledgers/monthly_key_projects", data={**data, **bad}).status_code == 400
    assert client.post("/ledgers/nonsense", data=data).status_code == 404
    assert client.post("/ledgers/monthly_key_projects", data={**data, f"{prefix}csrf_token": ""}).status_code == 400
