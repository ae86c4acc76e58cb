"""Ratings: 30% studied first, one per learner and course, hidden comments, quality."""

import pytest
from sqlalchemy import func, select

from lms.community import ratings
from lms.community.models import CourseRating
from lms.community.queries import studied_share
from lms.community.services import CommunityError
from lms.courses.models import Course, Enrolment
from lms.credits.models import CourseCompletion
from lms.extensions import db
from tests.community.helpers import user
from tests.factories import study


def rate(app, course_id, learner_id, stars=4, comment="很好"):
    with app.app_context():
        ratings.rate_course(
            db.session.get(Course, course_id), stars, comment, learner=user(learner_id)
        )
        db.session.commit()


def test_a_rating_before_30_percent_studied_is_refused(app, make_user, make_course):
    learner = make_user()
    course = make_course(lessons=2)  # two lessons of 120 s
    study(app, learner.id, course.lesson_ids[0], 0.5)  # 60 of 240 s: 25%
    with pytest.raises(CommunityError):
        rate(app, course.id, learner.id)
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseRating.id))) == 0
        assert studied_share(db.session.get(Course, course.id), learner.id) == pytest.approx(0.25)
    study(app, learner.id, course.lesson_ids[1], 0.2)  # + 24 s: 35%
    rate(app, course.id, learner.id)


def test_the_studied_share_weighs_lessons_by_duration(app, make_user, make_course):
    from lms.courses.models import Lesson
    from tests.factories import ready_asset

    learner = make_user()
    course = make_course(lessons=2)
    with app.app_context():  # a short first lesson and a long second one
        db.session.get(Lesson, course.lesson_ids[1]).asset = ready_asset(duration=1080.0)
        db.session.commit()
    study(app, learner.id, course.lesson_ids[0], 1.0)  # 120 of 1200 s
    with pytest.raises(CommunityError):
        rate(app, course.id, learner.id)


def test_the_rating_page_refuses_before_30_percent(
    app, client, make_user, make_course, login_as, csrf_token
):
    learner = make_user()
    course = make_course(lessons=1)
    study(app, learner.id, course.lesson_ids[0], 0.1)
    login_as(learner)
    page = client.get(f"/courses/{course.id}/ratings").get_data(as_text=True)
    assert 'id="rating-locked"' in page and 'id="rating-form"' not in page
    client.post(f"/courses/{course.id}/ratings", data={"stars": "5", "csrf_token": csrf_token()})
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseRating.id))) == 0


def test_a_course_s_own_teachers_do_not_rate_it(
    app, client, make_user, make_course, login_as, csrf_token
):
    """Its teachers may study its lessons (they may watch them), but their stars would
    lift its average, its place in "best rated" and its quality flags."""
    from lms.accounts.models import User
    from lms.courses import services

    owner, co_teacher = make_user("teacher"), make_user("teacher")
    course = make_course(owner, lessons=1)
    with app.app_context():
        services.add_teacher(
            db.session.get(Course, course.id),
            db.session.get(User, co_teacher.id),
            actor=db.session.get(User, owner.id),
        )
        db.session.commit()
    for teacher in (owner, co_teacher):
        study(app, teacher.id, course.lesson_ids[0], 1.0)
        with pytest.raises(CommunityError):
            rate(app, course.id, teacher.id)
    login_as(co_teacher)
    page = client.get(f"/courses/{course.id}/ratings").get_data(as_text=True)
    assert 'id="rating-form"' not in page
    client.post(f"/courses/{course.id}/ratings", data={"stars": "5", "csrf_token": csrf_token()})
    with app.app_context():
        assert db.session.scalar(select(func.count(CourseRating.id))) == 0


def test_one_rating_per_learner_and_course_and_it_can_be_edited(
    app, client, make_user, make_course, login_as, csrf_token
):
    learner = make_user()
    course = make_course(lessons=1)
    study(app, learner.id, course.lesson_ids[0], 0.9)
    login_as(learner)
    for stars, comment in ((2, "一般"), (5, "后面讲得很好")):
        response = client.post(
            f"/courses/{course.id}/ratings",
            data={"stars": str(stars), "comment": comment, "csrf_token": csrf_token()},
        )
        assert response.status_code == 302
    with app.app_context():
        rows = db.session.scalars(select(CourseRating)).all()
        assert [(row.learner_id, row.stars, row.comment) for row in rows] == [
            (learner.id, 5, "后面讲得很好")
        ]


