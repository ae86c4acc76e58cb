"""Daily practice (每日一练): what is drawn (enrolled, published, not right in the last 30
days, no short answers, five a day), one answer each with feedback, the streak across the
district's days, the page and the API's refusals; practice never touches an exam."""

import json
from datetime import UTC, datetime, timedelta

import pytest

from lms.assessment import practice as practice_service
from lms.assessment.models import Attempt, PracticeAnswer, PracticeDay, Question
from lms.assessment.presenting import right_answer
from lms.assessment.questions import delete_question
from lms.courses import services as courses
from lms.courses.models import Course
from lms.extensions import db
from tests.assessment.helpers import (
    FILL_BLANK,
    MULTIPLE,
    SHORT_ANSWER,
    SINGLE,
    TRUE_FALSE,
    make_bank,
    user_row,
)
from tests.factories import enrol

SIX = (SINGLE, MULTIPLE, TRUE_FALSE, FILL_BLANK, SINGLE, TRUE_FALSE)


def draw(app, learner_id, now):
    with app.app_context():
        practice = practice_service.todays_practice(learner_id, now)
        db.session.commit()
        return None if practice is None else list(practice.question_ids)


def right(app, question_id):
    with app.app_context():
        version = db.session.get(Question, question_id).current
        key = right_answer(version)
        return [blank[0] for blank in key] if version.type == "fill_blank" else key


def answer(app, learner_id, question_id, value, now):
    with app.app_context():
        practice = practice_service.todays_practice(learner_id, now)
        feedback = practice_service.answer_practice(practice, question_id, value, now)
        db.session.commit()
        return feedback


def test_draws_only_from_published_courses_the_learner_is_enrolled_in(app, make_user, make_course):
    learner = make_user()
    mine = make_course()
    mine_ids = make_bank(app, mine.id, (SINGLE, TRUE_FALSE, SHORT_ANSWER))
    left = make_course(title="退出的课")
    make_bank(app, left.id, (SINGLE,))
    draft = make_course(title="草稿课", status="draft")
    make_bank(app, draft.id, (SINGLE,))
    not_enrolled = make_course(title="没报名的课")
    make_bank(app, not_enrolled.id, (SINGLE,))
    taken_down = make_course(title="下架的课")
    make_bank(app, taken_down.id, (SINGLE,))
    for course in (mine, left, taken_down):
        enrol(app, course, learner)
    with app.app_context():
        courses.leave(db.session.get(Course, left.id), user_row(learner.id))
        db.session.get(Course, taken_down.id).status = "draft"
        deleted = make_bank.__globals__["create_question"](
            db.session.get(Course, mine.id), SINGLE, actor=None
        )
        deleted.deleted_at = datetime.now(UTC)
        db.session.commit()
    drawn = draw(app, learner.id, datetime.now(UTC))
    # the short answer needs a teacher: never drawn
    assert sorted(drawn) == sorted(mine_ids[:2])
    nobody = make_user()
    assert draw(app, nobody.id, datetime.now(UTC)) is None


def test_five_a_day_the_same_five_all_day_and_new_ones_tomorrow(app, make_user, make_course):
    learner = make_user()
    course = make_course()
    make_bank(app, course.id, SIX + SIX)
    enrol(app, course, learner)
    morning = datetime(2026, 3, 2, 0, 30, tzinfo=UTC)  # 08:30 in Shanghai
    first = draw(app, learner.id, morning)
    assert len(first) == 5 == len(set(first))
    assert draw(app, learner.id, morning + timedelta(hours=10)) == first  # 18:30, same day
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PracticeDay.id))) == 1
    tomorrow = draw(app, learner.id, morning + timedelta(hours=16))  # 00:30 next day
    assert tomorrow is not None and len(tomorrow) == 5
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(PracticeDay.id))) == 2


def test_a_question_answered_right_is_not_drawn_for_30_days_a_wrong_one_may_be(
    app, make_user, make_course
):
    learner = make_user()
    course = make_course()
    right_q, wrong_q = make_bank(app, course.id, (SINGLE, TRUE_FALSE))
    enrol(app, course, learner)
    day1 = datetime(2026, 3, 1, 2, 0, tzinfo=UTC)
    assert sorted(draw(app, learner.id, day1)) == sorted([right_q, wrong_q])
    assert answer(app, learner.id, right_q, right(app, right_q), day1)["correct"] is True
    feedback = answer(app, learner.id, wrong_q, not right(app, wrong_q), day1)
    assert feedback["correct"] is False and feedback["answered"] == 2
    assert draw(app, learner.id, day1 + timedelta(days=1)) == [wrong_q]
    assert draw(app, learner.id, day1 + timedelta(days=29)) == [wrong_q]
    assert sorted(draw(app, learner.id, day1 + timedelta(days=31))) == sorted([right_q, wrong_q])


