"""Unit form."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, IntegerField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional, Regexp

UNIT_KIND_LABELS = {
    "city": _l("City government"),
    "city_dept": _l("City department"),
    "county": _l("County / district"),
    "zone": _l("Development zone"),
    "town": _l("Township"),
}


class UnitForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=40)])
    kind = SelectField(_l("Type"), choices=list(UNIT_KIND_LABELS.items()))
    group_name = StringField(_l("Group (板块)"), validators=[Optional(), Length(max=40)])
    parent_id = SelectField(_l("Parent unit"), coerce=lambda v: int(v) if v not in ("", None) else None)
    division_code = StringField(_l("Division code"), validators=[
        Optional(), Regexp(r"^\d{2,6}$", message=_l("2 to 6 digits."))])
    sort = IntegerField(_l("Order"), default=0, validators=[Optional()])
    active = BooleanField(_l("Active"), default=True)

    def data_for_service(self) -> dict:
        data = {k: getattr(self, k).data for k in
                ("name", "short_name", "kind", "group_name", "parent_id", "division_code", "sort", "active")}
        for k in ("short_name", "group_name", "division_code"):
            data[k] = (data[k] or "").strip() or None
        data["sort"] = data["sort"] or 0
        return data
