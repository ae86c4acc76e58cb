"""Course ratings and quality (数字化学习评价 / 在线学习质量监测).

A learner rates a course (1–5 stars and a comment) once they have studied at least 30%
of it: the share of the course's lesson durations they covered. Its own teachers do not
rate it. One rating per learner and course, editable. The admin hides an abusive comment
(the stars still count, and the comment stays hidden when edited; the admin may show it
again).

Quality figures per course:
- completion rate = learners who completed it (credit bank) / learners ever enrolled;
- drop-off = share of learners who started it but never reached its last lesson;
- rating = average stars.
A course is flagged weak when at least WEAK_MIN_STARTED learners started it and its
completion rate is under 30%, or its drop-off is over 60%, or its average rating is under
3 stars from at least 3 ratings.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import and_, case, func, literal, or_, select

from lms.community.models import CourseRating
from lms.community.queries import studied_share
from lms.community.services import CommunityError
from lms.courses.models import Course, CourseTeacher, Enrolment, Lesson
from lms.credits.models import CourseCompletion
from lms.extensions import db
from lms.pagination import ListPage
from lms.study.models import LessonProgress
from lms.timeutil import utcnow

MIN_STUDIED_SHARE = 0.3
MAX_COMMENT = 1000
WEAK_MIN_STARTED = 5
WEAK_COMPLETION_BELOW = 0.3
WEAK_DROP_OFF_ABOVE = 0.6
WEAK_RATING_BELOW = 3.0
WEAK_MIN_RATINGS = 3
QUALITY_ORDERS = ("weak", "completion", "rating", "drop_off")


def own_rating(course: Course, learner_id: int) -> CourseRating | None:
    return db.session.scalar(
        select(CourseRating).where(
            CourseRating.course_id == course.id, CourseRating.learner_id == learner_id
        )
    )


def teaches(course: Course, user_id: int) -> bool:
    """Those who teach a course do not rate it: its learners do."""
    return user_id in course.teacher_ids


def rate_course(course: Course, stars: int, comment: str, *, learner) -> CourseRating:
    """Rate or re-rate ``course``; refused before 30% of it is studied."""
    if not course.is_published:
        raise CommunityError(_("This course cannot be rated."))
    if teaches(course, learner.id):
        raise CommunityError(_("You teach this course: its learners rate it."))
    if stars not in range(1, 6):
        raise CommunityError(_("Choose from 1 to 5 stars."))
    comment = (comment or "").strip()
    if len(comment) > MAX_COMMENT:
        raise CommunityError(_("The comment is too long (up to 1000 characters)."))
    if studied_share(course, learner.id) < MIN_STUDIED_SHARE:
        raise CommunityError(
            _("You can rate a course once you have studied %(share)s of it.", share="30%")
        )
    rating = own_rating(course, learner.id)
    if rating is None:
        rating = CourseRating(course_id=course.id, learner_id=learner.id)
        db.session.add(rating)
    rating.stars, rating.comment, rating.updated_at = stars, comment, utcnow()
    db.session.flush()
    return rating


def hide_comment(rating: CourseRating, *, actor) -> None:
    if rating.comment_hidden_at is None:
        rating.comment_hidden_at, rating.comment_hidden_by_id = utcnow(), actor.id


def show_comment(rating: CourseRating, *, actor) -> None:
    rating.comment_hidden_at, rating.comment_hidden_by_id = None, None


def ratings_page(course: Course, *, page: int = 1, per_page: int = 20):
    query = (
        select(CourseRating)
        .where(CourseRating.course_id == course.id)
        .order_by(CourseRating.updated_at.desc(), CourseRating.id.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


@dataclass(frozen=True)
class RatingSummary:
    average: float | None
    count: int
    by_stars: dict[int, int]


def rating_summary(course: Course) -> RatingSummary:
    rows = db.session.execute(
        select(CourseRating.stars, func.count(CourseRating.id))
        .where(CourseRating.course_id == course.id)
        .group_by(CourseRating.stars)
    ).all()
    by_stars = {stars: 0 for stars in range(5, 0, -1)}
    by_stars.update({stars: count for stars, count in rows})
    count = sum(by_stars.values())
    total = sum(stars * n for stars, n in by_stars.items())
    return RatingSummary(round(total / count, 2) if count else None, count, by_stars)


def lesson_reach(course: Course) -> list[tuple[Lesson, int, int]]:
    """Per lesson: learners who started it and who completed it (drop-off across lessons)."""
    rows = db.session.execute(
        select(
            LessonProgress.lesson_id,
            func.count(LessonProgress.id),
            func.count(LessonProgress.completed_at),
        )
        .join(Lesson, Lesson.id == LessonProgress.lesson_id)
        .where(Lesson.course_id == course.id)
        .group_by(LessonProgress.lesson_id)
    ).all()
    counts = {lesson_id: (started, done) for lesson_id, started, done in rows}
    return [(lesson, *counts.get(lesson.id, (0, 0))) for lesson in course.lessons]


# Quality -------------------------------------------------------------------------------


@dataclass(frozen=True)
class CourseQuality:
    course: Course
    enrolled: int
    completed: int
    started: int
    reached_last: int
    average_rating: float | None
    ratings: int
    weak: bool

    @property
    def completion_rate(self) -> float | None:
        return self.completed / self.enrolled if self.enrolled else None

    @property
    def drop_off(self) -> float | None:
        return 1 - self.reached_last / self.started if self.started else None


def _quality_select():
    enrolled = (
        select(Enrolment.course_id, func.count(Enrolment.learner_id.distinct()).label("n"))
        .group_by(Enrolment.course_id)
        .subquery()
    )
    completed = (
        select(CourseCompletion.course_id, func.count(CourseCompletion.id).label("n"))
        .group_by(CourseCompletion.course_id)
        .subquery()
    )
    rated = (
        select(
            CourseRating.course_id,
            func.avg(CourseRating.stars * 1.0).label("average"),
            func.count(CourseRating.id).label("n"),
        )
        .group_by(CourseRating.course_id)
        .subquery()
    )
    started = (
        select(Lesson.course_id, func.count(LessonProgress.learner_id.distinct()).label("n"))
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .group_by(Lesson.course_id)
        .subquery()
    )
    last = (
        select(Lesson.course_id, func.max(Lesson.position).label("position"))
        .group_by(Lesson.course_id)
        .subquery()
    )
    reached = (
        select(Lesson.course_id, func.count(LessonProgress.learner_id.distinct()).label("n"))
        .join(LessonProgress, LessonProgress.lesson_id == Lesson.id)
        .join(last, and_(last.c.course_id == Lesson.course_id, last.c.position == Lesson.position))
        .group_by(Lesson.course_id)
        .subquery()
    )
    n_enrolled = func.coalesce(enrolled.c.n, 0)
    n_completed = func.coalesce(completed.c.n, 0)
    n_started = func.coalesce(started.c.n, 0)
    n_reached = func.coalesce(reached.c.n, 0)
    n_ratings = func.coalesce(rated.c.n, 0)
    completion = n_completed * 1.0 / func.nullif(n_enrolled, 0)
    drop_off = literal(1.0) - n_reached * 1.0 / func.nullif(n_started, 0)
    weak = case(
        (
            and_(
                n_started >= WEAK_MIN_STARTED,
                or_(
                    func.coalesce(completion, 0.0) < WEAK_COMPLETION_BELOW,
                    func.coalesce(drop_off, 0.0) > WEAK_DROP_OFF_ABOVE,
                    and_(n_ratings >= WEAK_MIN_RATINGS, rated.c.average < WEAK_RATING_BELOW),
                ),
            ),
            1,
        ),
        else_=0,
    )
    query = (
        select(
            Course,
            n_enrolled,
            n_completed,
            n_started,
            n_reached,
            rated.c.average,
            n_ratings,
            weak,
        )
        .outerjoin(enrolled, enrolled.c.course_id == Course.id)
        .outerjoin(completed, completed.c.course_id == Course.id)
        .outerjoin(rated, rated.c.course_id == Course.id)
        .outerjoin(started, started.c.course_id == Course.id)
        .outerjoin(reached, reached.c.course_id == Course.id)
    )
    return query, {
        "weak": weak,
        "completion": completion,
        "rating": rated.c.average,
        "drop_off": drop_off,
    }


def quality_page(
    *,
    teacher_id: int | None = None,
    order: str = "weak",
    weak_only: bool = False,
    page: int = 1,
    per_page: int = 20,
) -> ListPage:
    """Published (or taken-down) courses with their quality figures; a teacher's own only
    when ``teacher_id`` is given."""
    query, columns = _quality_select()
    query = query.where(Course.status.in_(("published", "taken_down")))
    if teacher_id is not None:
        query = query.where(
            Course.id.in_(
                select(CourseTeacher.course_id).where(CourseTeacher.teacher_id == teacher_id)
            )
        )
    if weak_only:
        query = query.where(columns["weak"] == 1)
    if order == "completion":
        query = query.order_by(columns["completion"].asc().nulls_last(), Course.id)
    elif order == "rating":
        query = query.order_by(columns["rating"].asc().nulls_last(), Course.id)
    elif order == "drop_off":
        query = query.order_by(columns["drop_off"].desc().nulls_last(), Course.id)
    else:
        query = query.order_by(
            columns["weak"].desc(), columns["completion"].asc().nulls_last(), Course.id
        )
    total = db.session.scalar(select(func.count()).select_from(query.order_by(None).subquery()))
    page = max(1, page)
    rows = db.session.execute(query.limit(per_page).offset((page - 1) * per_page)).all()
    items = [
        CourseQuality(
            course=course,
            enrolled=int(enrolled),
            completed=int(completed),
            started=int(started),
            reached_last=int(reached),
            average_rating=round(float(average), 2) if average is not None else None,
            ratings=int(ratings),
            weak=bool(weak),
        )
        for course, enrolled, completed, started, reached, average, ratings, weak in rows
    ]
    return ListPage(items, page, per_page, total)
