"""A course's question bank: create, edit (a new version once used), delete, list.

``QuestionData`` is a question as a form or a spreadsheet row gives it; ``validate``
refuses what could not be graded (no right option, a true/false without its answer,
a blank without an accepted text).
"""

from dataclasses import dataclass, field

from flask import abort
from flask_babel import gettext as _
from sqlalchemy import exists, func, select

from lms.assessment.models import (
    DIFFICULTIES,
    MAX_OPTIONS,
    OPTION_TYPES,
    QUESTION_TYPES,
    AttemptQuestion,
    CheckpointAnswer,
    PracticeAnswer,
    Question,
    QuestionOption,
    QuestionVersion,
)
from lms.courses.models import Course
from lms.extensions import db
from lms.timeutil import utcnow
from lms.web.errors import DomainError

MAX_POINTS = 100.0
MAX_TAGS = 10
MAX_TAG_CHARS = 40
MAX_STEM_CHARS = 5000


class AssessmentError(DomainError):
    """A rule of the question bank or of an exam refused the action."""


@dataclass
class QuestionData:
    type: str
    stem: str
    points: float = 1.0
    difficulty: str = "medium"
    tags: list[str] = field(default_factory=list)
    explanation: str = ""
    options: list[str] = field(default_factory=list)  # texts, A first
    correct: list[int] = field(default_factory=list)  # indexes into options
    partial_credit: bool = False
    true_false: bool | None = None
    blanks: list[list[str]] = field(default_factory=list)
    reference_answer: str = ""
    image_key: str | None = None


def clean_tags(text_or_list) -> list[str]:
    """Tags from "a, b；c" or a list: trimmed, de-duplicated, in order."""
    if isinstance(text_or_list, str):
        for separator in "，；;、":
            text_or_list = text_or_list.replace(separator, ",")
        text_or_list = text_or_list.split(",")
    tags: list[str] = []
    for tag in text_or_list:
        tag = str(tag).strip()
        if tag and tag not in tags:
            tags.append(tag)
    return tags


def validate(data: QuestionData) -> None:
    """Raise AssessmentError with the first reason the question cannot be used."""
    if data.type not in QUESTION_TYPES:
        raise AssessmentError(_("Unknown question type."))
    if not data.stem.strip():
        raise AssessmentError(_("The question has no text."))
    if len(data.stem) > MAX_STEM_CHARS:
        raise AssessmentError(_("The question text is longer than 5000 characters."))
    if not 0 < data.points <= MAX_POINTS:
        raise AssessmentError(_("Points must be more than 0 and at most 100."))
    if data.difficulty not in DIFFICULTIES:
        raise AssessmentError(_("Difficulty must be easy, medium or hard."))
    if len(data.tags) > MAX_TAGS or any(len(tag) > MAX_TAG_CHARS for tag in data.tags):
        raise AssessmentError(_("At most 10 knowledge tags of at most 40 characters."))
    if data.type in OPTION_TYPES:
        _validate_options(data)
    elif data.type == "true_false" and data.true_false is None:
        raise AssessmentError(_("Say whether the statement is true or false."))
    elif data.type == "fill_blank":
        if not data.blanks or any(not any(t.strip() for t in blank) for blank in data.blanks):
            raise AssessmentError(_("Every blank needs at least one accepted answer."))
        if len(data.blanks) > 10:
            raise AssessmentError(_("At most 10 blanks."))


def _validate_options(data: QuestionData) -> None:
    texts = [text.strip() for text in data.options]
    if len(texts) < 2 or len(texts) > MAX_OPTIONS or not all(texts):
        raise AssessmentError(_("A choice question needs 2 to 6 options, none empty."))
    if len(set(texts)) != len(texts):
        raise AssessmentError(_("Two options have the same text."))
    correct = set(data.correct)
    if not correct or not correct <= set(range(len(texts))):
        raise AssessmentError(_("Mark the right option."))
    if data.type == "single" and len(correct) != 1:
        raise AssessmentError(_("A single choice question has exactly one right option."))


