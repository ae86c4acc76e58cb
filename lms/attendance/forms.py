from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateField,
    DecimalField,
    FloatField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
    TimeField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional, Regexp

from lms.attendance.models import STATUSES

STATUS_LABELS = {
    "present": _l("Present"),
    "late": _l("Late"),
    "excused": _l("Excused"),
    "absent": _l("Absent"),
}


class BrowseForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    town = SelectField(_l("Town or street"), coerce=int, validators=[Optional()])
    school = SelectField(_l("Community school"), coerce=int, validators=[Optional()])


class CodeForm(FlaskForm):
    code = StringField(
        _l("Code on the screen"),
        validators=[DataRequired(), Regexp(r"^\s*\d{6}\s*$", message=_l("Six digits."))],
        description=_l("If the camera cannot read the QR code, type the six digits beside it."),
    )


class SchoolForm(FlaskForm):
    name = StringField(_l("School name"), validators=[DataRequired(), Length(max=80)])
    town_id = SelectField(_l("Town or street (镇街)"), coerce=int, validators=[DataRequired()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    staff = StringField(
        _l("Staff usernames"),
        validators=[Optional(), Length(max=500)],
        description=_l("Usernames of staff accounts, separated by commas."),
    )


class SessionForm(FlaskForm):
    title = StringField(_l("Class title"), validators=[DataRequired(), Length(max=120)])
    course_id = SelectField(_l("Blended course (optional)"), coerce=int, validators=[Optional()])
    room = StringField(_l("Room"), validators=[Optional(), Length(max=80)])
    day = DateField(_l("Date"), validators=[DataRequired()])
    starts = TimeField(_l("Starts at"), validators=[DataRequired()])
    ends = TimeField(_l("Ends at"), validators=[DataRequired()])
    capacity = IntegerField(
        _l("Capacity"), default=30, validators=[DataRequired(), NumberRange(1, 1000)]
    )
    signup_required = BooleanField(_l("Sign-up required (no walk-ins)"), default=True)
    takes_checkout = BooleanField(_l("Learners also check out (hours from check-in to check-out)"))
    late_after_minutes = IntegerField(
        _l("Late after (minutes from the start)"),
        default=10,
        validators=[Optional(), NumberRange(0, 240)],
    )
    checkin_opens_minutes = IntegerField(
        _l("Check-in opens (minutes before the start)"),
        default=30,
        validators=[Optional(), NumberRange(0, 240)],
    )


class CorrectionForm(FlaskForm):
    learner = StringField(
        _l("Learner (username or card number)"), validators=[DataRequired(), Length(max=40)]
    )
    status = SelectField(
        _l("Status"), choices=[SelectChoice(status, STATUS_LABELS[status]) for status in STATUSES]
    )
    hours = DecimalField(
        _l("Hours (optional)"), places=2, validators=[Optional(), NumberRange(0, 24)]
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class MonthForm(FlaskForm):
    class Meta:
        csrf = False

    month = StringField(_l("Month"), validators=[DataRequired(), Regexp(r"^\d{4}-\d{2}$")])


class CardSheetForm(FlaskForm):
    class Meta:
        csrf = False

    q = StringField(_l("Name, username or phone"), validators=[Optional(), Length(max=60)])
    session = IntegerField(_l("Class"), validators=[Optional()])


class PlaceFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET filter

    town = SelectField(_l("Town or street"), coerce=int, validators=[Optional()])
    kind = SelectField(_l("Kind of place"), validators=[Optional()])


class PlaceForm(FlaskForm):
    kind = SelectField(_l("Kind of place"), validators=[DataRequired()])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=80)])
    town_id = SelectField(_l("Town or street"), coerce=int, validators=[DataRequired()])
    address = StringField(_l("Address"), validators=[Optional(), Length(max=200)])
    opening_hours = StringField(
        _l("Opening hours"),
        validators=[Optional(), Length(max=200)],
        description=_l("For example: Tuesday to Sunday 9:00-17:00"),
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=40)])
    description = TextAreaField(_l("Short description"), validators=[Optional(), Length(max=500)])
    latitude = FloatField(
        _l("Latitude"),
        validators=[Optional(), NumberRange(-90, 90)],
        description=_l("Degrees, as a phone's map shows them (e.g. 30.0823)."),
    )
    longitude = FloatField(_l("Longitude"), validators=[Optional(), NumberRange(-180, 180)])


class PlaceImportForm(FlaskForm):
    sheet = FileField(
        _l("XLSX sheet"),
        validators=[FileRequired(), FileAllowed(["xlsx"], _l("Please choose an .xlsx file."))],
    )
