"""The generated plan year, in memory: the seed's 1,031 key projects (× scale) with their lists, places,
amounts, dates, monthly figures, libraries and problems — no database, so it can be checked and
fingerprinted on its own.

Deterministic: everything is drawn from one ``random.Random`` seeded with the year and the scale (a
string seed, so neither the process nor the hash seed changes it). The sums are exact: amounts are
drawn, scaled to the seed's figures and the rounding left over is put on the largest items. Nothing
happens after the March launch (``as_of``, 31 March of the plan year): stage moves, monthly figures and
library entries are all dated on or before it, so the seed's figures hold for any day after it.
"""
from __future__ import annotations

import datetime as dt
import hashlib
import random
from dataclasses import dataclass, field
from decimal import Decimal

from crm.demo import data
from crm.demo import templates as t
from crm.models.monthly import FUND_SOURCES

CENT = Decimal("0.01")


@dataclass
class PlanProject:
    serial: int
    plan_list: str            # new / continuing / preparing
    active: bool              # 新开工 started, or 续建 resumed, by as_of
    unit: str                 # 责任单位 (unit name)
    county: str               # 建设地点 county
    category: str
    source: str
    nature: str
    chain: str | None
    segment: int | None
    name: str
    code: str
    big: bool = False
    total: int = 0            # 万元
    planned: int = 0          # 万元, the plan year
    start_year: int = 0
    end_year: int = 0
    start_month: int = 1
    finish_month: int = 12
    key_level: str = "city"
    signed_on: dt.date | None = None
    registered_on: dt.date | None = None
    started_on: dt.date | None = None
    review: str = "confirmed"
    paused_on: dt.date | None = None
    planned_start_on: dt.date | None = None
    planned_complete_on: dt.date | None = None
    planned_production_on: dt.date | None = None
    converted: bool = False
    monthly_plan: dict[str, str] = field(default_factory=dict)
    months: list[dict] = field(default_factory=list)
    libraries: list[tuple[str, dt.date, str]] = field(default_factory=list)
    problems: list[dict] = field(default_factory=list)
    parent: int | None = None  # serial of the 打包 umbrella

    @property
    def stage(self) -> str:
        if self.paused_on:
            return "paused"
        if self.started_on:
            return "started"
        return "registered" if self.registered_on else "signed"


@dataclass
class Umbrella:
    """A 打包项目: the package over a few plan projects of one unit (itself not in the plan)."""

    serial: int
    name: str
    code: str
    unit: str
    county: str
    category: str
    source: str
    children: list[PlanProject]


@dataclass
class Plan:
    year: int
    scale: int
    as_of: dt.date
    projects: list[PlanProject]
    umbrellas: list[Umbrella]

    def fingerprint(self) -> str:
        return fingerprint_rows((p.code, p.total, p.planned, p.plan_list) for p in self.projects)


def fingerprint_rows(rows) -> str:
    """sha256 over (code, total, planned, list) rows sorted by code, amounts as whole 万元 with cents."""
    text = "\n".join(f"{code}|{Decimal(total).quantize(CENT)}|{Decimal(planned).quantize(CENT)}|{plan_list}"
                     for code, total, planned, plan_list in sorted(rows, key=lambda r: r[0]))
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def pick(rnd: random.Random, weights: dict):
    keys = list(weights)
    return rnd.choices(keys, weights=[weights[k] for k in keys])[0]


def split_exact(weights: list[float], target: int, minimum: int = 1) -> list[int]:
    """Whole amounts proportional to ``weights`` that add up to ``target`` exactly."""
    total = sum(weights)
    amounts = [max(minimum, int(target * w / total)) for w in weights]
    residual = target - sum(amounts)
    for i in sorted(range(len(amounts)), key=lambda i: (-amounts[i], i)):
        if residual == 0:
            break
        step = residual if residual > 0 else max(residual, minimum - amounts[i])
        amounts[i] += step
        residual -= step
    return amounts


def fit_capped(raw: list[float], caps: list[int], target: int) -> list[int]:
    """Whole amounts proportional to ``raw``, none above its cap, adding up to ``target`` exactly."""
    fixed: dict[int, int] = {}
    while True:
        free = [i for i in range(len(raw)) if i not in fixed]
        factor = (target - sum(fixed.values())) / sum(raw[i] for i in free)
        over = [i for i in free if raw[i] * factor > caps[i]]
        if not over:
            break
        fixed.update({i: caps[i] for i in over})
    values = [fixed.get(i, max(1, min(caps[i], int(raw[i] * factor)))) for i in range(len(raw))]
    residual = target - sum(values)
    for i in sorted(range(len(values)), key=lambda i: (values[i] - caps[i], i)):
        if residual <= 0:
            break
        step = min(residual, caps[i] - values[i])
        values[i] += step
        residual -= step
    if residual:
        raise ValueError("the amounts cannot reach the target under their caps")
    return values


