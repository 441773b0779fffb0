"""The duplicates report and the merge page (managers and admins: "company.merge").

The merge page belongs to the surviving company: pick the other one, see what will move, tick
the box and confirm. The confirmation carries both versions as shown, so a change by someone
else in between is refused with a message and a fresh preview.
"""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from crm.companies.dedupe import DEFAULT_THRESHOLD, likely_pairs
from crm.companies.forms import MergeForm
from crm.companies.merge import FIELD_LABELS, KIND_LABELS, merge_companies, plan_merge
from crm.companies.views import bp, location_name
from crm.core.errors import DomainError, StaleEdit, apply_to_form
from crm.core.params import int_arg
from crm.extensions import db
from crm.models import Company, Unit, User
from crm.refdata import lookup
from crm.security.permissions import requires
from crm.security.web import get_visible_or_404

REPORT_LIMIT = 200


def _describe_fills(plan) -> list[tuple[str, str]]:
    """The fields the merge fills, labelled, with names instead of codes and ids."""
    rows = []
    for name, value in plan.fills.items():
        if name == "county_code":
            value = lookup.full_name(value)
        elif name == "owner_unit_id":
            value = getattr(db.session.get(Unit, value), "name", value)
        elif name == "owner_id":
            value = getattr(db.session.get(User, value), "name", value)
        elif value is True:
            value = _("Yes")
        rows.append((str(FIELD_LABELS.get(name, name)), str(value)))
    changes_parent, new_parent = plan.survivor_parent
    if changes_parent:
        parent = db.session.get(Company, new_parent) if new_parent else None
        rows.append((str(FIELD_LABELS["parent_id"]), parent.name if parent else "—"))
    return rows


@bp.route("/duplicates")
@requires("company.merge")
def duplicates():
    threshold = int_arg("threshold", DEFAULT_THRESHOLD, minimum=60, maximum=100)
    pairs = likely_pairs(db.session, threshold=threshold, limit=REPORT_LIMIT)
    return render_template("companies/duplicates.html", pairs=pairs, threshold=threshold, limit=REPORT_LIMIT,
                           location_name=location_name)


def _refresh_versions(form: MergeForm, survivor: Company, absorbed: Company) -> None:
    form.absorbed_id.data = str(absorbed.id)
    form.survivor_version.data = str(survivor.version_id)
    form.absorbed_version.data = str(absorbed.version_id)
    form.confirm.data = False


@bp.route("/<int:company_id>/merge", methods=["GET", "POST"])
@requires("company.merge")
def merge(company_id: int):
    survivor = get_visible_or_404(Company, company_id)
    form = MergeForm()
    absorbed = None
    if request.method == "POST":
        if (form.absorbed_id.data or "").isdigit():
            absorbed = get_visible_or_404(Company, int(form.absorbed_id.data))
        if absorbed is not None and form.validate_on_submit():
            try:
                moved = merge_companies(db.session, current_user, survivor, absorbed,
                                        survivor_version=int(form.survivor_version.data),
                                        absorbed_version=int(form.absorbed_version.data))
            except StaleEdit as err:
                db.session.rollback()
                form.form_errors.append(err.message)
                _refresh_versions(form, survivor, absorbed)
            except DomainError as err:
                db.session.rollback()
                apply_to_form(form, err)
            else:
                db.session.commit()
                flash(_("Merged: %(n)s records moved to this company.",
                        n=sum(v for k, v in moved.items() if not k.endswith("_dropped"))), "success")
                return redirect(url_for("companies.detail", company_id=survivor.id))
    else:
        other = int_arg("other", minimum=1)
        if other is not None:
            absorbed = get_visible_or_404(Company, other)
            _refresh_versions(form, survivor, absorbed)
    plan = None
    if absorbed is not None:
        try:
            plan = plan_merge(db.session, survivor, absorbed)
        except DomainError as err:
            form.form_errors.append(err.message)
            absorbed = None
    return render_template("companies/merge.html", form=form, survivor=survivor, absorbed=absorbed, plan=plan,
                           kind_labels=KIND_LABELS, fills=_describe_fills(plan) if plan else [],
                           location_name=location_name)
