"""Trip, delegation and visit forms; field names match the model attributes and service keywords."""
from __future__ import annotations

import datetime as dt

from flask_babel import get_timezone
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import DateField, DateTimeLocalField, HiddenField, IntegerField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from crm.refdata import lookup

BLANK = ("", "—")
COMPANY_ID = Regexp(r"^\d{0,12}$", message=_l("Choose the investor group from the list."))


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


def _divisions(code: str | None) -> list[tuple[str, str]]:
    try:
        items = lookup.children(code) if code else []
    except ValueError:
        items = []
    return [BLANK, *((d.code, d.name) for d in items)]


def local_now() -> dt.datetime:
    return dt.datetime.now(get_timezone()).replace(second=0, microsecond=0, tzinfo=None)


def local_to_aware(value: dt.datetime | None) -> dt.datetime | None:
    """A datetime typed in the browser is local time (the app's timezone)."""
    if value is None:
        return None
    tz = get_timezone()
    return tz.localize(value) if hasattr(tz, "localize") else value.replace(tzinfo=tz)


class TripForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    start_on = DateField(_l("First day"), validators=[DataRequired()])
    end_on = DateField(_l("Last day"), validators=[DataRequired()])
    # Destination: a province and (optionally) a city from the division codes, and/or free text.
    province_code = SelectField(_l("Destination province"), choices=[BLANK])
    city_code = SelectField(_l("Destination city"), choices=[BLANK])
    destination = StringField(_l("Destination (free text)"), validators=[Optional(), Length(max=120)])
    team = TextAreaField(_l("Team members"), validators=[Optional(), Length(max=2000)])
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=4000)])

    def load_destination(self, code: str | None) -> None:
        if code:
            self.province_code.data = code[:2]
            self.city_code.data = code[:4] if len(code) >= 4 else ""

    def set_choices(self) -> None:
        self.province_code.choices = [BLANK, *((d.code, d.name) for d in lookup.provinces())]
        self.city_code.choices = _divisions(self.province_code.data)
        for f in (self.province_code, self.city_code):
            if f.data is None:
                f.data = ""

    def data_for_service(self) -> dict:
        data = {k: getattr(self, k).data for k in ("title", "start_on", "end_on", "destination", "team", "summary")}
        data["destination_code"] = self.city_code.data or self.province_code.data or None
        return data


class DelegationForm(FlaskForm):
    company_id = HiddenField(_l("Investor group"), validators=[
        DataRequired(message=_l("Choose the investor group from the list.")), COMPANY_ID])
    arrived_on = DateField(_l("Arrived on"), validators=[DataRequired()])
    left_on = DateField(_l("Left on"), validators=[Optional()])
    head = StringField(_l("Head of the delegation"), validators=[Optional(), Length(max=120)])
    size = IntegerField(_l("People"), validators=[Optional(), NumberRange(min=1, max=10000)])
    host_unit_id = SelectField(_l("Host unit"), coerce=_optional_int)
    summary = TextAreaField(_l("Summary"), validators=[Optional(), Length(max=4000)])

    def data_for_service(self) -> dict:
        keys = ("arrived_on", "left_on", "head", "size", "host_unit_id", "summary")
        data = {k: getattr(self, k).data for k in keys}
        data["company_id"] = int(self.company_id.data)
        return data


class VisitForm(FlaskForm):
    """A company visited on a trip, or a delegation's reception: one interaction."""

    company_id = HiddenField(_l("Company visited"), validators=[COMPANY_ID])
    lead_id = SelectField(_l("Lead (optional)"), coerce=_optional_int, validate_choice=False,
                          validators=[Optional()])
    at = DateTimeLocalField(_l("When"), format="%Y-%m-%dT%H:%M", validators=[DataRequired()])
    participants = StringField(_l("Participants"), validators=[Optional(), Length(max=500)])
    summary = TextAreaField(_l("Summary"), validators=[DataRequired(), Length(max=4000)])
    next_step = StringField(_l("Next step"), validators=[Optional(), Length(max=500)])
    next_followup = DateField(_l("Next follow-up"), validators=[Optional()])

    def data_for_service(self) -> dict:
        data = {k: getattr(self, k).data for k in ("participants", "summary", "next_step", "next_followup")}
        data["at"] = local_to_aware(self.at.data)
        data["company_id"] = int(self.company_id.data) if self.company_id.data else None
        return data