def _units() -> dict[str, float]:
    weights = dict(t.COUNTY_WEIGHTS)
    weights.update({zone: t.ZONE_WEIGHT.get(zone, 1.5) for zone, _s, _c in data.COUNTY_ZONES})
    weights[data.CITY_ZONE[0]] = t.CITY_ZONE_WEIGHT
    weights.update(t.CITY_DEPT_WEIGHTS)
    return weights


def _unit_kind(unit: str) -> str:
    if unit in t.COUNTY_CODES:
        return "county"
    return "dept" if unit in t.CITY_DEPT_WEIGHTS else "zone"


def _prefix(unit: str) -> str:
    return t.SHORT_NAMES.get(unit, unit)


def _describe(rnd: random.Random, p: PlanProject) -> tuple[str, int]:
    """Name and GB/T 4754 division of the project; sets its chain and segment when industrial."""
    n = rnd.randint(1, 9)
    if p.big:
        template, division = t.BIG_NAMES["industry" if p.category == "industry" else "infrastructure"]
    elif p.category == "industry" and rnd.random() < 0.7:
        p.chain = rnd.choice(sorted(t.CHAIN_NAMES))
        p.segment, template, division = rnd.choice(t.CHAIN_NAMES[p.chain])
    elif p.category == "industry":
        template, division = rnd.choice(t.OTHER_INDUSTRY)
    else:
        template, division = rnd.choice(t.CATEGORY_NAMES[p.category])
    return _prefix(p.unit) + template.format(n=n) + rnd.choice(t.PHASES), division


def _slots(rnd: random.Random, scale: int) -> list[tuple[str, bool]]:
    slots = [key for key, count in t.COUNTS.items() for _ in range(count * scale)]
    rnd.shuffle(slots)
    return slots


def _place(rnd: random.Random, i: int, units: dict[str, float]) -> tuple[str, str]:
    counties = list(t.COUNTY_WEIGHTS)
    # The first projects go round the counties, so each county has some whatever the draw.
    unit = counties[i] if i < len(counties) else pick(rnd, units)
    if unit in t.COUNTY_CODES:
        return unit, unit
    if unit in t.ZONE_COUNTY:
        return unit, t.ZONE_COUNTY[unit]
    return unit, t.CITY_ZONE_COUNTY if unit == data.CITY_ZONE[0] else pick(rnd, t.COUNTY_WEIGHTS)


def _projects(rnd: random.Random, year: int, scale: int) -> list[PlanProject]:
    units = _units()
    projects = []
    for i, (plan_list, active) in enumerate(_slots(rnd, scale)):
        unit, county = _place(rnd, i, units)
        category = pick(rnd, t.CATEGORY_WEIGHTS[_unit_kind(unit)])
        source = pick(rnd, t.SOURCE_WEIGHTS[category])
        projects.append(PlanProject(serial=i + 1, plan_list=plan_list, active=active, unit=unit, county=county,
                                    category=category, source=source, nature=pick(rnd, t.NATURES), chain=None,
                                    segment=None, name="", code=""))
    for active, count in t.BIG.items():
        pool = [p for p in projects if p.active == active and p.plan_list != "preparing"
                and p.category in ("industry", "infrastructure")]
        for p in rnd.sample(pool, count * scale):
            p.big = True
    for p in projects:
        p.name, division = _describe(rnd, p)
        code_year = year if p.plan_list != "continuing" else year - rnd.randint(1, 2)
        location = t.CITY_CODE if _unit_kind(p.unit) == "dept" or p.unit == data.CITY_ZONE[0] \
            else t.COUNTY_CODES[p.county]
        p.code = f"{code_year}-{location}-{division:02d}-{t.CODE_KIND[p.source]}-{p.serial:06d}"
    return projects


MU = {"industry": 9.9, "infrastructure": 9.6, "livelihood": 8.9, "ecology": 8.7}
RATIO = {("new", True): (0.25, 0.6), ("continuing", True): (0.2, 0.5), ("new", False): (0.15, 0.45),
         ("continuing", False): (0.1, 0.3), ("preparing", False): (0.01, 0.06)}


