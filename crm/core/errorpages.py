"""Error pages: 400 (with CSRF failures explained), 403, 404, 500 (after a rollback)."""
from __future__ import annotations

from flask import Flask, render_template
from flask_babel import gettext as _
from flask_wtf.csrf import CSRFError

from crm.extensions import db


def register_errorhandlers(app: Flask) -> None:
    def page(code: int, title: str, message: str):
        return render_template("errors/error.html", code=code, title=title, message=message), code

    @app.errorhandler(CSRFError)
    def csrf_error(_e):
        return page(400, _("The form could not be accepted"),
                    _("The security token of this form is missing or expired. Nothing was saved: "
                      "go back, reload the form and submit it again."))

    @app.errorhandler(400)
    def bad_request(e):
        custom = e.description if e.description != type(e).description else None
        return page(400, _("Bad request"), custom or _("The request could not be understood."))

    @app.errorhandler(413)
    def too_large(_e):
        limit = app.config.get("MAX_CONTENT_LENGTH", 0) // (1024 * 1024)
        return page(413, _("File too large"), _("Uploads are limited to %(n)s MB. Nothing was saved.", n=limit))

    @app.errorhandler(403)
    def forbidden(_e):
        return page(403, _("Not allowed"), _("Your role does not include this function."))

    @app.errorhandler(404)
    def not_found(_e):
        return page(404, _("Not found"), _("This page does not exist or is not visible to you."))

    @app.errorhandler(405)
    def method_not_allowed(_e):
        return page(405, _("Not allowed"), _("This address does not accept this kind of request."))

    @app.errorhandler(500)
    def server_error(_e):
        # Leave nothing half-written in the session before rendering.
        db.session.rollback()
        return page(500, _("Something went wrong"),
                    _("The server could not complete the request. Nothing was saved. "
                      "Please try again; if it persists, tell the system admin."))
