"""Stale-edit checks: edit forms carry the version they were loaded at."""
from __future__ import annotations

from flask_babel import gettext as _
from sqlalchemy.orm import Session

from crm.audit.service import changes_since
from crm.core.errors import StaleEdit


def ensure_current(session: Session, obj, expected_version: int | None) -> None:
    """Refuse an edit made on an older version, listing what changed since.

    The mapper's ``version_id_col`` also refuses a concurrent flush; this check
    catches the far more common case of a form left open while someone else
    saved, and tells the user what the other person changed.
    """
    current = obj.version_id
    if expected_version is None or int(expected_version) == current:
        return
    changes = changes_since(session, obj.__tablename__, obj.id, int(expected_version))
    raise StaleEdit(_("This record was changed by someone else after you opened it "
                      "(your version %(mine)s, now %(now)s). Review the changes and edit again.",
                      mine=expected_version, now=current), changes)
