"""User forms."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import EmailField, PasswordField, SelectField, SelectMultipleField, StringField, widgets
from wtforms.validators import DataRequired, Email, Length, Optional, Regexp


class MultiCheckboxField(SelectMultipleField):
    widget = widgets.ListWidget(prefix_label=False)
    option_widget = widgets.CheckboxInput()


class UserForm(FlaskForm):
    username = StringField(_l("User name"), validators=[
        DataRequired(), Length(min=3, max=64),
        Regexp(r"^[A-Za-z0-9_.\-]+$", message=_l("Letters, digits, dot, dash and underscore only."))])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=64)])
    unit_id = SelectField(_l("Unit"), coerce=int, validators=[DataRequired()])
    roles = MultiCheckboxField(_l("Roles"))
    email = EmailField(_l("Email"), validators=[Optional(), Email(), Length(max=120)])
    phone = StringField(_l("Phone"), validators=[
        Optional(), Regexp(r"^[0-9+\-() ]{5,32}$", message=_l("Digits, spaces and + - ( ) only."))])
    password = PasswordField(_l("Initial password"), validators=[Optional(), Length(max=128)])


class ResetPasswordForm(FlaskForm):
    password = PasswordField(_l("New password"), validators=[DataRequired(), Length(max=128)])


class ToggleForm(FlaskForm):
    pass


class HandoverForm(FlaskForm):
    to_user_id = SelectField(_l("Hand over to"), coerce=int, validators=[DataRequired()])
