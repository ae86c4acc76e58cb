from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    FloatField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional

from lms.community.messages import KIND_LABELS, NAME_CHOICE_LABELS


class OrganisationForm(FlaskForm):
    name = StringField(_l("Organisation name"), validators=[DataRequired(), Length(max=100)])
    kind = SelectField(
        _l("Kind"),
        choices=[SelectChoice(kind, label) for kind, label in KIND_LABELS.items()],
        validators=[DataRequired()],
    )
    town_id = SelectField(_l("Town or street (镇街)"), coerce=int, validators=[Optional()])
    description = TextAreaField(_l("About it"), validators=[Optional(), Length(max=2000)])
    manager = StringField(
        _l("Manager's username (optional)"),
        validators=[Optional(), Length(max=40)],
        description=_l("This person manages the organisation: invites members, assigns training."),
    )


class NoteForm(FlaskForm):
    note = TextAreaField(_l("Reason"), validators=[Optional(), Length(max=500)])


class JoinForm(FlaskForm):
    code = StringField(
        _l("Invite code"),
        validators=[DataRequired(), Length(max=64)],
        description=_l("The code your organisation gave you."),
    )


class TrainingForm(FlaskForm):
    course_id = SelectField(_l("Course"), coerce=int, validators=[DataRequired()])
    title = StringField(
        _l("Title"),
        validators=[Optional(), Length(max=120)],
        description=_l("For example: 2025 yearly safety training. The course title if empty."),
    )
    deadline = DateField(_l("Deadline"), validators=[DataRequired()])


class RatingForm(FlaskForm):
    stars = RadioField(
        _l("Stars"),
        coerce=int,
        choices=[SelectChoice(n, "★" * n) for n in range(5, 0, -1)],
        validators=[DataRequired()],
    )
    comment = TextAreaField(_l("Comment (optional)"), validators=[Optional(), Length(max=1000)])


class HonourNameForm(FlaskForm):
    choice = RadioField(
        _l("If you are chosen as a learning star, the public honour roll shows"),
        choices=[SelectChoice(name, label) for name, label in NAME_CHOICE_LABELS.items()],
        validators=[DataRequired()],
    )


class NominationForm(FlaskForm):
    year = IntegerField(_l("Year"), validators=[DataRequired(), NumberRange(2000, 2100)])
    citation = TextAreaField(
        _l("Citation"),
        validators=[DataRequired(), Length(max=500)],
        description=_l(
            "Shown on the public honour roll unless the learner hides their name. "
            "Do not write the learner's name in it."
        ),
    )


class CriterionForm(FlaskForm):
    title = StringField(_l("Criterion"), validators=[DataRequired(), Length(max=200)])
    description = TextAreaField(
        _l("What evidence shows it"), validators=[Optional(), Length(max=2000)]
    )
    max_score = IntegerField(
        _l("Maximum score"), default=10, validators=[DataRequired(), NumberRange(1, 1000)]
    )


class EvaluationForm(FlaskForm):
    """Scores and evidence come as score-<criterion id> and evidence-<criterion id>."""

    note = TextAreaField(_l("Overall note"), validators=[Optional(), Length(max=2000)])


class QuestionForm(FlaskForm):
    body = TextAreaField(
        _l("Your question"),
        validators=[DataRequired(), Length(max=500)],
        description=_l("Plain text; links starting with http:// or https:// become clickable."),
    )
    pin_time = BooleanField(_l("Ask about the current moment of the video"))
    # Filled in by js/questions.js with the video's current time when pin_time is ticked.
    position = FloatField(validators=[Optional(), NumberRange(min=0)])


class AnswerForm(FlaskForm):
    body = TextAreaField(_l("Answer"), validators=[DataRequired(), Length(max=2000)])


class ReportForm(FlaskForm):
    reason = StringField(_l("Why (optional)"), validators=[Optional(), Length(max=200)])


class BlockedWordsForm(FlaskForm):
    words = TextAreaField(
        _l("Blocked words, one a line"),
        validators=[Optional(), Length(max=100_000)],
        description=_l("Lines starting with # are comments. Letters match in any case."),
    )
