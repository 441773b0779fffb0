"""Generated 招商 work for the demo: investor companies from the three target clusters (京津冀, 长三角,
关中平原城市群, at real county codes), leads on them across the stages with their stage history, contact
log and signings, and the leads that became the plan's 招商引资 projects.

The rows keep what the lead services keep (:mod:`crm.leads.services`): a 主办 credit row of 100, a first
stage row at 线索 and one per move with the seconds spent, the intent key, 暂缓/终止 with a reason and the
stage left, the last contact and next follow-up from the log, a 保护期 running from the last contact, and
a 正式合同 on every signed lead. Each lead unit gets an officer to own its leads (see :func:`officers`).
Everything is dated by the plan's March launch (``as_of``) at the latest.
"""
from __future__ import annotations

import datetime as dt
import random
import secrets
from dataclasses import dataclass
from decimal import Decimal
from functools import cache

from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.companies.services import normalise_name
from crm.demo import templates as t
from crm.demo.bulk import bulk_insert
from crm.demo.plan import Plan, PlanProject, pick
from crm.leads.rules import PIPELINE, intent_key
from crm.leads.services import protection_days
from crm.models import Company, Interaction, Lead, LeadStageChange, LeadUnit, Signing, Unit, User, UserRole
from crm.refdata import lookup
from crm.search.pinyin import initials

UTC = dt.timezone.utc
# Not a werkzeug hash ("method$salt$hash"): check_password_hash answers False for every password.
UNUSABLE_PASSWORD = "!"  # nosec B105 - not a password: a hash no password matches
EXIT_REASONS = {"paused": "企业投资计划调整，暂缓推进", "ended": "企业选址外地，终止跟进"}


@dataclass
class Converted:
    """The lead a plan project came from: its lead, 正式合同 and investor."""

    lead_id: int
    signing_id: int
    company_id: int
    owner_id: int


@cache
def cluster_counties() -> dict[str, tuple[str, ...]]:
    """County codes in each target cluster outside Shanxi (临汾's own 关中 counties are local, not investors)."""
    pools: dict[str, set[str]] = {c: set() for c in lookup.CLUSTERS}
    for member in lookup.memberships():
        codes = [member.division_code] if member.coverage == "county" else \
            [d.code for d in lookup.children(member.division_code)]
        for code in codes:
            match = lookup.cluster_of(code)
            if not code.startswith("14") and len(code) == 6 and match and match.cluster == member.cluster:
                pools[member.cluster].add(code)
    return {cluster: tuple(sorted(codes)) for cluster, codes in pools.items()}


def officers(session: Session, units: dict[str, Unit], batch: str) -> dict[str, User]:
    """One 招商专员 per lead unit, found by user name on a second load.

    They are colleagues to show, not accounts to use: the password hash is unusable (no password signs in)
    until an admin sets one — and writing it costs nothing, where hashing 18 random passwords costs seconds.
    """
    wanted = {}
    for name in t.LEAD_UNITS:
        unit = units[name]
        key = unit.division_code if unit.kind == "county" else ("kfq" if unit.kind == "zone" else "tcj")
        wanted[name] = (f"zs_{key}", unit)
    found = {u.username: u for u in session.scalars(select(User).where(
        User.username.in_([username for username, _unit in wanted.values()])))}
    missing = [(username, unit) for username, unit in wanted.values() if username not in found]
    rows = [{"username": username, "name": f"{t.SHORT_NAMES.get(unit.name, unit.name)}招商专员", "unit_id": unit.id,
             "active": True, "password_hash": UNUSABLE_PASSWORD, "session_token": secrets.token_urlsafe(32)}
            for username, unit in missing]
    ids = bulk_insert(session, User, rows, batch)
    bulk_insert(session, UserRole, [{"user_id": i, "role": "officer"} for i in ids], batch)
    found.update({u.username: u for u in session.scalars(select(User).where(User.id.in_(ids)))} if ids else {})
    return {name: found[username] for name, (username, _unit) in wanted.items()}


def _at(rnd: random.Random, day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(9, 0), tzinfo=UTC) + dt.timedelta(minutes=rnd.randrange(480))


