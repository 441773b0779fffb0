"""Trip pages (外出招商): list (the user's unit subtree; city leaders see all), create, edit, and the
trip page with its visits and the form to add one. Thin views over :mod:`crm.visits.services`."""
from __future__ import annotations

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.audit import service as audit
from crm.core.errors import DomainError, apply_to_form
from crm.core.params import paginate
from crm.extensions import db
from crm.leads.rules import INTERACTION_LABELS
from crm.models import Company, Trip, Unit, User
from crm.refdata import lookup
from crm.security.permissions import requires
from crm.security.web import current_scope, get_visible_or_404
from crm.visits import services
from crm.visits.common import chosen_lead, lead_choices
from crm.visits.forms import TripForm, VisitForm, local_now

bp = Blueprint("trips", __name__, url_prefix="/trips")


def destination_name(trip: Trip) -> str:
    parts = []
    if trip.destination_code:
        try:
            parts.append(lookup.full_name(trip.destination_code))
        except ValueError:
            parts.append(trip.destination_code)
    if trip.destination:
        parts.append(trip.destination)
    return " · ".join(parts)


@bp.route("/")
@requires("lead.view")
def index():
    stmt = (select(Trip).where(current_scope().condition(Trip))
            .order_by(Trip.start_on.desc(), Trip.id.desc()))
    page = paginate(db.session, stmt)
    unit_ids = {t.unit_id for t in page.items}
    units = dict(db.session.execute(select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))).all())
    return render_template("trips/index.html", page=page, units=units, destination_name=destination_name)


def _save(form: TripForm, trip: Trip | None):
    if form.validate_on_submit():
        try:
            if trip is None:
                trip = services.create_trip(db.session, current_user, form.data_for_service())
            else:
                services.update_trip(db.session, current_user, trip, form.data_for_service())
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err if err.field != "destination_code" else DomainError(err.message, "province_code"))
        else:
            db.session.commit()
            flash(_("Trip saved."), "success")
            return redirect(url_for("trips.detail", trip_id=trip.id))
    return render_template("trips/form.html", form=form, trip=trip)


@bp.route("/new", methods=["GET", "POST"])
@requires("lead.edit")
def create():
    form = TripForm()
    form.set_choices()
    return _save(form, None)


@bp.route("/<int:trip_id>/edit", methods=["GET", "POST"])
@requires("lead.edit")
def edit(trip_id: int):
    trip = get_visible_or_404(Trip, trip_id)
    form = TripForm(obj=trip)
    if request.method == "GET":
        form.load_destination(trip.destination_code)
    form.set_choices()
    return _save(form, trip)


def render_detail(trip: Trip, visit_form: VisitForm | None = None, status: int = 200):
    if visit_form is None:
        visit_form = VisitForm(formdata=None, at=local_now())
    visit_form.lead_id.choices = lead_choices()
    company_id = str(visit_form.company_id.data or "")
    company = db.session.get(Company, int(company_id)) if company_id.isdigit() else None
    return render_template(
        "trips/detail.html", trip=trip, unit=db.session.get(Unit, trip.unit_id),
        creator=db.session.get(User, trip.created_by) if trip.created_by else None,
        destination=destination_name(trip), visits=services.contacts_of(db.session, current_scope(), trip_id=trip.id),
        visit_form=visit_form, company=company, kinds=INTERACTION_LABELS,
        history=audit.history(db.session, "trip", trip.id)), status


@bp.route("/<int:trip_id>")
@requires("lead.view")
def detail(trip_id: int):
    return render_detail(get_visible_or_404(Trip, trip_id))


@bp.route("/<int:trip_id>/visits", methods=["POST"])
@requires("lead.edit")
def add_visit(trip_id: int):
    trip = get_visible_or_404(Trip, trip_id)
    form = VisitForm()
    form.lead_id.choices = lead_choices()
    if form.validate_on_submit():
        try:
            services.record_visit(db.session, current_user, trip=trip, lead=chosen_lead(form),
                                  **form.data_for_service())
        except DomainError as err:
            db.session.rollback()
            apply_to_form(form, err)
        else:
            db.session.commit()
            flash(_("Visit logged."), "success")
            return redirect(url_for("trips.detail", trip_id=trip.id, _anchor="visits"))
    return render_detail(trip, form, 422)
