"""Approval forms: the profile form and the per-item form (field names match the service keys).

The item form keeps every field as text: the service parses and refuses with a message on the field
(a date that is not a date, a file not of this project), so a refusal can show what was typed.
"""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, HiddenField, SelectField, StringField

from crm.approvals.rules import LAND_LABELS, TYPE_LABELS


class ProfileForm(FlaskForm):
    version_id = HiddenField()
    approval_type = SelectField(_l("Approval type"), choices=list(TYPE_LABELS.items()))
    land_supply = SelectField(_l("Land supply"), choices=list(LAND_LABELS.items()))
    in_zone = BooleanField(_l("In a development zone (开发区)"))


class ItemForm(FlaskForm):
    version_id = HiddenField()
    status = StringField()
    doc_number = StringField()
    authority = StringField()
    approved_on = StringField()
    attachment_id = StringField()
    note = StringField()
