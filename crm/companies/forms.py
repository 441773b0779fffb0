"""Company forms; field names match the model attributes."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, DecimalField, HiddenField, IntegerField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional

FLAG_FIELDS = ("world500", "china500", "private500", "listed", "specialized", "central_soe", "provincial_soe")


class CompanyForm(FlaskForm):
    version_id = HiddenField()
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=60)])
    uscc = StringField(_l("Unified social credit code"), validators=[Optional(), Length(max=24)])
    stock_code = StringField(_l("Stock code"), validators=[Optional(), Length(max=16)])
    county_code = StringField(_l("Location (division code)"), validators=[Optional(), Length(max=12)])
    industry_code = StringField(_l("Industry (GB/T 4754 code)"), validators=[Optional(), Length(max=8)])
    registered_capital = DecimalField(_l("Registered capital (10k yuan)"), places=2,
                                      validators=[Optional(), NumberRange(min=0)])
    revenue = DecimalField(_l("Revenue (10k yuan)"), places=2, validators=[Optional(), NumberRange(min=0)])
    employees = IntegerField(_l("Employees"), validators=[Optional(), NumberRange(min=0)])
    world500 = BooleanField(_l("Fortune Global 500"))
    china500 = BooleanField(_l("China top 500"))
    private500 = BooleanField(_l("Private top 500"))
    listed = BooleanField(_l("Listed"))
    specialized = BooleanField(_l("Specialised and innovative (专精特新)"))
    central_soe = BooleanField(_l("Central SOE"))
    provincial_soe = BooleanField(_l("Provincial SOE"))
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])

    def data_for_service(self) -> dict:
        keys = ("name", "short_name", "uscc", "stock_code", "county_code", "industry_code",
                "registered_capital", "revenue", "employees", "notes", *FLAG_FIELDS)
        data = {k: getattr(self, k).data for k in keys}
        for k in ("short_name", "uscc", "stock_code", "county_code", "industry_code", "notes"):
            data[k] = (data[k] or "").strip() or None
        return data
