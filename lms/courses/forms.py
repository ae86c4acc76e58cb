from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectChoice,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, Length, NumberRange, Optional


class CourseForm(FlaskForm):
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    category_id = SelectField(_l("Category"), coerce=int, validators=[Optional()])
    cover = FileField(
        _l("Cover image (optional)"),
        validators=[Optional(), FileAllowed(["jpg", "jpeg", "png", "webp"], _l("JPEG or PNG"))],
    )
    completion_percent = IntegerField(
        _l("A lesson is completed at this share watched (%)"),
        default=90,
        validators=[DataRequired(), NumberRange(50, 100)],
    )
    forbid_skip = BooleanField(_l("Learners may not skip ahead on the first viewing"))
    is_blended = BooleanField(_l("Blended course (online and offline classes)"))
    required_sessions = IntegerField(
        _l("Offline sessions to attend (blended courses)"),
        default=0,
        validators=[Optional(), NumberRange(0, 100)],
    )


class LessonForm(FlaskForm):
    title = StringField(_l("Lesson title"), validators=[DataRequired(), Length(max=120)])
    description = TextAreaField(_l("Description"), validators=[Optional(), Length(max=5000)])
    is_preview = BooleanField(_l("Free preview: anyone may watch this lesson"))


class CaptionsForm(FlaskForm):
    captions = FileField(
        _l("Captions (WebVTT .vtt)"),
        validators=[FileRequired(), FileAllowed(["vtt"], _l("Please choose a .vtt file."))],
    )


class ReasonForm(FlaskForm):
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=2000)])


class CategoryForm(FlaskForm):
    name = StringField(_l("Category name"), validators=[DataRequired(), Length(max=40)])


class CatalogueForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search

    q = StringField(_l("Search courses"), validators=[Optional(), Length(max=60)])
    category = SelectField(_l("Category"), coerce=int, validators=[Optional()])
    order = SelectField(
        _l("Order"),
        choices=[
            SelectChoice("newest", _l("Newest")),
            SelectChoice("popular", _l("Most enrolled")),
        ],
        validators=[Optional()],
    )
