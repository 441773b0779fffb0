"""The built chain model, kept per chain in each worker process behind a version stamp.

``Chain.stamp`` lives in the database and every edit of the chain's segments, links or memberships
bumps it (:func:`bump`, called by the services in the same transaction), so each worker process
notices on its next request that its copy is stale. The key also holds what else changes the
answers: the parameters, the lead history's latest change (leads and signings make targets leave or
join the pipeline), the companies' latest change (a move makes a firm local; revenue changes scale)
and the day (the recency window).
"""
from __future__ import annotations

import datetime as dt
import threading

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

import chains
from crm.industry import params as chain_params
from crm.industry.records import chain_inputs
from crm.models import Chain, Company, Lead, Signing

__all__ = ["model_for", "bump", "clear", "stats"]

_LOCK = threading.Lock()
_MODELS: dict[int, tuple[tuple, chains.ChainModel]] = {}
_STATS = {"builds": 0, "hits": 0}


def _lead_state(session: Session) -> tuple:
    leads = session.execute(select(func.count(Lead.id), func.max(Lead.updated_at))).one()
    signings = session.execute(select(func.count(Signing.id), func.max(Signing.id))).one()
    companies = session.execute(select(func.count(Company.id), func.max(Company.updated_at))).one()
    return (leads[0], str(leads[1]), signings[0], signings[1], companies[0], str(companies[1]))


def model_for(session: Session, chain: Chain) -> chains.ChainModel:
    """The chain's model, rebuilt when its stamp, the parameters, the leads or the day changed."""
    stamp = session.scalar(select(Chain.stamp).where(Chain.id == chain.id))
    params = chain_params.load(session)
    today = dt.date.today()
    key = (stamp, params, _lead_state(session), today)
    with _LOCK:
        cached = _MODELS.get(chain.id)
        if cached is not None and cached[0] == key:
            _STATS["hits"] += 1
            return cached[1]
    model = chain_inputs(session, chain).model(params, as_of=today)
    with _LOCK:
        _MODELS[chain.id] = (key, model)
        _STATS["builds"] += 1
    return model


def bump(session: Session, chain_id: int) -> None:
    """Mark the chain's cached models stale in every worker (part of the caller's transaction)."""
    session.execute(update(Chain).where(Chain.id == chain_id).values(stamp=Chain.stamp + 1)
                    .execution_options(synchronize_session=False))
    chain = session.get(Chain, chain_id)
    if chain is not None:
        session.refresh(chain, ["stamp"])


def clear() -> None:
    """Forget every cached model (tests)."""
    with _LOCK:
        _MODELS.clear()


def stats() -> dict[str, int]:
    return dict(_STATS)
