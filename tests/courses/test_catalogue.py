from lms.courses.models import Enrolment
from lms.extensions import db
from tests.factories import enrol


def test_search_finds_short_chinese_words_in_title_and_description(client, make_course):
    make_course(title="智能手机入门", description="学会微信视频")
    make_course(title="太极拳", description="强身健体")
    make_course(title="手机摄影（草稿）", status="draft")
    page = client.get("/courses/?q=手机").get_data(as_text=True)
    assert "智能手机入门" in page and "太极拳" not in page and "草稿" not in page
    assert "智能手机入门" in client.get("/courses/?q=微信").get_data(as_text=True)


def test_catalogue_filters_by_category(app, client, make_course):
    make_course(title="书法基础", category="文化艺术")
    make_course(title="电工入门", category="职业技能")
    with app.app_context():
        from lms.courses.services import list_categories

        art = next(c.id for c in list_categories() if c.name == "文化艺术")
    page = client.get(f"/courses/?category={art}").get_data(as_text=True)
    assert "书法基础" in page and "电工入门" not in page


def test_catalogue_orders_by_enrolments_and_is_paginated(app, client, make_course, make_user):
    quiet, popular = make_course(title="冷门课"), make_course(title="热门课")
    for _ in range(2):
        enrol(app, popular, make_user("learner"))
    page = client.get("/courses/?order=popular").get_data(as_text=True)
    assert page.index("热门课") < page.index("冷门课")
    app.config["COURSES_PER_PAGE"] = 1
    first = client.get("/courses/?order=popular").get_data(as_text=True)
    second = client.get("/courses/?order=popular&page=2").get_data(as_text=True)
    assert "热门课" in first and "冷门课" not in first and "冷门课" in second
    assert quiet


def test_enrol_leave_and_my_courses(app, client, csrf_token, login_as, make_user, make_course):
    course = make_course(title="八段锦")
    learner = make_user("learner")
    login_as(learner)
    client.post(f"/courses/{course.id}/enrol", data={"csrf_token": csrf_token()})
    assert "八段锦" in client.get("/my/courses").get_data(as_text=True)
    client.post(f"/courses/{course.id}/leave", data={"csrf_token": csrf_token()})
    assert "八段锦" not in client.get("/my/courses").get_data(as_text=True)
    client.post(f"/courses/{course.id}/enrol", data={"csrf_token": csrf_token()})
    with app.app_context():
        rows = db.session.query(Enrolment).filter_by(course_id=course.id).all()
        assert len(rows) == 1 and rows[0].is_active  # leaving kept the row; re-enrolling reused it


def test_a_draft_cannot_be_enrolled_in(client, csrf_token, login_as, make_user, make_course):
    draft = make_course(status="draft")
    login_as(make_user("learner"))
    assert (
        client.post(f"/courses/{draft.id}/enrol", data={"csrf_token": csrf_token()}).status_code
        == 404
    )


def test_course_page_shows_lessons_teacher_and_total_duration(client, make_course):
    course = make_course(lessons=3)  # three lessons of two minutes
    page = client.get(f"/courses/{course.id}").get_data(as_text=True)
    assert "第3课" in page and "6 分钟" in page