def _answer_key(data: QuestionData):
    if data.type == "true_false":
        return bool(data.true_false)
    if data.type == "fill_blank":
        return [[text.strip() for text in blank if text.strip()] for blank in data.blanks]
    if data.type == "short_answer":
        return data.reference_answer.strip()
    return None


def _fill_version(version: QuestionVersion, data: QuestionData) -> None:
    version.type = data.type
    version.stem = data.stem.strip()
    version.points = round(float(data.points), 2)
    version.difficulty = data.difficulty
    version.tags = list(data.tags)
    version.explanation = data.explanation.strip()
    version.image_key = data.image_key
    version.partial_credit = data.type == "multiple" and data.partial_credit
    version.answer_key = _answer_key(data)
    version.options.clear()
    if data.type in OPTION_TYPES:
        for position, text in enumerate(data.options):
            version.options.append(
                QuestionOption(
                    position=position, text=text.strip(), is_correct=position in data.correct
                )
            )


def create_question(course: Course, data: QuestionData, *, actor) -> Question:
    validate(data)
    question = Question(course_id=course.id, version=1, created_by_id=actor.id if actor else None)
    version = QuestionVersion(number=1)
    _fill_version(version, data)
    question.versions.append(version)
    db.session.add(question)
    db.session.flush()
    return question


def is_version_used(version: QuestionVersion) -> bool:
    """Whether an attempt, a checkpoint answer or a practice answer showed this version."""
    for model in (AttemptQuestion, CheckpointAnswer, PracticeAnswer):
        if db.session.scalar(select(exists().where(model.version_id == version.id))):
            return True
    return False


def edit_question(question: Question, data: QuestionData, *, actor) -> QuestionVersion:
    """Rewrite the current version, or add a new one when the current one was used."""
    validate(data)
    if question.deleted_at is not None:
        raise AssessmentError(_("This question was deleted."))
    current = question.current
    if is_version_used(current):
        version = QuestionVersion(number=question.version + 1)
        question.versions.append(version)
        question.version = version.number
    else:
        version = current
    _fill_version(version, data)
    question.updated_at = utcnow()
    db.session.flush()
    return version


def delete_question(question: Question, *, actor) -> None:
    """Hide the question from the bank and from new draws; what used it keeps it."""
    question.deleted_at = utcnow()
    db.session.flush()


def data_of(version: QuestionVersion) -> QuestionData:
    """The version as ``QuestionData`` (to prefill a form, to export)."""
    key = version.answer_key
    return QuestionData(
        type=version.type,
        stem=version.stem,
        points=version.points,
        difficulty=version.difficulty,
        tags=list(version.tags or []),
        explanation=version.explanation,
        options=[option.text for option in version.options],
        correct=[i for i, option in enumerate(version.options) if option.is_correct],
        partial_credit=version.partial_credit,
        true_false=bool(key) if version.type == "true_false" else None,
        blanks=[list(blank) for blank in key] if version.type == "fill_blank" and key else [],
        reference_answer=key if version.type == "short_answer" and key else "",
        image_key=version.image_key,
    )


def current_versions_query(course_id: int):
    """Select the current version of each live question of a course."""
    return (
        select(QuestionVersion)
        .join(
            Question,
            (Question.id == QuestionVersion.question_id)
            & (Question.version == QuestionVersion.number),
        )
        .where(Question.course_id == course_id, Question.deleted_at.is_(None))
    )


def bank_query(course: Course, *, type: str | None = None, difficulty: str | None = None):
    query = current_versions_query(course.id)
    if type in QUESTION_TYPES:
        query = query.where(QuestionVersion.type == type)
    if difficulty in DIFFICULTIES:
        query = query.where(QuestionVersion.difficulty == difficulty)
    return query.order_by(QuestionVersion.question_id.desc())


def count_questions(course: Course) -> int:
    query = select(func.count(Question.id)).where(
        Question.course_id == course.id, Question.deleted_at.is_(None)
    )
    return db.session.scalar(query) or 0


def get_question_or_404(course: Course, question_id: int) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or question.course_id != course.id or question.deleted_at is not None:
        abort(404)
    return question
