"""Forms of the project page's people panel; each has a prefix, since several share the page."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from crm.projects.forms import BLANK, _optional_int
from crm.teams.rules import LEVEL_LABELS, ROLE_LABELS


class LeaderForm(FlaskForm):
    user_id = SelectField(_l("Leader"), coerce=_optional_int,
                          validators=[DataRequired(message=_l("Choose an active user from the list."))])
    level = SelectField(_l("Level"), choices=list(LEVEL_LABELS.items()))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="leader", **kwargs)


class DeptForm(FlaskForm):
    unit_id = SelectField(_l("Unit (包联部门)"), coerce=_optional_int,
                          validators=[DataRequired(message=_l("Choose an active unit from the list."))])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="dept", **kwargs)


class MemberForm(FlaskForm):
    role = SelectField(_l("Role"), choices=list(ROLE_LABELS.items()))
    user_id = SelectField(_l("User"), coerce=_optional_int, validators=[Optional()])
    name = StringField(_l("Or the name of a person from outside"), validators=[Optional(), Length(max=64)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32)])
    unit_id = SelectField(_l("Unit"), coerce=_optional_int, validators=[Optional()])
    org = StringField(_l("Organisation (outside people)"), validators=[Optional(), Length(max=100)])

    def __init__(self, *args, **kwargs):
        super().__init__(*args, prefix="member", **kwargs)

    def data_for_service(self) -> dict:
        return {k: getattr(self, k).data for k in ("role", "user_id", "name", "phone", "unit_id", "org")}


def set_choices(forms: dict, users, units) -> None:
    """``users``: (id, label) of active users; ``units``: (id, name) of active units."""
    forms["leader"].user_id.choices = [BLANK, *users]
    forms["dept"].unit_id.choices = [BLANK, *units]
    forms["member"].user_id.choices = [BLANK, *users]
    forms["member"].unit_id.choices = [BLANK, *units]
