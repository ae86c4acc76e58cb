"""A question's image opens for those who manage the bank, and for a learner only once
that version is put in front of them: in an attempt, a checkpoint or daily practice.
An enrolment alone opens none: the bank holds exam questions no learner has seen yet."""

import io
from dataclasses import replace

import pytest
from PIL import Image

from lms.assessment import practice
from lms.assessment.images import store_question_image
from lms.assessment.models import Question
from lms.assessment.questions import create_question, delete_question, edit_question
from lms.courses.models import Course
from lms.extensions import db
from lms.timeutil import utcnow
from tests.assessment.helpers import SHORT_ANSWER, SINGLE, make_exam
from tests.assessment.test_checkpoints import pin, player_config
from tests.factories import enrol
from tests.web_client import csrf_token_of


def png_bytes() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), "blue").save(buffer, "PNG")
    return buffer.getvalue()


def question_with_image(app, course_id: int, data) -> int:
    with app.app_context():
        course = db.session.get(Course, course_id)
        key = store_question_image(course.id, png_bytes())
        question = create_question(course, replace(data, image_key=key), actor=None)
        db.session.commit()
        return question.id


def current_version_id(app, question_id: int) -> int:
    with app.app_context():
        return db.session.get(Question, question_id).current.id


def image_status(client, version_id: int) -> int:
    return client.get(f"/questions/images/{version_id}.jpg").status_code


@pytest.fixture
def world(app, make_user, make_course, login_as):
    """A published course with an exam over a short answer with an image, and two
    enrolled learners, each logged in on a client of their own."""
    course = make_course(preview_first=True)
    short = question_with_image(app, course.id, SHORT_ANSWER)
    exam = make_exam(app, course.id, [short])
    learners = [make_user("learner"), make_user("learner")]
    for learner in learners:
        enrol(app, course, learner)
    clients = [login_as(learner, on=app.test_client()) for learner in learners]
    return course, short, exam, learners, clients


def test_an_enrolment_alone_opens_no_exam_question_s_image(app, world, make_user, login_as):
    course, short, _, _, (learner, _) = world
    version = current_version_id(app, short)
    assert image_status(learner, version) == 404
    assert image_status(app.test_client(), version) == 404
    assert image_status(login_as(make_user("teacher"), on=app.test_client()), version) == 404
    teacher = login_as(course.teacher, on=app.test_client())
    assert image_status(teacher, version) == 200


def test_an_attempt_opens_the_versions_it_shows_and_keeps_them_after_an_edit(app, world):
    _, short, exam, _, (taker, other) = world
    shown = current_version_id(app, short)
    started = taker.post(
        f"/api/v1/exams/{exam.id}/attempts", headers={"X-CSRFToken": csrf_token_of(taker)}
    )
    assert started.status_code == 201
    assert started.json["questions"][0]["image_url"] == f"/questions/images/{shown}.jpg"
    assert image_status(taker, shown) == 200
    assert image_status(other, shown) == 404
    with app.app_context():  # the teacher edits the used question: a new version
        question = db.session.get(Question, short)
        edit_question(question, replace(SHORT_ANSWER, stem="新题干"), actor=None)
        db.session.commit()
        assert question.current.id != shown and question.current.image_key is None
    assert image_status(taker, shown) == 200  # their attempt still shows it


def test_a_checkpoint_on_a_preview_lesson_shows_its_image_to_a_visitor_who_may_watch(
    app, make_user, make_course, login_as
):
    course = make_course(preview_first=True)
    preview, enrolled_only = course.lesson_ids
    first = question_with_image(app, course.id, SINGLE)
    second = question_with_image(app, course.id, replace(SINGLE, stem="第二题"))
    pin(app, preview, first, 5)
    pin(app, enrolled_only, second, 5)
    visitor = login_as(make_user("learner"), on=app.test_client())  # not enrolled
    config, _ = player_config(visitor, course.id, preview)
    image_url = config["checkpoints"][0]["question"]["image_url"]
    assert visitor.get(image_url).mimetype == "image/jpeg"
    assert image_status(visitor, current_version_id(app, second)) == 404
    with app.app_context():
        delete_question(db.session.get(Question, first), actor=None)
        db.session.commit()
    assert visitor.get(image_url).status_code == 404  # no longer asked


def test_today_s_practice_opens_the_images_of_its_questions(app, world):
    course, short, _, learners, (learner, other) = world
    objective = question_with_image(app, course.id, SINGLE)
    version = current_version_id(app, objective)
    assert image_status(learner, version) == 404
    with app.app_context():
        day = practice.todays_practice(learners[0].id, utcnow())
        db.session.commit()
        assert day.question_ids == [objective]  # the short answer is never practised
    assert image_status(learner, version) == 200
    assert image_status(other, version) == 404
    leaving = learner.post(
        f"/courses/{course.id}/leave", data={"csrf_token": csrf_token_of(learner)}
    )
    assert leaving.status_code == 302
    assert image_status(learner, version) == 404  # no longer in today's practice
