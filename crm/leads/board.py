"""The lead board (看板): a column per stage with its count and sum, paged cards, drag to move.

Columns 线索 → 接洽 → 考察 → 洽谈 → 签约, then the exits 暂缓 and 终止. The totals come from one
GROUP BY (:func:`crm.leads.listing.board_totals_query`) and the cards from the list's statement at
one stage (:func:`crm.leads.listing.board_cards_query`), under the viewer's scope and the list's
filters. A card dropped on another column posts to :func:`move`, which calls the stage service, so
every stage rule and the stale-version check apply; the answer is JSON for ``static/js/board.js``
(``ok`` false with the rule's message when the move is refused).
"""
from __future__ import annotations

from decimal import Decimal

from flask import Blueprint, abort, jsonify, render_template
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from wtforms import HiddenField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

from crm.core.errors import DomainError, StaleEdit
from crm.core.params import int_arg
from crm.core.templating import money
from crm.extensions import db
from crm.leads import listing, stages
from crm.leads.listing import LeadFilters
from crm.leads.rules import EXITS, PIPELINE, STAGE_LABELS
from crm.leads.views import filter_choices, filters_from_request
from crm.models import Lead
from crm.models.leads import LEAD_STAGES
from crm.security.permissions import requires
from crm.security.scope import Scope
from crm.security.web import current_scope, get_visible_or_404

bp = Blueprint("board", __name__, url_prefix="/leads/board")

COLUMNS = (*PIPELINE, *EXITS)
CARDS_PER_PAGE = 20


class MoveForm(FlaskForm):
    lead_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])
    stage = HiddenField(validators=[DataRequired(), Regexp("^(" + "|".join(LEAD_STAGES) + ")$")])
    version_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    reason = StringField(validators=[Optional(), Length(max=200)])


def totals(filters: LeadFilters, scope: Scope) -> dict[str, dict]:
    """``{stage: {"count": n, "amount": Decimal, "amount_text": "1,234.00"}}`` for every column."""
    found = {stage: (count, amount) for stage, count, amount in
             db.session.execute(listing.board_totals_query(filters, scope))}
    out = {}
    for stage in COLUMNS:
        count, amount = found.get(stage, (0, None))
        amount = Decimal(amount or 0)
        out[stage] = {"count": int(count), "amount": amount, "amount_text": money(amount)}
    return out


def cards(filters: LeadFilters, scope: Scope, stage: str, page: int) -> tuple[list, bool]:
    """One page of a column's cards, and whether another page follows (one row more is read)."""
    stmt = listing.board_cards_query(filters, scope, stage)
    rows = db.session.execute(stmt.limit(CARDS_PER_PAGE + 1).offset((page - 1) * CARDS_PER_PAGE)).all()
    return rows[:CARDS_PER_PAGE], len(rows) > CARDS_PER_PAGE


@bp.route("/")
@requires("lead.view")
def index():
    filters = filters_from_request()
    scope = current_scope()
    columns = []
    for stage in COLUMNS:
        rows, more = cards(filters, scope, stage, 1)
        columns.append({"stage": stage, "label": STAGE_LABELS[stage], "rows": rows, "more": more,
                        "exit": stage in EXITS})
    return render_template("leads/board.html", filters=filters, columns=columns, totals=totals(filters, scope),
                           page=1, move_form=MoveForm(formdata=None), **filter_choices(filters))


@bp.route("/column/<stage>")
@requires("lead.view")
def column(stage: str):
    """The next page of one column's cards (htmx swaps it in place of the "more" button)."""
    if stage not in COLUMNS:
        abort(404)
    filters = filters_from_request()
    page = int_arg("page", 2, minimum=1, maximum=100000)
    rows, more = cards(filters, current_scope(), stage, page)
    return render_template("leads/_board_cards.html", filters=filters, stage=stage, rows=rows, more=more, page=page)


def _answer(status: int, message: str, *, ok: bool = True, **extra):
    return jsonify({"ok": ok, "message": message, **extra}), status


def _refused(message: str, refusal: str, **extra):
    # A refusal is an answer, not a failed request: 200 with ok false, so the browser does not log
    # a failed resource load for a move the rules simply do not allow.
    return _answer(200, message, ok=False, refused=refusal, **extra)


@bp.route("/move", methods=["POST"])
@requires("lead.edit")
def move():
    """Move a card: the stage service decides; the answer carries the new version and the totals."""
    form = MoveForm()
    if not form.validate_on_submit():
        return _answer(400, _("The move could not be read; reload the board and try again."), ok=False)
    lead = get_visible_or_404(Lead, int(form.lead_id.data))
    try:
        stages.change_stage(db.session, current_user, lead, form.stage.data, reason=form.reason.data,
                            expected_version=int(form.version_id.data))
    except StaleEdit as err:
        db.session.rollback()
        return _refused(err.message, "stale")
    except DomainError as err:
        db.session.rollback()
        return _refused(err.message, "rule", field=err.field)
    db.session.commit()
    filters = filters_from_request()
    board = {stage: {"count": t["count"], "amount": t["amount_text"]}
             for stage, t in totals(filters, current_scope()).items()}
    return _answer(200, _("Stage changed."), lead_id=lead.id, stage=lead.stage, version_id=lead.version_id,
                   totals=board)
