"""The exam API, honest and under attack: every cheat the issue lists is refused."""

from datetime import timedelta

import pytest

from lms.assessment.attempts import submit_overdue_attempts
from lms.assessment.models import Attempt, ExamPass, QuestionOption
from lms.assessment.signals import exam_passed
from lms.extensions import db
from lms.tasks.periodic import registered_tasks, run_periodic_task
from lms.timeutil import utcnow
from tests.assessment.helpers import age_attempt, correct_answers, make_bank, make_exam
from tests.factories import enrol


@pytest.fixture
def exam_world(app, make_user, make_course, login_as):
    course = make_course()
    make_bank(app, course.id)
    exam = make_exam(app, course.id)
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    return exam, learner, course


def start(client, csrf, exam_id):
    return client.post(f"/api/v1/exams/{exam_id}/attempts", headers={"X-CSRFToken": csrf})


def put(client, csrf, attempt_id, question_id, answer):
    return client.put(
        f"/api/v1/attempts/{attempt_id}/answers/{question_id}",
        json={"answer": answer},
        headers={"X-CSRFToken": csrf},
    )


def submit(client, csrf, attempt_id):
    return client.post(f"/api/v1/attempts/{attempt_id}/submit", headers={"X-CSRFToken": csrf})


def test_a_learner_takes_an_exam_and_resumes_with_saved_answers(
    app, client, csrf_token, exam_world
):
    exam, learner, _ = exam_world
    csrf = csrf_token()
    first = start(client, csrf, exam.id)
    assert first.status_code == 201
    body = first.json
    assert {q["type"] for q in body["questions"]} == {
        "single",
        "multiple",
        "true_false",
        "fill_blank",
        "short_answer",
    }
    assert body["answers"] == {} and 29 * 60 < body["remaining_seconds"] <= 30 * 60
    single = next(q for q in body["questions"] if q["type"] == "single")
    saved = put(client, csrf, body["attempt_id"], single["id"], [single["options"][0]["id"]])
    assert saved.status_code == 200 and saved.json["remaining_seconds"] <= 30 * 60
    again = start(client, csrf, exam.id)
    assert again.status_code == 200
    assert again.json["attempt_id"] == body["attempt_id"]
    assert again.json["answers"] == {str(single["id"]): [single["options"][0]["id"]]}
    assert [q["id"] for q in again.json["questions"]] == [q["id"] for q in body["questions"]]


def test_right_answers_pass_once_and_the_signal_is_sent_once(app, client, csrf_token, exam_world):
    exam, learner, _ = exam_world
    csrf = csrf_token()
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    exam_passed.connect(receiver)
    try:
        for _attempt in range(2):
            body = start(client, csrf, exam.id).json
            for question_id, answer in correct_answers(app, body["attempt_id"]).items():
                if isinstance(answer, str):
                    answer = "不轻信陌生来电"
                assert put(client, csrf, body["attempt_id"], question_id, answer).status_code == 200
            result = submit(client, csrf, body["attempt_id"]).json
            # the short answer waits for a teacher
            assert result == {
                "score": 9.0,
                "max_score": 14.0,
                "percent": pytest.approx(64.29),
                "passed": None,
                "pending_grading": True,
            }
            assert submit(client, csrf, body["attempt_id"]).json == result
    finally:
        exam_passed.disconnect(receiver)
    assert received == []  # not final before the teacher grades


def test_an_exam_without_short_answers_passes_at_submission_once(
    app, client, csrf_token, make_user, make_course, login_as
):
    course = make_course()
    from tests.assessment.helpers import FILL_BLANK, SINGLE, TRUE_FALSE

    make_bank(app, course.id, (SINGLE, TRUE_FALSE, FILL_BLANK))
    exam = make_exam(app, course.id, attempts_allowed=3)
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    csrf = csrf_token()
    received = []
    exam_passed.connect(lambda sender, **kw: received.append(kw), weak=False)
    try:
        for _attempt in range(2):
            body = start(client, csrf, exam.id).json
            for question_id, answer in correct_answers(app, body["attempt_id"]).items():
                put(client, csrf, body["attempt_id"], question_id, answer)
            result = submit(client, csrf, body["attempt_id"]).json
            assert result["passed"] is True and result["percent"] == 100.0
    finally:
        exam_passed.receivers.clear()
    assert received == [
        {"learner_id": learner.id, "exam_id": exam.id, "course_id": course.id, "percent": 100.0}
    ]
    with app.app_context():
        assert db.session.query(ExamPass).count() == 1


