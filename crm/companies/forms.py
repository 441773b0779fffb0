"""Company, contact and merge forms; field names match the model attributes."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (BooleanField, DecimalField, EmailField, HiddenField, IntegerField, SelectField, StringField,
                     TextAreaField)
from wtforms.validators import DataRequired, Email, Length, NumberRange, Optional, Regexp, ValidationError

from crm.companies.contacts import PHONE_RE, clean_phone
from crm.refdata import lookup

FLAG_LABELS = {
    "world500": _l("Fortune Global 500"), "china500": _l("China top 500"), "private500": _l("Private top 500"),
    "listed": _l("Listed"), "specialized": _l("Specialised and innovative (专精特新)"),
    "central_soe": _l("Central SOE"), "provincial_soe": _l("Provincial SOE"),
}
FLAG_FIELDS = tuple(FLAG_LABELS)
BLANK = ("", "—")


def _options(divisions) -> list[tuple[str, str]]:
    return [BLANK, *((d.code, d.name) for d in divisions)]


def _children(code: str | None) -> list:
    try:
        return lookup.children(code) if code else []
    except ValueError:
        return []


class CompanyForm(FlaskForm):
    version_id = HiddenField()
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=200)])
    short_name = StringField(_l("Short name"), validators=[Optional(), Length(max=60)])
    uscc = StringField(_l("Unified social credit code"), validators=[Optional(), Length(max=24)])
    stock_code = StringField(_l("Stock code"), validators=[Optional(), Length(max=16)])
    parent_id = HiddenField(_l("Parent group"), validators=[
        Optional(), Regexp(r"^\d{1,12}$", message=_l("Choose the parent group from the list."))])
    # Location: province → city → county; the most precise one chosen is the location.
    province_code = SelectField(_l("Province"), choices=[BLANK])
    city_code = SelectField(_l("City"), choices=[BLANK])
    county_code = SelectField(_l("County"), choices=[BLANK])
    industry_code = StringField(_l("Industry (GB/T 4754 code)"), validators=[Optional(), Length(max=8)])
    registered_capital = DecimalField(_l("Registered capital (10k yuan)"), places=2,
                                      validators=[Optional(), NumberRange(min=0)])
    revenue = DecimalField(_l("Revenue (10k yuan)"), places=2, validators=[Optional(), NumberRange(min=0)])
    employees = IntegerField(_l("Employees"), validators=[Optional(), NumberRange(min=0)])
    world500 = BooleanField(FLAG_LABELS["world500"])
    china500 = BooleanField(FLAG_LABELS["china500"])
    private500 = BooleanField(FLAG_LABELS["private500"])
    listed = BooleanField(FLAG_LABELS["listed"])
    specialized = BooleanField(FLAG_LABELS["specialized"])
    central_soe = BooleanField(FLAG_LABELS["central_soe"])
    provincial_soe = BooleanField(FLAG_LABELS["provincial_soe"])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=4000)])
    # The possible-duplicates step: the ids shown, and the user's word that this is another firm.
    duplicates_seen = HiddenField()
    confirm_duplicates = BooleanField(_l("I checked the list: this is a different company, save it"))

    def set_location_choices(self) -> None:
        """Offer the provinces, the chosen province's cities and the chosen city's counties.

        Choices follow the submitted (or loaded) codes, so a city not in the chosen province,
        or a county not in the chosen city, is refused as not a valid choice.
        """
        self.province_code.choices = _options(lookup.provinces())
        self.city_code.choices = _options(_children(self.province_code.data))
        self.county_code.choices = _options(_children(self.city_code.data))
        for f in (self.province_code, self.city_code, self.county_code):
            if f.data is None:
                f.data = ""

    def location(self) -> str | None:
        return self.county_code.data or self.city_code.data or self.province_code.data or None

    def confirmed_ids(self) -> set[int]:
        if not self.confirm_duplicates.data:
            return set()
        return {int(part) for part in (self.duplicates_seen.data or "").split(",") if part.strip().isdigit()}

    def data_for_service(self) -> dict:
        keys = ("name", "short_name", "uscc", "stock_code", "industry_code",
                "registered_capital", "revenue", "employees", "notes", *FLAG_FIELDS)
        data = {k: getattr(self, k).data for k in keys}
        for k in ("short_name", "uscc", "stock_code", "industry_code", "notes"):
            data[k] = (data[k] or "").strip() or None
        data["county_code"] = self.location()
        parent = str(self.parent_id.data or "").strip()
        data["parent_id"] = int(parent) if parent else None
        return data


def _phone(_form, field) -> None:
    value = clean_phone(field.data)
    if value and not PHONE_RE.match(value):
        raise ValidationError(_l("Enter a mobile number (11 digits starting with 13-19) or a landline such as "
                                 "0357-2345678, optionally with -extension."))


class ContactForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    title = StringField(_l("Position"), validators=[Optional(), Length(max=64)])
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=32), _phone])
    email = EmailField(_l("Email"), validators=[
        Optional(), Length(max=120), Email(message=_l("Enter an e-mail address such as name@example.cn."))])
    wechat = StringField(_l("WeChat"), validators=[Optional(), Length(max=64)])
    notes = TextAreaField(_l("Notes"), validators=[Optional(), Length(max=2000)])

    def data_for_service(self) -> dict:
        return {k: getattr(self, k).data for k in ("name", "title", "phone", "email", "wechat", "notes")}


class MergeForm(FlaskForm):
    absorbed_id = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,12}$")])
    survivor_version = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    absorbed_version = HiddenField(validators=[DataRequired(), Regexp(r"^\d{1,9}$")])
    confirm = BooleanField(_l("Merge: move everything to this company and delete the other one"),
                           validators=[DataRequired(message=_l("Tick the box to confirm the merge."))])


class DeleteForm(FlaskForm):
    """A bare form for POST buttons (CSRF token only)."""
