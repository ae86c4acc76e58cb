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


def enrol(app, course, learner):
    with app.app_context():
        from lms.courses.models import Course

        services.enrol(db.session.get(Course, course.id), db.session.get(User, learner.id))
        db.session.commit()
