"""Moderation of questions on lessons: blocked words hold a question, learners report,
teachers and the admin hide and restore (audited), the admin edits the blocked words,
posting is rate limited; the asker's words are in my data and go on erasure."""

import io
import json
import zipfile

from sqlalchemy import select

from lms.accounts.audit import AuditEvent
from lms.accounts.models import User
from lms.community.models import LessonQuestion, QuestionReport
from lms.extensions import db
from tests.community.helpers import as_user, ask, lesson_url, only_question


def audit_actions(app) -> list[tuple[str, str]]:
    with app.app_context():
        return [
            (event.action, event.target_id)
            for event in db.session.scalars(select(AuditEvent).order_by(AuditEvent.id))
            if event.action.startswith("question")
        ]


def test_a_blocked_word_holds_the_question_for_review(app, lesson_world):
    ask(app, lesson_world, body="有没有 兼职 刷 单 的群？")  # spaces do not hide a word
    question = only_question(app)
    assert question.state == "held" and "刷单" in question.held_for
    classmate, _ = as_user(app, lesson_world["classmate"])
    assert "兼职" not in classmate.get(lesson_url(lesson_world)).get_data(as_text=True)
    assert classmate.get(f"/questions/{question.id}").status_code == 404
    asker, _ = as_user(app, lesson_world["asker"])
    assert "兼职" in asker.get(lesson_url(lesson_world)).get_data(as_text=True)
    teacher, token = as_user(app, lesson_world["teacher"])
    assert "兼职" in teacher.get("/teaching/questions/moderation").get_data(as_text=True)
    teacher.post(f"/questions/{question.id}/restore", data={"csrf_token": token})
    assert only_question(app).state == "published"
    assert "兼职" in classmate.get(lesson_url(lesson_world)).get_data(as_text=True)
    assert audit_actions(app) == [("question.restored", str(question.id))]


def test_a_report_then_hide_and_restore_are_audited(app, lesson_world):
    ask(app, lesson_world, body="这个课讲得太差了")
    question = only_question(app)
    classmate, token = as_user(app, lesson_world["classmate"])
    for _ in range(2):  # once per learner
        response = classmate.post(
            f"/questions/{question.id}/report", data={"csrf_token": token, "reason": "不友善"}
        )
        assert response.status_code == 302
    with app.app_context():
        assert db.session.scalars(select(QuestionReport)).all()[0].reason == "不友善"
        assert len(db.session.scalars(select(QuestionReport)).all()) == 1
    teacher, token = as_user(app, lesson_world["teacher"])
    queue = teacher.get("/teaching/questions/moderation").get_data(as_text=True)
    assert "这个课讲得太差了" in queue and "不友善" not in queue  # reasons on the question page
    assert "不友善" in teacher.get(f"/questions/{question.id}").get_data(as_text=True)
    teacher.post(f"/questions/{question.id}/hide", data={"csrf_token": token})
    assert only_question(app).state == "hidden"
    assert "这个课讲得太差了" not in classmate.get(lesson_url(lesson_world)).get_data(as_text=True)
    assert "这个课讲得太差了" not in teacher.get("/teaching/questions/moderation").get_data(
        as_text=True
    )  # hiding resolved the report
    admin, admin_token = as_user(app, lesson_world["admin"])
    admin.post(f"/questions/{question.id}/restore", data={"csrf_token": admin_token})
    assert only_question(app).state == "published"
    with app.app_context():
        assert all(r.resolved_at for r in db.session.scalars(select(QuestionReport)))
    assert audit_actions(app) == [
        ("question.hidden", str(question.id)),
        ("question.restored", str(question.id)),
    ]


