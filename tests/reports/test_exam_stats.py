"""Exam participation and pass rate per course and per 镇街 (#19), on the fixed district
of conftest.py for 2025 Q2, on the page and in the exports; the scope of a school's
staff stays their 镇街."""

import csv
import io

from lms.accounts.models import User
from lms.assessment.models import Attempt, Exam
from lms.extensions import db
from tests.reports.conftest import utc

Q2 = "period=2025-Q2"


def add_exams(app, district):
    """k1 has a published exam (k2 none): a1 passes and a2 fails in Q2; a2 passes in
    July; the teacher t1 (not a learner) passes too."""
    with app.app_context():
        exam = Exam(course_id=district.k1, title="结业考试", published_at=utc(2025, 1, 1))
        draft = Exam(course_id=district.k2, title="草稿考试")
        db.session.add_all([exam, draft])
        db.session.flush()
        users = {u.username: u.id for u in db.session.scalars(db.select(User))}
        for username, number, started, passed in (
            ("a1", 1, utc(2025, 5, 1, 2), True),
            ("a2", 1, utc(2025, 5, 2, 2), False),
            ("a2", 2, utc(2025, 7, 5, 2), True),
            ("t1", 1, utc(2025, 5, 3, 2), True),
        ):
            db.session.add(
                Attempt(
                    exam_id=exam.id,
                    learner_id=users[username],
                    number=number,
                    state="graded",
                    started_at=started,
                    max_score=10,
                    score=8 if passed else 2,
                    passed=passed,
                )
            )
        db.session.commit()


def rows_of(client, name, query=Q2):
    body = client.get(f"/reports/{name}.csv?{query}").data.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(body)))


def test_per_course_and_per_town_on_the_page_and_in_the_exports(app, client, login_as, district):
    add_exams(app, district)
    login_as(district.admin)
    page = client.get(f"/reports/?{Q2}").get_data(as_text=True)
    assert 'id="table-exam_courses"' in page and 'id="table-exam_towns"' in page
    courses = rows_of(client, "exam_courses")
    assert courses[1:] == [["太极拳入门", "1", "2", "2", "100.0", "1", "50.0"]]
    towns = {row[0]: row[1:] for row in rows_of(client, "exam_towns")[1:]}
    assert towns["甲街道"] == ["2", "2", "100.0", "1", "50.0"]
    assert towns["乙镇"] == ["0", "0", "", "0", ""]
    assert "丙镇" in towns
    july = rows_of(client, "exam_courses", "period=2025-07")
    # c1 enrolled on 2 July: three enrolled, one took part
    assert july[1:] == [["太极拳入门", "1", "3", "1", "33.3", "1", "100.0"]]
    xlsx = client.get(f"/reports/exam_towns.xlsx?{Q2}")
    assert xlsx.status_code == 200 and xlsx.data[:2] == b"PK"


def test_staff_see_their_town_only(app, client, login_as, district):
    add_exams(app, district)
    login_as(district.staff_a)
    towns = [row[0] for row in rows_of(client, "exam_towns", f"{Q2}&town={district.town_a}")]
    assert towns[1:] == ["甲街道"]
    assert client.get(f"/reports/exam_towns.csv?{Q2}&town={district.town_b}").status_code in (
        403,
        404,
    )
    login_as(district.learner)
    assert client.get(f"/reports/exam_courses.csv?{Q2}").status_code in (403, 404)
