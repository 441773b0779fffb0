"""Store, list and delete attachments; the bytes live under ``<instance>/files/attachments``.

An upload is streamed to a temporary file while its size and SHA-256 are computed, refused
past the ``attachment_max_mb`` setting or with an extension outside :data:`ALLOWED_EXTENSIONS`,
then moved to a generated name (the uploader's filename never reaches the file system).
Services flush, never commit; a deleted row's file is removed by the caller after the commit
(:func:`discard_file`), so a rolled-back delete keeps its file.
"""
from __future__ import annotations

import hashlib
import mimetypes
import os
import uuid
from pathlib import Path
from typing import BinaryIO

from flask import current_app
from flask_babel import lazy_gettext as _l
from sqlalchemy import select
from sqlalchemy.orm import Session

from crm.audit import service as audit
from crm.core.errors import DomainError
from crm.models import Attachment
from crm.models.base import utcnow
from crm.settings import get as get_setting
from crm.settings.registry import SettingDef, register

__all__ = ["ALLOWED_EXTENSIONS", "max_bytes", "storage_root", "path_of", "clean_filename", "store",
           "attachments_of", "delete", "discard_file", "may_delete"]

register(SettingDef("attachment_max_mb", "int", 20, _l("Largest attachment, MB"), _l("Files and background jobs"),
                    _l("Uploads above this size are refused."), minimum=1, maximum=60))

ALLOWED_EXTENSIONS = ("pdf", "jpg", "jpeg", "png", "doc", "docx", "xls", "xlsx", "ofd")
CONTENT_TYPES = {"ofd": "application/ofd"}
CHUNK = 1 << 16
MANAGING_ROLES = frozenset({"manager", "admin"})


def max_bytes(session: Session) -> int:
    return int(get_setting(session, "attachment_max_mb")) * 1024 * 1024


def storage_root() -> Path:
    root = Path(current_app.instance_path) / "files" / "attachments"
    root.mkdir(parents=True, exist_ok=True)
    return root


def path_of(attachment: Attachment) -> Path:
    return storage_root() / attachment.stored_name


def clean_filename(name: str | None) -> str:
    """The last path component, without control characters, at most 255 characters (extension kept)."""
    base = (name or "").replace("\\", "/").rsplit("/", 1)[-1]
    base = "".join(ch for ch in base if ch.isprintable()).strip().strip(".")
    if len(base) > 255:
        stem, dot, ext = base.rpartition(".")
        base = (stem[: 254 - len(ext)] + dot + ext) if dot and len(ext) <= 10 else base[:255]
    return base


def _extension(filename: str) -> str:
    return filename.rpartition(".")[2].lower() if "." in filename else ""


def store(session: Session, actor, entity_type: str, entity_id: int, filename: str | None,
          stream: BinaryIO) -> Attachment:
    """Save ``stream`` as an attachment of the record; DomainError (field ``file``) when refused."""
    name = clean_filename(filename)
    if not name:
        raise DomainError(_l("Choose a file to upload."), "file")
    ext = _extension(name)
    if ext not in ALLOWED_EXTENSIONS:
        raise DomainError(_l("Files of type %(ext)s cannot be attached; allowed: %(allowed)s.",
                             ext=ext or "—", allowed=", ".join(ALLOWED_EXTENSIONS)), "file")
    limit = max_bytes(session)
    now = utcnow()
    relative = f"{now:%Y}/{now:%m}/{uuid.uuid4().hex}.{ext}"
    target = storage_root() / relative
    target.parent.mkdir(parents=True, exist_ok=True)
    partial = target.with_suffix(target.suffix + ".part")
    digest, size = hashlib.sha256(), 0
    try:
        with open(partial, "wb") as out:
            while chunk := stream.read(CHUNK):
                size += len(chunk)
                if size > limit:
                    raise DomainError(_l("The file is larger than %(mb)s MB.", mb=limit // (1024 * 1024)), "file")
                digest.update(chunk)
                out.write(chunk)
        if size == 0:
            raise DomainError(_l("The file is empty."), "file")
        os.replace(partial, target)
    finally:
        partial.unlink(missing_ok=True)
    content_type = CONTENT_TYPES.get(ext) or mimetypes.guess_type(name)[0] or "application/octet-stream"
    attachment = Attachment(entity_type=entity_type, entity_id=entity_id, filename=name, stored_name=relative,
                            size=size, sha256=digest.hexdigest(), content_type=content_type,
                            uploaded_by=getattr(actor, "id", None), uploaded_at=now)
    session.add(attachment)
    audit.record_create(session, actor, attachment)
    audit.record_event(session, actor, "update", entity_type, entity_id, field="attachment", old=None, new=name)
    return attachment


def attachments_of(session: Session, entity_type: str, entity_ids) -> dict[int, list[Attachment]]:
    """Attachments of several records of one kind, ``{entity_id: [attachment, …]}`` oldest first."""
    ids = list(entity_ids)
    out: dict[int, list[Attachment]] = {i: [] for i in ids}
    if not ids:
        return out
    stmt = (select(Attachment).where(Attachment.entity_type == entity_type, Attachment.entity_id.in_(ids))
            .order_by(Attachment.uploaded_at, Attachment.id))
    for row in session.scalars(stmt):
        out[row.entity_id].append(row)
    return out


def may_delete(actor, attachment: Attachment) -> bool:
    """The uploader, or a manager (or admin) who may see the owning record."""
    return attachment.uploaded_by == getattr(actor, "id", None) or bool(set(actor.roles) & MANAGING_ROLES)


def delete(session: Session, actor, attachment: Attachment) -> str:
    """Delete the row (audited); answers the stored name for :func:`discard_file` after the commit."""
    if not may_delete(actor, attachment):
        raise DomainError(_l("Only the uploader or a manager may delete this attachment."))
    stored = attachment.stored_name
    audit.record_event(session, actor, "delete", "attachment", attachment.id, field="filename",
                       old=attachment.filename, new=None)
    audit.record_event(session, actor, "update", attachment.entity_type, attachment.entity_id,
                       field="attachment", old=attachment.filename, new=None)
    session.delete(attachment)
    session.flush()
    return stored


def discard_file(stored_name: str) -> None:
    path = (storage_root() / stored_name).resolve()
    if storage_root().resolve() in path.parents:
        path.unlink(missing_ok=True)
