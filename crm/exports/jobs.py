"""The export job: re-applies the requesting user's scope in the worker."""
from __future__ import annotations

from crm.exports import services
from crm.exports.registry import EXPORT_KINDS
from crm.extensions import db
from crm.jobs.registry import job_kind
from crm.jobs.service import files_root, job_dir
from crm.models import User
from crm.security.scope import scope_for


@job_kind("export.file")
def export_job(ctx) -> dict:
    user = db.session.get(User, ctx.user_id)
    if user is None or not user.active:
        raise PermissionError("the requesting user is gone or disabled")
    scope = scope_for(db.session, user)
    kind = EXPORT_KINDS[ctx.params["kind"]]
    fmt = ctx.params["format"]
    name = services.download_name(kind, fmt)
    target = job_dir(ctx.job_id) / f"export.{fmt}"
    rows = services.write_file(db.session, kind.key, scope, ctx.params.get("args", {}), fmt, target)
    return {"rows": rows, "download_name": name, "file": str(target.relative_to(files_root()))}
