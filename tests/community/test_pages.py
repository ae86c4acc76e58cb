"""Every community page renders for the people it is meant for (and with data in it)."""

from datetime import timedelta

from lms.attendance.models import CommunitySchool, SchoolStaff
from lms.community import evaluations, notifications, ratings, stars, training
from lms.community.models import Organisation
from lms.courses.models import Course
from lms.credits.ledger import Posting, post
from lms.extensions import db
from lms.timeutil import local_date, utcnow
from tests.community.helpers import user
from tests.factories import study


def test_every_page_renders_for_its_people(
    app, client, make_user, make_town, make_course, make_organisation, login_as
):
    town = make_town()
    admin, staff = make_user("admin", town=town), make_user("staff", town=town)
    learner = make_user(town=town)
    teacher = make_user("teacher", town=town)
    course = make_course(teacher, lessons=2)
    org = make_organisation(manager=staff, members=[learner])
    study(app, learner.id, course.lesson_ids[0], 1.0, done=True)
    with app.app_context():
        school = CommunitySchool(name="学校", town_id=town.id)
        db.session.add(school)
        db.session.flush()
        db.session.add(SchoolStaff(school_id=school.id, user_id=staff.id))
        organisation = db.session.get(Organisation, org.id)
        row = db.session.get(Course, course.id)
        assignment = training.assign_training(
            organisation,
            row,
            "年度培训",
            local_date(utcnow()) + timedelta(days=2),
            actor=user(staff.id),
        )
        ratings.rate_course(row, 4, "实用", learner=user(learner.id))
        criterion = evaluations.add_criterion("制度", "", 10, actor=user(admin.id))
        evaluations.evaluate(
            organisation,
            2025,
            [evaluations.ScoreInput(criterion.id, 10, "齐全")],
            actor=user(admin.id),
        )
        post(Posting(learner.id, "adjustment", "p", 2.0, 2.0, None, reason="测试"))
        nomination = stars.nominate(user(learner.id), 2025, "好学", actor=user(staff.id))
        stars.select_star(nomination, actor=user(admin.id))
        notifications.notify_training_due()
        db.session.commit()
        assignment_id = assignment.id
    pages = [
        (
            learner,
            [
                "/community/",
                "/notifications/",
                "/honour-roll/",
                "/honour-roll/?year=2025",
                "/honour-roll/my-name",
                "/organisations/",
                "/organisations/new",
                "/organisations/join?code=abc",
                f"/organisations/{org.id}",
                "/training/",
                f"/courses/{course.id}/ratings",
            ],
        ),
        (
            staff,
            [
                "/stars/rankings",
                "/stars/rankings?month=5&year=2025",
                "/stars/nominations?year=2025",
                f"/stars/nominate/{learner.id}",
                f"/organisations/{org.id}",
                f"/organisations/{org.id}/members",
                f"/organisations/{org.id}/invites",
                f"/organisations/{org.id}/training/",
                f"/organisations/{org.id}/training/new",
                f"/organisations/{org.id}/training/ledger",
                f"/organisations/{org.id}/training/{assignment_id}",
            ],
        ),
        (teacher, ["/teaching/quality", f"/courses/{course.id}/ratings"]),
        (
            admin,
            [
                "/organisations/",
                "/organisations/?state=applied",
                "/organisations/new",
                f"/organisations/{org.id}",
                "/evaluation-criteria/",
                "/evaluations/?year=2025",
                f"/organisations/{org.id}/evaluations/2025",
                "/quality/",
                "/quality/?order=drop_off&weak=1",
                "/stars/rankings",
                "/stars/nominations?year=2025&state=selected",
            ],
        ),
    ]
    for person, paths in pages:
        login_as(person)
        for path in paths:
            response = client.get(path)
            assert response.status_code == 200, (person.username, path, response.status_code)
    login_as(learner)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "年度培训" in page and 'class="unread-count">3' in page


def test_english_pages_render(app, client, make_user, login_as, csrf_token):
    learner = make_user()
    login_as(learner)
    client.post("/preferences/language", data={"locale": "en", "csrf_token": csrf_token()})
    page = client.get("/community/").get_data(as_text=True)
    assert "Learning organisations" in page and "Notifications" in page
