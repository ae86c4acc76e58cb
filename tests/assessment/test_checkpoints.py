"""In-video checkpoints: a teacher pins questions to a lesson's video; the player gets
the unanswered ones without their keys; an answer is taken once, with its feedback and
the ``checkpoints_answered`` share; every cheat is refused like the exam API's."""

import json

import pytest

from lms.assessment.checkpoints import add_checkpoint
from lms.assessment.models import Checkpoint, CheckpointAnswer, Question
from lms.assessment.signals import checkpoints_answered
from lms.courses.models import Lesson
from lms.extensions import db
from lms.timeutil import utcnow
from tests.assessment.helpers import FILL_BLANK, SHORT_ANSWER, SINGLE, TRUE_FALSE, make_bank
from tests.factories import enrol


def pin(app, lesson_id, question_id, at):
    with app.app_context():
        lesson = db.session.get(Lesson, lesson_id)
        checkpoint = add_checkpoint(lesson, question_id, at, actor=None)
        db.session.commit()
        return checkpoint.id


@pytest.fixture
def lesson_world(app, make_user, make_course, login_as):
    course = make_course()
    single, true_false, blank = make_bank(app, course.id, (SINGLE, TRUE_FALSE, FILL_BLANK))
    lesson_id = course.lesson_ids[0]
    ids = [pin(app, lesson_id, qid, at) for qid, at in ((single, 10), (true_false, 30))]
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    return dict(
        course=course,
        lesson_id=lesson_id,
        checkpoints=ids,
        learner=learner,
        questions=dict(single=single, true_false=true_false, blank=blank),
    )


def answer(client, csrf, checkpoint_id, value):
    return client.post(
        f"/api/v1/checkpoints/{checkpoint_id}/answers",
        json={"answer": value},
        headers={"X-CSRFToken": csrf},
    )


def player_config(client, course_id, lesson_id):
    page = client.get(f"/courses/{course_id}/lessons/{lesson_id}").get_data(as_text=True)
    block = page.split('id="page-config">', 1)[1].split("</script>", 1)[0]
    return json.loads(block).get("checkpoints"), page


def correct_option(app, question_id):
    with app.app_context():
        version = db.session.get(Question, question_id).current
        return next(o.id for o in version.options if o.is_correct), [
            o.text for o in version.options if o.is_correct
        ]


def test_the_player_gets_unanswered_checkpoints_without_any_key(app, client, lesson_world):
    world = lesson_world
    config, page = player_config(client, world["course"].id, world["lesson_id"])
    assert "js/assessment/checkpoints.js" in page
    assert [c["id"] for c in config["checkpoints"]] == world["checkpoints"]
    assert [c["at"] for c in config["checkpoints"]] == [10.0, 30.0]
    text = json.dumps(config)
    right_id, _ = correct_option(app, world["questions"]["single"])
    for forbidden in ("is_correct", "right_answer", "explanation", "answer_key", "柯桥区是绍兴市"):
        assert forbidden not in text
    question = config["checkpoints"][0]["question"]
    assert set(question) == {"id", "type", "stem", "points", "options", "blanks", "image_url"}
    assert all(set(option) == {"id", "text"} for option in question["options"])
    assert right_id in [o["id"] for o in question["options"]]


def test_an_answer_is_graded_once_with_feedback_and_not_asked_again(
    app, client, csrf_token, lesson_world
):
    world = lesson_world
    received = []

    def receiver(sender, **kwargs):
        received.append(kwargs)

    checkpoints_answered.connect(receiver)
    try:
        csrf = csrf_token()
        right_id, _ = correct_option(app, world["questions"]["single"])
        first = answer(client, csrf, world["checkpoints"][0], [right_id])
        assert first.status_code == 201
        assert first.json["correct"] is True and first.json["score"] == 2
        assert first.json["right_answer"] == [right_id]
        assert first.json["explanation"] == "柯桥区是绍兴市的一个区。"
        assert first.json["share"] == 0.5
        again = answer(client, csrf, world["checkpoints"][0], [right_id])
        assert again.status_code == 409 and again.json["error"] == "answered"
        wrong = answer(client, csrf, world["checkpoints"][1], False)
        assert wrong.status_code == 201 and wrong.json["correct"] is False
        assert wrong.json["right_answer"] is True
    finally:
        checkpoints_answered.disconnect(receiver)
    learner_id = world["learner"].id
    assert received == [
        {"learner_id": learner_id, "lesson_id": world["lesson_id"], "share": 0.5},
        {"learner_id": learner_id, "lesson_id": world["lesson_id"], "share": 1.0},
    ]
    # Replay: nothing left to ask, so the player's script stays out.
    config, page = player_config(client, world["course"].id, world["lesson_id"])
    assert config is None and "checkpoints.js" not in page
    with app.app_context():
        rows = db.session.scalars(db.select(CheckpointAnswer)).all()
        assert [(r.learner_id, r.correct) for r in rows] == [
            (learner_id, True),
            (learner_id, False),
        ]