def test_answers_hidden_and_restored_are_audited(app, lesson_world):
    ask(app, lesson_world)
    question = only_question(app)
    teacher, token = as_user(app, lesson_world["teacher"])
    teacher.post(f"/questions/{question.id}/answers", data={"csrf_token": token, "body": "答复甲"})
    from lms.community.models import QuestionAnswer

    with app.app_context():
        answer_id = db.session.scalars(select(QuestionAnswer.id)).one()
    teacher.post(f"/answers/{answer_id}/hide", data={"csrf_token": token})
    classmate, _ = as_user(app, lesson_world["classmate"])
    assert "答复甲" not in classmate.get(f"/questions/{question.id}").get_data(as_text=True)
    teacher.post(f"/answers/{answer_id}/restore", data={"csrf_token": token})
    assert "答复甲" in classmate.get(f"/questions/{question.id}").get_data(as_text=True)
    assert audit_actions(app) == [
        ("question_answer.hidden", str(answer_id)),
        ("question_answer.restored", str(answer_id)),
    ]


def test_the_admin_edits_the_blocked_words_and_others_may_not(app, lesson_world, tmp_path):
    words_file = tmp_path / "words" / "blocked.txt"
    app.config["LMS_BLOCKED_WORDS_FILE"] = str(words_file)
    teacher, token = as_user(app, lesson_world["teacher"])
    assert teacher.get("/questions/blocked-words").status_code == 403
    response = teacher.post("/questions/blocked-words", data={"csrf_token": token, "words": "菠萝"})
    assert response.status_code == 403 and not words_file.exists()
    admin, token = as_user(app, lesson_world["admin"])
    page = admin.get("/questions/blocked-words").get_data(as_text=True)
    assert "代开发票" in page  # the shipped list until the admin saves one
    response = admin.post(
        "/questions/blocked-words",
        data={"csrf_token": token, "words": "# 水果\n菠萝\n菠萝\n\n Durian \n"},
    )
    assert response.status_code == 302
    assert words_file.read_text(encoding="utf-8") == "# 水果\n菠萝\nDurian\n"
    ask(app, lesson_world, body="ＤＵＲＩＡＮ 怎么吃")  # full width, any case
    assert only_question(app).state == "held"


def test_posting_is_rate_limited_per_learner(app, lesson_world):
    app.config["LMS_QUESTION_LIMIT"] = "2 per hour"
    statuses = [ask(app, lesson_world, body=f"问题{n}").status_code for n in range(3)]
    assert statuses == [302, 302, 429]
    with app.app_context():
        assert len(db.session.scalars(select(LessonQuestion)).all()) == 2
    assert ask(app, lesson_world, user=lesson_world["classmate"]).status_code == 302


def test_an_xss_attempt_is_shown_as_text(app, lesson_world):
    ask(app, lesson_world, body='<script>alert("x")</script><a href="javascript:alert(1)">点</a>')
    classmate, _ = as_user(app, lesson_world["classmate"])
    page = classmate.get(lesson_url(lesson_world)).get_data(as_text=True)
    assert '<script>alert("x")' not in page and 'href="javascript' not in page
    assert "&lt;script&gt;alert(" in page


def test_my_questions_are_in_my_data_and_go_when_i_am_erased(app, lesson_world):
    from lms.accounts import services as accounts

    ask(app, lesson_world, body="张三丰想问第二步", pin_time="y", position="12")
    question = only_question(app)
    classmate, token = as_user(app, lesson_world["classmate"])
    classmate.post(
        f"/questions/{question.id}/report", data={"csrf_token": token, "reason": "李四举报"}
    )
    asker, _ = as_user(app, lesson_world["asker"])
    archive = zipfile.ZipFile(io.BytesIO(asker.get("/account/my-data").data))
    rows = json.loads(archive.read("community-lesson_questions.json"))
    assert rows[0]["question"] == "张三丰想问第二步" and rows[0]["video_seconds"] == 12.0
    with app.app_context():
        admin = db.session.get(User, lesson_world["admin"].id)
        for person in (lesson_world["asker"], lesson_world["classmate"]):
            row = db.session.get(User, person.id)
            accounts.request_deletion(row)
            accounts.erase_account(row, actor=admin)
        db.session.commit()
        erased = db.session.get(LessonQuestion, question.id)
        assert erased.body == "" and erased.position is None
        assert db.session.scalars(select(QuestionReport)).one().reason == ""
    teacher, _ = as_user(app, lesson_world["teacher"])
    page = teacher.get(f"/questions/{question.id}").get_data(as_text=True)
    assert "张三丰" not in page and "张**" not in page