def _amounts(rnd: random.Random, projects: list[PlanProject], scale: int) -> None:
    groups = {True: (t.ACTIVE_TOTAL, t.ACTIVE_PLANNED),
              False: (t.ALL_TOTAL - t.ACTIVE_TOTAL, t.ALL_PLANNED - t.ACTIVE_PLANNED)}
    for active, (total, planned) in groups.items():
        members = [p for p in projects if p.active == active]
        weights = []
        for p in members:
            if p.big:
                weights.append(rnd.randint(110, 280) * 10000.0)
            else:
                boost = 1.3 if p.plan_list == "continuing" else 1.0
                weights.append(min(600_000.0, max(800.0, rnd.lognormvariate(MU[p.category], 1.0) * boost)))
        for p, amount in zip(members, split_exact(weights, total * scale, minimum=500)):
            p.total = amount
        raw = [p.total * rnd.uniform(*RATIO[(p.plan_list, p.active)]) for p in members]
        caps = [int(p.total * 0.85) for p in members]
        for p, amount in zip(members, fit_capped(raw, caps, planned * scale)):
            p.planned = amount


def _day(rnd: random.Random, year: int, month: int, last: dt.date | None = None) -> dt.date:
    day = dt.date(year, month, rnd.randint(1, 28))
    return min(day, last) if last else day


def _dates(rnd: random.Random, p: PlanProject, year: int, as_of: dt.date) -> None:
    if p.plan_list == "continuing":
        p.start_year = year - rnd.choice((1, 1, 2))
        p.started_on = _day(rnd, p.start_year, rnd.randint(3, 11))
        p.signed_on = p.started_on - dt.timedelta(days=rnd.randint(90, 300))
        p.registered_on = p.signed_on + dt.timedelta(days=rnd.randint(20, 80))
        p.end_year = year + rnd.choice((0, 0, 1, 1, 2))
        p.start_month, p.finish_month = 1, 12 if p.end_year > year else rnd.randint(8, 12)
        if not p.active and rnd.random() < 0.15:
            p.paused_on = _day(rnd, year - 1, rnd.randint(10, 12))
        p.planned_start_on = p.started_on - dt.timedelta(days=rnd.randint(0, 45))
    elif p.plan_list == "new":
        p.start_year, p.end_year = year, year + rnd.choice((0, 1, 1, 2))
        p.signed_on = _day(rnd, year - 1, rnd.randint(3, 11))
        if p.active:
            p.started_on = _day(rnd, year, pick(rnd, {1: 20, 2: 30, 3: 50}), as_of)
            p.start_month = min(12, max(1, p.started_on.month + rnd.choice((-1, 0, 0, 1))))
            p.review = "pending" if rnd.random() < 0.06 else "confirmed"
        else:
            # Some planned to start by the launch and have not: the overdue ones.
            p.start_month = pick(rnd, {2: 8, 3: 12, 4: 18, 5: 18, 6: 16, 7: 10, 8: 8, 9: 6, 10: 4})
        p.planned_start_on = _day(rnd, year, p.start_month)
        if rnd.random() < (0.8 if p.active else 0.4):
            p.registered_on = p.signed_on + dt.timedelta(days=rnd.randint(20, 80))
    else:
        p.start_year, p.end_year = year + 1, year + rnd.choice((1, 2, 3))
        p.signed_on = _day(rnd, year, rnd.randint(1, 3), as_of) if rnd.random() < 0.4 \
            else _day(rnd, year - 1, rnd.randint(1, 12))
        p.start_month = rnd.randint(1, 6)
        p.planned_start_on = _day(rnd, year + 1, rnd.randint(1, 9))
    p.planned_complete_on = _day(rnd, p.end_year, p.finish_month if p.end_year == year else rnd.randint(6, 12))
    if p.category == "industry":
        p.planned_production_on = p.planned_complete_on + dt.timedelta(days=rnd.randint(30, 90))


def _cents(amount: int) -> Decimal:
    return (Decimal(amount) / 100).quantize(CENT)


