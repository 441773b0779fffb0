"""Reference data loaded by command, the demo loader (idempotent, private credentials)."""
from __future__ import annotations

import json
import stat

from sqlalchemy import func, select

from crm.models import ClusterMember, Company, Division, Industry, Unit, User


def test_reference_data_is_loaded(db):
    count = lambda model: db.session.scalar(select(func.count()).select_from(model))  # noqa: E731
    assert count(Division) == 31 + 342 + 2978
    assert count(Industry) == 1971
    assert count(ClusterMember) == 155
    assert db.session.get(Division, "141002").parent_code == "1410"
    assert db.session.get(Division, "1101").name == "北京市"
    yd = db.session.scalar(select(ClusterMember).where(ClusterMember.division_code == "141002"))
    assert yd.cluster == "gzpc" and yd.coverage == "county"
    assert db.session.scalar(select(ClusterMember).where(ClusterMember.division_code == "141028")) is None


def test_reference_load_is_idempotent_and_keeps_referenced_rows(db, app):
    from crm.companies.services import create_company
    from crm.refdata.loader import load_reference_data
    create_company(db.session, None, {"name": "引用企业有限公司", "county_code": "141002", "industry_code": "3130"})
    db.session.get(Division, "1410").name = "X"
    db.session.flush()
    result = load_reference_data(db.session)
    assert result["inserted"] == 0 and result["deleted"] == 0 and result["updated"] == 1
    assert db.session.get(Division, "1410").name == "临汾市"
    assert load_reference_data(db.session)["updated"] == 0


def test_demo_is_idempotent_with_private_credentials(app, db, instance_dir):
    from crm.demo.loader import credentials_path, load_demo
    first = load_demo(db.session)
    db.session.commit()
    path = credentials_path()
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    creds = json.loads(path.read_text(encoding="utf-8"))
    roles = set()
    for username, password in creds.items():
        assert password in first
        user = db.session.scalar(select(User).where(User.username == username))
        roles |= user.roles
    assert roles == {"admin", "unit_admin", "city_leader", "county_leader", "manager", "officer"}
    from crm.demo.pipeline import LEADS
    from crm.models import Interaction, Lead
    counts = (db.session.scalar(select(func.count()).select_from(Unit)),
              db.session.scalar(select(func.count()).select_from(Company)),
              db.session.scalar(select(func.count()).select_from(Lead)),
              db.session.scalar(select(func.count()).select_from(Interaction)))
    # The hand-made pipeline with its contact log (the generated leads carry the generator's batch id).
    pipeline = select(Lead.id).where(Lead.batch_id.is_(None))
    assert db.session.scalar(select(func.count()).select_from(pipeline.subquery())) == len(LEADS)
    assert db.session.scalar(select(func.count()).select_from(Interaction).where(
        Interaction.lead_id.in_(pipeline))) == 2 * len(LEADS)
    from crm.demo.projects import PROJECTS, TEAM
    from crm.models import Project, ProjectLeader, ProjectTeamMember

    def people_counts():  # the hand-made projects with their people (the generated ones have a batch id)
        return (db.session.scalar(select(func.count()).select_from(Project).where(Project.batch_id.is_(None))),
                db.session.scalar(select(func.count()).select_from(ProjectLeader)),
                db.session.scalar(select(func.count()).select_from(ProjectTeamMember)))
    people = people_counts()
    assert people == (len(PROJECTS), sum(len(p[7]) for p in PROJECTS), len(TEAM))  # projects with their people
    stages = dict(db.session.execute(select(Lead.title, Lead.stage).where(Lead.batch_id.is_(None))).all())
    assert {stage for _u, _c, title, _a, stage, *_rest in LEADS} == set(stages.values())
    second = load_demo(db.session)
    db.session.commit()
    assert second == first
    assert people == people_counts()
    assert counts == (db.session.scalar(select(func.count()).select_from(Unit)),
                      db.session.scalar(select(func.count()).select_from(Company)),
                      db.session.scalar(select(func.count()).select_from(Lead)),
                      db.session.scalar(select(func.count()).select_from(Interaction)))
    counties = db.session.scalars(select(Unit).where(Unit.kind == "county")).all()
    assert len([u for u in counties if u.division_code and u.division_code.startswith("1410")]) == 17
    assert {u.group_name for u in counties} == {"沿汾", "沿黄", "沿太岳"}
    assert db.session.scalar(select(func.count()).select_from(Unit).where(Unit.kind == "zone")) == 15
    local = db.session.scalar(select(Company).where(Company.short_name == "晋南钢铁"))
    boe = db.session.scalar(select(Company).where(Company.short_name == "京东方"))
    assert local.is_local and local.cluster == "gzpc" and not boe.is_local and boe.cluster == "jjj"


def test_demo_recovers_a_lost_password_file(app, db, instance_dir):
    from crm.demo.loader import credentials_path, load_demo
    from crm.security.passwords import verify_password
    load_demo(db.session)
    db.session.commit()
    credentials_path().unlink()
    load_demo(db.session)
    db.session.commit()
    creds = json.loads(credentials_path().read_text(encoding="utf-8"))
    admin = db.session.scalar(select(User).where(User.username == "admin"))
    assert verify_password(admin, creds["admin"])
