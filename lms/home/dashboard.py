"""What the home page tells a learner to do next, gathered from each domain's reads.

Each section is one or two queries; a section with nothing in it is left empty and the
page leaves it out. Days and weeks are the district's (``lms.timeutil``).
"""

from dataclasses import dataclass, field
from datetime import UTC, datetime, time, timedelta
from itertools import zip_longest

from lms.assessment.practice import PracticeRecord, record_of
from lms.attendance.models import ClassSession
from lms.attendance.queries import my_classes_between
from lms.attendance.rules import checkin_open
from lms.community.models import TrainingAssignment
from lms.community.queries import training_due
from lms.courses.models import Course, Lesson
from lms.courses.queries import has_enrolled, suggested_courses
from lms.credits.queries import credits_since
from lms.study.queries import last_played, study_seconds, week_start
from lms.timeutil import district_zone, local_date, utcnow

RECOMMENDED = 4  # courses shown under 推荐课程
POPULAR_FOR_NEWCOMERS = 3


@dataclass(frozen=True)
class Resume:
    course: Course
    lesson: Lesson
    progress: float  # of the lesson covered, 0..1

    @property
    def percent(self) -> int:
        return round(min(max(self.progress, 0.0), 1.0) * 100)


@dataclass(frozen=True)
class SignedUpClass:
    session: ClassSession
    is_today: bool
    checkin_open: bool


@dataclass(frozen=True)
class Week:
    study_seconds: float
    credits: float

    @property
    def hours(self) -> int:
        return int(self.study_seconds // 3600)

    @property
    def minutes(self) -> int:
        return int(self.study_seconds % 3600 // 60)


@dataclass(frozen=True)
class Dashboard:
    resume: Resume | None = None
    classes: list[SignedUpClass] = field(default_factory=list)
    training: list[TrainingAssignment] = field(default_factory=list)
    week: Week | None = None
    recommended: list[Course] = field(default_factory=list)
    welcome: bool = False  # a brand-new learner: a greeting and the most popular courses
    popular: list[Course] = field(default_factory=list)
    practice: PracticeRecord | None = None  # 每日一练: streak and days practised

    @property
    def has_due(self) -> bool:
        return bool(self.training)


def _resume(learner_id: int) -> Resume | None:
    found = last_played(learner_id)
    if found is None:
        return None
    progress, lesson, course = found
    return Resume(course=course, lesson=lesson, progress=progress.progress)


def _classes(learner_id: int, now: datetime) -> list[SignedUpClass]:
    today = local_date(now)
    next_week = datetime.combine(week_start() + timedelta(days=7), time(), district_zone())
    return [
        SignedUpClass(
            session=row,
            is_today=local_date(row.starts_at) == today,
            checkin_open=checkin_open(row, now),
        )
        for row in my_classes_between(learner_id, now=now, until=next_week.astimezone(UTC))
    ]


def _week(learner_id: int) -> Week | None:
    since = week_start()
    week = Week(study_seconds(learner_id, since=since), credits_since(learner_id, since))
    return week if week.study_seconds >= 60 or week.credits > 0 else None


def _recommended(learner_id: int) -> list[Course]:
    """Newest and most studied in the learner's categories, alternating, no repeats."""
    newest = suggested_courses(learner_id, order="newest", limit=RECOMMENDED)
    studied = suggested_courses(learner_id, order="studied", limit=RECOMMENDED)
    chosen: list[Course] = []
    for pair in zip_longest(newest, studied):
        for course in pair:
            if course is not None and course not in chosen:
                chosen.append(course)
    return chosen[:RECOMMENDED]


def learner_dashboard(user) -> Dashboard:
    """The home page's sections for ``user``; courses are suggested to learners only
    (staff and teachers see their own study, if any, above their work links)."""
    now = utcnow()
    sections = dict(
        resume=_resume(user.id),
        classes=_classes(user.id, now),
        training=training_due(user.id),
        week=_week(user.id),
    )
    if not user.has_role("learner"):
        return Dashboard(**sections)
    if not has_enrolled(user.id) and not any(sections.values()):
        popular = suggested_courses(
            user.id, order="popular", limit=POPULAR_FOR_NEWCOMERS, in_my_categories=False
        )
        return Dashboard(**sections, welcome=True, popular=popular)
    practice = record_of(user.id, local_date(now))
    return Dashboard(**sections, recommended=_recommended(user.id), practice=practice)
