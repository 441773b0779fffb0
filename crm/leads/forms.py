"""Lead forms; field names match the model attributes and the service keywords."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, DateTimeLocalField, DecimalField, FieldList, Form, FormField, HiddenField,
                     SelectField, StringField, TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from crm.leads.rules import INTERACTION_LABELS, METHOD_LABELS, RULING_LABELS, SIGNING_LABELS, STAGE_LABELS

BLANK = ("", "—")


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class AssistForm(Form):
    """One 协办 unit with its credit share (a sub-form: the outer form carries the CSRF token)."""

    unit_id = SelectField(_l("Assisting unit"), coerce=_optional_int, validate_choice=False)
    credit = DecimalField(_l("Share (%)"), places=2, validators=[Optional(), NumberRange(min=0, max=100)])


class LeadForm(FlaskForm):
    version_id = HiddenField()
    company_id = HiddenField(_l("Investor group"), validators=[
        DataRequired(message=_l("Choose the investor group from the list.")),
        Regexp(r"^\d{1,12}$", message=_l("Choose the investor group from the list."))])
    title = StringField(_l("Project intent"), validators=[DataRequired(), Length(max=200)])
    segment_id = SelectField(_l("Chain segment"), coerce=_optional_int, validators=[Optional()])
    amount = DecimalField(_l("Intended investment (10k yuan)"), places=2, validators=[Optional(), NumberRange(min=0)])
    method = SelectField(_l("Method"), choices=[BLANK, *METHOD_LABELS.items()], validators=[Optional()])
    referrer = StringField(_l("Referrer (引荐人)"), validators=[Optional(), Length(max=120)])
    next_followup = DateField(_l("Next follow-up"), validators=[Optional()])
    host_credit = DecimalField(_l("Lead unit's share (%)"), places=2, default=100,
                               validators=[DataRequired(), NumberRange(min=0, max=100)])
    assists = FieldList(FormField(AssistForm), min_entries=3, max_entries=3)

    def set_choices(self, segments, units) -> None:
        self.segment_id.choices = [BLANK, *((s.id, s.name) for s in segments)]
        for entry in self.assists:
            entry.unit_id.choices = [BLANK, *((u.id, u.name) for u in units)]

    def data_for_service(self) -> dict:
        data = {k: getattr(self, k).data for k in ("title", "segment_id", "amount", "referrer", "next_followup")}
        data["company_id"] = int(self.company_id.data)
        data["method"] = self.method.data or None
        data["host_credit"] = self.host_credit.data
        data["assists"] = [(e.unit_id.data, e.credit.data or 0) for e in self.assists if e.unit_id.data]
        return data


class StageForm(FlaskForm):
    version_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    stage = SelectField(_l("Move to"), choices=list(STAGE_LABELS.items()))
    reason = StringField(_l("Reason (needed to pause or end)"), validators=[Optional(), Length(max=200)])


class ReopenForm(FlaskForm):
    version_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])


class InteractionForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=list(INTERACTION_LABELS.items()))
    at = DateTimeLocalField(_l("When"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    participants = StringField(_l("Participants"), validators=[Optional(), Length(max=500)])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=4000)])
    next_step = StringField(_l("Next step"), validators=[Optional(), Length(max=500)])
    next_followup = DateField(_l("Next follow-up"), validators=[Optional()])

    def data_for_service(self) -> dict:
        return {k: getattr(self, k).data for k in ("kind", "participants", "summary", "next_step", "next_followup")}


class SigningForm(FlaskForm):
    kind = SelectField(_l("Kind"), choices=list(SIGNING_LABELS.items()))
    signed_on = DateField(_l("Signed on"), validators=[DataRequired()])
    amount = DecimalField(_l("Amount (10k yuan)"), places=2, validators=[Optional(), NumberRange(min=0)])
    deadline_register = DateField(_l("Register by (注册)"), validators=[Optional()])
    deadline_start = DateField(_l("Start works by (开工)"), validators=[Optional()])
    deadline_production = DateField(_l("Production by (投产)"), validators=[Optional()])
    intensity = DecimalField(_l("Investment intensity (10k yuan/mu)"), places=2,
                             validators=[Optional(), NumberRange(min=0)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def data_for_service(self) -> dict:
        keys = ("kind", "signed_on", "amount", "deadline_register", "deadline_start", "deadline_production",
                "intensity", "notes")
        return {k: getattr(self, k).data for k in keys}


class RulingForm(FlaskForm):
    ruling = SelectField(_l("Ruling"), choices=list(RULING_LABELS.items()))
    kept_lead_id = SelectField(_l("Lead kept"), coerce=_optional_int, validate_choice=False,
                               validators=[DataRequired(message=_l("Choose which lead is kept."))])
    credit = DecimalField(_l("Kept side's share when shared (%)"), places=2, default=50,
                          validators=[Optional(), NumberRange(min=0, max=100)])
    note = StringField(_l("Note"), validators=[Optional(), Length(max=500)])


class ConvertForm(FlaskForm):
    """"转为项目": the button carries only its CSRF token."""
