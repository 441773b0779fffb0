"""Dashboard page."""
from flask import Blueprint, redirect, render_template, url_for

from crm.dashboard import services
from crm.extensions import db
from crm.security.permissions import PUBLIC, requires
from crm.security.web import current_scope

bp = Blueprint("dashboard", __name__)


@bp.route("/")
@requires(PUBLIC)
def home():
    return redirect(url_for("dashboard.index"))


@bp.route("/dashboard")
@requires("dashboard.view")
def index():
    figures = services.overview(db.session, current_scope())
    return render_template("dashboard/index.html", figures=figures)
