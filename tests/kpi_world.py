"""A small hand-computed 2022 plan for the KPI tests (every expected figure is worked out in the tests).

Units: city ⊃ 甲县 (a) ⊃ 甲县开发区 (z); city ⊃ 乙县 (b).

新开工 list — N1 (a) 开工 3-10 confirmed, 注册 2-20, 投产 3-28 pending; N2 (z) 开工 3-20 pending;
N3 (a) 开工 4-15 confirmed; N4 (b) 开工 3-05 returned; N5 (b) not started.
续建 list — C1 (a) 开工 2021 confirmed, 竣工 3-25, completed 120 in Feb; C2 (b) 开工 2021 pending,
60 in March; C3 (b) a zero in January; C4 (z) 开工 2021 confirmed, 80 in April.
前期 list — P1 (a), 招商引资, planned 100, nothing reported.
Contracts — S1 (a, 2022-01-10) → N1, 注册 by 2-28, 开工 by 3-15; S2 (a, 2-01) → N2, 开工 by 3-25;
S3 (a, 2021-11-01) no project, 开工 by 2022-03-01, 投产 by 12-31; S4 (b, 3-05) no project, no deadlines;
S5 (a) a 框架协议 (never counted).
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from crm.companies.services import create_company
from crm.models import Project, ProjectStageChange, ProjectYear, Signing
from crm.models.monthly import ProjectMonth

D = dt.date


def build(db, make_unit, make_user) -> dict:
    city = make_unit("指标市", kind="city")
    a = make_unit("指标甲县", parent=city, group_name="沿汾")
    z = make_unit("指标甲县开发区", kind="zone", parent=a)
    b = make_unit("指标乙县", parent=city, group_name="沿汾")
    users = {"admin": make_user(("admin",), unit=city), "a": make_user(("officer",), unit=a),
             "b": make_user(("officer",), unit=b), "leader": make_user(("county_leader",), unit=b)}
    company = create_company(db.session, users["admin"], {"name": "指标测试集团有限公司"})
    s = db.session

    def project(name, unit, plan_list, planned=None, split=None, source="enterprise", category="industry",
                start_month=None, finish_month=None, **extra):
        p = Project(name=name, resp_unit_id=unit.id, source=source, category=category, **extra)
        s.add(p)
        s.flush()
        s.add(ProjectYear(project_id=p.id, year=2022, plan_list=plan_list,
                          planned_investment=None if planned is None else Decimal(planned),
                          planned_start_month=start_month, planned_finish_month=finish_month, monthly_plan=split))
        return p

    def move(p, to_stage, on, status=None):
        s.add(ProjectStageChange(project_id=p.id, to_stage=to_stage, effective_on=on, review_status=status))

    def month(p, m, completed=None, year=2022, **extra):
        s.add(ProjectMonth(project_id=p.id, year=year, month=m,
                           completed=None if completed is None else Decimal(completed), **extra))

    def signing(unit, signed_on, kind="contract", **deadlines):
        row = Signing(company_id=company.id, unit_id=unit.id, kind=kind, signed_on=signed_on, **deadlines)
        s.add(row)
        s.flush()
        return row

    split_n1 = {str(k): "100.00" for k in range(1, 13)}
    n1 = project("N1 新材料", a, "new", "1200", split_n1, source="attraction", start_month=3, finish_month=12,
                 planned_production_on=D(2022, 3, 1))
    n2 = project("N2 物流园", z, "new", "600", start_month=3)
    n3 = project("N3 医院", a, "new", start_month=4, category="livelihood")
    n4 = project("N4 道路", b, "new", start_month=2, category="infrastructure")
    n5 = project("N5 学校", b, "new", start_month=6, category="livelihood")
    c1 = project("C1 焦化升级", a, "continuing", "1000", finish_month=6)
    c2 = project("C2 特钢", b, "continuing", "400", {"3": "200.00", "6": "200.00"}, source="attraction",
                 planned_production_on=D(2022, 10, 1))
    c3 = project("C3 水厂", b, "continuing", category="infrastructure")
    c4 = project("C4 园区道路", z, "continuing", "800", {"4": "800.00"}, category="infrastructure",
                 planned_complete_on=D(2022, 11, 30))
    p1 = project("P1 储能", a, "preparing", "100", source="attraction")

    move(n1, "registered", D(2022, 2, 20))
    move(n1, "started", D(2022, 3, 10), "confirmed")
    move(n1, "producing", D(2022, 3, 28), "pending")
    move(n2, "started", D(2022, 3, 20), "pending")
    move(n3, "started", D(2022, 4, 15), "confirmed")
    move(n4, "started", D(2022, 3, 5), "returned")
    move(c1, "started", D(2021, 6, 1), "confirmed")
    move(c1, "completed", D(2022, 3, 25))
    move(c2, "started", D(2021, 5, 1), "pending")
    move(c4, "started", D(2021, 9, 1), "confirmed")

    month(n1, 1, "50", funds_own=Decimal("100"))
    month(n1, 3, "150", funds_loan=Decimal("50"), stats_status="entered", stats_on=D(2022, 3, 15))
    month(c1, 2, "120")
    month(c2, 3, "60", funds_fiscal=Decimal("30"))
    month(c3, 1, "0")
    month(c4, 4, "80")
    month(c4, 12, "999", year=2021)  # last year's figures never count in 2022

    s1 = signing(a, D(2022, 1, 10), deadline_register=D(2022, 2, 28), deadline_start=D(2022, 3, 15))
    s2 = signing(a, D(2022, 2, 1), deadline_start=D(2022, 3, 25))
    s3 = signing(a, D(2021, 11, 1), deadline_start=D(2022, 3, 1), deadline_production=D(2022, 12, 31))
    s4 = signing(b, D(2022, 3, 5))
    signing(a, D(2022, 1, 5), kind="framework", deadline_start=D(2022, 2, 1))
    n1.signing_id, n2.signing_id = s1.id, s2.id
    db.session.commit()
    return {"units": {"city": city, "a": a, "z": z, "b": b}, "users": users, "company": company,
            "p": {p.name.split()[0]: p for p in (n1, n2, n3, n4, n5, c1, c2, c3, c4, p1)},
            "s": {"S1": s1, "S2": s2, "S3": s3, "S4": s4}}