def _monthly(rnd: random.Random, p: PlanProject, year: int) -> None:
    months = list(range(p.start_month, p.finish_month + 1))
    weights = [0.5 if m in (1, 2, 12) else 1.0 + rnd.random() * 0.5 for m in months]
    split = split_exact(weights, p.planned * 100, minimum=1)
    p.monthly_plan = {str(m): str(_cents(c)) for m, c in zip(months, split)}
    if not p.active:
        return
    first = p.started_on.month if p.plan_list == "new" else pick(rnd, {1: 25, 2: 35, 3: 40})
    government = p.source in ("government", "assigned")
    for month in range(first, 4):
        completed = max(100, int(p.planned * 100 * rnd.uniform(0.03, 0.10)))
        funds = int(completed * rnd.uniform(0.8, 1.2))
        parts = ("funds_fiscal", "funds_bond", "funds_other") if government else ("funds_own", "funds_loan")
        shares = split_exact([rnd.uniform(0.2, 1.0) for _ in parts], funds, minimum=1)
        status = pick(rnd, {"entered": 60, "pending": 20, "none": 20})
        funds = dict.fromkeys(FUND_SOURCES) | {k: _cents(v) for k, v in zip(parts, shares)}
        p.months.append({"year": year, "month": month, "completed": _cents(completed), **funds,
                         "stats_status": status, "stats_on": dt.date(year, month, 20) if status == "entered" else None,
                         "progress": rnd.choice(t.PROGRESS)})


def _extras(rnd: random.Random, p: PlanProject, year: int, as_of: dt.date) -> None:
    roll = rnd.random()
    p.key_level = "province,city" if p.big or roll < 0.12 else ("city" if roll < 0.75 else "city,county")
    entered = _day(rnd, year - 1, rnd.randint(1, 12))
    if p.big or rnd.random() < 0.03:
        p.libraries.append(("national", entered, f"{year - 1}-{p.serial:06d}"))
    if p.key_level.startswith("province"):
        p.libraries.append(("provincial_key", dt.date(year, 1, 15), f"SX{year}-{p.serial:05d}"))
    if p.source in ("government", "assigned") and rnd.random() < 0.3:
        p.libraries.append(("special_bond", entered, f"ZXZ{year - 1}{p.serial:05d}"))
    if p.plan_list != "preparing" and rnd.random() < 0.12:
        kind = pick(rnd, {k: 1 for k in t.PROBLEM_TITLES})
        status = pick(rnd, t.PROBLEM_STATUS_WEIGHTS)
        level = pick(rnd, t.PROBLEM_LEVEL_WEIGHTS)
        raised = _day(rnd, year, rnd.randint(1, 3), as_of - dt.timedelta(days=3))
        # Open problems due before the launch are the overdue ones.
        deadline = None if status == "raised" else raised + dt.timedelta(days=rnd.randint(10, 90))
        p.problems.append({"kind": kind, "title": t.PROBLEM_TITLES[kind], "status": status, "level": level,
                           "raised_on": raised, "deadline": deadline})


def _umbrellas(rnd: random.Random, projects: list[PlanProject], scale: int) -> list[Umbrella]:
    by_unit: dict[tuple[str, str], list[PlanProject]] = {}
    for p in projects:
        if p.category in ("infrastructure", "livelihood") and not p.big:
            by_unit.setdefault((p.unit, p.category), []).append(p)
    groups = sorted((k for k, v in by_unit.items() if len(v) >= 3), key=lambda k: (-len(by_unit[k]), k))
    umbrellas = []
    serial = len(projects)
    for unit, category in groups[:4 * scale]:
        children = rnd.sample(by_unit[(unit, category)], rnd.randint(2, 3))
        serial += 1
        word = "城市基础设施" if category == "infrastructure" else "社会事业"
        first = children[0]
        umbrella = Umbrella(serial, f"{_prefix(unit)}{first.start_year or first.end_year}年{word}打包项目",
                            f"{first.code[:5]}{first.code[5:11]}-48-01-{serial:06d}", unit, first.county, category,
                            "government", children)
        for child in children:
            child.parent = serial
        umbrellas.append(umbrella)
    return umbrellas


def generate(year: int, scale: int = 1) -> Plan:
    """The plan year ``year`` at ``scale`` (1 = the seed's size)."""
    if scale < 1:
        raise ValueError("the scale is a whole number from 1")
    rnd = random.Random(f"chaincrm-demo-plan:{year}:{scale}")  # nosec B311 - seeded, reproducible
    as_of = dt.date(year, 3, 31)
    projects = _projects(rnd, year, scale)
    _amounts(rnd, projects, scale)
    for p in projects:
        _dates(rnd, p, year, as_of)
        _monthly(rnd, p, year)
        _extras(rnd, p, year, as_of)
    attraction = [p for p in projects if p.plan_list == "new" and p.source == "attraction" and not p.big
                  and p.unit in t.LEAD_UNITS]
    for p in rnd.sample(attraction, min(len(attraction), 24 * scale)):
        p.converted = True
    return Plan(year, scale, as_of, projects, _umbrellas(rnd, projects, scale))
