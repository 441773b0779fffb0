"""A city's pipeline at scale for the lead benchmarks: units, people, leads and the contact log.

One city with ``COUNTIES`` counties, each with a manager and ``OFFICERS`` officers; leads spread over
the counties (so an officer's scope holds about 1/``COUNTIES`` of them), a tenth with a 协办 unit;
stages weighted towards the early ones; interactions spread over the leads. Rows go in through the
driver (``executemany`` on SQLite, ``COPY`` on PostgreSQL): seeding is not what is measured.
"""
from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass

from sqlalchemy import select

from crm.extensions import db

COUNTIES = 12
OFFICERS = 4
PASSWORD = "Bench-pass-2026"
STAGES = (("clue", 40), ("contact", 25), ("visit", 12), ("negotiate", 10), ("signed", 5), ("paused", 4),
          ("ended", 4))
METHODS = ("business", "chain", "zone", "personal", "county")
KINDS = ("call", "visit", "delegation", "meeting", "fair", "wechat", "mail")
_INTENTS = ("新建年产10万吨项目", "智能制造产业园", "新能源电池生产线", "研发中心", "区域总部", "仓储物流基地", "光伏组件项目",
            "精密铸造项目", "生物医药产业园", "数据中心", "装备制造基地", "新材料项目")


@dataclass(frozen=True)
class People:
    city_leader: int
    officer: int           # an officer of the first county
    officer_unit: int
    units: tuple[int, ...]  # the counties
    users: dict[int, tuple[int, ...]]  # county → its officers


def people() -> People:
    """The city, its counties and their people (through the services: hashed passwords, audit)."""
    from crm.units.services import create_unit
    from crm.users.services import create_user

    session = db.session
    city = create_unit(session, None, {"name": "基准市", "kind": "city"})
    session.flush()
    leader = create_user(session, None, username="perf_leader", name="市领导", unit_id=city.id,
                         roles={"city_leader"}, password=PASSWORD)
    units, users = [], {}
    for c in range(COUNTIES):
        county = create_unit(session, None, {"name": f"基准县{c + 1:02d}", "kind": "county", "parent_id": city.id})
        session.flush()
        create_user(session, None, username=f"perf_mgr{c}", name=f"科长{c}", unit_id=county.id,
                    roles={"manager"}, password=PASSWORD)
        officers = [create_user(session, None, username=f"perf_off{c}_{o}", name=f"专员{c}-{o}", unit_id=county.id,
                                roles={"officer"}, password=PASSWORD) for o in range(OFFICERS)]
        session.flush()
        units.append(county.id)
        users[county.id] = tuple(u.id for u in officers)
    session.commit()
    result = People(leader.id, users[units[0]][0], units[0], tuple(units), users)
    session.remove()
    return result


def _copy_or_insert(table: str, columns: tuple[str, ...], rows: list[tuple]) -> None:
    engine = db.engine
    raw = engine.raw_connection()
    try:
        if engine.dialect.name == "postgresql":
            cols = ", ".join(f'"{c}"' for c in columns)
            with raw.cursor() as cursor, cursor.copy(f'COPY "{table}" ({cols}) FROM STDIN') as copy:
                for row in rows:
                    copy.write_row(row)
        else:
            marks = ", ".join("?" for _ in columns)
            cursor = raw.cursor()
            cursor.execute("BEGIN")
            cursor.executemany(f'INSERT INTO "{table}" ({", ".join(columns)}) VALUES ({marks})',
                               [tuple(_sqlite(v) for v in row) for row in rows])
            cursor.close()
        raw.commit()
    finally:
        raw.close()


def _sqlite(value):
    """Values as SQLAlchemy stores them on SQLite (timestamps as naive UTC text)."""
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).replace(tzinfo=None).isoformat(" ", "microseconds")
    if isinstance(value, dt.date):
        return value.isoformat()
    return value


def seed(who: People, n_leads: int, n_interactions: int, seed: int = 2026) -> None:
    """``n_leads`` leads on the seeded companies and ``n_interactions`` contacts logged on them."""
    from crm.models import Company

    rnd = random.Random(seed)
    companies = db.session.scalars(select(Company.id).order_by(Company.id)).all()
    db.session.remove()
    now = dt.datetime(2026, 11, 1, 8, 0, tzinfo=dt.timezone.utc)
    today = now.date()
    stages = [s for s, w in STAGES for _ in range(w)]
    lead_rows, unit_rows, owners = [], [], []
    for i in range(1, n_leads + 1):
        unit = who.units[i % COUNTIES]
        owner = who.users[unit][rnd.randrange(OFFICERS)]
        reported = now - dt.timedelta(days=rnd.randrange(900), minutes=rnd.randrange(1440))
        stage = rnd.choice(stages)
        title = f"{rnd.choice(_INTENTS)}（{i}）"
        last = reported + dt.timedelta(days=rnd.randrange(60)) if rnd.random() < 0.9 else None
        followup = today + dt.timedelta(days=rnd.randrange(-30, 60)) if rnd.random() < 0.7 else None
        amount = round(rnd.lognormvariate(9, 1.2), 2) if rnd.random() < 0.85 else None
        lead_rows.append((i, rnd.choice(companies), title, title, amount, rnd.choice(METHODS), reported,
                          (last or reported).date() + dt.timedelta(days=180), unit, owner, stage,
                          "clue" if stage in ("paused", "ended") else None,
                          "基准" if stage in ("paused", "ended") else None, followup, last, 1, reported, reported))
        unit_rows.append((i, unit, "host", 100 if i % 10 else 70))
        if i % 10 == 0:  # a tenth share credit with a neighbouring county
            unit_rows.append((i, who.units[(i + 1) % COUNTIES], "assist", 30))
        owners.append((unit, owner))
    _copy_or_insert("lead", ("id", "company_id", "title", "intent_key", "amount", "method", "first_reported_at",
                             "protected_until", "unit_id", "owner_id", "stage", "stage_before_exit", "exit_reason",
                             "next_followup", "last_contact_at", "version_id", "created_at", "updated_at"),
                    lead_rows)
    _copy_or_insert("lead_unit", ("lead_id", "unit_id", "role", "credit"), unit_rows)
    lead_company = {row[0]: row[1] for row in lead_rows}
    del lead_rows, unit_rows
    chunk = []
    for j in range(n_interactions):
        lead = rnd.randrange(1, n_leads + 1)
        unit, user = owners[lead - 1]
        at = now - dt.timedelta(days=rnd.randrange(700), minutes=rnd.randrange(1440))
        chunk.append((lead_company[lead], lead, rnd.choice(KINDS), at, f"第{j}次沟通：对方介绍投资计划", user, unit, at, at))
        if len(chunk) == 100_000:
            _write_interactions(chunk)
            chunk = []
    if chunk:
        _write_interactions(chunk)
    if db.engine.dialect.name == "postgresql":  # ids given explicitly: move the sequence past them
        with db.engine.begin() as conn:
            conn.exec_driver_sql("SELECT setval(pg_get_serial_sequence('lead', 'id'), (SELECT max(id) FROM lead))")


def _write_interactions(rows: list[tuple]) -> None:
    _copy_or_insert("interaction", ("company_id", "lead_id", "kind", "at", "summary", "user_id", "unit_id",
                                    "created_at", "updated_at"), rows)
