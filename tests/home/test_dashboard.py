"""The learner's home page: 继续学习, this week's classes, what is due, this week's totals
and recommended courses, each only when it has something; a welcome for newcomers."""

import re
from datetime import timedelta
from types import SimpleNamespace

import pytest
from sqlalchemy import event, select

from lms.attendance import services as attendance_services
from lms.attendance.models import CommunitySchool
from lms.community.models import (
    Organisation,
    OrganisationMember,
    TrainingAssignee,
    TrainingAssignment,
)
from lms.courses.models import Category, Course
from lms.extensions import db
from lms.study.models import DailyStudy
from lms.timeutil import local_date, utcnow
from tests.factories import complete_lesson, enrol, sign_up, study

SECTIONS = ("continue", "my-week-classes", "due", "this-week", "recommended", "popular")


def home(client, login_as, user) -> str:
    login_as(user)
    return client.get("/").get_data(as_text=True)


def sections_in(page: str) -> set[str]:
    return {name for name in SECTIONS if f'id="{name}"' in page}


def section(page: str, name: str) -> str:
    start = page.index(f'id="{name}"')
    return page[start : page.index("</section>", start)]


def in_category(app, course_id: int, name: str) -> None:
    with app.app_context():
        category = db.session.scalar(select(Category).where(Category.name == name))
        if category is None:
            category = Category(name=name, position=99)
            db.session.add(category)
            db.session.flush()
        db.session.get(Course, course_id).category_id = category.id
        db.session.commit()


def make_class(app, make_town, *, starts_in: timedelta, title="书法入门"):
    starts_at = (utcnow() + starts_in).replace(microsecond=0)
    with app.app_context():
        school = CommunitySchool(name="柯桥社区学校", town_id=make_town().id, address="")
        db.session.add(school)
        db.session.flush()
        row = attendance_services.save_session(
            school,
            None,
            attendance_services.SessionSettings(
                title=title,
                starts_at=starts_at,
                ends_at=starts_at + timedelta(hours=2),
                room="201",
                capacity=30,
                signup_required=True,
                late_after_minutes=10,
                checkin_opens_minutes=30,
                takes_checkout=False,
            ),
            actor=SimpleNamespace(id=None),
        )
        db.session.commit()
        return SimpleNamespace(id=row.id, starts_at=row.starts_at)


def assign_training(app, learner, course, *, title="安全生产培训", days=5):
    with app.app_context():
        organisation = Organisation(name="柯桥某企业", kind="enterprise", state="active")
        db.session.add(organisation)
        db.session.flush()
        db.session.add(OrganisationMember(organisation_id=organisation.id, user_id=learner.id))
        assignment = TrainingAssignment(
            organisation_id=organisation.id,
            course_id=course.id,
            title=title,
            deadline=local_date(utcnow()) + timedelta(days=days),
            created_by_id=learner.id,
        )
        db.session.add(assignment)
        db.session.flush()
        db.session.add(TrainingAssignee(assignment_id=assignment.id, learner_id=learner.id))
        db.session.commit()


def studied_today(app, learner, seconds: float) -> None:
    with app.app_context():
        db.session.add(
            DailyStudy(learner_id=learner.id, day=local_date(utcnow()), credited_seconds=seconds)
        )
        db.session.commit()


def test_a_brand_new_learner_is_welcomed_with_the_three_most_popular_courses(
    app, client, login_as, make_user, make_course
):
    others = [make_user() for _ in range(3)]
    courses = [make_course(title=f"课程{number}") for number in range(5)]
    for course, learners in zip(courses[:4], (3, 2, 1, 0), strict=True):
        for other in others[:learners]:
            enrol(app, course, other)
    page = home(client, login_as, make_user())
    assert 'id="welcome"' in page
    assert sections_in(page) == {"popular"}
    popular = section(page, "popular")
    assert re.findall(r"课程\d", popular) == ["课程0", "课程1", "课程2"]


def test_without_anything_to_show_a_learner_who_has_enrolled_sees_no_empty_section(
    app, client, login_as, make_user, make_course
):
    learner = make_user()
    enrol(app, make_course(), learner)
    page = home(client, login_as, learner)
    assert 'id="welcome"' not in page
    assert sections_in(page) == set()


def test_continue_learning_resumes_the_lesson_played_last(
    app, client, login_as, make_user, make_course
):
    learner = make_user()
    course = make_course(title="太极拳入门")
    enrol(app, course, learner)
    study(app, learner.id, course.lesson_ids[1], 0.4)
    page = home(client, login_as, learner)
    card = section(page, "continue")
    assert "太极拳入门" in card and "第2课" in card
    assert 'value="40"' in card
    assert f'href="/courses/{course.id}/lessons/{course.lesson_ids[1]}"' in card
    assert 'id="welcome"' not in page


def test_continue_learning_prefers_an_unfinished_lesson_to_one_finished_later(
    app, client, login_as, make_user, make_course
):
    learner = make_user()
    course = make_course(title="太极拳入门", lessons=3)
    enrol(app, course, learner)
    study(app, learner.id, course.lesson_ids[0], 0.3)
    study(app, learner.id, course.lesson_ids[2], 1.0, done=True)
    card = section(home(client, login_as, learner), "continue")
    assert "第1课" in card and 'value="30"' in card


