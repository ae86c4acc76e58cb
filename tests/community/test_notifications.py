"""Notifications are created once per event and only for their learner; kept 90 days."""

from datetime import UTC, datetime, time, timedelta

from sqlalchemy import select

from lms.attendance.models import ClassSession, CommunitySchool, Signup
from lms.community import notifications, stars, training
from lms.community.models import Notification
from lms.courses.models import Course
from lms.credits.models import Recognition
from lms.extensions import db
from lms.timeutil import district_zone, local_date, utcnow
from tests.community.helpers import user
from tests.factories import make_recognition


def kinds(app, learner_id):
    with app.app_context():
        return sorted(
            (n.kind, n.object_id)
            for n in db.session.scalars(
                select(Notification).where(Notification.learner_id == learner_id)
            )
        )


def decide(app, recognition_id, state="approved"):
    with app.app_context():
        row = db.session.get(Recognition, recognition_id)
        row.state, row.decided_at = state, utcnow()
        db.session.commit()


def run(app, task):
    with app.app_context():
        created = task()
        db.session.commit()
        return created


def test_a_decided_recognition_notifies_its_learner_once(app, make_user):
    learner, other = make_user(), make_user()
    decided = make_recognition(app, learner.id)
    waiting = make_recognition(app, other.id)
    decide(app, decided, "rejected")
    assert run(app, notifications.notify_decided_recognitions) == 1
    assert run(app, notifications.notify_decided_recognitions) == 0
    assert kinds(app, learner.id) == [("recognition_decided", decided)]
    assert kinds(app, other.id) == []  # undecided: nothing, and nothing for others
    decide(app, waiting)
    run(app, notifications.notify_decided_recognitions)
    assert kinds(app, other.id) == [("recognition_decided", waiting)]
    assert kinds(app, learner.id) == [("recognition_decided", decided)]


def _session_on(app, school_id, day, hour=9, title="太极拳"):
    starts = datetime.combine(day, time(hour), tzinfo=district_zone()).astimezone(UTC)
    row = ClassSession(
        school_id=school_id, title=title, starts_at=starts, ends_at=starts + timedelta(hours=1)
    )
    db.session.add(row)
    db.session.flush()
    return row


def test_a_class_tomorrow_reminds_only_its_signed_up_learners_once(app, make_learners, make_town):
    town = make_town()
    signed, cancelled, later, bystander = make_learners(4, town=town)
    with app.app_context():
        school = CommunitySchool(name="学校", town_id=town.id)
        db.session.add(school)
        db.session.flush()
        today = local_date(utcnow())
        tomorrow = _session_on(app, school.id, today + timedelta(days=1), hour=0)
        after = _session_on(app, school.id, today + timedelta(days=2))
        db.session.add_all(
            [
                Signup(class_session_id=tomorrow.id, learner_id=signed.id),
                Signup(
                    class_session_id=tomorrow.id, learner_id=cancelled.id, cancelled_at=utcnow()
                ),
                Signup(class_session_id=after.id, learner_id=later.id),
            ]
        )
        db.session.commit()
        tomorrow_id = tomorrow.id
    assert run(app, notifications.notify_classes_tomorrow) == 1
    assert run(app, notifications.notify_classes_tomorrow) == 0
    assert kinds(app, signed.id) == [("class_tomorrow", tomorrow_id)]
    for other in (cancelled, later, bystander):
        assert kinds(app, other.id) == []


def test_training_assignment_and_coming_deadline_notify_each_member_once(
    app, make_learners, make_course, make_organisation
):
    member, done, outsider = make_learners(3)
    course = make_course(lessons=1)
    org = make_organisation(members=[member, done])
    with app.app_context():
        from lms.community.models import Organisation
        from lms.credits.models import CourseCompletion

        assignment = training.assign_training(
            db.session.get(Organisation, org.id),
            db.session.get(Course, course.id),
            "安全培训",
            local_date(utcnow()) + timedelta(days=2),
            actor=user(org.manager.id),
            learner_ids=[member.id, done.id, outsider.id],
        )
        db.session.add(CourseCompletion(learner_id=done.id, course_id=course.id))
        db.session.commit()
        assignment_id = assignment.id
    assert run(app, notifications.notify_training_due) == 1
    assert run(app, notifications.notify_training_due) == 0
    assert kinds(app, member.id) == [
        ("training_assigned", assignment_id),
        ("training_due", assignment_id),
    ]
    assert kinds(app, done.id) == [("training_assigned", assignment_id)]
    assert kinds(app, outsider.id) == []  # not a member: not assigned, not told
    assert kinds(app, org.manager.id) == []


def test_a_star_award_notifies_once_even_when_selected_again(app, make_user):
    learner, staff, admin = make_user(), make_user("staff"), make_user("admin")
    with app.app_context():
        nomination = stars.nominate(user(learner.id), 2025, "坚持学习", actor=user(staff.id))
        stars.select_star(nomination, actor=user(admin.id))
        stars.unselect_star(nomination, actor=user(admin.id))
        stars.select_star(nomination, actor=user(admin.id))
        db.session.commit()
        nomination_id = nomination.id
    assert kinds(app, learner.id) == [("star_awarded", nomination_id)]
    assert kinds(app, staff.id) == kinds(app, admin.id) == []


def test_notifications_older_than_90_days_are_pruned(app, make_user):
    learner = make_user()
    with app.app_context():
        notifications.notify(learner.id, "star_awarded", 1, {"year": 2024})
        notifications.notify(learner.id, "star_awarded", 2, {"year": 2025})
        old = db.session.scalar(select(Notification).where(Notification.object_id == 1))
        old.created_at = utcnow() - timedelta(days=91)
        db.session.commit()
    assert run(app, notifications.prune_notifications) == 1
    assert kinds(app, learner.id) == [("star_awarded", 2)]


def test_a_learner_sees_and_opens_only_their_own_notifications(app, client, make_user, login_as):
    learner, other = make_user(), make_user()
    with app.app_context():
        notifications.notify(learner.id, "star_awarded", 7, {"year": 2025})
        notifications.notify(other.id, "star_awarded", 8, {"year": 2025})
        db.session.commit()
        mine = db.session.scalar(select(Notification).where(Notification.learner_id == learner.id))
        theirs = db.session.scalar(select(Notification).where(Notification.learner_id == other.id))
        mine_id, theirs_id = mine.id, theirs.id
    login_as(learner)
    page = client.get("/notifications/").get_data(as_text=True)
    assert page.count("/notifications/") >= 1 and f"/notifications/{mine_id}" in page
    assert f"/notifications/{theirs_id}" not in page
    assert 'class="unread-count">1' in page
    assert client.get(f"/notifications/{theirs_id}").status_code == 404
    response = client.get(f"/notifications/{mine_id}")
    assert response.status_code == 302 and "/honour-roll/" in response.headers["Location"]
    assert "unread-count" not in client.get("/notifications/").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(Notification, theirs_id).read_at is None


def test_mark_all_read_touches_only_ones_own(app, client, make_user, login_as, csrf_token):
    learner, other = make_user(), make_user()
    with app.app_context():
        notifications.notify(learner.id, "star_awarded", 1, {"year": 2025})
        notifications.notify(other.id, "star_awarded", 1, {"year": 2025})
        db.session.commit()
    login_as(learner)
    client.post("/notifications/read", data={"csrf_token": csrf_token()})
    with app.app_context():
        assert notifications.unread_count(learner.id) == 0
        assert notifications.unread_count(other.id) == 1
