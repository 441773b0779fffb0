"""Project forms; field names match the model attributes and the service keywords."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (DateField, DecimalField, HiddenField, IntegerField, SelectField, SelectMultipleField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp
from wtforms.widgets import CheckboxInput, ListWidget

from crm.projects.rules import (CATEGORY_LABELS, KEY_LEVEL_LABELS, LIBRARY_LABELS, NATURE_LABELS, PLAN_LIST_LABELS,
                                SOURCE_LABELS, STAGE_LABELS)

BLANK = ("", "—")
MONTHS = range(1, 13)


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class MultiCheckboxField(SelectMultipleField):
    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ProjectForm(FlaskForm):
    version_id = HiddenField()
    code = StringField(_l("Investment project code (投资项目代码)"), validators=[Optional(), Length(max=32)])
    name = StringField(_l("Project name"), validators=[DataRequired(), Length(max=200)])
    source = SelectField(_l("Source"), choices=list(SOURCE_LABELS.items()))
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))
    nature = SelectField(_l("Nature of construction (建设性质)"), choices=[BLANK, *NATURE_LABELS.items()],
                         validators=[Optional()])
    resp_unit_id = SelectField(_l("Responsible unit (责任单位)"), coerce=_optional_int,
                               validators=[DataRequired(message=_l("Choose the responsible unit (责任单位)."))])
    location_unit_id = SelectField(_l("Location unit (属地)"), coerce=_optional_int, validators=[Optional()])
    segment_id = SelectField(_l("Chain segment"), coerce=_optional_int, validators=[Optional()])
    company_id = HiddenField(_l("Owner company (业主)"), validators=[
        Optional(), Regexp(r"^\d{1,12}$", message=_l("Choose the company from the list."))])
    parent_id = SelectField(_l("Parent project (packaged)"), coerce=_optional_int, validate_choice=False,
                            validators=[Optional()])
    total_investment = DecimalField(_l("Total investment (10k yuan)"), places=2,
                                    validators=[Optional(), NumberRange(min=0)])
    start_year = IntegerField(_l("Start year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    end_year = IntegerField(_l("End year"), validators=[Optional(), NumberRange(min=2000, max=2100)])
    planned_register_on = DateField(_l("Planned registration"), validators=[Optional()])
    planned_start_on = DateField(_l("Planned start of works"), validators=[Optional()])
    planned_complete_on = DateField(_l("Planned completion"), validators=[Optional()])
    planned_production_on = DateField(_l("Planned production"), validators=[Optional()])
    content = TextAreaField(_l("Construction content (建设内容)"), validators=[Optional(), Length(max=4000)])

    def set_choices(self, units, segments, parents) -> None:
        unit_choices = [(u.id, u.name) for u in units]
        self.resp_unit_id.choices = [BLANK, *unit_choices]
        self.location_unit_id.choices = [BLANK, *unit_choices]
        self.segment_id.choices = [BLANK, *((s.id, s.name) for s in segments)]
        self.parent_id.choices = [BLANK, *parents]

    def data_for_service(self) -> dict:
        keys = ("code", "name", "source", "category", "resp_unit_id", "location_unit_id", "segment_id",
                "parent_id", "total_investment", "start_year", "end_year", "content", "planned_register_on",
                "planned_start_on", "planned_complete_on", "planned_production_on")
        data = {k: getattr(self, k).data for k in keys}
        data["nature"] = self.nature.data or None
        data["company_id"] = int(self.company_id.data) if str(self.company_id.data or "").isdigit() else None
        data["content"] = (data["content"] or "").strip() or None
        return data


class StageForm(FlaskForm):
    version_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    stage = SelectField(_l("Move to"), choices=list(STAGE_LABELS.items()))
    on = DateField(_l("Date of the event"), validators=[Optional()])
    reason = StringField(_l("Reason (needed to pause or end)"), validators=[Optional(), Length(max=200)])
    evidence = MultiCheckboxField(_l("Evidence (attached files)"), coerce=int, validate_choice=False)


class ReopenForm(FlaskForm):
    version_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])


class YearForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(min=2000, max=2100)])
    plan_list = SelectField(_l("List"), choices=list(PLAN_LIST_LABELS.items()))
    key_levels = MultiCheckboxField(_l("Key levels"), choices=list(KEY_LEVEL_LABELS.items()))
    planned_investment = DecimalField(_l("Planned investment this year (10k yuan)"), places=2,
                                      validators=[Optional(), NumberRange(min=0)])
    planned_start_month = SelectField(_l("Planned start month"), coerce=_optional_int,
                                      choices=[BLANK, *((m, str(m)) for m in MONTHS)], validators=[Optional()])
    planned_finish_month = SelectField(_l("Planned finish month"), coerce=_optional_int,
                                       choices=[BLANK, *((m, str(m)) for m in MONTHS)], validators=[Optional()])

    def data_for_service(self, formdata) -> dict:
        monthly = {str(m): formdata.get(f"month_{m}", "").strip() for m in MONTHS}
        return {"plan_list": self.plan_list.data, "key_levels": self.key_levels.data,
                "planned_investment": self.planned_investment.data,
                "planned_start_month": self.planned_start_month.data,
                "planned_finish_month": self.planned_finish_month.data,
                "monthly_plan": {k: v for k, v in monthly.items() if v}}


class LibraryForm(FlaskForm):
    library = SelectField(_l("Library"), choices=list(LIBRARY_LABELS.items()))
    entered_on = DateField(_l("Entered on"), validators=[Optional()])
    number = StringField(_l("Number"), validators=[Optional(), Length(max=64)])


class ReviewForm(FlaskForm):
    note = StringField(_l("Reason for returning"), validators=[Optional(), Length(max=200)])


class ActionForm(FlaskForm):
    """A button that carries only its CSRF token."""