def test_the_admin_hides_an_abusive_comment_and_others_cannot(
    app, client, make_user, make_course, login_as, csrf_token
):
    learner, other, admin = make_user(), make_user(), make_user("admin")
    course = make_course(lessons=1)
    study(app, learner.id, course.lesson_ids[0], 1.0)
    rate(app, course.id, learner.id, 1, "骂人的话")
    with app.app_context():
        rating_id = db.session.scalar(select(CourseRating.id))
    for someone in (learner, other, course.teacher):
        login_as(someone)
        response = client.post(f"/ratings/{rating_id}/hide", data={"csrf_token": csrf_token()})
        assert response.status_code == 403
    login_as(admin)
    client.post(f"/ratings/{rating_id}/hide", data={"csrf_token": csrf_token()})
    anonymous = app.test_client()
    page = anonymous.get(f"/courses/{course.id}/ratings").get_data(as_text=True)
    assert "骂人的话" not in page
    assert "★" in page  # the stars still count
    login_as(learner)  # editing keeps it hidden
    client.post(
        f"/courses/{course.id}/ratings",
        data={"stars": "1", "comment": "还是骂人", "csrf_token": csrf_token()},
    )
    assert "还是骂人" not in anonymous.get(f"/courses/{course.id}/ratings").get_data(as_text=True)


def _learners_started(app, make_learners, course, count, *, reach_last=0, complete=0):
    learners = make_learners(count)
    with app.app_context():
        for index, learner in enumerate(learners):
            db.session.add(Enrolment(course_id=course.id, learner_id=learner.id))
            if index < complete:
                db.session.add(CourseCompletion(learner_id=learner.id, course_id=course.id))
        db.session.commit()
    for index, learner in enumerate(learners):
        study(app, learner.id, course.lesson_ids[0], 1.0)
        if index < reach_last and len(course.lesson_ids) > 1:
            study(app, learner.id, course.lesson_ids[-1], 1.0)
    return learners


def test_quality_flags_weak_courses_by_the_stated_rule(app, make_user, make_learners, make_course):
    teacher = make_user("teacher")
    good = make_course(teacher, title="好课", lessons=2)
    dropped = make_course(teacher, title="流失课", lessons=2)
    few = make_course(teacher, title="人少", lessons=2)
    _learners_started(app, make_learners, good, 5, reach_last=5, complete=5)
    _learners_started(app, make_learners, dropped, 5, reach_last=1, complete=1)
    _learners_started(app, make_learners, few, 4, reach_last=0, complete=0)  # too few to judge
    with app.app_context():
        page = ratings.quality_page(teacher_id=teacher.id, order="weak")
        by_title = {row.course.title: row for row in page.items}
        assert page.total == 3
        assert page.items[0].course.title == "流失课"
        assert by_title["流失课"].weak and by_title["流失课"].drop_off == pytest.approx(0.8)
        assert by_title["流失课"].completion_rate == pytest.approx(0.2)
        assert not by_title["好课"].weak and by_title["好课"].completion_rate == 1.0
        assert not by_title["人少"].weak
        assert [row.course.title for row in ratings.quality_page(weak_only=True).items] == [
            "流失课"
        ]


def test_a_low_average_rating_flags_a_course(app, make_learners, make_course):
    course = make_course(lessons=1)
    learners = _learners_started(app, make_learners, course, 5, reach_last=5, complete=5)
    for learner in learners[:3]:
        rate(app, course.id, learner.id, 2)
    with app.app_context():
        row = ratings.quality_page().items[0]
        assert row.average_rating == 2.0 and row.ratings == 3 and row.weak


def test_teachers_see_the_quality_of_their_own_courses_only(
    app, client, make_user, make_course, login_as
):
    mine, theirs = make_user("teacher"), make_user("teacher")
    make_course(mine, title="我的课程甲")
    other = make_course(theirs, title="别人的课程乙")
    login_as(mine)
    page = client.get("/teaching/quality").get_data(as_text=True)
    assert "我的课程甲" in page and "别人的课程乙" not in page
    assert client.get("/quality/").status_code == 403
    other_page = client.get(f"/courses/{other.id}/ratings").get_data(as_text=True)
    assert 'id="reach"' not in other_page  # no drop-off figures for another's course
    login_as(theirs)
    assert 'id="reach"' in client.get(f"/courses/{other.id}/ratings").get_data(as_text=True)


def test_a_draft_course_has_no_public_rating_page(app, client, make_user, make_course, login_as):
    draft = make_course(status="draft")
    assert client.get(f"/courses/{draft.id}/ratings").status_code == 404
    login_as(make_user())
    assert client.get(f"/courses/{draft.id}/ratings").status_code == 404


def test_the_catalogue_orders_courses_best_rated_first(app, client, make_learners, make_course):
    liked = make_course(title="好评如潮的课", lessons=1)
    plain = make_course(title="无人评价的课")  # newer: first in the default order
    learner = make_learners(1)[0]
    study(app, learner.id, liked.lesson_ids[0], 1.0)
    rate(app, liked.id, learner.id, 5)
    newest = client.get("/courses/").get_data(as_text=True)
    assert newest.index("无人评价的课") < newest.index("好评如潮的课")
    page = client.get("/courses/?order=rated").get_data(as_text=True)
    assert page.index("好评如潮的课") < page.index("无人评价的课")
    assert plain.id != liked.id
