"""Export requests: small exports stream back at once, large ones become a background job."""
from __future__ import annotations

import io
import tempfile
from pathlib import Path
from urllib.parse import quote

from flask import Blueprint, Response, abort, redirect, request, send_file, stream_with_context, url_for
from flask_login import current_user
from flask_wtf import FlaskForm

from crm.core.errors import DomainError
from crm.exports import services
from crm.exports.registry import EXPORT_KINDS
from crm.extensions import db
from crm.jobs import service as jobs
from crm.security.permissions import requires
from crm.security.web import current_scope
from crm.settings import get as get_setting

bp = Blueprint("exports", __name__, url_prefix="/exports")


@bp.route("/<kind>", methods=["POST"])
@requires("export.run")
def run(kind: str):
    spec = EXPORT_KINDS.get(kind) or abort(404)
    if not FlaskForm().validate_on_submit():
        abort(400)
    fmt = request.form.get("format", "xlsx")
    if fmt not in services.FORMATS:
        abort(400, description=f"format must be one of {', '.join(services.FORMATS)}")
    args = {k: v for k, v in request.form.items() if k not in ("csrf_token", "format") and v}
    scope = current_scope()
    try:
        total = services.count(db.session, spec, scope, args)
    except DomainError as err:
        abort(400, description=str(err.message))
    if total > get_setting(db.session, "job_threshold_rows"):
        job = jobs.enqueue(db.session, "export.file", {"kind": kind, "format": fmt, "args": args}, current_user.id,
                           total=total)
        db.session.commit()
        return redirect(url_for("jobs.detail", job_id=job.id))
    name = services.download_name(spec, fmt)
    if fmt == "csv":
        chunks = services.csv_chunks(db.session, kind, scope, args)
        return Response(stream_with_context(chunks), mimetype="text/csv; charset=utf-8",
                        headers={"Content-Disposition": f"attachment; filename*=UTF-8''{quote(name)}"})
    with tempfile.TemporaryDirectory() as tmp:
        path = Path(tmp) / "export.xlsx"
        services.write_file(db.session, kind, scope, args, fmt, path)
        data = path.read_bytes()
    return send_file(io.BytesIO(data), as_attachment=True, download_name=name,
                     mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
