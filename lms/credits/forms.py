from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import DateField, DecimalField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class RuleForm(FlaskForm):
    credits_per_online_hour = DecimalField(
        _l("Credits per online hour"), places=2, validators=[DataRequired(), NumberRange(0, 100)]
    )
    credits_per_offline_hour = DecimalField(
        _l("Credits per offline hour"), places=2, validators=[DataRequired(), NumberRange(0, 100)]
    )
    daily_cap = DecimalField(
        _l("Daily cap (credits)"), places=2, validators=[DataRequired(), NumberRange(0, 1000)]
    )
    yearly_cap = DecimalField(
        _l("Yearly cap (credits)"), places=2, validators=[DataRequired(), NumberRange(0, 100000)]
    )
    credits_per_exam_passed = DecimalField(
        _l("Credits for passing an exam"),
        places=2,
        default=0,
        validators=[Optional(), NumberRange(0, 100)],
    )
    note = StringField(_l("Note"), validators=[Optional(), Length(max=200)])


class AdjustmentForm(FlaskForm):
    hours = DecimalField(
        _l("Hours (negative to take away)"),
        places=2,
        validators=[Optional(), NumberRange(-1000, 1000)],
        default=0,
    )
    credits = DecimalField(
        _l("Credits (negative to take away)"),
        places=2,
        validators=[DataRequired(), NumberRange(-1000, 1000)],
    )
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])


class RecognitionForm(FlaskForm):
    title = StringField(_l("What did you learn?"), validators=[DataRequired(), Length(max=200)])
    issuer = StringField(
        _l("Who taught or certified it?"), validators=[DataRequired(), Length(max=200)]
    )
    learned_on = DateField(_l("Date"), validators=[DataRequired()])
    hours = DecimalField(_l("Hours"), places=1, validators=[DataRequired(), NumberRange(0.5, 500)])
    evidence = FileField(_l("Evidence (PDF or photo, up to 10 MB)"), validators=[FileRequired()])


class DecisionForm(FlaskForm):
    credits = DecimalField(
        _l("Credits to grant"), places=2, validators=[Optional(), NumberRange(0, 500)]
    )
    reason = TextAreaField(
        _l("Reason (required to reject)"), validators=[Optional(), Length(max=500)]
    )


class CredentialFileForm(FlaskForm):
    """A credential to check on the public verify page: its JSON, or a baked badge PNG."""

    credential = FileField(
        _l("Credential file (JSON, or a badge PNG)"),
        validators=[
            FileRequired(),
            FileAllowed(["json", "png"], _l("Please choose a .json or .png file.")),
        ],
    )