def test_streak_and_days_follow_the_districts_calendar(app, make_user, make_course):
    learner = make_user()
    course = make_course()
    ids = make_bank(app, course.id, SIX + SIX + SIX)
    enrol(app, course, learner)

    def practise(moment):
        drawn = draw(app, learner.id, moment)
        answer(app, learner.id, drawn[0], right(app, drawn[0]), moment)

    def record(moment):
        with app.app_context():
            return practice_service.record_of(learner.id, practice_service.local_date(moment))

    # 23:30 and 00:30 in Shanghai are two days, though the same UTC day
    late = datetime(2026, 3, 1, 15, 30, tzinfo=UTC)
    practise(late)
    practise(late + timedelta(hours=1))
    assert record(late + timedelta(hours=1)) == practice_service.PracticeRecord(2, 2, True)
    # the next day, before practising: the streak still stands (today is to come)
    assert record(late + timedelta(days=1, hours=1)) == practice_service.PracticeRecord(2, 2, False)
    # a day visited but not answered does not count
    draw(app, learner.id, late + timedelta(days=1, hours=1))
    practise(late + timedelta(days=2, hours=1))
    assert record(late + timedelta(days=2, hours=1)) == practice_service.PracticeRecord(1, 3, True)
    assert ids


@pytest.fixture
def practising(app, make_user, make_course, login_as):
    learner = make_user()
    course = make_course()
    ids = make_bank(app, course.id, (SINGLE, TRUE_FALSE, SHORT_ANSWER))
    enrol(app, course, learner)
    login_as(learner)
    return learner, course, ids


def post(client, csrf, question_id, value):
    return client.post(
        f"/api/v1/practice/questions/{question_id}/answers",
        json={"answer": value},
        headers={"X-CSRFToken": csrf},
    )


def test_the_page_and_the_api(app, client, csrf_token, practising, make_course):
    learner, course, (single, true_false, short) = practising
    page = client.get("/practice")
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "js/assessment/practice.js" in text and "柯桥区是绍兴市的一个区" not in text
    assert 'id="practice-streak">0<' in text
    csrf = csrf_token()
    first = post(client, csrf, single, right(app, single))
    assert first.status_code == 201
    assert first.json["correct"] is True and first.json["answered"] == 1
    assert first.json["explanation"] == "柯桥区是绍兴市的一个区。"
    assert post(client, csrf, single, right(app, single)).status_code == 409
    assert post(client, csrf, true_false, [1]).status_code == 400  # wrong shape
    assert post(client, csrf, short, "文字").status_code == 404  # never drawn
    other = make_course(title="别的课")
    (elsewhere,) = make_bank(app, other.id, (SINGLE,))
    assert post(client, csrf, elsewhere, right(app, elsewhere)).status_code == 404
    assert post(client, csrf, 999999, [1]).status_code == 404
    again = client.get("/practice").get_data(as_text=True)
    assert 'id="practice-streak">1<' in again and 'id="practice-days">1<' in again
    # the home page shows the streak and the days
    home = client.get("/").get_data(as_text=True)
    assert 'id="practice-card"' in home and "/practice" in home
    with app.app_context():
        assert db.session.scalar(db.select(db.func.count(Attempt.id))) == 0  # no exam touched
        rows = db.session.scalars(db.select(PracticeAnswer)).all()
        assert [(r.question_id, r.correct) for r in rows] == [(single, True)]


def test_anonymous_and_staff_get_nothing(app, practising, make_user, login_as, csrf_token):
    _, _, (single, _, _) = practising
    anonymous = app.test_client()
    token = csrf_token(on=anonymous)
    response = post(anonymous, token, single, [1])
    assert response.status_code == 401 and response.json["error"] == "unauthenticated"
    assert anonymous.get("/practice").status_code in (302, 401)
    teacher = app.test_client()
    login_as(make_user("teacher"), on=teacher)
    assert teacher.get("/practice").status_code in (403, 404)
    assert post(teacher, csrf_token(on=teacher), single, [1]).status_code == 404


def practice_ids(client) -> list[int]:
    """The ids of the questions the practice page gives its script."""
    page = client.get("/practice").get_data(as_text=True)
    config = json.loads(page.split('id="page-config">', 1)[1].split("</script>", 1)[0])
    return [item["question"]["id"] for item in config["practice"]["questions"]]


def test_a_question_deleted_or_of_a_course_left_leaves_today_s_practice(
    app, client, csrf_token, practising, make_course
):
    """Drawn in the morning: a question the teacher deletes after, or one of a course the
    learner leaves after, is no longer shown or answered (its key revealed); the others
    stay."""
    learner, course, (single, true_false, _) = practising
    other = make_course(title="别的课")
    enrol(app, other, learner)
    (elsewhere,) = make_bank(app, other.id, (MULTIPLE,))
    assert sorted(practice_ids(client)) == sorted([single, true_false, elsewhere])
    with app.app_context():
        delete_question(db.session.get(Question, single), actor=None)
        db.session.commit()
    csrf = csrf_token()
    client.post(f"/courses/{other.id}/leave", data={"csrf_token": csrf})
    assert practice_ids(client) == [true_false]
    assert post(client, csrf, single, right(app, single)).status_code == 404
    assert post(client, csrf, elsewhere, right(app, elsewhere)).status_code == 404
    assert post(client, csrf, true_false, right(app, true_false)).status_code == 201
