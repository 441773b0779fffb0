"""Momentum signals (扩产 / 融资): recorded per company, fed to the engine, shown and edited on the company page."""
from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.industry import cache, signals
from crm.industry.records import chain_inputs
from crm.models import AuditRecord, Chain, CompanySignal
from tests.conftest import csrf_token
from tests.industry_helpers import build_chain


@pytest.fixture
def toy(db, make_user):
    admin = make_user(("admin",))
    data = build_chain(db.session, admin)
    db.session.commit()
    cache.clear()
    return {**data, "admin": admin}


def _target(model, company):
    return {t.company_id: t for t in model.targets()}[str(company.id)]


def test_a_recent_signal_raises_the_momentum_part_and_rebuilds_the_chain(db, toy):
    firm, chain = toy["firms"]["e2"], toy["chain"]
    before = _target(cache.model_for(db.session, chain), firm)
    assert before.parts["momentum"] == 0
    stamp = chain.stamp
    signals.add_signal(db.session, toy["admin"], firm, "financing", dt.date.today() - dt.timedelta(days=10), "B轮融资")
    db.session.commit()
    assert db.session.scalar(select(Chain.stamp).where(Chain.id == chain.id)) == stamp + 1
    inputs = chain_inputs(db.session, chain)
    assert [(s.company_id, s.kind) for s in inputs.signals] == [(str(firm.id), "financing")]
    after = _target(cache.model_for(db.session, chain), firm)
    assert 0 < after.parts["momentum"] <= 1 and after.score > before.score
    assert after.score == pytest.approx(sum(after.weights[k] * after.parts[k] for k in after.parts))
    assert db.session.scalar(select(AuditRecord.id).where(AuditRecord.entity_type == "company_signal"))


def test_an_old_signal_counts_for_nothing_and_removal_restores_the_score(db, toy):
    firm, chain = toy["firms"]["e2"], toy["chain"]
    base = _target(cache.model_for(db.session, chain), firm).score
    signals.add_signal(db.session, toy["admin"], firm, "expansion", dt.date(2010, 5, 1))
    db.session.commit()
    assert _target(cache.model_for(db.session, chain), firm).parts["momentum"] == 0
    fresh = signals.add_signal(db.session, toy["admin"], firm, "expansion", dt.date.today())
    db.session.commit()
    assert _target(cache.model_for(db.session, chain), firm).score > base
    signals.delete_signal(db.session, toy["admin"], fresh)
    db.session.commit()
    assert _target(cache.model_for(db.session, chain), firm).score == pytest.approx(base)


@pytest.mark.parametrize("kind, on, field", [("rumour", "2026-01-01", "kind"), ("expansion", "2026/01/01", "on_date"),
                                             ("expansion", "2999-01-01", "on_date"),
                                             ("financing", "1999-12-31", "on_date")])
def test_bad_signals_are_refused(db, toy, kind, on, field):
    with pytest.raises(DomainError) as err:
        signals.add_signal(db.session, toy["admin"], toy["firms"]["e1"], kind, on)
    assert err.value.field == field
    db.session.rollback()
    assert db.session.scalar(select(CompanySignal.id)) is None


def test_company_page_adds_and_removes_signals(client, login, toy, db, make_user):
    firm = toy["firms"]["e1"]
    login(toy["admin"])
    panel = client.get(f"/chains/companies/{firm.id}/segments").get_data(as_text=True)
    assert 'data-testid="company-signal-form"' in panel
    response = client.post(f"/chains/companies/{firm.id}/signals", data={
        "csrf_token": csrf_token(panel), "kind": "expansion", "on_date": "2026-06-01", "note": "新建二期工厂"})
    assert response.status_code == 302
    panel = client.get(f"/chains/companies/{firm.id}/segments").get_data(as_text=True)
    assert "新建二期工厂" in panel and "2026-06-01" in panel
    bad = client.post(f"/chains/companies/{firm.id}/signals", data={
        "csrf_token": csrf_token(panel), "kind": "expansion", "on_date": "明年"}, follow_redirects=True)
    assert bad.status_code == 200 and db.session.scalar(
        select(CompanySignal.id).where(CompanySignal.company_id == firm.id).where(CompanySignal.note.is_(None))) is None
    signal_id = db.session.scalar(select(CompanySignal.id).where(CompanySignal.company_id == firm.id))
    client.post(f"/chains/companies/{firm.id}/signals", data={
        "csrf_token": csrf_token(panel), "action": "delete", "signal_id": signal_id})
    db.session.expire_all()
    assert db.session.get(CompanySignal, signal_id) is None
    other = toy["firms"]["e2"]
    assert client.post(f"/chains/companies/{other.id}/signals", data={
        "csrf_token": csrf_token(panel), "action": "delete", "signal_id": signal_id}).status_code == 404
    login(make_user(("city_leader",)))  # reads companies, edits none: no form, and a POST is refused
    panel = client.get(f"/chains/companies/{firm.id}/segments").get_data(as_text=True)
    assert 'data-testid="company-signals"' in panel and 'data-testid="company-signal-form"' not in panel
    token = csrf_token(client.get("/companies/").get_data(as_text=True))
    assert client.post(f"/chains/companies/{firm.id}/signals", data={
        "csrf_token": token, "kind": "expansion", "on_date": "2026-06-01"}).status_code == 403
