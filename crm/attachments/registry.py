"""Which records may own attachments, and how to check a viewer against the owner.

A feature registers an owner kind: its model (whose visibility rule in
:class:`~crm.security.scope.Scope` decides who may see the files), the permission
functions to view and to attach, and where to send the user back to. The attachment
core imports no feature; features import it (``register_owner`` at import time).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

__all__ = ["Owner", "OWNERS", "register_owner", "owner_of"]


@dataclass(frozen=True)
class Owner:
    entity_type: str                 # the owning model's table name
    model: Any
    view_function: str               # permission function to download
    edit_function: str               # permission function to upload
    back: Callable[[Any], str]       # URL of the page showing the owner's attachments


OWNERS: dict[str, Owner] = {}


def register_owner(owner: Owner) -> Owner:
    if owner.entity_type != owner.model.__tablename__:
        raise ValueError("an owner kind is named after its model's table")
    OWNERS[owner.entity_type] = owner
    return owner


def owner_of(entity_type: str) -> Owner | None:
    return OWNERS.get(entity_type)
