from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    PasswordField,
    SelectChoice,
    SelectField,
    SelectMultipleField,
    StringField,
    widgets,
)
from wtforms.validators import DataRequired, EqualTo, Length, NumberRange, Optional

from lms.accounts.models import ROLES

ROLE_LABELS = {
    "learner": _l("Learner"),
    "teacher": _l("Teacher"),
    "staff": _l("Community school staff"),
    "admin": _l("District admin"),
}


class ActionForm(FlaskForm):
    """A form with no fields: a CSRF-protected button."""


class LoginForm(FlaskForm):
    # A mobile number (spaces, dashes, +86 allowed) or a username; the field keeps its name.
    username = StringField(
        _l("Mobile number or username"), validators=[DataRequired(), Length(max=40)]
    )
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(max=200)])


class LearnerForm(FlaskForm):
    username = StringField(
        _l("Username"),
        validators=[DataRequired(), Length(min=3, max=40)],
        description=_l("Letters and digits, used to log in."),
    )
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    town_code = SelectField(_l("Town or street (镇街)"), validators=[DataRequired()])
    phone = StringField(_l("Mobile number (optional)"), validators=[Optional(), Length(max=20)])
    birth_year = IntegerField(
        _l("Year of birth (optional)"), validators=[Optional(), NumberRange(1900, 2100)]
    )
    accept_privacy = BooleanField(_l("I have read and accept the privacy notice"))


class RegisterForm(LearnerForm):
    password_confirm = PasswordField(
        _l("Password again"),
        validators=[DataRequired(), EqualTo("password", message=_l("The passwords differ."))],
    )


class CreateUserForm(FlaskForm):
    username = StringField(_l("Username"), validators=[DataRequired(), Length(min=3, max=40)])
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired(), Length(min=8, max=200)])
    roles = SelectMultipleField(
        _l("Roles"),
        choices=[SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        validators=[DataRequired()],
        widget=widgets.ListWidget(prefix_label=False),
        option_widget=widgets.CheckboxInput(),
    )
    town_code = SelectField(_l("Town or street (镇街)"), validators=[Optional()])
    phone = StringField(_l("Mobile number (optional)"), validators=[Optional(), Length(max=20)])


class EditPersonForm(FlaskForm):
    display_name = StringField(_l("Name"), validators=[DataRequired(), Length(max=60)])
    phone = StringField(_l("Mobile number (optional)"), validators=[Optional(), Length(max=20)])


class ChangePasswordForm(FlaskForm):
    old_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"), validators=[DataRequired(), Length(min=8, max=200)]
    )
    new_password_confirm = PasswordField(
        _l("New password again"),
        validators=[DataRequired(), EqualTo("new_password", message=_l("The passwords differ."))],
    )


class ResetPasswordForm(FlaskForm):
    new_password = PasswordField(
        _l("New password"),
        validators=[Optional(), Length(min=8, max=200)],
        description=_l("Leave empty to generate one."),
    )


class ImportLearnersForm(FlaskForm):
    sheet = FileField(
        _l("XLSX sheet"),
        validators=[FileRequired(), FileAllowed(["xlsx"], _l("Please choose an .xlsx file."))],
    )


class UserSearchForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search, changes nothing

    q = StringField(_l("Search"), validators=[Optional(), Length(max=60)])
    role = SelectField(
        _l("Role"),
        choices=[SelectChoice("", _l("All roles"))]
        + [SelectChoice(role, ROLE_LABELS[role]) for role in ROLES],
        validators=[Optional()],
    )