def _company_row(rnd: random.Random, used: set[str], chain: str | None, batch: str, unit: Unit,
                 owner: User) -> dict:
    cluster = pick(rnd, t.CLUSTER_WEIGHTS)
    county = rnd.choice(cluster_counties()[cluster])
    city = lookup.division(county[:4]).name.removesuffix("市")
    word, industry = t.CHAIN_INDUSTRY[chain] if chain else rnd.choice(t.OTHER_INVESTOR)
    while True:
        trade = "".join(rnd.sample(t.TRADE_CHARS, 2))
        name = f"{city}{trade}{word}{rnd.choice(t.FORMS)}"
        if name not in used:
            used.add(name)
            break
    revenue = Decimal(int(rnd.lognormvariate(11.5, 1.2))).quantize(Decimal("1"))
    return {"name": name, "short_name": f"{trade}{word[:2]}", "name_norm": normalise_name(name),
            "name_initials": initials(name), "province_code": county[:2], "city_code": county[:4],
            "county_code": county, "cluster": cluster, "is_local": False, "industry_code": industry,
            "registered_capital": (revenue / 5).quantize(Decimal("1")), "revenue": revenue,
            "employees": rnd.randint(50, 5000), "listed": rnd.random() < 0.15, "private500": rnd.random() < 0.08,
            "specialized": rnd.random() < 0.2, "owner_unit_id": unit.id, "owner_id": owner.id, "batch_id": batch,
            "version_id": 1}


def _path(rnd: random.Random, stage: str) -> list[str]:
    if stage in t.EXIT_STAGES:
        left = rnd.choice(("contact", "visit", "negotiate"))
        return [*PIPELINE[1:PIPELINE.index(left) + 1], stage]
    return list(PIPELINE[1:PIPELINE.index(stage) + 1])


