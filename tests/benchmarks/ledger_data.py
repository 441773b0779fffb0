"""A city's key-project plan at scale for the 台账 benchmark: counties, projects and their monthly figures.

One city with 12 counties (临汾's division codes, so 建设地点 resolves), a city leader who sees everything;
``n`` projects spread over the counties, every one in 2026's plan, half the companies with a contact,
12 months of figures each (July–December 2025 and January–June 2026), a 包联 leader on a third and an open
problem on a tenth. Rows go in through the driver (``executemany`` on SQLite, ``COPY`` on PostgreSQL):
seeding is not what is measured.
"""
from __future__ import annotations

import datetime as dt
import random

from crm.extensions import db
from tests.benchmarks.lead_data import _copy_or_insert

COUNTIES = ("141002", "141021", "141022", "141023", "141024", "141025", "141026", "141027", "141028", "141029",
            "141030", "141031")
YEAR, MONTH = 2026, 6
PASSWORD = "Bench-pass-2026"
CATEGORIES = ("industry", "industry", "infrastructure", "livelihood", "ecology")
_WORDS = ("新材料", "智能制造", "光伏组件", "煤层气综合利用", "现代物流园", "康养小镇", "污水处理厂提标改造", "城市道路",
          "数据中心", "精密铸造", "生物医药", "装备制造")


def people() -> tuple[int, list[int]]:
    """The city, its counties and a city leader (through the services); answers (leader id, county ids)."""
    from crm.units.services import create_unit
    from crm.users.services import create_user

    session = db.session
    city = create_unit(session, None, {"name": "台账基准市", "kind": "city"})
    session.flush()
    leader = create_user(session, None, username="ledger_leader", name="市领导", unit_id=city.id,
                         roles={"city_leader"}, password=PASSWORD)
    counties = []
    for n, _code in enumerate(COUNTIES):
        unit = create_unit(session, None, {"name": f"台账基准县{n + 1:02d}", "kind": "county", "parent_id": city.id,
                                           "sort": n})
        session.flush()
        counties.append(unit.id)
    session.commit()
    result = leader.id, counties
    session.remove()
    return result


def seed(n: int, leader_id: int, counties: list[int], seed: int = 2026) -> None:
    rnd = random.Random(seed)
    now = dt.datetime(2026, 7, 1, 8, 0, tzinfo=dt.timezone.utc)
    n_companies = max(n // 2, 1)
    _copy_or_insert("company", ("id", "name", "name_norm", "name_initials", "version_id", "created_at", "updated_at"),
                    [(i, f"台账基准{i}号实业有限公司", f"台账基准{i}号实业", "", 1, now, now)
                     for i in range(1, n_companies + 1)])
    _copy_or_insert("contact", ("company_id", "name", "phone", "owner_unit_id", "created_at", "updated_at"),
                    [(i, f"联系人{i}", f"139{i:08d}", counties[i % len(counties)], now, now)
                     for i in range(1, n_companies + 1, 2)])
    projects, years, months, leaders, problems = [], [], [], [], []
    for i in range(1, n + 1):
        county = i % len(COUNTIES)
        total = round(rnd.uniform(5000, 500000), 2)
        planned = round(total * rnd.uniform(0.1, 0.5), 2)
        projects.append((i, f"2026-{COUNTIES[county]}-44-01-{i:06d}", f"{rnd.choice(_WORDS)}项目（{i}）",
                         rnd.randrange(1, n_companies + 1), COUNTIES[county], counties[county], counties[county],
                         "enterprise", CATEGORIES[i % len(CATEGORIES)], total, ("new", "expand", "rebuild")[i % 3],
                         "新建厂房及配套设施，购置生产设备，建成后年产值约10亿元", 2025, 2027, "started",
                         dt.date(2025, 1 + i % 12, 1), dt.date(2027, 1 + i % 12, 28), 1, now, now))
        years.append((i, YEAR, "continuing", planned, 1 + i % 6, 12, ))
        for year, month in [(2025, m) for m in range(7, 13)] + [(YEAR, m) for m in range(1, MONTH + 1)]:
            progress = "主体结构施工，完成形象进度的60%" if (year, month) == (YEAR, MONTH) else None
            months.append((i, year, month, round(planned / 12 * rnd.uniform(0.5, 1.5), 2),
                           "entered" if i % 4 == 0 else "none", progress, now, now))
        if i % 3 == 0:
            leaders.append((i, leader_id, "city"))
        if i % 10 == 0:
            problems.append((i, "用地指标尚未落实", "county", "raised", counties[county], dt.date(2026, 5, 1), now, now))
    _copy_or_insert("project", ("id", "code", "name", "company_id", "location_code", "location_unit_id",
                                "resp_unit_id", "source", "category", "total_investment", "nature", "content",
                                "start_year", "end_year", "stage", "planned_start_on", "planned_complete_on",
                                "version_id", "created_at", "updated_at"), projects)
    _copy_or_insert("project_year", ("project_id", "year", "plan_list", "planned_investment", "planned_start_month",
                                     "planned_finish_month"), years)
    _copy_or_insert("project_month", ("project_id", "year", "month", "completed", "stats_status", "progress",
                                      "created_at", "updated_at"), months)
    _copy_or_insert("project_leader", ("project_id", "user_id", "level"), leaders)
    _copy_or_insert("problem", ("project_id", "title", "level", "status", "resp_unit_id", "deadline", "created_at",
                                "updated_at"), problems)
    if db.engine.dialect.name == "postgresql":  # ids given explicitly: move the sequences past them
        with db.engine.begin() as conn:
            for table in ("company", "project"):
                conn.exec_driver_sql(f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "  # nosec B608
                                     f"(SELECT max(id) FROM {table}))")
