"""Chain administration: import, 链长 and 链办, segments and links, a company's segment links."""
from __future__ import annotations

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from sqlalchemy import select

import chains
from crm.core.errors import DomainError
from crm.extensions import db
from crm.industry import services, signals
from crm.industry.importing import import_chain, parse_upload
from crm.industry.views import _chain, _int_form, bp
from crm.models import Chain, Company, CompanySegment, CompanySignal, Segment, SegmentLink, Unit, User
from crm.security.permissions import requires

MAX_UPLOAD = 5 * 1024 * 1024


def _upload(name: str):
    f = request.files.get(name)
    if f is None or not f.filename:
        return None, None
    content = f.read(MAX_UPLOAD + 1)
    if len(content) > MAX_UPLOAD:
        raise DomainError(_("The file is larger than 5 MB."), name)
    return f.filename, content


@bp.route("/import", methods=["GET", "POST"])
@requires("chain.manage")
def import_page():
    form = FlaskForm()
    issues, error = [], None
    if form.validate_on_submit():
        try:
            filename, content = _upload("file")
            links_name, links_content = _upload("links")
            if filename is None:
                raise DomainError(_("Choose a file to import."), "file")
            data = parse_upload(filename, content, links_name, links_content, name=request.form.get("name") or None)
            outcome = import_chain(db.session, current_user, data, name=request.form.get("name") or None)
        except chains.ChainParseError as err:
            db.session.rollback()
            issues = err.errors
        except DomainError as err:
            db.session.rollback()
            error = err.message
        else:
            db.session.commit()
            flash(_("Chain imported: %(s)s segments, %(l)s links, %(m)s company links; %(u)s firms not found "
                    "by stock code.", s=outcome.segments, l=outcome.links, m=outcome.memberships,
                    u=outcome.unmatched_firms), "success")
            return redirect(url_for("industry.detail", chain_id=outcome.chain.id))
    return render_template("industry/import.html", form=form, issues=issues, error=error)


@bp.route("/<int:chain_id>/edit", methods=["GET", "POST"])
@requires("chain.manage")
def edit(chain_id: int):
    chain = _chain(chain_id)
    form = FlaskForm()
    if form.validate_on_submit():
        try:
            action = request.form.get("action")
            if action == "officers":
                services.set_officers(db.session, current_user, chain, _int_form("chief_id"),
                                      _int_form("office_unit_id"))
            elif action == "segment":
                seg_id = _int_form("segment_id")
                seg = db.session.get(Segment, seg_id) if seg_id else None
                if seg_id and (seg is None or seg.chain_id != chain.id):
                    abort(404)
                services.save_segment(db.session, current_user, chain, request.form.to_dict(), seg)
            elif action == "delete_segment":
                seg = db.session.get(Segment, _int_form("segment_id") or 0)
                if seg is None or seg.chain_id != chain.id:
                    abort(404)
                services.delete_segment(db.session, current_user, seg)
            elif action == "link":
                services.add_link(db.session, current_user, chain, _int_form("from_segment_id") or 0,
                                  _int_form("to_segment_id") or 0, request.form.get("weight") or "1")
            elif action == "delete_link":
                link = db.session.get(SegmentLink, _int_form("link_id") or 0)
                if link is None or link.chain_id != chain.id:
                    abort(404)
                services.delete_link(db.session, current_user, link)
            else:
                abort(400)
        except DomainError as err:
            db.session.rollback()
            flash(str(err.message), "danger")
        else:
            db.session.commit()
            flash(_("Chain saved."), "success")
        return redirect(url_for("industry.edit", chain_id=chain.id))
    segments = db.session.scalars(select(Segment).where(Segment.chain_id == chain.id).order_by(Segment.id)).all()
    links = db.session.scalars(select(SegmentLink).where(SegmentLink.chain_id == chain.id)
                               .order_by(SegmentLink.id)).all()
    users = db.session.scalars(select(User).where(User.active.is_(True)).order_by(User.name)).all()
    units = db.session.scalars(select(Unit).order_by(Unit.sort, Unit.id)).all()
    positions = {"upstream": _("Upstream"), "midstream": _("Midstream"), "downstream": _("Downstream")}
    return render_template("industry/edit.html", chain=chain, segments=segments, links=links, users=users,
                           units=units, positions=positions, form=form, names={s.id: s.name for s in segments})


@bp.route("/companies/<int:company_id>/segments", methods=["GET", "POST"])
@requires("company.view")
def company_segments(company_id: int):
    company = db.session.get(Company, company_id) or abort(404)
    form = FlaskForm()
    if request.method == "POST":
        from crm.security.permissions import allowed
        if not allowed(current_user.roles, "chain.manage"):
            abort(403)
        if not form.validate_on_submit():
            abort(400)
        try:
            if request.form.get("action") == "delete":
                row = db.session.get(CompanySegment, _int_form("membership_id") or 0)
                if row is None or row.company_id != company.id:
                    abort(404)
                services.delete_membership(db.session, current_user, row)
            else:
                services.save_membership(db.session, current_user, company, _int_form("segment_id") or 0,
                                         request.form.get("share") or "1", request.form.get("is_leader") == "1")
        except DomainError as err:
            db.session.rollback()
            flash(str(err.message), "danger")
        else:
            db.session.commit()
            flash(_("Chain segments saved."), "success")
        return redirect(url_for("companies.detail", company_id=company.id))
    rows = db.session.execute(select(CompanySegment, Segment.name, Chain.name, Chain.id)
                              .join(Segment, Segment.id == CompanySegment.segment_id)
                              .join(Chain, Chain.id == Segment.chain_id)
                              .where(CompanySegment.company_id == company.id).order_by(Chain.name, Segment.name)).all()
    options = db.session.execute(select(Segment.id, Segment.name, Chain.name).join(Chain, Chain.id == Segment.chain_id)
                                 .order_by(Chain.name, Segment.id)).all()
    return render_template("industry/_company_segments.html", company=company, rows=rows, options=options, form=form,
                           signals=signals.signals_of(db.session, company.id), signal_labels=signals.SIGNAL_LABELS)


@bp.route("/companies/<int:company_id>/signals", methods=["POST"])
@requires("company.edit")
def company_signals(company_id: int):
    """Add (or remove) a dated 扩产 / 融资 signal: the momentum part of the company's target scores."""
    company = db.session.get(Company, company_id) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        if request.form.get("action") == "delete":
            row = db.session.get(CompanySignal, _int_form("signal_id") or 0)
            if row is None or row.company_id != company.id:
                abort(404)
            signals.delete_signal(db.session, current_user, row)
        else:
            signals.add_signal(db.session, current_user, company, request.form.get("kind"),
                               request.form.get("on_date") or "", request.form.get("note"))
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(_("Momentum signals saved."), "success")
    return redirect(url_for("companies.detail", company_id=company.id))