def _lead(rnd: random.Random, project: PlanProject | None, as_of: dt.date) -> dict:
    """One lead's story: title, chain, amount, stage, its moves and contacts, as dates (ids come later)."""
    if project is not None:
        stage, chain, segment, title = "signed", project.chain, project.segment, project.name
        amount, end = Decimal(project.total), project.signed_on
        reported = end - dt.timedelta(days=rnd.randint(120, 400))
    else:
        stage = pick(rnd, t.LEAD_STAGE_WEIGHTS)
        chain = rnd.choice(sorted(t.CHAIN_NAMES)) if rnd.random() < 0.75 else None
        if chain:
            segment, template, _unused = rnd.choice(t.CHAIN_NAMES[chain])
        else:
            segment, template = None, rnd.choice(t.OTHER_INDUSTRY)[0]
        title = template.format(n=rnd.randint(1, 9))
        amount = Decimal(int(min(2_000_000, max(2000, rnd.lognormvariate(10.3, 1.0)))))
        reported = as_of - dt.timedelta(days=rnd.randint(20, 700))
        end = min(as_of, reported + dt.timedelta(days=rnd.randint(15, 300)))
    path = _path(rnd, stage)
    span = max(1, (end - reported).days)
    moves = [reported + dt.timedelta(days=span * (n + 1) // (len(path) + 1)) for n in range(len(path))]
    if stage == "signed":
        moves[-1] = end
    low, high = t.INTERACTIONS[stage]
    count = rnd.randint(low, high)
    contacts = sorted(reported + dt.timedelta(days=1 + rnd.randrange(span)) for _ in range(count))
    return {"stage": stage, "chain": chain, "segment": segment, "title": title, "amount": amount,
            "reported": reported, "path": path, "moves": moves, "contacts": contacts,
            "framework": stage == "negotiate" and rnd.random() < 0.35}


def load_investors(session: Session, plan: Plan, batch: str, units: dict[str, Unit], people: dict[str, User],
                   segments: dict[tuple[str, int], int]) -> dict[int, Converted]:
    """Companies, leads and their log; answers the converted projects' leads by project serial."""
    rnd = random.Random(f"chaincrm-demo-investors:{plan.year}:{plan.scale}")  # nosec B311 - seeded, reproducible
    converted = sorted((p for p in plan.projects if p.converted), key=lambda p: p.serial)
    stories = [_lead(rnd, p, plan.as_of) for p in converted]
    stories += [_lead(rnd, None, plan.as_of) for _ in range(300 * plan.scale - len(stories))]
    hosts = [p.unit for p in converted] + [rnd.choice(t.LEAD_UNITS) for _ in range(len(stories) - len(converted))]
    used = set(session.scalars(select(Company.name)))
    company_rows, owner_of, intents = [], [], []
    for story, host in zip(stories, hosts):
        # One investor in five brings a second intent (a new lead on a company already in the pipeline).
        key = intent_key(story["title"])
        if company_rows and rnd.random() < 0.2:
            again = rnd.randrange(len(company_rows))
            if key not in intents[again]:  # never the same intent twice on one investor (that is a 撞单)
                owner_of.append(again)
                intents[again].add(key)
                continue
        owner_of.append(len(company_rows))
        intents.append({key})
        company_rows.append(_company_row(rnd, used, story["chain"], batch, units[host], people[host]))
    company_ids = bulk_insert(session, Company, company_rows, batch)
    days = protection_days(session)
    lead_rows = []
    for story, host, company in zip(stories, hosts, owner_of):
        last = _at(rnd, story["contacts"][-1]) if story["contacts"] else None
        open_stage = story["stage"] not in ("signed", "ended")
        story["company_id"] = company_ids[company]
        story["owner"], story["unit"] = people[host], units[host]
        lead_rows.append({
            "company_id": company_ids[company], "title": story["title"], "intent_key": intent_key(story["title"]),
            "segment_id": segments.get((story["chain"], story["segment"])), "amount": story["amount"],
            "method": "chain" if story["chain"] and rnd.random() < 0.5 else pick(rnd, t.LEAD_METHODS),
            "first_reported_at": _at(rnd, story["reported"]), "unit_id": units[host].id,
            "owner_id": people[host].id, "stage": story["stage"],
            "protected_until": (story["contacts"][-1] if story["contacts"] else story["reported"])
            + dt.timedelta(days=days),
            "stage_before_exit": story["path"][-2] if story["stage"] in t.EXIT_STAGES else None,
            "exit_reason": EXIT_REASONS.get(story["stage"]), "last_contact_at": last,
            "next_followup": last.date() + dt.timedelta(days=rnd.randint(7, 40)) if last and open_stage else None,
            "batch_id": batch, "version_id": 1})
    lead_ids = bulk_insert(session, Lead, lead_rows, batch)
    _history(session, rnd, stories, lead_ids, lead_rows, batch)
    signings = _signings(session, rnd, stories, lead_ids, batch)
    return {p.serial: Converted(lead_ids[i], signings[i], stories[i]["company_id"], stories[i]["owner"].id)
            for i, p in enumerate(converted)}


def _history(session: Session, rnd: random.Random, stories: list[dict], lead_ids: list[int], lead_rows: list[dict],
             batch: str) -> None:
    credit, changes, contacts = [], [], []
    for story, lead_id, row in zip(stories, lead_ids, lead_rows):
        credit.append({"lead_id": lead_id, "unit_id": row["unit_id"], "role": "host", "credit": Decimal(100)})
        at, stage = row["first_reported_at"], "clue"
        changes.append({"lead_id": lead_id, "from_stage": None, "to_stage": "clue", "at": at,
                        "user_id": row["owner_id"], "reason": None, "seconds_in_previous": None})
        for to_stage, day in zip(story["path"], story["moves"]):
            moved = max(at + dt.timedelta(hours=1), _at(rnd, day))
            changes.append({"lead_id": lead_id, "from_stage": stage, "to_stage": to_stage, "at": moved,
                            "user_id": row["owner_id"], "reason": EXIT_REASONS.get(to_stage),
                            "seconds_in_previous": int((moved - at).total_seconds())})
            at, stage = moved, to_stage
        unit_name = story["unit"].short_name or story["unit"].name
        for n, day in enumerate(story["contacts"]):
            kind = pick(rnd, t.INTERACTION_KINDS)
            when = row["last_contact_at"] if n == len(story["contacts"]) - 1 else _at(rnd, day)
            contacts.append({"company_id": row["company_id"], "lead_id": lead_id, "kind": kind, "at": when,
                             "summary": t.SUMMARIES[kind].format(unit=unit_name), "user_id": row["owner_id"],
                             "unit_id": row["unit_id"], "created_at": when, "updated_at": when})
    bulk_insert(session, LeadUnit, credit, batch)
    bulk_insert(session, LeadStageChange, changes, batch)
    bulk_insert(session, Interaction, contacts, batch)


def _signings(session: Session, rnd: random.Random, stories: list[dict], lead_ids: list[int],
              batch: str) -> list[int | None]:
    rows, index = [], []
    for i, (story, lead_id) in enumerate(zip(stories, lead_ids)):
        if story["stage"] == "signed":
            on, kind = story["moves"][-1], "contract"
        elif story["framework"]:
            on, kind = story["moves"][-1], "framework"
        else:
            continue
        index.append(i)
        rows.append({"lead_id": lead_id, "company_id": story["company_id"], "unit_id": story["unit"].id,
                     "kind": kind, "amount": story["amount"], "signed_on": on,
                     "deadline_register": on + dt.timedelta(days=rnd.randint(30, 60)) if kind == "contract" else None,
                     "deadline_start": on + dt.timedelta(days=rnd.randint(90, 240)) if kind == "contract" else None,
                     "deadline_production": None, "intensity": Decimal(rnd.randint(150, 450)) if kind == "contract"
                     else None, "notes": None})
    ids = bulk_insert(session, Signing, rows, batch)
    found: list[int | None] = [None] * len(stories)
    for i, signing_id in zip(index, ids):
        found[i] = signing_id
    return found
