"""Reads: the catalogue, "my courses", the teacher's and reviewer's lists."""

from sqlalchemy import case, func, or_, select

from lms.courses.hooks import catalogue_orders, registered_card_facts
from lms.courses.models import Course, CourseTeacher, Enrolment, Lesson
from lms.extensions import db
from lms.media.models import VideoAsset

CATALOGUE_ORDERS = ("newest", "popular")


def active_enrolment_counts():
    return (
        select(Enrolment.course_id, func.count(Enrolment.id).label("learners"))
        .where(Enrolment.left_at.is_(None))
        .group_by(Enrolment.course_id)
        .subquery()
    )


def catalogue(
    *,
    text: str = "",
    category_id: int | None = None,
    order: str = "newest",
    page: int = 1,
    per_page: int = 12,
):
    """Published courses; substring search suits two- or three-character Chinese queries."""
    query = select(Course).where(Course.status == "published")
    if text.strip():
        pattern = f"%{text.strip()}%"
        query = query.where(or_(Course.title.ilike(pattern), Course.description.ilike(pattern)))
    if category_id:
        query = query.where(Course.category_id == category_id)
    return db.paginate(_ordered(query, order), page=page, per_page=per_page, error_out=False)


def _ordered(query, order: str):
    """``query`` over courses in one of the catalogue's orders (newest when unknown)."""
    extra_orders = catalogue_orders()
    if order == "popular":
        counts = active_enrolment_counts()
        return query.outerjoin(counts, counts.c.course_id == Course.id).order_by(
            func.coalesce(counts.c.learners, 0).desc(), Course.id.desc()
        )
    if order in extra_orders:
        return extra_orders[order].apply(query)
    return query.order_by(Course.published_at.desc(), Course.id.desc())


def suggested_courses(
    learner_id: int, *, order: str, limit: int = 3, in_my_categories: bool = True
) -> list[Course]:
    """Published courses the learner has never enrolled in, in a catalogue order; with
    ``in_my_categories``, only those in the categories of the courses they are enrolled in."""
    ever_enrolled = select(Enrolment.course_id).where(Enrolment.learner_id == learner_id)
    query = select(Course).where(Course.status == "published", Course.id.not_in(ever_enrolled))
    if in_my_categories:
        my_categories = (
            select(Course.category_id)
            .join(Enrolment, Enrolment.course_id == Course.id)
            .where(
                Enrolment.learner_id == learner_id,
                Enrolment.left_at.is_(None),
                Course.category_id.is_not(None),
            )
        )
        query = query.where(Course.category_id.in_(my_categories))
    return db.session.scalars(_ordered(query, order).limit(limit)).all()


def card_facts(courses) -> dict[int, dict]:
    """What each course's card shows beyond the course row: ``lessons``, ``seconds``
    (the ready videos' total), ``learners`` (enrolled now) and what higher domains
    register (``rating``, ``ratings``). A fixed number of queries for any number."""
    ids = [course.id for course in courses]
    facts = registered_card_facts(ids)
    if not ids:
        return facts
    lessons = db.session.execute(
        select(
            Lesson.course_id,
            func.count(Lesson.id),
            func.coalesce(
                func.sum(case((VideoAsset.status == "ready", VideoAsset.duration), else_=0)), 0
            ),
        )
        .outerjoin(VideoAsset, VideoAsset.id == Lesson.asset_id)
        .where(Lesson.course_id.in_(ids))
        .group_by(Lesson.course_id)
    )
    for course_id, count, seconds in lessons:
        facts[course_id].update(lessons=count, seconds=float(seconds or 0))
    learners = db.session.execute(
        select(Enrolment.course_id, func.count(Enrolment.id))
        .where(Enrolment.course_id.in_(ids), Enrolment.left_at.is_(None))
        .group_by(Enrolment.course_id)
    )
    for course_id, count in learners:
        facts[course_id]["learners"] = count
    return facts


def learner_count(course: Course) -> int:
    return db.session.scalar(
        select(func.count(Enrolment.id)).where(
            Enrolment.course_id == course.id, Enrolment.left_at.is_(None)
        )
    )


def my_courses(learner_id: int, *, page: int = 1, per_page: int = 12):
    query = (
        select(Course)
        .join(Enrolment, Enrolment.course_id == Course.id)
        .where(Enrolment.learner_id == learner_id, Enrolment.left_at.is_(None))
        .order_by(Enrolment.enrolled_at.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def teaching_courses(teacher_id: int | None, *, page: int = 1, per_page: int = 20):
    """A teacher's courses; every course for the admin (teacher_id None)."""
    query = select(Course).order_by(Course.id.desc())
    if teacher_id is not None:
        query = query.join(CourseTeacher).where(CourseTeacher.teacher_id == teacher_id)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def courses_in_status(status: str, *, page: int = 1, per_page: int = 20):
    query = select(Course).where(Course.status == status).order_by(Course.submitted_at)
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def has_enrolled(learner_id: int) -> bool:
    """Whether the learner has ever enrolled in a course (left ones count)."""
    return (
        db.session.scalar(select(Enrolment.id).where(Enrolment.learner_id == learner_id).limit(1))
        is not None
    )
