"""Demo industrial chains like the seed city's: segments, local firms and chain leaders, and external
candidates in the target regions, so each chain-gap map shows real gaps (idempotent by name)."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.companies.services import create_company
from crm.models import Chain, Company, CompanySegment, Segment, SegmentLink, SupplyLink, Unit, User

LOCAL = ("141002", "141021", "141023", "141081")
BJ, SH, XA, OTHER = "110105", "310115", "610116", "440106"

# Segments in supply order (segment, position); firms: (name, county, segment index, 链主, revenue 万元).
SEGMENTS = {
    "特钢": [
        ("铁矿石", "upstream"), ("焦炭", "upstream"), ("冶炼", "midstream"), ("特钢材", "midstream"),
        ("精密锻件", "downstream"), ("汽车零部件", "downstream")],
    "装备制造": [
        ("基础材料", "upstream"), ("关键零部件", "midstream"), ("液压系统", "midstream"),
        ("整机装配", "downstream"), ("运维服务", "downstream")],
    "新能源": [
        ("硅料", "upstream"), ("电池片", "midstream"), ("组件", "midstream"), ("储能系统", "downstream"),
        ("电站运营", "downstream")],
    "碳基新材料": [
        ("煤焦油", "upstream"), ("针状焦", "midstream"), ("碳纤维", "midstream"), ("负极材料", "downstream")],
}
FIRMS = {
    "特钢": [
        ("晋南钢铁集团有限公司", "141021", 2, True, 6500000),
        ("山西立恒钢铁集团股份有限公司", "141023", 2, False, 4200000),
        ("临汾焦化示范有限公司", "141002", 1, False, 900000),
        ("首钢特钢示范有限公司", BJ, 3, True, 3000000),
        ("宝钢特材示范有限公司", SH, 3, False, 2600000),
        ("西安精锻示范有限公司", XA, 4, False, 500000),
        ("上海汽车锻件示范有限公司", SH, 5, False, 1800000),
        ("广州矿业示范有限公司", OTHER, 0, False, 700000),
    ],
    "装备制造": [
        ("临汾重工示范有限公司", "141002", 3, True, 800000),
        ("侯马机械示范有限公司", "141081", 0, False, 200000),
        ("北京液压示范有限公司", BJ, 2, False, 600000),
        ("苏州精密零件示范有限公司", SH, 1, False, 450000),
        ("西安装备服务示范有限公司", XA, 4, False, 150000),
    ],
    "新能源": [
        ("隆基绿能科技股份有限公司", XA, 1, True, 12949800),
        ("宁德时代新能源科技股份有限公司", "350902", 3, True, 40091700),
        ("临汾光伏组件示范有限公司", "141023", 2, False, 300000),
        ("尧都电站运营示范有限公司", "141002", 4, False, 90000),
        ("上海储能示范有限公司", SH, 3, False, 700000),
    ],
    "碳基新材料": [
        ("山西焦煤集团有限责任公司", "140109", 0, True, 28900000),
        ("襄汾煤焦化示范有限公司", "141023", 0, True, 600000),
        ("天津碳纤维示范有限公司", BJ, 2, False, 400000),
        ("上海负极材料示范有限公司", SH, 3, False, 900000),
        ("西安针状焦示范有限公司", XA, 1, False, 300000),
    ],
}


# Momentum news on a few external candidates (days before the demo is loaded), so the part shows.
SIGNALS = (("宝钢特材示范有限公司", "expansion", 40, "宣布新建高端特钢材料产线"),
           ("上海储能示范有限公司", "financing", 75, "完成C轮融资"),
           ("天津碳纤维示范有限公司", "expansion", 120, "二期碳纤维项目环评公示"))


def _company(session: Session, name: str, county: str, revenue: int) -> Company:
    company = session.scalar(select(Company).where(Company.name == name))
    return company or create_company(session, None, {"name": name, "county_code": county, "revenue": revenue})


def load_chains(session: Session) -> None:
    chief = session.scalar(select(User).where(User.username == "city_leader"))
    office = session.scalar(select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.id))
    for name, segments in SEGMENTS.items():
        firms = FIRMS[name]
        if session.scalar(select(Chain.id).where(Chain.name == name)) is not None:
            continue
        chain = Chain(name=name, chief_id=chief.id if chief else None, office_unit_id=office.id if office else None)
        session.add(chain)
        session.flush()
        rows = []
        for i, (seg_name, position) in enumerate(segments):
            row = Segment(chain_id=chain.id, key=f"s{i}", name=seg_name, position=position, tier=i,
                          policy_weight=0.5)
            session.add(row)
            rows.append(row)
        session.flush()
        for a, b in zip(rows, rows[1:]):
            session.add(SegmentLink(chain_id=chain.id, from_segment_id=a.id, to_segment_id=b.id, weight=1.0))
        made = []
        for firm, county, seg, leader, revenue in firms:
            company = _company(session, firm, county, revenue)
            made.append(company)
            if session.scalar(select(CompanySegment.id).where(CompanySegment.company_id == company.id,
                                                              CompanySegment.segment_id == rows[seg].id)) is None:
                session.add(CompanySegment(company_id=company.id, segment_id=rows[seg].id, share=1.0,
                                           is_leader=leader))
        session.add(SupplyLink(supplier_id=made[-2].id, buyer_id=made[0].id, product=f"{name}配套", confidence=4))
        session.flush()
    _signals(session)


def _signals(session: Session) -> None:
    import datetime as dt

    from crm.models import CompanySignal
    for name, kind, days, note in SIGNALS:
        company = session.scalar(select(Company).where(Company.name == name))
        if company is None or session.scalar(select(CompanySignal.id).where(CompanySignal.company_id == company.id)):
            continue
        session.add(CompanySignal(company_id=company.id, kind=kind, note=note,
                                  on_date=dt.date.today() - dt.timedelta(days=days)))
    session.flush()
