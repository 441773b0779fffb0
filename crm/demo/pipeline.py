"""Demo leads for the two demo officers: a pipeline across the stages, with contacts logged, so the
list, board, my work and the company timelines have something to show (idempotent by title). The
特钢 chain's targets are left out of it, so the chain map has companies to add to the pipeline."""
from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.leads import services, stages
from crm.models import Company, Lead, User

# (officer, investor group, project intent, 万元, stage, days since 首报, follow-up in days)
LEADS = (
    ("yd_officer", "西安装备服务示范有限公司", "装备运维服务区域中心", 12000, "negotiate", 75, 3),
    ("yd_officer", "上海负极材料示范有限公司", "锂电负极材料一体化项目", 80000, "visit", 40, 0),
    ("yd_officer", "上海储能示范有限公司", "储能系统集成基地", 50000, "contact", 20, -2),
    ("yd_officer", "北京液压示范有限公司", "液压件区域生产基地", 15000, "clue", 6, 10),
    ("hm_officer", "苏州精密零件示范有限公司", "精密零部件产业园", 30000, "contact", 30, 5),
    ("hm_officer", "天津碳纤维示范有限公司", "碳纤维复合材料项目", 60000, "clue", 12, None),
)
STEPS = ("contact", "visit", "negotiate")


def load_pipeline(session: Session) -> None:
    now = dt.datetime.now(dt.timezone.utc)
    for username, company_name, title, amount, stage, age, followup in LEADS:
        officer = session.scalar(select(User).where(User.username == username))
        company = session.scalar(select(Company).where(Company.name == company_name))
        if officer is None or company is None or session.scalar(select(Lead.id).where(Lead.title == title)):
            continue
        reported = now - dt.timedelta(days=age)
        lead = services.create_lead(session, officer, {"company_id": company.id, "title": title,
                                                       "amount": amount, "method": "chain"}, now=reported)
        session.flush()
        services.log_interaction(session, officer, lead, kind="call", summary=f"初次电话沟通：{title}",
                                 at=reported + dt.timedelta(days=1))
        steps = STEPS[:STEPS.index(stage) + 1] if stage in STEPS else ()
        for n, step in enumerate(steps, start=1):  # through the stage rules, spread over the lead's age
            moved = reported + dt.timedelta(days=age * n / (len(steps) + 1))
            stages.change_stage(session, officer, lead, step, at=moved)
        services.log_interaction(session, officer, lead, kind="visit" if stage != "clue" else "wechat",
                                 summary="对接投资计划与用地需求", at=now - dt.timedelta(days=min(age, 5)),
                                 next_step="准备考察接待方案",
                                 next_followup=None if followup is None else now.date() + dt.timedelta(days=followup))
    session.flush()
