"""The 台账 download form: period, unit and subtotal grouping (choices set per template and user)."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField
from wtforms.validators import InputRequired, NumberRange, Optional


def _optional_int(value):
    if value in (None, "", "None"):
        return None
    return int(value)


class LedgerForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2100)])
    month = SelectField(_l("Month"), coerce=int, choices=[(m, str(m)) for m in range(1, 13)])
    unit_id = SelectField(_l("Unit"), coerce=_optional_int, validators=[Optional()])
    group = SelectField(_l("Subtotals"), validators=[Optional()])
    optional = BooleanField(_l("Add the optional columns (本月到位资金 by source, 入统时间)"))

    def set_choices(self, template, units) -> LedgerForm:
        self.unit_id.choices = [("", _l("All my units")), *units]
        self.group.choices = [("", _l("No subtotals")), *((g.by, g.name) for g in template.subtotals)]
        return self
