"""The forms of assessment's pages."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    DecimalField,
    IntegerField,
    RadioField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

TYPE_CHOICES = [
    ("single", _l("Single choice")),
    ("multiple", _l("Multiple choice")),
    ("true_false", _l("True or false")),
    ("fill_blank", _l("Fill in the blanks")),
    ("short_answer", _l("Short answer")),
]
DIFFICULTY_CHOICES = [("easy", _l("Easy")), ("medium", _l("Medium")), ("hard", _l("Hard"))]
LETTERS = "ABCDEF"


class QuestionForm(FlaskForm):
    type = SelectField(
        _l("Question type"), choices=[SelectChoice(*choice) for choice in TYPE_CHOICES]
    )
    stem = TextAreaField(_l("Question"), validators=[DataRequired(), Length(max=5000)])
    option_a = StringField(_l("Option A"), validators=[Optional(), Length(max=500)])
    option_b = StringField(_l("Option B"), validators=[Optional(), Length(max=500)])
    option_c = StringField(_l("Option C"), validators=[Optional(), Length(max=500)])
    option_d = StringField(_l("Option D"), validators=[Optional(), Length(max=500)])
    option_e = StringField(_l("Option E"), validators=[Optional(), Length(max=500)])
    option_f = StringField(_l("Option F"), validators=[Optional(), Length(max=500)])
    correct = StringField(
        _l("Right option(s)"),
        description=_l("Letters, such as B or ACD (choice questions)."),
        validators=[Optional(), Length(max=12)],
    )
    partial_credit = BooleanField(
        _l("Partial credit: each right option chosen earns its share (any wrong one: 0)")
    )
    true_false = RadioField(
        _l("The statement is"),
        choices=[SelectChoice("true", _l("True")), SelectChoice("false", _l("False"))],
        validators=[Optional()],
    )
    blanks = TextAreaField(
        _l("Accepted answers, one blank per line"),
        description=_l("Separate several accepted answers of one blank with |."),
        validators=[Optional(), Length(max=2000)],
    )
    reference_answer = TextAreaField(
        _l("Reference answer for the teacher (short answer)"),
        validators=[Optional(), Length(max=5000)],
    )
    points = DecimalField(
        _l("Points"), default=1, places=2, validators=[DataRequired(), NumberRange(0.5, 100)]
    )
    difficulty = SelectField(
        _l("Difficulty"),
        choices=[SelectChoice(*choice) for choice in DIFFICULTY_CHOICES],
        default="medium",
    )
    tags = StringField(
        _l("Knowledge tags"),
        description=_l("Separate tags with commas."),
        validators=[Optional(), Length(max=400)],
    )
    explanation = TextAreaField(_l("Explanation"), validators=[Optional(), Length(max=5000)])
    image = FileField(
        _l("Image (optional)"),
        validators=[Optional(), FileAllowed(["jpg", "jpeg", "png", "webp"], _l("JPEG or PNG"))],
    )
    remove_image = BooleanField(_l("Remove the image"))

    def option_fields(self):
        return [getattr(self, f"option_{letter.lower()}") for letter in LETTERS]


class ImportForm(FlaskForm):
    file = FileField(
        _l("Question file (XLSX, in the template)"),
        validators=[FileRequired(), FileAllowed(["xlsx"], _l("Please choose an .xlsx file."))],
    )
    good_rows_only = BooleanField(_l("Import the good rows even if some rows have errors"))


class ExamForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    kind = SelectField(
        _l("Kind"),
        choices=[
            SelectChoice("online", _l("Online exam")),
            SelectChoice("offline", _l("Offline exam (scores imported)")),
        ],
    )
    selection = SelectField(
        _l("Questions"),
        choices=[
            SelectChoice("blueprint", _l("Drawn at random by the blueprint below")),
            SelectChoice("fixed", _l("A fixed list")),
        ],
    )
    time_limit_minutes = IntegerField(
        _l("Time limit (minutes; empty: none)"), validators=[Optional(), NumberRange(1, 600)]
    )
    opens_at = DateTimeLocalField(_l("Opens at"), format="%Y-%m-%dT%H:%M", validators=[Optional()])
    closes_at = DateTimeLocalField(
        _l("Closes at"), format="%Y-%m-%dT%H:%M", validators=[Optional()]
    )
    attempts_allowed = IntegerField(
        _l("Attempts allowed (empty: unlimited)"),
        default=1,
        validators=[Optional(), NumberRange(1, 100)],
    )
    pass_percent = DecimalField(
        _l("Pass mark (%)"), default=60, places=1, validators=[InputRequired(), NumberRange(0, 100)]
    )
    grading_method = SelectField(
        _l("Grading method"),
        choices=[
            SelectChoice("highest", _l("Highest attempt")),
            SelectChoice("latest", _l("Latest attempt")),
        ],
    )
    shuffle_questions = BooleanField(_l("Shuffle the questions"))
    shuffle_options = BooleanField(_l("Shuffle the options"))
    review_policy = SelectField(
        _l("After submitting, learners see"),
        choices=[
            SelectChoice("score", _l("Their score only")),
            SelectChoice("answers", _l("Their score and the right answers")),
            SelectChoice("explanations", _l("Score, right answers and explanations")),
        ],
    )
    required_for_completion = BooleanField(_l("Passing it is required to complete the course"))
    offline_max_score = DecimalField(
        _l("Full marks (offline exams)"),
        default=100,
        places=1,
        validators=[Optional(), NumberRange(1, 1000)],
    )


class FixedListForm(FlaskForm):
    question_ids = StringField(
        _l("Question numbers, in order"),
        description=_l("The numbers shown in the bank, separated by commas."),
        validators=[Optional(), Length(max=4000)],
    )


class ExamStaffForm(FlaskForm):
    usernames = StringField(
        _l("School staff who may import scores (user names, separated by commas)"),
        validators=[Optional(), Length(max=2000)],
    )


class GradeForm(FlaskForm):
    score = DecimalField(_l("Score"), places=2, validators=[InputRequired(), NumberRange(0, 100)])
    comment = TextAreaField(_l("Comment"), validators=[Optional(), Length(max=2000)])


class OfflineScoresForm(FlaskForm):
    file = FileField(
        _l("Scores (XLSX: card number or user name, score)"),
        validators=[FileRequired(), FileAllowed(["xlsx"], _l("Please choose an .xlsx file."))],
    )