def test_cheats_are_refused(app, client, csrf_token, lesson_world, make_course):
    world = lesson_world
    csrf = csrf_token()
    first = world["checkpoints"][0]
    # wrong shapes, an option that is no one's, nothing at all
    for body in ({"answer": True}, {"answer": ["x"]}, {"answer": [999999]}, {"nope": 1}):
        response = client.post(
            f"/api/v1/checkpoints/{first}/answers", json=body, headers={"X-CSRFToken": csrf}
        )
        assert response.status_code == 400, body
        assert set(response.json) == {"error", "message"}
    assert answer(client, csrf, 999999, [1]).status_code == 404  # unknown checkpoint
    # no CSRF header
    response = client.post(f"/api/v1/checkpoints/{first}/answers", json={"answer": [1]})
    assert response.status_code in (400, 403)
    # a checkpoint of a course the learner is not enrolled in
    other_course = make_course(title="别的课")
    (other_question,) = make_bank(app, other_course.id, (SINGLE,))
    other_checkpoint = pin(app, other_course.lesson_ids[0], other_question, 5)
    right_there, _ = correct_option(app, other_question)
    response = answer(client, csrf, other_checkpoint, [right_there])
    assert response.status_code == 404 and set(response.json) == {"error", "message"}
    # the other question's (right) option on our checkpoint
    assert answer(client, csrf, first, [right_there]).status_code == 400
    # a checkpoint whose question was deleted from the bank is not asked
    with app.app_context():
        db.session.get(Question, world["questions"]["true_false"]).deleted_at = utcnow()
        db.session.commit()
    assert answer(client, csrf, world["checkpoints"][1], True).status_code == 404
    config, _page = player_config(client, world["course"].id, world["lesson_id"])
    assert [c["id"] for c in config["checkpoints"]] == [first]
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(CheckpointAnswer.id))) == 0


def test_anonymous_gets_401_with_a_csrf_token(app, lesson_world, csrf_token):
    anonymous = app.test_client()
    token = csrf_token(on=anonymous)
    response = anonymous.post(
        f"/api/v1/checkpoints/{lesson_world['checkpoints'][0]}/answers",
        json={"answer": [1]},
        headers={"X-CSRFToken": token},
    )
    assert response.status_code == 401 and response.json["error"] == "unauthenticated"


def test_teachers_pin_and_unpin_and_others_cannot(
    app, client, csrf_token, make_user, make_course, login_as
):
    course = make_course()
    single, short = make_bank(app, course.id, (SINGLE, SHORT_ANSWER))
    lesson_id = course.lesson_ids[0]
    teacher_client = app.test_client()
    login_as(course.teacher, on=teacher_client)
    token = csrf_token(on=teacher_client)
    lesson_page = teacher_client.get(f"/teach/courses/{course.id}/lessons/{lesson_id}")
    assert f"/teach/lessons/{lesson_id}/checkpoints" in lesson_page.get_data(as_text=True)
    page = teacher_client.get(f"/teach/lessons/{lesson_id}/checkpoints")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert SINGLE.stem[:8] in text and SHORT_ANSWER.stem[:8] not in text
    added = teacher_client.post(
        f"/teach/lessons/{lesson_id}/checkpoints",
        data={"csrf_token": token, "question_id": single, "at": "1:05"},
    )
    assert added.status_code == 302
    refused = teacher_client.post(
        f"/teach/lessons/{lesson_id}/checkpoints",
        data={"csrf_token": token, "question_id": short, "at": "0:10"},
        follow_redirects=True,
    )
    assert "短答" in refused.get_data(as_text=True) or refused.status_code == 200
    beyond = teacher_client.post(
        f"/teach/lessons/{lesson_id}/checkpoints",
        data={"csrf_token": token, "question_id": single, "at": "99:00"},
    )
    assert beyond.status_code == 200
    with app.app_context():
        checkpoints = db.session.scalars(db.select(Checkpoint)).all()
        assert [(c.question_id, c.at_seconds) for c in checkpoints] == [(single, 65.0)]
        checkpoint_id = checkpoints[0].id
    # another teacher and a learner: 404/403, nothing changes
    for role in ("teacher", "learner"):
        outsider = app.test_client()
        login_as(make_user(role), on=outsider)
        outsider_token = csrf_token(on=outsider)
        assert outsider.get(f"/teach/lessons/{lesson_id}/checkpoints").status_code in (403, 404)
        response = outsider.post(
            f"/teach/checkpoints/{checkpoint_id}/delete", data={"csrf_token": outsider_token}
        )
        assert response.status_code in (403, 404)
    removed = teacher_client.post(
        f"/teach/checkpoints/{checkpoint_id}/delete", data={"csrf_token": token}
    )
    assert removed.status_code == 302
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Checkpoint.id))) == 0