def test_saves_after_submit_or_deadline_are_refused(app, client, csrf_token, exam_world):
    exam, _, _ = exam_world
    csrf = csrf_token()
    body = start(client, csrf, exam.id).json
    question = body["questions"][0]
    answer = [question["options"][0]["id"]] if question["options"] else True
    age_attempt(app, body["attempt_id"], 31)
    late = put(client, csrf, body["attempt_id"], question["id"], answer)
    assert late.status_code == 409 and late.json["error"] == "closed"
    with app.app_context():
        attempt = db.session.get(Attempt, body["attempt_id"])
        assert attempt.state != "open" and attempt.submitted_by == "deadline"
    second = start(client, csrf, exam.id).json
    submit(client, csrf, second["attempt_id"])
    after = put(client, csrf, second["attempt_id"], question["id"], answer)
    assert after.status_code == 409 and after.json["error"] == "closed"
    # two attempts allowed, both used
    assert start(client, csrf, exam.id).status_code == 403


def test_before_the_exam_opens_it_cannot_be_started(
    app, client, csrf_token, make_user, make_course, login_as
):
    course = make_course()
    make_bank(app, course.id)
    exam = make_exam(app, course.id, opens_at=utcnow() + timedelta(hours=1))
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    refused = start(client, csrf_token(), exam.id)
    assert refused.status_code == 403 and refused.json["error"] == "closed"


def test_the_deadline_is_cut_at_the_closing_time(
    app, client, csrf_token, make_user, make_course, login_as
):
    course = make_course()
    make_bank(app, course.id)
    exam = make_exam(app, course.id, closes_at=utcnow() + timedelta(minutes=5))
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    body = start(client, csrf_token(), exam.id).json
    assert body["remaining_seconds"] <= 5 * 60


def test_anonymous_outsiders_and_other_learners_are_refused(
    app, client, csrf_token, exam_world, make_user, login_as
):
    exam, _, _ = exam_world
    csrf = csrf_token()
    body = start(client, csrf, exam.id).json
    question = body["questions"][0]
    stranger = make_user("learner")  # not enrolled
    login_as(stranger)
    csrf = csrf_token()
    assert start(client, csrf, exam.id).status_code == 403
    assert put(client, csrf, body["attempt_id"], question["id"], True).status_code == 404
    assert submit(client, csrf, body["attempt_id"]).status_code == 404
    client.post("/logout", headers={"X-CSRFToken": csrf})
    anonymous = app.test_client()
    assert anonymous.post(f"/api/v1/exams/{exam.id}/attempts").status_code in (400, 401)
    assert (
        anonymous.post(
            f"/api/v1/exams/{exam.id}/attempts", headers={"X-CSRFToken": csrf_token(anonymous)}
        ).status_code
        == 401
    )


def test_option_ids_of_another_question_and_wrong_shapes_are_400(
    app, client, csrf_token, exam_world
):
    exam, _, _ = exam_world
    csrf = csrf_token()
    body = start(client, csrf, exam.id).json
    by_type = {q["type"]: q for q in body["questions"]}
    single, multiple = by_type["single"], by_type["multiple"]
    foreign = multiple["options"][0]["id"]
    attempt_id = body["attempt_id"]
    assert put(client, csrf, attempt_id, single["id"], [foreign]).status_code == 400
    with app.app_context():
        unrelated = (
            db.session.query(QuestionOption.id).order_by(QuestionOption.id.desc()).first()[0]
        )
    assert put(client, csrf, attempt_id, multiple["id"], [unrelated + 1000]).status_code == 400
    for question, answer in (
        (single, [single["options"][0]["id"], single["options"][1]["id"]]),
        (single, "A"),
        (by_type["true_false"], "true"),
        (by_type["fill_blank"], ["北京"]),
        (by_type["fill_blank"], "北京"),
        (by_type["short_answer"], ["x"]),
        (multiple, [True]),
    ):
        assert put(client, csrf, attempt_id, question["id"], answer).status_code == 400
    assert put(client, csrf, attempt_id, 999999, True).status_code == 404
    no_body = client.put(
        f"/api/v1/attempts/{attempt_id}/answers/{single['id']}",
        data="[]",
        content_type="application/json",
        headers={"X-CSRFToken": csrf},
    )
    assert no_body.status_code == 400


