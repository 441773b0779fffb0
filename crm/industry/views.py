"""Chain pages: the list, the chain-gap map (JSON and a segment panel), targets, lists, parameters.

Chains are shared knowledge (every role with ``chain.view`` sees every chain and its targets, which
are companies, master data); leads created from targets follow the leads' own visibility.
"""
from __future__ import annotations

from flask import Blueprint, abort, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import func, select

import chains
from crm.core.errors import DomainError
from crm.extensions import db
from crm.industry import params as chain_params
from crm.industry.cache import model_for
from crm.industry.exporting import PART_HEADERS
from crm.industry.filters import TargetFilters
from crm.industry.mapdata import map_data
from crm.industry.pipeline import add_to_pipeline
from crm.industry.records import source_regions
from crm.industry.services import save_target_list
from crm.models import Chain, Company, CompanySegment, Segment, TargetList, TargetListItem, Unit, User
from crm.refdata.lookup import CLUSTERS
from crm.security.permissions import requires
from crm.security.web import current_scope
from crm.settings import set_value
from crm.settings import get as get_setting

bp = Blueprint("industry", __name__, url_prefix="/chains")
PAGE_TARGETS = 200


def _chain(chain_id: int) -> Chain:
    return db.session.get(Chain, chain_id) or abort(404)


@bp.route("/")
@requires("chain.view")
def index():
    counts = dict(db.session.execute(select(Segment.chain_id, func.count(Segment.id)).group_by(Segment.chain_id)).all())
    rows = db.session.execute(select(Chain, User.name, Unit.name).outerjoin(User, User.id == Chain.chief_id)
                              .outerjoin(Unit, Unit.id == Chain.office_unit_id).order_by(Chain.name)).all()
    return render_template("industry/index.html", rows=rows, counts=counts)


@bp.route("/<int:chain_id>")
@requires("chain.view")
def detail(chain_id: int):
    chain = _chain(chain_id)
    model = model_for(db.session, chain)
    url = url_for("industry.segment", chain_id=chain.id, segment_id=0).replace("/segments/0", "/segments/__SEG__")
    return render_template("industry/map.html", chain=chain, reports=model.segments(),
                           data=map_data(model, url, _map_labels()))


@bp.route("/<int:chain_id>/map.json")
@requires("chain.view")
def map_json(chain_id: int):
    chain = _chain(chain_id)
    url = url_for("industry.segment", chain_id=chain.id, segment_id=0).replace("/segments/0", "/segments/__SEG__")
    return jsonify(map_data(model_for(db.session, chain), url, _map_labels()))


def _map_labels() -> dict[str, str]:
    return {"local": _("Local companies"), "importance": _("Importance"), "leader": _("Chain leader")}


@bp.route("/<int:chain_id>/segments/<int:segment_id>")
@requires("chain.view")
def segment(chain_id: int, segment_id: int):
    chain = _chain(chain_id)
    model = model_for(db.session, chain)
    if str(segment_id) not in model.segment_ids:
        abort(404)
    report = model.segment(str(segment_id))
    targets = model.targets(segment=str(segment_id), limit=20)
    local = model.local_companies(str(segment_id))
    leaders = set(db.session.scalars(select(CompanySegment.company_id).where(
        CompanySegment.segment_id == segment_id, CompanySegment.is_leader.is_(True))))
    regions = source_regions(db.session, [t.company_id for t in targets])
    if request.args.get("format") == "json":
        return jsonify({"segment": {"id": report.id, "name": report.name, "status": report.status,
                                    "action": report.action, "why": report.why, "importance": report.importance},
                        "local": [{"id": c.id, "name": c.name, "leader": int(c.id) in leaders} for c in local],
                        "targets": [{**_target_json(t), "region": regions.get(int(t.company_id), "")}
                                    for t in targets]})
    return render_template("industry/_segment.html", chain=chain, report=report, targets=targets, local=local,
                           regions=regions,
                           leaders=leaders, parts=PART_HEADERS, model=model, form=FlaskForm(),
                           **_pipeline_choices())


def _target_json(t: chains.Target) -> dict:
    return {"company_id": t.company_id, "name": t.name, "score": t.score, "parts": t.parts, "why": t.why,
            "cluster": t.cluster, "segment": t.segment, "action": t.action, "in_pipeline": t.in_pipeline}


