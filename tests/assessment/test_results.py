"""Item analysis as a pure function, the score distribution, and offline score imports."""

import io

import pytest
from openpyxl import Workbook

from lms.assessment.models import Attempt, ExamPass
from lms.assessment.results import ItemRow, analyse, counted, distribution
from lms.assessment.signals import exam_passed
from lms.extensions import db
from tests.assessment.helpers import make_exam
from tests.factories import card_payload_of, enrol


def rows_for(totals, right_by_attempt, question_id=1, chosen=None):
    return [
        ItemRow(attempt, totals[attempt], question_id, right_by_attempt[attempt],
                chosen.get(attempt, ()) if chosen else ())
        for attempt in totals
    ]  # fmt: skip


def test_facility_discrimination_and_flags():
    totals = {n: float(n) for n in range(1, 11)}  # attempt n scored n
    # Question 1: only the strongest get it right → discriminates well.
    good = rows_for(totals, {n: n >= 6 for n in totals}, 1)
    # Question 2: everyone right → too easy.
    easy = rows_for(totals, {n: True for n in totals}, 2)
    # Question 3: only the weakest get it right → negative discrimination, too hard.
    odd = rows_for(totals, {n: n == 1 for n in totals}, 3)
    stats = {item.question_id: item for item in analyse(good + easy + odd)}
    assert stats[1].facility == 0.5 and stats[1].discrimination == 1.0 and stats[1].flags == []
    assert stats[2].facility == 1.0 and stats[2].flags == ["too_easy"]
    assert stats[3].facility == pytest.approx(0.1)
    assert stats[3].discrimination < 0
    assert stats[3].flags == ["too_hard", "negative_discrimination"]


def test_ungraded_answers_are_left_out_and_options_are_counted():
    totals = {1: 3.0, 2: 1.0}
    rows = rows_for(totals, {1: True, 2: None}, chosen={1: (1,), 2: (0, 2)})
    (item,) = analyse(rows)
    assert item.facility == 1.0 and item.option_counts == {"A": 1, "B": 1, "C": 1}


def test_the_distribution_has_ten_bands_and_100_is_in_the_last():
    bands = distribution([100.0, 95.0, 59.9, 0.0])
    assert [band["learners"] for band in bands] == [1, 0, 0, 0, 0, 1, 0, 0, 0, 2]
    assert sum(band["share"] for band in bands) == pytest.approx(1.0)


def scores_sheet(rows) -> io.BytesIO:
    book = Workbook()
    book.active.append(["卡号或用户名", "成绩"])
    for row in rows:
        book.active.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    buffer.seek(0)
    return buffer


@pytest.fixture
def offline_exam(app, make_user, make_course, login_as):
    course = make_course()
    exam = make_exam(app, course.id, kind="offline", selection="blueprint", pass_percent=60)
    staff = make_user("staff")
    with app.app_context():
        from lms.accounts.models import User
        from lms.assessment.exams import set_exam_staff
        from lms.assessment.models import Exam

        set_exam_staff(db.session.get(Exam, exam.id), [db.session.get(User, staff.id)])
        db.session.commit()
    return course, exam, staff


def test_staff_import_offline_scores_by_card_or_user_name(
    app, client, csrf_token, offline_exam, make_user, login_as
):
    course, exam, staff = offline_exam
    by_card, by_name, failing, outsider = (make_user("learner") for _ in range(4))
    for learner in (by_card, by_name, failing):
        enrol(app, course, learner)
    card_number = _card_number(app, by_card)
    sent = []
    exam_passed.connect(lambda sender, **kw: sent.append(kw), weak=False)
    login_as(staff)
    try:
        for _import in range(2):  # importing again changes nothing and announces nothing
            page = client.post(
                f"/exams/{exam.id}/offline-scores",
                data={
                    "csrf_token": csrf_token(),
                    "file": (
                        scores_sheet(
                            [
                                [card_number, 88],
                                [by_name.username, 60],
                                [failing.username, 30],
                                [outsider.username, 90],
                                ["没有这个人", 90],
                                [by_name.username, "九十"],
                                [failing.username, 150],
                            ]
                        ),
                        "scores.xlsx",
                    ),
                },
                content_type="multipart/form-data",
            ).get_data(as_text=True)
            assert page.count('class="ok"') == 3 and page.count('class="refused"') == 4
    finally:
        exam_passed.receivers.clear()
    assert sorted(kw["learner_id"] for kw in sent) == sorted([by_card.id, by_name.id])
    with app.app_context():
        assert db.session.query(ExamPass).count() == 2
        assert db.session.query(Attempt).filter_by(exam_id=exam.id).count() == 3


def _card_number(app, learner) -> str:
    card_payload_of(app, learner)  # issues the card
    from lms.attendance.models import LearningCard

    with app.app_context():
        return db.session.query(LearningCard.number).filter_by(learner_id=learner.id).scalar()


def test_other_staff_and_learners_cannot_import(app, client, offline_exam, make_user, login_as):
    _, exam, _ = offline_exam
    login_as(make_user("staff"))
    assert client.get(f"/exams/{exam.id}/offline-scores").status_code == 404
    login_as(make_user("learner"))
    assert client.get(f"/exams/{exam.id}/offline-scores").status_code == 403


def test_the_counted_attempt_follows_the_grading_method():
    class Exam:
        grading_method = "highest"

    def attempt(number, percent, state="graded"):
        return Attempt(number=number, percent=percent, state=state)

    tries = [attempt(1, 80.0), attempt(2, 60.0), attempt(3, None, "submitted")]
    assert counted(Exam, tries).number == 1
    Exam.grading_method = "latest"
    assert counted(Exam, tries).number == 2
