"""Domain errors raised by services and mapped back onto form fields by views."""
from __future__ import annotations


class DomainError(Exception):
    """A rule refused the change; ``field`` names the form field it concerns."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.message = message
        self.field = field


class StaleEdit(DomainError):
    """The record changed since the form was loaded; ``changes`` says how."""

    def __init__(self, message: str, changes: list | None = None):
        super().__init__(message)
        self.changes = changes or []


def apply_to_form(form, error: DomainError) -> None:
    """Put a domain error on its field, or on the form as a whole."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
