"""What community holds about a person, for the PIPL copy, and erasure: comments,
citations and notifications may name people and go; stars and memberships stay
(as counts) without identifying text. Questions on lessons stay for the other learners
(with their answers) but lose their text, time and author's name; report reasons go,
and answers a deleted teacher wrote lose their text."""

from sqlalchemy import delete, select

from lms.accounts.personal_data import register_personal_data
from lms.community.models import (
    CourseRating,
    HonourName,
    LessonQuestion,
    Notification,
    Organisation,
    OrganisationMember,
    QuestionAnswer,
    QuestionReport,
    QuestionVote,
    StarNomination,
)
from lms.courses.models import Course, Lesson
from lms.extensions import db


def export(user) -> dict:
    memberships = db.session.execute(
        select(OrganisationMember, Organisation.name)
        .join(Organisation, Organisation.id == OrganisationMember.organisation_id)
        .where(OrganisationMember.user_id == user.id)
    )
    ratings = db.session.execute(
        select(CourseRating, Course.title)
        .join(Course, Course.id == CourseRating.course_id)
        .where(CourseRating.learner_id == user.id)
    )
    nominations = db.session.scalars(
        select(StarNomination).where(StarNomination.learner_id == user.id)
    )
    notifications = db.session.scalars(
        select(Notification).where(Notification.learner_id == user.id)
    )
    honour = db.session.get(HonourName, user.id)
    questions = db.session.execute(
        select(LessonQuestion, Course.title, Lesson.title)
        .join(Course, Course.id == LessonQuestion.course_id)
        .join(Lesson, Lesson.id == LessonQuestion.lesson_id)
        .where(LessonQuestion.learner_id == user.id)
        .order_by(LessonQuestion.id)
    )
    answers = db.session.scalars(
        select(QuestionAnswer)
        .where(QuestionAnswer.author_id == user.id)
        .order_by(QuestionAnswer.id)
    )
    votes = db.session.scalars(select(QuestionVote).where(QuestionVote.learner_id == user.id))
    reports = db.session.scalars(
        select(QuestionReport).where(QuestionReport.reporter_id == user.id)
    )
    return {
        "lesson_questions": [
            {
                "course": course_title,
                "lesson": lesson_title,
                "question": q.body,
                "video_seconds": q.position,
                "state": q.state,
                "asked_at": q.created_at,
                "answered_at": q.answered_at,
            }
            for q, course_title, lesson_title in questions
        ],
        "question_answers": [
            {"question_id": a.question_id, "answer": a.body, "answered_at": a.created_at}
            for a in answers
        ],
        "question_me_too": [{"question_id": v.question_id, "at": v.created_at} for v in votes],
        "question_reports": [
            {"question_id": r.question_id, "reason": r.reason, "at": r.created_at} for r in reports
        ],
        "organisations": [
            {"organisation": name, "role": m.role, "joined_at": m.joined_at}
            for m, name in memberships
        ],
        "ratings": [
            {"course": title, "stars": r.stars, "comment": r.comment, "rated_at": r.updated_at}
            for r, title in ratings
        ],
        "star_nominations": [
            {"year": n.year, "state": n.state, "citation": n.citation} for n in nominations
        ],
        "notifications": [
            {"kind": n.kind, "params": n.params, "created_at": n.created_at, "read_at": n.read_at}
            for n in notifications
        ],
        "honour_roll_name": [{"choice": honour.choice}] if honour else [],
    }


def erase(user) -> None:
    for rating in db.session.scalars(
        select(CourseRating).where(CourseRating.learner_id == user.id)
    ):
        rating.comment = ""
    for nomination in db.session.scalars(
        select(StarNomination).where(StarNomination.learner_id == user.id)
    ):
        nomination.citation = ""
    for question in db.session.scalars(
        select(LessonQuestion).where(LessonQuestion.learner_id == user.id)
    ):
        question.body, question.position, question.held_for = "", None, ""
    for answer in db.session.scalars(
        select(QuestionAnswer).where(QuestionAnswer.author_id == user.id)
    ):
        answer.body = ""
    for report in db.session.scalars(
        select(QuestionReport).where(QuestionReport.reporter_id == user.id)
    ):
        report.reason = ""
    db.session.execute(delete(Notification).where(Notification.learner_id == user.id))
    db.session.execute(delete(HonourName).where(HonourName.learner_id == user.id))


def connect() -> None:
    register_personal_data("community", export, erase)
