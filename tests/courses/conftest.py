from types import SimpleNamespace

import pytest

from lms.accounts.models import User
from lms.courses import services
from lms.extensions import db
from lms.media.models import VideoAsset


def ready_asset(duration=120.0) -> VideoAsset:
    """An asset marked ready without files: enough for rules that do not play it."""
    asset = VideoAsset(status="ready", percent=100.0, duration=duration, source_filename="x.mp4")
    db.session.add(asset)
    db.session.flush()
    return asset


@pytest.fixture
def make_course(app, make_user):
    """A course with lessons whose videos are ready; published unless told otherwise."""

    def make(
        teacher=None,
        *,
        title="长辈学用智能手机",
        description="从开机到视频通话",
        status="published",
        lessons=2,
        preview_first=False,
        category=None,
    ):
        teacher = teacher or make_user("teacher")
        with app.app_context():
            actor = db.session.get(User, teacher.id)
            category_id = services.save_category(category).id if category else None
            course = services.create_course(
                services.CourseSettings(
                    title=title, description=description, category_id=category_id
                ),
                actor=actor,
            )
            lesson_ids = []
            for number in range(lessons):
                lesson = services.add_lesson(
                    course,
                    f"第{number + 1}课",
                    is_preview=preview_first and number == 0,
                    actor=actor,
                )
                lesson.asset = ready_asset()
                lesson_ids.append(lesson.id)
            course.status = status
            if status == "published":
                from lms.timeutil import utcnow

                course.published_at = utcnow()
            db.session.commit()
            return SimpleNamespace(id=course.id, lesson_ids=lesson_ids, teacher=teacher)

    return make


def enrol(app, course, learner):
    with app.app_context():
        from lms.courses.models import Course

        services.enrol(db.session.get(Course, course.id), db.session.get(User, learner.id))
        db.session.commit()
