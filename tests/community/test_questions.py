"""Questions on lessons (课程问答): asking, seeing, "我也想知道", teachers' answers and
notifications, who may do what, the teachers' figures and the dashboard's answer rate."""

from datetime import timedelta

from sqlalchemy import select

from lms.community.models import LessonQuestion, Notification, QuestionAnswer
from lms.extensions import db
from tests.community.helpers import as_user, ask, lesson_url, only_question
from tests.factories import enrol


def test_an_enrolled_learner_asks_at_a_moment_and_classmates_see_the_surname_only(
    app, lesson_world
):
    response = ask(app, lesson_world, pin_time="y", position="83.5")
    assert response.status_code == 302 and "#question-" in response.location
    question = only_question(app)
    assert question.state == "published" and question.position == 83.5
    client, _ = as_user(app, lesson_world["classmate"])
    page = client.get(lesson_url(lesson_world)).get_data(as_text=True)
    assert "第二步怎么设置？" in page and "张**" in page and "张三丰" not in page
    assert 'data-seek="83.5"' in page and "1:23" in page
    assert 'src="/static/js/questions.js"' in page


def test_a_question_without_the_pin_has_no_time(app, lesson_world):
    ask(app, lesson_world, position="30")  # the box is not ticked
    assert only_question(app).position is None


def test_a_learner_not_enrolled_cannot_ask(app, lesson_world):
    response = ask(app, lesson_world, user=lesson_world["outsider"])
    assert response.status_code in (403, 404)
    with app.app_context():
        assert db.session.scalars(select(LessonQuestion)).all() == []


def test_the_teacher_answers_and_the_asker_is_notified_once(app, lesson_world):
    ask(app, lesson_world)
    question = only_question(app)
    teacher, token = as_user(app, lesson_world["teacher"])
    queue = teacher.get("/teaching/questions").get_data(as_text=True)
    assert "第二步怎么设置？" in queue
    for body in ("点开设置，再点网络。", "补充：也可以下拉菜单。"):
        response = teacher.post(
            f"/questions/{question.id}/answers", data={"csrf_token": token, "body": body}
        )
        assert response.status_code == 302
    assert "第二步怎么设置？" not in teacher.get("/teaching/questions").get_data(as_text=True)
    with app.app_context():
        notes = db.session.scalars(select(Notification)).all()
        assert [(n.learner_id, n.kind, n.object_id) for n in notes] == [
            (lesson_world["asker"].id, "question_answered", question.id)
        ]
        assert db.session.get(LessonQuestion, question.id).answered_at is not None
    asker, _ = as_user(app, lesson_world["asker"])
    notices = asker.get("/notifications/").get_data(as_text=True)
    assert "第1课" in notices
    page = asker.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "点开设置，再点网络。" in page and "teacher-badge" in page


def test_only_the_course_teachers_answer_edit_and_hide(app, lesson_world):
    ask(app, lesson_world)
    question = only_question(app)
    teacher, teacher_token = as_user(app, lesson_world["teacher"])
    teacher.post(
        f"/questions/{question.id}/answers", data={"csrf_token": teacher_token, "body": "答"}
    )
    with app.app_context():
        answer_id = db.session.scalars(select(QuestionAnswer.id)).one()
    attempts = {
        f"/questions/{question.id}/answers": {"body": "我来答"},
        f"/questions/{question.id}/hide": {},
        f"/questions/{question.id}/restore": {},
        f"/answers/{answer_id}/edit": {"body": "改掉"},
        f"/answers/{answer_id}/hide": {},
    }
    # A classmate reads the question (403); a teacher of another course and a learner of
    # another course do not (404).
    for who, expected in (("classmate", 403), ("other_teacher", 404), ("outsider", 404)):
        client, token = as_user(app, lesson_world[who])
        for url, data in attempts.items():
            response = client.post(url, data={"csrf_token": token, **data})
            assert response.status_code == expected, (who, url)
        assert client.get(f"/answers/{answer_id}/edit").status_code == expected
    with app.app_context():
        assert db.session.get(LessonQuestion, question.id).state == "published"
        assert db.session.get(QuestionAnswer, answer_id).body == "答"
    # The teacher edits their answer.
    response = teacher.post(
        f"/answers/{answer_id}/edit", data={"csrf_token": teacher_token, "body": "新"}
    )
    assert response.status_code == 302
    with app.app_context():
        answer = db.session.get(QuestionAnswer, answer_id)
        assert answer.body == "新" and answer.edited_at is not None


