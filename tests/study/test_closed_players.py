"""A learner who leaves a course, or every learner of a course taken down, stops earning
study time at once: the players they had open on its lessons are closed, and their
further beats are refused (403 ``closed``) with nothing credited, completed or posted to
the credit bank."""

from lms.accounts.models import User
from lms.courses import services as courses
from lms.courses.models import Course
from lms.credits.models import Certificate, LedgerEntry
from lms.extensions import db
from lms.study.models import LessonProgress
from tests.factories import enrol
from tests.study.helpers import age, open_session, send


def playing(app, client, csrf_token, login_as, make_user, make_course, lessons=2):
    """A learner enrolled in a published course, playing its first lesson."""
    course = make_course(lessons=lessons)
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    csrf = csrf_token()
    play_session = open_session(client, csrf, course.lesson_ids[0])["play_session_id"]
    return course, learner, csrf, play_session


def credited(app, learner_id, lesson_id) -> float:
    with app.app_context():
        row = db.session.scalars(
            db.select(LessonProgress).filter_by(learner_id=learner_id, lesson_id=lesson_id)
        ).first()
        return row.credited_seconds if row else 0.0


def test_a_learner_who_left_the_course_earns_nothing_on_a_player_open_before(
    app, client, csrf_token, login_as, make_user, make_course
):
    course, learner, csrf, play_session = playing(
        app, client, csrf_token, login_as, make_user, make_course
    )
    assert client.post(f"/courses/{course.id}/leave", data={"csrf_token": csrf}).status_code == 302
    age(app, play_session, 10)
    beat = send(client, csrf, play_session, seq=1, position=10.0, segments=[[0.0, 10.0]])
    assert (beat.status_code, beat.json["error"]) == (403, "closed")
    assert credited(app, learner.id, course.lesson_ids[0]) == 0.0


def test_finishing_a_lesson_after_leaving_completes_and_posts_nothing(
    app, client, csrf_token, login_as, make_user, make_course
):
    """The course's only lesson: finishing it would complete the course, post its hours
    and issue the certificate of a course the learner left."""
    course, learner, csrf, play_session = playing(
        app, client, csrf_token, login_as, make_user, make_course, lessons=1
    )
    client.post(f"/courses/{course.id}/leave", data={"csrf_token": csrf})
    lesson = course.lesson_ids[0]
    for seq in range(1, 14):  # 13 beats of 10 s: the whole 120 s lesson
        age(app, play_session, 10)
        start = (seq - 1) * 10.0
        end = min(start + 10, 120.0)
        send(client, csrf, play_session, seq=seq, position=end, segments=[[start, end]])
    with app.app_context():
        progress = db.session.scalars(
            db.select(LessonProgress).filter_by(learner_id=learner.id, lesson_id=lesson)
        ).first()
        posted = db.session.scalars(db.select(LedgerEntry).filter_by(learner_id=learner.id))
        certificates = db.session.scalars(db.select(Certificate).filter_by(learner_id=learner.id))
        assert progress is None or progress.completed_at is None
        assert posted.all() == [] and certificates.all() == []


def test_a_course_taken_down_closes_every_open_player_on_it(
    app, client, csrf_token, login_as, make_user, make_course
):
    course, learner, csrf, play_session = playing(
        app, client, csrf_token, login_as, make_user, make_course
    )
    # Another learner plays a lesson of another course meanwhile.
    other_course, neighbour = make_course(title="另一门课"), make_user("learner")
    enrol(app, other_course, neighbour)
    other_client = login_as(neighbour, on=app.test_client())
    other_csrf = csrf_token(on=other_client)
    other = open_session(other_client, other_csrf, other_course.lesson_ids[0])["play_session_id"]
    admin = make_user("admin")
    with app.app_context():
        courses.take_down_course(
            db.session.get(Course, course.id), "内容有误", actor=db.session.get(User, admin.id)
        )
        db.session.commit()
    age(app, play_session, 10)
    beat = send(client, csrf, play_session, seq=1, position=10.0, segments=[[0.0, 10.0]])
    assert (beat.status_code, beat.json["error"]) == (403, "closed")
    assert credited(app, learner.id, course.lesson_ids[0]) == 0.0
    age(app, other, 10)
    assert send(other_client, other_csrf, other, seq=1).status_code == 200


def test_a_player_taken_over_by_another_is_still_told_so(
    app, client, csrf_token, login_as, make_user, make_course
):
    course, _, csrf, first = playing(app, client, csrf_token, login_as, make_user, make_course)
    open_session(client, csrf, course.lesson_ids[1])
    age(app, first, 10)
    beat = send(client, csrf, first, seq=1)
    assert (beat.status_code, beat.json["error"]) == (409, "superseded")
