"""The global search page: ``GET /search?q=…`` grouped by kind, ``&kind=…`` for all of one kind;
``GET /search/suggest?q=…`` is the navbar's live dropdown (htmx), empty while the text is unusable."""
from __future__ import annotations

from flask import Blueprint, render_template, request
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from crm.core.errors import DomainError
from crm.core.params import Page, choice_arg, int_arg
from crm.extensions import db
from crm.leads.rules import STAGE_LABELS
from crm.search import matching, services
from crm.security.permissions import allowed, requires
from crm.security.web import current_scope

bp = Blueprint("search", __name__)

KIND_LABELS = {"company": _l("Companies"), "contact": _l("Contacts"), "lead": _l("Leads"),
               "project": _l("Projects")}
# The function a user needs to see each kind in the results.
KIND_FUNCTIONS = {"company": "company.view", "contact": "company.view", "lead": "lead.view",
                  "project": "project.view"}
PER_PAGE = 50
SUGGEST = 5


def _kinds(kind: str | None) -> list[str]:
    return [k for k in ([kind] if kind else services.KINDS) if allowed(current_user.roles, KIND_FUNCTIONS[k])]


@bp.route("/search")
@requires("company.view")
def index():
    kind = choice_arg("kind", services.KINDS)
    kinds = _kinds(kind)
    raw = request.args.get("q", "")
    context = {"q": raw.strip()[:matching.MAX_LENGTH * 2], "kind": kind, "labels": KIND_LABELS,
               "stages": STAGE_LABELS, "results": None, "page": None, "message": None}
    if not raw.strip():
        context["message"] = _l("Search companies by name, short name, credit code or pinyin initials "
                                "(e.g. sxjm), contacts by name or phone, leads and projects by name.")
        return render_template("search/index.html", **context)
    try:
        query = matching.parse(raw)
    except DomainError as error:
        context["message"] = error.message
        return render_template("search/index.html", **context)
    if kind:
        number = int_arg("page", 1, minimum=1, maximum=100000)
        results = services.search(db.session, current_scope(), query, kinds=kinds, limit=PER_PAGE,
                                  offset=(number - 1) * PER_PAGE)
        group = results.groups[0] if results.groups else services.Group(kind, 0)
        context["page"] = Page(group.hits, number, PER_PAGE, group.total)
    else:
        results = services.search(db.session, current_scope(), query, kinds=kinds)
    context["results"] = results
    return render_template("search/index.html", **context)


@bp.route("/search/suggest")
@requires("company.view")
def suggest():
    try:
        query = matching.parse(request.args.get("q", ""))
    except DomainError:
        return render_template("search/_suggest.html", results=None)
    results = services.search(db.session, current_scope(), query, kinds=_kinds(None), limit=SUGGEST)
    return render_template("search/_suggest.html", results=results, q=query.text, labels=KIND_LABELS,
                           stages=STAGE_LABELS)
