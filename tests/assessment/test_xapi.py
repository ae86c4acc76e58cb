"""xAPI statements of assessment: attempted/completed/passed/failed for exam attempts with
scores, answered (with success) for checkpoint and practice answers; stable ids; valid
under Ralph's statement model."""

from datetime import timedelta

from lms.assessment import practice as practice_service
from lms.assessment.checkpoints import add_checkpoint, answer_checkpoint
from lms.assessment.models import Question
from lms.assessment.presenting import right_answer
from lms.courses.models import Lesson
from lms.extensions import db
from lms.timeutil import utcnow
from lms.xapi.sources import activity_id, records
from tests.assessment.helpers import SINGLE, TRUE_FALSE, correct_answers, make_bank, make_exam
from tests.factories import enrol
from tests.xapi.ralph import RALPH, invalid_under_base_model

VERBS = "http://adlnet.gov/expapi/verbs/"
ASSESSED = {VERBS + verb for verb in ("answered", "attempted", "completed", "failed", "passed")}


def take(client, csrf, app, exam_id, *, right: bool):
    started = client.post(f"/api/v1/exams/{exam_id}/attempts", headers={"X-CSRFToken": csrf})
    attempt_id = started.json["attempt_id"]
    answers = correct_answers(app, attempt_id)
    for question in started.json["questions"]:
        answer = answers[question["id"]]
        if not right:
            answer = not answer
        client.put(
            f"/api/v1/attempts/{attempt_id}/answers/{question['id']}",
            json={"answer": answer},
            headers={"X-CSRFToken": csrf},
        )
    client.post(f"/api/v1/attempts/{attempt_id}/submit", headers={"X-CSRFToken": csrf})
    return attempt_id


def test_statements_for_attempts_checkpoints_and_practice(
    app, client, csrf_token, make_user, make_course, login_as
):
    course = make_course()
    single, true_false = make_bank(app, course.id, (SINGLE, TRUE_FALSE))
    exam = make_exam(app, course.id, question_ids=[true_false], attempts_allowed=2)
    learner = make_user()
    enrol(app, course, learner)
    login_as(learner)
    csrf = csrf_token()
    failed = take(client, csrf, app, exam.id, right=False)
    passed = take(client, csrf, app, exam.id, right=True)
    now = utcnow()
    with app.app_context():
        lesson = db.session.get(Lesson, course.lesson_ids[0])
        checkpoint = add_checkpoint(lesson, single, 5, actor=None)
        answer_checkpoint(checkpoint, learner.id, right_answer(checkpoint.question.current), now)
        day = practice_service.todays_practice(learner.id, now)
        version = db.session.get(Question, true_false).current
        practice_service.answer_practice(day, true_false, not version.answer_key, now)
        db.session.commit()
        everything = [r.statement for r in records() if r.statement["verb"]["id"] in ASSESSED]
        later = [r for r in records(since=now + timedelta(hours=1))]
        again = [r.statement["id"] for r in records() if r.statement["verb"]["id"] in ASSESSED]
        exam_iri = activity_id("exam", exam.id)
        question_iri = activity_id("question", single)
        lesson_iri = activity_id("lesson", course.lesson_ids[0])
    by_verb = {}
    for statement in everything:
        by_verb.setdefault(statement["verb"]["id"].removeprefix(VERBS), []).append(statement)
    assert sorted((verb, len(items)) for verb, items in by_verb.items()) == [
        ("answered", 2),
        ("attempted", 2),
        ("completed", 2),
        ("failed", 1),
        ("passed", 1),
    ]
    assert by_verb["passed"][0]["object"]["id"] == exam_iri
    assert by_verb["passed"][0]["result"]["score"] == {
        "scaled": 1.0,
        "raw": 1.0,
        "min": 0.0,
        "max": 1.0,
    }
    assert by_verb["passed"][0]["result"]["success"] is True
    assert by_verb["failed"][0]["result"]["score"]["raw"] == 0.0
    assert by_verb["failed"][0]["id"] != by_verb["passed"][0]["id"]
    assert len({s["actor"]["account"]["name"] for s in everything}) == 1  # one pseudonym
    checkpoint_answer, practice_answer = by_verb["answered"]
    assert checkpoint_answer["object"]["id"] == question_iri
    assert checkpoint_answer["result"]["success"] is True
    assert {"id": lesson_iri} in checkpoint_answer["context"]["contextActivities"]["parent"]
    assert practice_answer["result"]["success"] is False
    assert later == []
    assert again == [s["id"] for s in everything] and len(set(again)) == len(again)
    assert failed != passed
    if RALPH.exists():  # scripts/setup.sh test installs Ralph beside the project's venv
        assert invalid_under_base_model(everything) == []