def test_this_weeks_classes_show_time_school_and_check_in_when_open(
    app, client, login_as, make_user, make_town
):
    learner = make_user()
    soon = make_class(app, make_town, starts_in=timedelta(minutes=10), title="书法入门")
    later = make_class(app, make_town, starts_in=timedelta(days=30), title="下月的课")
    sign_up(app, soon, learner)
    sign_up(app, later, learner)
    page = home(client, login_as, learner)
    classes = section(page, "my-week-classes")
    assert "书法入门" in classes and "柯桥社区学校" in classes
    assert "下月的课" not in classes
    assert classes.count(f'href="/classes/{soon.id}"') == 2  # the class, and check in


def test_a_class_whose_check_in_is_not_open_has_no_check_in_link(
    app, client, login_as, make_user, make_town
):
    learner = make_user()
    starts_in = timedelta(hours=2)  # check-in opens 30 minutes before the start
    with app.app_context():
        weeks = {
            local_date(utcnow() + hours).isocalendar()[1] for hours in (timedelta(), starts_in)
        }
    if len(weeks) > 1:
        pytest.skip("a class two hours from now falls in next week")
    later = make_class(app, make_town, starts_in=starts_in)
    sign_up(app, later, learner)
    classes = section(home(client, login_as, learner), "my-week-classes")
    assert classes.count(f'href="/classes/{later.id}"') == 1


def test_training_due_shows_until_the_course_is_completed(
    app, client, login_as, make_user, make_course
):
    learner = make_user()
    course = make_course(title="消防安全", lessons=1)
    enrol(app, course, learner)
    assign_training(app, learner, course)
    due = section(home(client, login_as, learner), "due")
    assert "安全生产培训" in due and "消防安全" in due
    complete_lesson(app, learner.id, course.lesson_ids[0])
    assert "due" not in sections_in(home(client, login_as, learner))


def test_this_week_shows_study_time_and_credits(app, client, login_as, make_user, make_course):
    learner = make_user()
    course = make_course(lessons=1)
    enrol(app, course, learner)
    studied_today(app, learner, 3600 + 25 * 60)
    complete_lesson(app, learner.id, course.lesson_ids[0])
    week = section(home(client, login_as, learner), "this-week")
    assert re.search(r"1\D+25", week)  # 1 小时 25 分钟
    assert re.search(r"<dd>0\.0[0-9]+</dd>|<dd>0\.[1-9]", week)  # the lesson's credits


def test_recommendations_are_in_my_categories_and_leave_out_my_courses(
    app, client, login_as, make_user, make_course
):
    learner = make_user()
    mine = make_course(title="我的书法课")
    same_category = make_course(title="楷书进阶")
    other_category = make_course(title="智能手机")
    for course, name in ((mine, "书法"), (same_category, "书法"), (other_category, "数码")):
        in_category(app, course.id, name)
    enrol(app, mine, learner)
    recommended = section(home(client, login_as, learner), "recommended")
    assert "楷书进阶" in recommended
    assert "我的书法课" not in recommended and "智能手机" not in recommended


def test_another_learners_data_never_shows(
    app, client, login_as, make_user, make_course, make_town
):
    other, learner = make_user(), make_user()
    course = make_course(title="别人的课", lessons=1)
    enrol(app, course, other)
    study(app, other.id, course.lesson_ids[0], 0.5)
    studied_today(app, other, 7200)
    assign_training(app, other, course)
    sign_up(app, make_class(app, make_town, starts_in=timedelta(minutes=10)), other)
    enrol(app, make_course(title="我的课"), learner)
    page = home(client, login_as, learner)
    assert sections_in(page) == set()
    assert {"continue", "my-week-classes", "due", "this-week"} <= sections_in(
        home(client, login_as, other)
    )


def test_staff_keep_their_work_links(app, client, login_as, make_user):
    page = home(client, login_as, make_user("staff"))
    assert 'class="cards"' in page
    with app.test_request_context():
        from flask import url_for

        people = url_for("accounts.people")
    assert f'href="{people}"' in section(page, "shortcuts")
    assert sections_in(page) == set()


def test_the_home_page_reads_a_bounded_number_of_statements(
    app, client, login_as, make_user, make_course, make_town
):
    learner = make_user()
    courses = [make_course(title=f"课程{number}", lessons=3) for number in range(8)]
    for course in courses:
        in_category(app, course.id, "书法")
    for course in courses[:5]:
        enrol(app, course, learner)
        for lesson_id in course.lesson_ids:
            study(app, learner.id, lesson_id, 0.3)
        assign_training(app, learner, course, title=f"培训{course.id}")
    for number in range(4):
        sign_up(app, make_class(app, make_town, starts_in=timedelta(minutes=10 + number)), learner)
    studied_today(app, learner, 5000)
    login_as(learner)
    statements = []
    with app.app_context():
        engine = db.engine

    def count(*_args):
        statements.append(_args[2])

    event.listen(engine, "before_cursor_execute", count)
    try:
        page = client.get("/").get_data(as_text=True)
    finally:
        event.remove(engine, "before_cursor_execute", count)
    assert {"continue", "my-week-classes", "due", "this-week", "recommended"} <= sections_in(page)
    # About 19 today: each section one or two reads (a course's teachers come in one
    # batch per query); a read per course, class or assignment would pass 30.
    assert len(statements) <= 24, statements
