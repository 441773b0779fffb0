"""The dashboard's hand-computed fixture: the KPI plan of tests/kpi_world.py plus total investments, contract
amounts, a chain, leads with their stage history, problems and contacts (every expected figure is worked
out in tests/test_dashboard.py).

Added to kpi_world: total investment N1 5000, C1 3000, C4 2000, P1 800 (the others none); contract amounts
S1 3000, S2 2000, S4 500 (S3 2021, S5 a framework agreement). Chain 测试链: N1 and C1.
Leads (reported 2022-02-01): L1 (a, 京 company) clue→contact 2d→visit 4d→negotiate 1d→signed 10d;
L2 (a, 苏 company) clue→contact 4d→ended 2d; L3 (b, 苏) clue only; L4 (b, 京) clue→contact 6d.
Problems: a two overdue (2022-05-01) and one closed; b one overdue (2022-06-01) and one due in 2099.
Contacts: officer a three in 2022 and one in 2021; officer b one in 2022.
"""
from __future__ import annotations

import datetime as dt
from decimal import Decimal

from crm.companies.services import create_company
from crm.models import Chain, Interaction, Lead, LeadStageChange, Problem, Segment
from tests import kpi_world

D = dt.date
UTC = dt.timezone.utc
DAY = 86400


def _at(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(10, 0), tzinfo=UTC)


def build(db, make_unit, make_user) -> dict:
    world = kpi_world.build(db, make_unit, make_user)
    s, p, units, users = db.session, world["p"], world["units"], world["users"]
    for name, total in (("N1", 5000), ("C1", 3000), ("C4", 2000), ("P1", 800)):
        p[name].total_investment = Decimal(total)
    for name, amount in (("S1", 3000), ("S2", 2000), ("S4", 500)):
        world["s"][name].amount = Decimal(amount)
    chain = Chain(name="测试链")
    s.add(chain)
    s.flush()
    segment = Segment(chain_id=chain.id, name="测试环节", position="upstream")
    s.add(segment)
    s.flush()
    p["N1"].segment_id = p["C1"].segment_id = segment.id

    admin = users["admin"]
    jing = create_company(s, admin, {"name": "北京测试投资有限公司", "county_code": "110105"})
    su = create_company(s, admin, {"name": "南京测试科技有限公司", "county_code": "320102"})
    jing.cluster, su.cluster = "jjj", "yrd"

    def lead(title, unit, owner, company, moves):
        row = Lead(title=title, unit_id=unit.id, owner_id=owner.id, company_id=company.id,
                   first_reported_at=_at(D(2022, 2, 1)), stage=moves[-1][1] if moves else "clue")
        s.add(row)
        s.flush()
        s.add(LeadStageChange(lead_id=row.id, from_stage=None, to_stage="clue", at=_at(D(2022, 2, 1))))
        day = D(2022, 2, 1)
        for from_stage, to_stage, days in moves:
            day += dt.timedelta(days=days)
            s.add(LeadStageChange(lead_id=row.id, from_stage=from_stage, to_stage=to_stage, at=_at(day),
                                  seconds_in_previous=days * DAY))
        return row

    a, b = units["a"], units["b"]
    leads = {
        "L1": lead("L1 电池", a, users["a"], jing, [("clue", "contact", 2), ("contact", "visit", 4),
                                                  ("visit", "negotiate", 1), ("negotiate", "signed", 10)]),
        "L2": lead("L2 光伏", a, users["a"], su, [("clue", "contact", 4), ("contact", "ended", 2)]),
        "L3": lead("L3 氢能", b, users["b"], su, []),
        "L4": lead("L4 储能", b, users["b"], jing, [("clue", "contact", 6)]),
    }
    for project, unit, deadline, status in ((p["N1"], a, D(2022, 5, 1), "raised"),
                                            (p["C1"], a, D(2022, 5, 1), "handling"),
                                            (p["N3"], a, D(2022, 5, 1), "closed"),
                                            (p["C2"], b, D(2022, 6, 1), "assigned"),
                                            (p["N5"], b, D(2099, 1, 1), "raised")):
        s.add(Problem(project_id=project.id, title="用地", resp_unit_id=unit.id, deadline=deadline, status=status))
    for user, unit, day in ((users["a"], a, D(2022, 3, 1)), (users["a"], a, D(2022, 5, 1)),
                            (users["a"], a, D(2022, 12, 31)), (users["a"], a, D(2021, 12, 31)),
                            (users["b"], b, D(2022, 4, 1))):
        s.add(Interaction(company_id=jing.id, kind="call", at=_at(day), summary="电话沟通", user_id=user.id,
                          unit_id=unit.id))
    db.session.commit()
    return {**world, "chain": chain, "segment": segment, "leads": leads, "companies": {"jing": jing, "su": su}}
