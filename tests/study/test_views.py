from datetime import timedelta

from lms.extensions import db
from lms.study.models import Heartbeat, PlaySession
from lms.tasks.periodic import run_periodic_task
from lms.timeutil import utcnow
from tests.study.helpers import age, open_session, send


def watch(app, client, csrf, lesson_id, beats, start=0.0):
    session = open_session(client, csrf, lesson_id)
    for seq in range(1, beats + 1):
        age(app, session["play_session_id"], 10)
        begin = start + (seq - 1) * 10.0
        send(
            client,
            csrf,
            session["play_session_id"],
            seq=seq,
            segments=[[begin, begin + 10]],
            position=begin + 10,
        )
    return session


def test_my_learning_shows_study_time_and_course_progress(app, client, csrf_token, enrolled):
    course, _ = enrolled
    watch(app, client, csrf_token(), course.lesson_ids[0], beats=12)  # 2 min: completed
    page = client.get("/study/").get_data(as_text=True)
    assert 'id="week-study">2 分钟' in page and 'id="total-study">2 分钟' in page
    assert "已完成 1 / 2 课" in page
    detail = client.get(f"/study/courses/{course.id}").get_data(as_text=True)
    assert "第1课" in detail and "已完成" in detail and "100%" in detail


def test_lesson_analytics_for_the_teacher_only(
    app, client, csrf_token, enrolled, make_user, login_as
):
    course, _ = enrolled
    watch(app, client, csrf_token(), course.lesson_ids[0], beats=6)  # the first half
    url = f"/study/lessons/{course.lesson_ids[0]}/analytics"
    assert client.get(url).status_code == 404  # a learner
    login_as(make_user("teacher"))
    assert client.get(url).status_code == 404  # another teacher
    login_as(course.teacher)
    page = client.get(url).get_data(as_text=True)
    assert 'id="started">1<' in page and 'id="completed">0<' in page
    assert 'id="coverage">50%<' in page
    assert "<td>0–5%</td><td>1</td>" in page and "<td>95–100%</td><td>0</td>" in page


def test_most_studied_ordering_in_the_catalogue(
    app, client, csrf_token, make_course, make_user, login_as
):
    from tests.factories import enrol

    quiet = make_course(title="很少人学的课")
    busy = make_course(title="学得最多的课")
    learner = make_user("learner")
    enrol(app, busy, learner)
    login_as(learner)
    watch(app, client, csrf_token(), busy.lesson_ids[0], beats=3)
    page = client.get("/courses/?order=studied").get_data(as_text=True)
    assert page.index("学得最多的课") < page.index("很少人学的课") and quiet


def test_raw_beats_are_pruned_after_their_retention(app, client, csrf_token, enrolled):
    course, _ = enrolled
    session = watch(app, client, csrf_token(), course.lesson_ids[0], beats=2)
    with app.app_context():
        old = db.session.query(Heartbeat).filter_by(seq=1).one()
        old.received_at = utcnow() - timedelta(days=app.config["LMS_HEARTBEAT_RETENTION_DAYS"] + 1)
        db.session.commit()
        assert run_periodic_task("study.prune_heartbeats") == 1
        assert [beat.seq for beat in db.session.query(Heartbeat)] == [2]
        assert db.session.get(PlaySession, session["play_session_id"]).credited_seconds > 19
    assert (
        client.get(f"/api/v1/lessons/{course.lesson_ids[0]}/progress").json[
            "lesson_credited_seconds"
        ]
        > 19
    )
