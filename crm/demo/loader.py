"""Load the demo idempotently and keep its generated passwords in a private file.

A second run finds every record by its natural key, creates only what is
missing and reprints the same sign-in details: ``make run`` can be run again
without losing data or locking anyone out.
"""
from __future__ import annotations

import json
import os
from pathlib import Path

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.companies.services import create_company
from crm.demo import data
from crm.demo.chains import load_chains
from crm.demo.generator import load_generated
from crm.demo.pipeline import load_pipeline
from crm.demo.projects import load_projects
from crm.models import Company, Contact, Unit, User
from crm.security.passwords import generate_password
from crm.units.services import create_unit
from crm.users.services import create_user, set_password


def credentials_path() -> Path:
    return Path(current_app.instance_path) / "demo-credentials.json"


def _read_credentials(path: Path) -> dict[str, str]:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (FileNotFoundError, ValueError):
        return {}


def _write_credentials(path: Path, creds: dict[str, str]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as fh:
        json.dump(creds, fh, ensure_ascii=False, indent=1)
    os.chmod(tmp, 0o600)
    tmp.replace(path)


def _unit(session: Session, name: str, **fields) -> Unit:
    unit = session.scalar(select(Unit).where(Unit.name == name))
    return unit or create_unit(session, None, {"name": name, **fields})


def load_units(session: Session) -> dict[str, Unit]:
    name, short, kind, _parent, code = data.CITY
    units = {name: _unit(session, name, short_name=short, kind=kind, division_code=code, sort=0)}
    root = units[name]
    for i, (dept, short) in enumerate(data.CITY_DEPTS, start=1):
        units[dept] = _unit(session, dept, short_name=short, kind="city_dept", parent_id=root.id, sort=i)
    zone, short = data.CITY_ZONE
    units[zone] = _unit(session, zone, short_name=short, kind="zone", parent_id=root.id, sort=10)
    for i, (county, code, group) in enumerate(data.COUNTIES, start=20):
        units[county] = _unit(session, county, kind="county", parent_id=root.id, division_code=code,
                              group_name=group, sort=i)
    for i, (zone, short, county) in enumerate(data.COUNTY_ZONES, start=100):
        parent = units[county]
        units[zone] = _unit(session, zone, short_name=short, kind="zone", parent_id=parent.id,
                            division_code=parent.division_code, group_name=parent.group_name, sort=i)
    return units


def load_users(session: Session, units: dict[str, Unit], creds: dict[str, str]) -> None:
    for username, name, unit_name, roles in data.USERS:
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            creds[username] = generate_password()
            create_user(session, None, username=username, name=name, unit_id=units[unit_name].id,
                        roles=roles, password=creds[username])
        elif username not in creds:
            # The password file was lost: issue a fresh password rather than lock the demo.
            creds[username] = generate_password()
            set_password(session, user, user, creds[username])


def load_companies(session: Session, units: dict[str, Unit]) -> None:
    by_short: dict[str, Company] = {}
    for name, short, county, industry, stock, flags, revenue in data.COMPANIES:
        company = session.scalar(select(Company).where(Company.name == name))
        if company is None:
            company = create_company(session, None, {
                "name": name, "short_name": short, "county_code": county, "industry_code": industry,
                "stock_code": stock, "revenue": revenue, **flags})
        by_short[short] = company
    for short, name, title, phone, unit_name in data.CONTACTS:
        company = by_short[short]
        exists = session.scalar(select(Contact.id).where(Contact.company_id == company.id, Contact.name == name))
        if exists is None:
            session.add(Contact(company_id=company.id, name=name, title=title, phone=phone,
                                owner_unit_id=units[unit_name].id))
    session.flush()


def load_demo(session: Session, scale: int = 1) -> str:
    """Load everything (the generated plan year at ``scale``); return the sign-in text to print."""
    path = credentials_path()
    creds = _read_credentials(path)
    units = load_units(session)
    load_users(session, units, creds)
    load_companies(session, units)
    load_chains(session)
    load_pipeline(session)
    load_projects(session)
    load_generated(session, scale)
    _write_credentials(path, creds)
    lines = ["ChainCRM demo — sign in at http://127.0.0.1:5000/login", f"(passwords kept in {path})"]
    lines += [f"  {username:<12} {creds[username]:<20} {name}" for username, name, _u, _r in data.USERS]
    return "\n".join(lines)
