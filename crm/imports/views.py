"""Import pages: upload, map columns, review the dry run, apply, revert, download errors."""
from __future__ import annotations

from flask import Blueprint, Response, abort, flash, redirect, render_template, request, stream_with_context, url_for
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from sqlalchemy import select

from crm.core.errors import DomainError
from crm.extensions import db
from crm.files.writers import Column, iter_csv
from crm.imports import services
from crm.imports.registry import IMPORT_KINDS
from crm.jobs import service as jobs
from crm.models import ImportBatch
from crm.security.permissions import requires
from crm.settings import get as get_setting

bp = Blueprint("imports", __name__, url_prefix="/imports")


class UploadForm(FlaskForm):
    file = FileField(validators=[FileRequired()])


def _own_batch(batch_id: int) -> ImportBatch:
    batch = db.session.get(ImportBatch, batch_id)
    if batch is None or (batch.user_id != current_user.id and "admin" not in current_user.roles):
        abort(404)
    return batch


def _big(rows: int) -> bool:
    return rows > get_setting(db.session, "job_threshold_rows")


@bp.route("/")
@requires("import.run")
def index():
    stmt = select(ImportBatch).order_by(ImportBatch.id.desc()).limit(100)
    if "admin" not in current_user.roles:
        stmt = stmt.where(ImportBatch.user_id == current_user.id)
    return render_template("imports/index.html", batches=db.session.scalars(stmt).all(), kinds=IMPORT_KINDS)


@bp.route("/<kind>/new", methods=["GET", "POST"])
@requires("import.run")
def upload(kind: str):
    if kind not in IMPORT_KINDS:
        abort(404)
    spec = IMPORT_KINDS[kind]
    form = UploadForm()
    error = None
    if form.validate_on_submit():
        upload_file = form.file.data
        try:
            opts = spec.read_upload(db.session, current_user, request.form)
            batch = services.create_batch(db.session, current_user, kind, upload_file.filename, upload_file.read(),
                                          opts)
            staged = spec.stage_on_upload and services.ready_to_stage(batch) and not _big(batch.total_rows)
            if staged:
                for _done in services.stage(db.session, batch):
                    pass
        except DomainError as err:
            db.session.rollback()
            error = err.message
        else:
            db.session.commit()
            return redirect(url_for("imports.batch" if staged else "imports.mapping", batch_id=batch.id))
    elif form.is_submitted():
        error = _("Choose a file to upload.")
    extra = spec.upload_context(db.session, current_user, request.values) if spec.upload_template else {}
    return render_template("imports/upload.html", form=form, kind=spec, error=error, extra=extra)


@bp.route("/batch/<int:batch_id>/mapping", methods=["GET", "POST"])
@requires("import.run")
def mapping(batch_id: int):
    batch = _own_batch(batch_id)
    kind = services.kind_of(batch)
    form = FlaskForm()
    error = None
    if form.validate_on_submit():
        try:
            if request.form.get("preset"):
                services.apply_preset(db.session, batch, request.form["preset"])
                db.session.commit()
                return redirect(url_for("imports.mapping", batch_id=batch.id))
            chosen = {str(i): request.form.get(f"col-{i}", "") for i in range(len(batch.headers))}
            services.set_mapping(db.session, current_user, batch, chosen, request.form.get("save_as"))
            if _big(batch.total_rows):
                job = jobs.enqueue(db.session, "import.stage", {"batch_id": batch.id}, current_user.id,
                                   total=batch.total_rows)
                batch.job_id = job.id
                db.session.commit()
                return redirect(url_for("jobs.detail", job_id=job.id))
            for _done in services.stage(db.session, batch):
                pass
        except DomainError as err:
            db.session.rollback()
            error = err.message
        else:
            db.session.commit()
            return redirect(url_for("imports.batch", batch_id=batch.id))
    table = services._read(batch)
    return render_template("imports/mapping.html", form=form, batch=batch, kind=kind, error=error,
                           preview=table.rows[:5], table=table, presets=services.presets(db.session, batch.kind))


@bp.route("/batch/<int:batch_id>")
@requires("import.run")
def batch(batch_id: int):
    batch = _own_batch(batch_id)
    kind = services.kind_of(batch)
    fields = {f.key: f.label for f in kind.fields}
    return render_template("imports/batch.html", batch=batch, form=FlaskForm(), fields=fields, kind=kind,
                           review=kind.review(db.session, batch), options=services.options(batch),
                           errors=services.sample_rows(db.session, batch, "error", 200),
                           skipped=services.sample_rows(db.session, batch, "skip", 200),
                           skipped_count=services.count_rows(db.session, batch, "skip"),
                           creates=services.sample_rows(db.session, batch, "create", 20),
                           updates=services.sample_rows(db.session, batch, "update", 20))


@bp.route("/batch/<int:batch_id>/apply", methods=["POST"])
@requires("import.run")
def apply(batch_id: int):
    batch = _own_batch(batch_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    batch.valid_only = request.form.get("valid_only") == "1"
    kind = services.kind_of(batch)
    if kind.apply_options and batch.status == "staged":
        services.set_options(db.session, batch, **{name: request.form.get(name) == "1"
                                                   for name, _label, _default in kind.apply_options})
    try:
        if _big(batch.creates + batch.updates):
            if batch.status != "staged":
                raise DomainError(_("Only a checked (dry-run) import can be applied."))
            job = jobs.enqueue(db.session, "import.apply", {"batch_id": batch.id}, current_user.id,
                               total=batch.creates + batch.updates)
            batch.job_id = job.id
            db.session.commit()
            return redirect(url_for("jobs.detail", job_id=job.id))
        result = services.apply(db.session, current_user, batch)
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "danger")
    else:
        db.session.commit()
        flash(_("Imported: %(c)s created, %(u)s updated.", c=result["created"], u=result["updated"]), "success")
        if result.get("message"):
            flash(str(result["message"]), "success")
    return redirect(url_for("imports.batch", batch_id=batch_id))


@bp.route("/batch/<int:batch_id>/revert", methods=["POST"])
@requires("import.run")
def revert(batch_id: int):
    batch = _own_batch(batch_id)
    if not FlaskForm().validate_on_submit():
        abort(400)
    try:
        result = services.revert(db.session, current_user, batch, force=request.form.get("force") == "1")
    except DomainError as err:
        db.session.rollback()
        flash(err.message, "danger")
    else:
        db.session.commit()
        flash(_("Import reverted: %(d)s removed, %(r)s restored.", d=result["deleted"], r=result["restored"]),
              "success")
    return redirect(url_for("imports.batch", batch_id=batch_id))


@bp.route("/batch/<int:batch_id>/errors.csv")
@requires("import.run")
def errors_csv(batch_id: int):
    batch = _own_batch(batch_id)
    fields = {f.key: str(f.label) for f in services.kind_of(batch).fields}
    columns = [Column(_("Row")), Column(_("Column")), Column(_("Reason"))]

    def rows():
        for row_no, errors, _data in services.error_rows(db.session, batch, ("error", "skip")):
            for e in errors or []:
                yield row_no, fields.get(e.get("field"), e.get("field") or ""), e.get("message")

    return Response(stream_with_context(iter_csv(columns, rows())), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename=import-{batch.id}-errors.csv"})
