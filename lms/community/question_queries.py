"""Questions on lessons: what each person sees, the teachers' queues and the figures
(unanswered questions, time to first answer, answer rate)."""

import statistics
from datetime import date, datetime, time, timedelta

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import selectinload

from lms.accounts.models import User
from lms.community.models import (
    DEFAULT_NAME_CHOICE,
    HonourName,
    LessonQuestion,
    QuestionAnswer,
    QuestionReport,
    QuestionVote,
)
from lms.community.stars import public_name
from lms.courses.models import Course, CourseTeacher, Lesson
from lms.extensions import db
from lms.pagination import ListPage
from lms.timeutil import district_zone


def lesson_questions_page(
    lesson: Lesson, viewer_id: int | None, *, moderator: bool, page: int = 1, per_page: int = 10
):
    """The lesson's questions, newest first: published ones and the viewer's own held
    ones; a moderator sees every state."""
    query = select(LessonQuestion).where(LessonQuestion.lesson_id == lesson.id)
    if not moderator:
        visible = LessonQuestion.state == "published"
        if viewer_id is not None:
            visible = or_(
                visible,
                and_(LessonQuestion.state == "held", LessonQuestion.learner_id == viewer_id),
            )
        query = query.where(visible)
    query = query.options(
        selectinload(LessonQuestion.answers).joinedload(QuestionAnswer.author)
    ).order_by(LessonQuestion.created_at.desc(), LessonQuestion.id.desc())
    return db.paginate(query, page=max(1, page), per_page=per_page, error_out=False)


def author_names(learner_ids) -> dict[int, str | None]:
    """Each asker's name as they allow it on the honour roll (surname only by default);
    None for "no name"."""
    ids = set(learner_ids)
    if not ids:
        return {}
    names = dict(
        db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids))).all()
    )
    choices = dict(
        db.session.execute(
            select(HonourName.learner_id, HonourName.choice).where(HonourName.learner_id.in_(ids))
        ).all()
    )
    return {
        learner_id: public_name(
            names.get(learner_id, ""), choices.get(learner_id, DEFAULT_NAME_CHOICE)
        )
        for learner_id in ids
    }


def visible_answers(question: LessonQuestion, *, moderator: bool) -> list[QuestionAnswer]:
    return [a for a in question.answers if moderator or a.hidden_at is None]


def my_votes(question_ids, learner_id: int | None) -> set[int]:
    if not question_ids or learner_id is None:
        return set()
    return set(
        db.session.scalars(
            select(QuestionVote.question_id).where(
                QuestionVote.question_id.in_(question_ids), QuestionVote.learner_id == learner_id
            )
        )
    )


def my_reports(question_ids, learner_id: int | None) -> set[int]:
    if not question_ids or learner_id is None:
        return set()
    return set(
        db.session.scalars(
            select(QuestionReport.question_id).where(
                QuestionReport.question_id.in_(question_ids),
                QuestionReport.reporter_id == learner_id,
            )
        )
    )


def _taught_by(teacher_id: int):
    return select(CourseTeacher.course_id).where(CourseTeacher.teacher_id == teacher_id)


def unanswered_page(teacher_id: int | None, *, page: int = 1, per_page: int = 20):
    """Published questions nobody answered yet, oldest first, in the teacher's courses
    (every course when ``teacher_id`` is None: the admin)."""
    query = select(LessonQuestion).where(
        LessonQuestion.state == "published", LessonQuestion.answered_at.is_(None)
    )
    if teacher_id is not None:
        query = query.where(LessonQuestion.course_id.in_(_taught_by(teacher_id)))
    query = query.order_by(LessonQuestion.created_at, LessonQuestion.id)
    return db.paginate(query, page=max(1, page), per_page=per_page, error_out=False)


def moderation_page(teacher_id: int | None, *, page: int = 1, per_page: int = 20):
    """Held questions and questions with open reports, with the number of open reports."""
    open_reports = (
        select(QuestionReport.question_id, func.count(QuestionReport.id).label("n"))
        .where(QuestionReport.resolved_at.is_(None))
        .group_by(QuestionReport.question_id)
        .subquery()
    )
    query = (
        select(LessonQuestion, func.coalesce(open_reports.c.n, 0))
        .outerjoin(open_reports, open_reports.c.question_id == LessonQuestion.id)
        .where(or_(LessonQuestion.state == "held", open_reports.c.n > 0))
    )
    if teacher_id is not None:
        query = query.where(LessonQuestion.course_id.in_(_taught_by(teacher_id)))
    query = query.order_by(LessonQuestion.created_at, LessonQuestion.id)
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    rows = db.session.execute(query.limit(per_page).offset((max(1, page) - 1) * per_page)).all()
    return ListPage([(question, int(n)) for question, n in rows], max(1, page), per_page, total)


def open_reports(question_id: int) -> list[QuestionReport]:
    return db.session.scalars(
        select(QuestionReport)
        .where(QuestionReport.question_id == question_id, QuestionReport.resolved_at.is_(None))
        .order_by(QuestionReport.created_at)
    ).all()


# Figures ----------------------------------------------------------------------------------


def median_hours(pairs) -> float | None:
    """The median time from asking to the first answer, in hours, of answered pairs."""
    waits = [(answered - asked).total_seconds() for asked, answered in pairs if answered]
    return round(statistics.median(waits) / 3600, 1) if waits else None


def course_figures(course: Course) -> tuple[int, float | None]:
    """(unanswered published questions, median hours to the first answer)."""
    unanswered = db.session.scalar(
        select(func.count(LessonQuestion.id)).where(
            LessonQuestion.course_id == course.id,
            LessonQuestion.state == "published",
            LessonQuestion.answered_at.is_(None),
        )
    )
    pairs = db.session.execute(
        select(LessonQuestion.created_at, LessonQuestion.answered_at).where(
            LessonQuestion.course_id == course.id, LessonQuestion.answered_at.is_not(None)
        )
    ).all()
    return unanswered, median_hours(pairs)


def answer_rate_rows(start: date, end: date) -> list[list]:
    """Per published (or taken-down) course with questions asked in [start, end] (local
    dates): title, questions,
    answered, answer rate (%), median hours to the first answer; most questions first."""
    zone = district_zone()
    since = datetime.combine(start, time(0), tzinfo=zone)
    until = datetime.combine(end + timedelta(days=1), time(0), tzinfo=zone)
    rows = db.session.execute(
        select(Course.id, Course.title, LessonQuestion.created_at, LessonQuestion.answered_at)
        .join(Course, Course.id == LessonQuestion.course_id)
        .where(
            Course.status.in_(("published", "taken_down")),  # drafts are private
            LessonQuestion.state != "hidden",
            LessonQuestion.created_at >= since,
            LessonQuestion.created_at < until,
        )
    ).all()
    per_course: dict[int, dict] = {}
    for course_id, title, asked, answered in rows:
        entry = per_course.setdefault(course_id, {"title": title, "pairs": []})
        entry["pairs"].append((asked, answered))
    table = []
    for entry in per_course.values():
        asked = len(entry["pairs"])
        answered = sum(1 for _, when in entry["pairs"] if when)
        table.append(
            [
                entry["title"],
                asked,
                answered,
                round(answered * 100 / asked, 1),
                median_hours(entry["pairs"]),
            ]
        )
    table.sort(key=lambda row: (-row[1], row[0]))
    return table
