"""Problem pages: the list, the overdue list, raising a problem on a project, its page and its steps.

Every URL naming a problem or project loads it through the visibility scope (404 outside it). Each step
is one POST: check the CSRF token, call one service, commit, redirect; a refusal rolls back and shows
the service's message.
"""
from __future__ import annotations

import datetime as dt

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.core.params import paginate
from crm.extensions import db
from crm.models import Problem, Project, Unit, User
from crm.problems import listing, services
from crm.problems.rules import KIND_LABELS, LEVEL_LABELS, STATUS_LABELS, STEP_LABELS
from crm.projects.forms import ActionForm
from crm.security.permissions import requires
from crm.security.web import current_scope, get_visible_or_404

bp = Blueprint("problems", __name__, url_prefix="/problems")

LABELS = {"statuses": STATUS_LABELS, "levels": LEVEL_LABELS, "kinds": KIND_LABELS, "step_labels": STEP_LABELS}


def _units():
    return db.session.execute(select(Unit.id, Unit.name).where(Unit.active.is_(True))
                              .order_by(Unit.sort, Unit.name)).all()


def _filters():
    try:
        return listing.filters_from_args(request.args)
    except listing.BadFilter as bad:
        abort(400, description=_("Parameter %(name)s does not accept %(value)s.", name=bad.name, value=bad.raw[:40]))


@bp.app_context_processor
def _labels():
    return {"PROBLEM_STATUS_LABELS": STATUS_LABELS}


@bp.app_template_global()
def project_problems(project_id: int):
    """The visible problems of one project, for the project page's panel."""
    stmt = (select(Problem).where(Problem.project_id == project_id, current_scope().condition(Problem))
            .order_by(Problem.status == "closed", Problem.deadline.is_(None), Problem.deadline, Problem.id))
    return list(db.session.scalars(stmt.limit(50)))


@bp.route("/")
@requires("problem.view")
def index():
    filters = _filters()
    condition = current_scope().condition(Problem)
    page = paginate(db.session, listing.problem_query(filters, condition),
                    count=listing.count_query(filters, condition), rows=True)
    return render_template("problems/index.html", page=page, filters=filters, units=_units(), **LABELS)


@bp.route("/overdue")
@requires("problem.view")
def overdue():
    filters = _filters()
    filters.overdue = True
    condition = current_scope().condition(Problem)
    page = paginate(db.session, listing.problem_query(filters, condition),
                    count=listing.count_query(filters, condition), rows=True)
    units = db.session.execute(listing.by_unit(filters, condition)).all()
    leaders = db.session.execute(listing.by_leader(filters, condition)).all()
    return render_template("problems/overdue.html", page=page, filters=filters, by_unit=units, by_leader=leaders,
                           units=_units(), **LABELS)


@bp.route("/project/<int:project_id>/new", methods=["GET", "POST"])
@requires("problem.edit")
def create(project_id: int):
    project = get_visible_or_404(Project, project_id)
    error = None
    if request.method == "POST":
        if not ActionForm().validate_on_submit():
            abort(400)
        try:
            problem = services.raise_problem(db.session, current_user, project, request.form)
        except DomainError as err:
            db.session.rollback()
            error = err
        else:
            db.session.commit()
            flash(_("Problem raised."), "success")
            return redirect(url_for("problems.detail", problem_id=problem.id))
    return render_template("problems/form.html", project=project, units=_units(), error=error,
                           **LABELS), 422 if error else 200


@bp.route("/<int:problem_id>")
@requires("problem.view")
def detail(problem_id: int):
    problem = get_visible_or_404(Problem, problem_id)
    project = db.session.get(Project, problem.project_id)
    names = dict(db.session.execute(select(Unit.id, Unit.name).where(
        Unit.id.in_([i for i in (problem.resp_unit_id, problem.assigning_unit_id) if i]))).all())
    raised_by = db.session.scalar(select(User.name).where(User.id == problem.raised_by)) if problem.raised_by else None
    return render_template("problems/detail.html", problem=problem, project=project, names=names,
                           raised_by=raised_by, steps=services.transitions(db.session, problem), units=_units(),
                           today=dt.date.today(), **LABELS)


def _step(problem_id: int, call, done: str):
    problem = get_visible_or_404(Problem, problem_id)
    if not ActionForm().validate_on_submit():
        abort(400)
    try:
        call(problem)
    except DomainError as err:
        db.session.rollback()
        flash(str(err.message), "danger")
    else:
        db.session.commit()
        flash(done, "success")
    return redirect(url_for("problems.detail", problem_id=problem_id))


@bp.route("/<int:problem_id>/assign", methods=["POST"])
@requires("problem.assign")
def assign(problem_id: int):
    return _step(problem_id, lambda p: services.assign(db.session, current_user, p, request.form),
                 _("Problem assigned."))


@bp.route("/<int:problem_id>/accept", methods=["POST"])
@requires("problem.edit")
def accept(problem_id: int):
    return _step(problem_id, lambda p: services.accept(db.session, current_user, p), _("Problem taken in hand."))


@bp.route("/<int:problem_id>/answer", methods=["POST"])
@requires("problem.edit")
def answer(problem_id: int):
    return _step(problem_id, lambda p: services.answer(db.session, current_user, p, request.form.get("answer")),
                 _("Answer sent."))


@bp.route("/<int:problem_id>/send-back", methods=["POST"])
@requires("problem.assign")
def send_back(problem_id: int):
    return _step(problem_id, lambda p: services.send_back(db.session, current_user, p, request.form.get("reason")),
                 _("Answer sent back for more work."))


@bp.route("/<int:problem_id>/close", methods=["POST"])
@requires("problem.assign")
def close(problem_id: int):
    return _step(problem_id, lambda p: services.close(db.session, current_user, p, request.form.get("note")),
                 _("Problem closed (销号)."))


@bp.route("/<int:problem_id>/escalate", methods=["POST"])
@requires("problem.edit")
def escalate(problem_id: int):
    return _step(problem_id, lambda p: services.escalate(db.session, current_user, p, request.form.get("reason")),
                 _("Problem escalated."))