def _pipeline_choices() -> dict:
    scope = current_scope()
    units = select(Unit).order_by(Unit.sort, Unit.id)
    users = select(User).where(User.active.is_(True)).order_by(User.unit_id, User.name)
    if not scope.sees_all:
        units = units.where(Unit.id.in_(sorted(scope.unit_ids)))
        users = users.where(User.unit_id.in_(sorted(scope.unit_ids)))
    return {"units": db.session.scalars(units).all(), "owners": db.session.scalars(users).all()}


@bp.route("/<int:chain_id>/targets")
@requires("chain.view")
def targets(chain_id: int):
    chain = _chain(chain_id)
    model = model_for(db.session, chain)
    filters = TargetFilters.parse(request.args, model)
    rows = model.targets(**filters.engine_args(), limit=PAGE_TARGETS)
    lists = db.session.scalars(select(TargetList).where(TargetList.chain_id == chain.id)
                               .order_by(TargetList.created_at.desc())).all()
    return render_template("industry/targets.html", chain=chain, model=model, filters=filters, rows=rows,
                           regions=source_regions(db.session, [t.company_id for t in rows]),
                           parts=PART_HEADERS, clusters=CLUSTERS, actions=chains.ACTIONS, lists=lists,
                           form=FlaskForm(), **_pipeline_choices())


def _ids(name: str = "company_ids") -> list[int]:
    return [int(v) for v in request.form.getlist(name) if v.isdigit()]


def _int_form(name: str) -> int | None:
    value = request.form.get(name, "")
    return int(value) if value.isdigit() else None


@bp.route("/<int:chain_id>/pipeline", methods=["POST"])
@requires("lead.edit")
def pipeline(chain_id: int):
    chain = _chain(chain_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    model = model_for(db.session, chain)
    try:
        result = add_to_pipeline(db.session, current_user, chain, model, _ids(), _int_form("owner_id"),
                                 _int_form("unit_id"))
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        return redirect(url_for("industry.targets", chain_id=chain.id))
    db.session.commit()
    flash(_("%(n)s leads created.", n=len(result.created)), "success")
    for name, reason in result.skipped:
        flash(_("Skipped %(name)s: %(reason)s", name=name, reason=reason), "warning")
    for name, _lead_id in result.conflicts:
        flash(_("%(name)s: another unit is already following this intent (撞单); a leader will rule.", name=name),
              "warning")
    return redirect(url_for("industry.targets", chain_id=chain.id))


@bp.route("/<int:chain_id>/lists", methods=["POST"])
@requires("chain.view")
def save_list(chain_id: int):
    chain = _chain(chain_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    model = model_for(db.session, chain)
    wanted = set(str(i) for i in _ids())
    chosen = [t for t in model.targets() if t.company_id in wanted]
    try:
        tl = save_target_list(db.session, current_user, chain, request.form.get("name", ""), chosen)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
        return redirect(url_for("industry.targets", chain_id=chain.id))
    db.session.commit()
    flash(_("Target list saved."), "success")
    return redirect(url_for("industry.target_list", list_id=tl.id))


@bp.route("/lists/<int:list_id>")
@requires("chain.view")
def target_list(list_id: int):
    tl = db.session.get(TargetList, list_id) or abort(404)
    chain = _chain(tl.chain_id)
    items = db.session.execute(select(TargetListItem, Company.name, Segment.name)
                               .join(Company, Company.id == TargetListItem.company_id)
                               .outerjoin(Segment, Segment.id == TargetListItem.segment_id)
                               .where(TargetListItem.list_id == tl.id).order_by(TargetListItem.rank)).all()
    return render_template("industry/list.html", tl=tl, chain=chain, items=items, form=FlaskForm(),
                           **_pipeline_choices())


@bp.route("/params", methods=["GET", "POST"])
@requires("settings.manage")
def params():
    form = FlaskForm()
    values = dict(get_setting(db.session, "chain_params"))
    error = None
    if form.validate_on_submit():
        submitted = {key: request.form.get(key, "") for key, _label in chain_params.FIELDS}
        try:
            set_value(db.session, current_user, "chain_params", submitted)
        except DomainError as err:
            db.session.rollback()
            error, values = err.message, submitted
        else:
            db.session.commit()
            flash(_("Setting saved."), "success")
            return redirect(url_for("settings.index"))
    return render_template("industry/params.html", form=form, fields=chain_params.FIELDS,
                           values={**chain_params.DEFAULTS, **values}, error=error)