def test_no_response_of_an_open_attempt_reveals_the_key(app, client, csrf_token, exam_world):
    exam, _, _ = exam_world
    csrf = csrf_token()
    responses = [start(client, csrf, exam.id)]
    body = responses[0].json
    for question in body["questions"]:
        answer = [question["options"][0]["id"]] if question["options"] else None
        if question["type"] == "true_false":
            answer = False
        if question["type"] == "fill_blank":
            answer = ["x"] * question["blanks"]
        if question["type"] == "short_answer":
            answer = "x"
        responses.append(put(client, csrf, body["attempt_id"], question["id"], answer))
    responses.append(start(client, csrf, exam.id))
    key = correct_answers(app, body["attempt_id"])
    secrets = set()
    for answer in key.values():
        secrets.update(answer if isinstance(answer, list) else [answer])
    # Every field is one of these; none of them says which answer is right.
    allowed = {
        "attempt_id",
        "deadline",
        "remaining_seconds",
        "questions",
        "answers",
        "id",
        "type",
        "stem",
        "points",
        "options",
        "text",
        "blanks",
        "image_url",
        "saved_at",
    }
    for response in responses:
        assert set(_keys(response.json)) <= allowed, response.json
        for field, value in _fields(response.json):
            # option ids and texts are shown (they must be) with nothing that marks them;
            # the answers echo what the learner sent
            if field in ("id", "text", "stem", "attempt_id") or field.isdigit():
                continue
            for secret in secrets:
                if isinstance(secret, str):
                    assert secret not in str(value), (field, value)
                elif field not in ("points", "blanks", "remaining_seconds"):
                    assert value != secret or isinstance(value, bool), (field, value)
    # the right option's text is in the options (it must be shown) but nothing marks it
    single = next(q for q in body["questions"] if q["type"] == "single")
    assert all(set(option) == {"id", "text"} for option in single["options"])


def _keys(value):
    if isinstance(value, dict):
        for key, item in value.items():
            if not key.isdigit():  # the answers are keyed by question id
                yield key
            yield from _keys(item)
    elif isinstance(value, list):
        for item in value:
            yield from _keys(item)


def _fields(value, name=None):
    if isinstance(value, dict):
        for key, item in value.items():
            yield from _fields(item, key)
    elif isinstance(value, list):
        for item in value:
            yield from _fields(item, name)
    else:
        yield name, value


def test_the_periodic_task_submits_overdue_attempts_with_what_was_saved(
    app, client, csrf_token, exam_world
):
    exam, _, _ = exam_world
    csrf = csrf_token()
    body = start(client, csrf, exam.id).json
    key = correct_answers(app, body["attempt_id"])
    single = next(q for q in body["questions"] if q["type"] == "single")
    put(client, csrf, body["attempt_id"], single["id"], key[single["id"]])
    age_attempt(app, body["attempt_id"], 40)
    assert "assessment.submit_overdue_attempts" in {task.name for task in registered_tasks()}
    with app.app_context():
        assert run_periodic_task("assessment.submit_overdue_attempts") == 1
        assert submit_overdue_attempts(utcnow()) == 0  # safe to run twice
        attempt = db.session.get(Attempt, body["attempt_id"])
        assert attempt.submitted_by == "deadline" and attempt.score == 2.0


def test_answers_and_submits_before_any_start_are_404(client, csrf_token, exam_world):
    csrf = csrf_token()
    assert put(client, csrf, 424242, 1, True).status_code == 404
    assert submit(client, csrf, 424242).status_code == 404
    assert client.put("/api/v1/attempts/424242/answers/1", json={"answer": True}).status_code in (
        400,
        404,
    )  # without the CSRF header: refused either way
