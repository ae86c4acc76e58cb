"""An open attempt goes on only while its learner may take the exam: after leaving the
course, or its take-down, its saves and submission are refused and nothing is passed."""

import pytest

from lms.assessment.models import ExamPass
from lms.courses.models import Course
from lms.extensions import db
from tests.assessment.helpers import (
    FILL_BLANK,
    SINGLE,
    TRUE_FALSE,
    correct_answers,
    make_bank,
    make_exam,
)
from tests.factories import enrol


@pytest.fixture
def taking(app, client, make_user, make_course, login_as, csrf_token):
    """A learner enrolled in a published course, their attempt at an exam they can pass
    at once (no short answer) started."""
    course = make_course()
    make_bank(app, course.id, (SINGLE, TRUE_FALSE, FILL_BLANK))
    exam = make_exam(app, course.id, attempts_allowed=3)
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    csrf = csrf_token()
    started = client.post(f"/api/v1/exams/{exam.id}/attempts", headers={"X-CSRFToken": csrf})
    assert started.status_code == 201
    return course, exam, learner, csrf, started.json["attempt_id"]


def answer_everything_and_submit(app, client, csrf, attempt_id):
    saves = [
        client.put(
            f"/api/v1/attempts/{attempt_id}/answers/{question_id}",
            json={"answer": answer},
            headers={"X-CSRFToken": csrf},
        ).status_code
        for question_id, answer in correct_answers(app, attempt_id).items()
    ]
    submitted = client.post(f"/api/v1/attempts/{attempt_id}/submit", headers={"X-CSRFToken": csrf})
    return saves, submitted.status_code


def passes(app, learner_id) -> list:
    with app.app_context():
        return db.session.scalars(db.select(ExamPass).filter_by(learner_id=learner_id)).all()


def test_a_learner_who_left_the_course_cannot_go_on_with_an_open_attempt(app, client, taking):
    course, _, learner, csrf, attempt_id = taking
    assert client.post(f"/courses/{course.id}/leave", data={"csrf_token": csrf}).status_code == 302
    saves, submitted = answer_everything_and_submit(app, client, csrf, attempt_id)
    assert (saves, submitted) == ([403] * 3, 403)
    assert passes(app, learner.id) == []


def test_an_open_attempt_of_a_course_taken_down_cannot_be_passed(app, client, taking):
    course, _, learner, csrf, attempt_id = taking
    with app.app_context():
        db.session.get(Course, course.id).status = "taken_down"
        db.session.commit()
    saves, submitted = answer_everything_and_submit(app, client, csrf, attempt_id)
    assert (saves, submitted) == ([404] * 3, 404)
    assert passes(app, learner.id) == []


def test_an_enrolled_learner_goes_on_and_a_submitted_attempt_answers_its_result_again(
    app, client, taking
):
    course, _, learner, csrf, attempt_id = taking
    saves, submitted = answer_everything_and_submit(app, client, csrf, attempt_id)
    assert (saves, submitted) == ([200] * 3, 200)
    assert len(passes(app, learner.id)) == 1
    client.post(f"/courses/{course.id}/leave", data={"csrf_token": csrf})
    again = client.post(f"/api/v1/attempts/{attempt_id}/submit", headers={"X-CSRFToken": csrf})
    assert again.status_code == 200 and again.json["passed"] is True
