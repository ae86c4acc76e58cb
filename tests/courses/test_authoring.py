import re

from lms.courses.models import Course, Lesson
from lms.extensions import db
from tests.factories import ready_asset


def course_form(**fields):
    form = {
        "title": "家庭急救常识",
        "description": "心肺复苏与止血",
        "category_id": "0",
        "completion_percent": "90",
        "required_sessions": "0",
    }
    form.update(fields)
    return form


def test_a_teacher_creates_edits_and_orders_lessons(app, client, csrf_token, login_as, make_user):
    teacher = make_user("teacher")
    login_as(teacher)
    response = client.post("/teach/courses/new", data=course_form(csrf_token=csrf_token()))
    course_id = int(re.search(r"/teach/courses/(\d+)", response.headers["Location"])[1])
    for title in ("第一课", "第二课"):
        client.post(
            f"/teach/courses/{course_id}/lessons", data={"title": title, "csrf_token": csrf_token()}
        )
    response = client.post(
        f"/teach/courses/{course_id}",
        data=course_form(
            title="家庭急救常识（新版）",
            completion_percent="80",
            forbid_skip="y",
            csrf_token=csrf_token(),
        ),
    )
    assert response.status_code == 302
    with app.app_context():
        course = db.session.get(Course, course_id)
        assert course.title == "家庭急救常识（新版）" and course.status == "draft"
        assert course.completion_threshold == 0.8 and course.forbid_skip
        second = course.lessons[1]
    client.post(
        f"/teach/courses/{course_id}/lessons/{second.id}/move",
        data={"direction": "up", "csrf_token": csrf_token()},
    )
    with app.app_context():
        titles = [lesson.title for lesson in db.session.get(Course, course_id).lessons]
    assert titles == ["第二课", "第一课"]


def test_submitting_needs_a_ready_video_then_the_admin_publishes(
    app, client, csrf_token, login_as, make_user, make_course
):
    course = make_course(status="draft", lessons=0)
    login_as(course.teacher)
    client.post(f"/teach/courses/{course.id}/submit", data={"csrf_token": csrf_token()})
    with app.app_context():
        assert db.session.get(Course, course.id).status == "draft"
        db_course = db.session.get(Course, course.id)
        db_course.lessons.append(Lesson(title="第一课", position=1, asset=ready_asset()))
        db.session.commit()
    client.post(f"/teach/courses/{course.id}/submit", data={"csrf_token": csrf_token()})
    login_as(make_user("admin"))
    assert "长辈学用智能手机" in client.get("/review/").get_data(as_text=True)
    client.post(f"/review/courses/{course.id}/publish", data={"csrf_token": csrf_token()})
    with app.app_context():
        assert db.session.get(Course, course.id).status == "published"


def test_the_admin_returns_a_course_with_a_reason(
    app, client, csrf_token, login_as, make_user, make_course
):
    course = make_course(status="submitted")
    login_as(make_user("admin"))
    client.post(f"/review/courses/{course.id}/return", data={"csrf_token": csrf_token()})
    with app.app_context():
        assert db.session.get(Course, course.id).status == "submitted"  # no reason, no return
    client.post(
        f"/review/courses/{course.id}/return",
        data={"csrf_token": csrf_token(), "reason": "第二课声音太小"},
    )
    login_as(course.teacher)
    page = client.get(f"/teach/courses/{course.id}").get_data(as_text=True)
    assert "第二课声音太小" in page
    with app.app_context():
        assert db.session.get(Course, course.id).status == "draft"


def test_the_admin_takes_a_published_course_down(
    app, client, csrf_token, login_as, make_user, make_course
):
    course = make_course()
    login_as(make_user("admin"))
    client.post(
        f"/review/courses/{course.id}/take-down",
        data={"csrf_token": csrf_token(), "reason": "内容过时"},
    )
    login_as(make_user("learner"))
    assert client.get(f"/courses/{course.id}").status_code == 404


def test_another_teacher_cannot_edit(client, csrf_token, login_as, make_user, make_course):
    course = make_course()
    login_as(make_user("teacher"))
    assert client.get(f"/teach/courses/{course.id}").status_code == 403
    lesson_id = course.lesson_ids[0]
    for path in (
        f"/teach/courses/{course.id}/submit",
        f"/teach/courses/{course.id}/lessons",
        f"/teach/courses/{course.id}/lessons/{lesson_id}/delete",
    ):
        assert client.post(path, data={"csrf_token": csrf_token(), "title": "x"}).status_code == 403
    draft = make_course(status="draft")
    assert client.get(f"/teach/courses/{draft.id}").status_code == 404


def test_a_lesson_of_another_course_is_not_found(client, login_as, make_course):
    first, second = make_course(), make_course()
    login_as(first.teacher)
    url = f"/teach/courses/{first.id}/lessons/{second.lesson_ids[0]}"
    assert client.get(url).status_code == 404


def test_learners_cannot_see_drafts(client, login_as, make_user, make_course):
    draft = make_course(status="draft")
    login_as(make_user("learner"))
    assert client.get(f"/courses/{draft.id}").status_code == 404
    assert client.get(f"/courses/{draft.id}/lessons/{draft.lesson_ids[0]}").status_code == 404
    assert client.get(f"/api/v1/lessons/{draft.lesson_ids[0]}/playlist.m3u8").status_code == 404
    assert client.get("/teach/").status_code == 403


def test_the_admin_edits_categories(app, client, csrf_token, login_as, make_user):
    login_as(make_user("admin"))
    client.post("/categories/", data={"name": "乡村振兴", "csrf_token": csrf_token()})
    assert "乡村振兴" in client.get("/categories/").get_data(as_text=True)
    duplicate = client.post("/categories/", data={"name": "乡村振兴", "csrf_token": csrf_token()})
    assert "分类“乡村振兴”已存在" in duplicate.get_data(as_text=True)