def test_me_too_counts_once_per_learner_and_toggles(app, lesson_world, make_user):
    ask(app, lesson_world)
    question = only_question(app)
    third = make_user()
    enrol(app, lesson_world["course"], third)
    for user in (lesson_world["classmate"], third, lesson_world["classmate"]):
        client, token = as_user(app, user)
        response = client.post(f"/questions/{question.id}/me-too", data={"csrf_token": token})
        assert response.status_code == 302
    assert only_question(app).me_too_count == 1  # the classmate took theirs back
    client, token = as_user(app, lesson_world["asker"])  # not on one's own question
    client.post(f"/questions/{question.id}/me-too", data={"csrf_token": token})
    assert only_question(app).me_too_count == 1
    client, token = as_user(app, lesson_world["outsider"])
    response = client.post(f"/questions/{question.id}/me-too", data={"csrf_token": token})
    assert response.status_code == 404


def test_questions_on_a_lesson_are_paginated(app, lesson_world):
    from lms.community import questions
    from lms.courses.models import Lesson
    from tests.community.helpers import user

    with app.app_context():
        lesson = db.session.get(Lesson, lesson_world["lesson_id"])
        for number in range(12):
            questions.ask_question(
                lesson, f"问题编号{number:02d}", learner=user(lesson_world["asker"].id)
            )
        db.session.commit()
    client, _ = as_user(app, lesson_world["classmate"])
    first = client.get(lesson_url(lesson_world)).get_data(as_text=True)
    second = client.get(lesson_url(lesson_world) + "?page=2").get_data(as_text=True)
    assert "问题编号11" in first and "问题编号00" not in first
    assert "问题编号00" in second and "问题编号11" not in second


def test_the_teacher_sees_unanswered_and_median_time_and_the_dashboard_the_answer_rate(
    app, lesson_world
):
    ask(app, lesson_world, body="问一")
    ask(app, lesson_world, body="问二")
    with app.app_context():
        first, _second = db.session.scalars(select(LessonQuestion).order_by(LessonQuestion.id))
        first.answered_at = first.created_at + timedelta(hours=3)
        db.session.commit()
    teacher, _ = as_user(app, lesson_world["teacher"])
    page = teacher.get(f"/teach/courses/{lesson_world['course'].id}").get_data(as_text=True)
    assert 'id="course-summaries"' in page
    summary = page.split('id="course-summaries"')[1].split("</dl>")[0]
    assert "<dd><a" in summary and ">1</a>" in summary and "3.0" in summary
    admin, _ = as_user(app, lesson_world["admin"])
    dashboard = admin.get("/reports/").get_data(as_text=True)
    table = dashboard.split('id="course-table-community-answer_rate"')[1].split("</table>")[0]
    assert "长辈学用智能手机" in table and "50.0" in table


def test_render_post_keeps_text_plain_and_links_safe():
    from lms.community.moderation import render_post

    html = str(
        render_post(
            '<script>alert(1)</script> 看 https://example.org/a?b=1&c=2"onmouseover=x，谢谢\n'
            "javascript:alert(1) <img src=x onerror=alert(1)> http://x.org/p."
        )
    )
    assert "<script" not in html and "<img" not in html
    assert "&lt;script&gt;" in html and "&lt;img" in html
    assert (
        '<a href="https://example.org/a?b=1&amp;c=2" rel="nofollow noopener ugc" '
        'target="_blank">https://example.org/a?b=1&amp;c=2</a>&#34;onmouseover=x，谢谢' in html
    )
    assert 'href="javascript' not in html and "<br>" in html
    assert '<a href="http://x.org/p" rel="nofollow noopener ugc" target="_blank">' in html
