"""Attendance follows the web conventions: GET pages write nothing, a refused action
leaves nothing behind, sheets are formula-safe and audited, JSON errors are slugs."""

import csv
import io
import re
from datetime import timedelta

from openpyxl import load_workbook

from lms.accounts.audit import AuditEvent
from lms.accounts.models import User
from lms.attendance import services
from lms.attendance.models import Attendance, ClassSession, LearningCard
from lms.extensions import db


def qr_images(page: str) -> list[str]:
    return re.findall(r'class="learning-card-qr" src="(data:image/png;base64,[^"]+)"', page)


def card_count(app) -> int:
    with app.app_context():
        return db.session.query(LearningCard).count()


def signed_up(app, class_session, learner):
    with app.app_context():
        row = db.session.get(ClassSession, class_session.id)
        services.sign_up(
            row, db.session.get(User, learner.id), now=row.starts_at - timedelta(hours=1)
        )
        db.session.commit()


def school_and_staff(make_user, make_town, make_school):
    town = make_town()
    staff = make_user("staff", town=town)
    return town, staff, make_school(staff, town=town)


def test_pages_that_show_cards_issue_none_on_get(
    app, client, csrf_token, login_as, make_user, make_town, make_school, make_class_session
):
    town, staff, school = school_and_staff(make_user, make_town, make_school)
    learner = make_user(town=town, display_name="无卡学员")
    class_session = make_class_session(school)
    signed_up(app, class_session, learner)
    login_as(learner)
    assert "领取学习卡" in client.get("/my/card").get_data(as_text=True)
    login_as(staff)
    assert "无卡学员" in client.get(f"/cards/{learner.id}").get_data(as_text=True)
    sheet_url = f"/cards/sheet?session={class_session.id}"
    sheet = client.get(sheet_url).get_data(as_text=True)
    assert "无卡学员" in sheet and not qr_images(sheet)
    roster_url = f"/api/v1/class-sessions/{class_session.id}/roster"
    (line,) = client.get(roster_url).get_json()["learners"]
    assert line["card_key"] is None and line["card_number"] is None
    assert card_count(app) == 0
    # The sheet's button issues the cards of that sheet, then shows them.
    issued = client.post(sheet_url, data={"csrf_token": csrf_token()})
    assert issued.status_code == 302 and f"session={class_session.id}" in issued.location
    assert card_count(app) == 1
    assert len(qr_images(client.get(sheet_url).get_data(as_text=True))) == 1
    (line,) = client.get(roster_url).get_json()["learners"]
    assert line["card_key"] and line["card_number"]


def test_staff_issue_a_card_on_the_learners_card_page(
    app, client, csrf_token, login_as, make_user, make_town, make_school
):
    town, staff, _school = school_and_staff(make_user, make_town, make_school)
    learner = make_user(town=town)
    login_as(staff)
    assert not qr_images(client.get(f"/cards/{learner.id}").get_data(as_text=True))
    for _click in range(2):
        client.post(f"/cards/{learner.id}", data={"csrf_token": csrf_token()})
    assert len(qr_images(client.get(f"/cards/{learner.id}").get_data(as_text=True))) == 1
    with app.app_context():
        card = db.session.query(LearningCard).filter_by(learner_id=learner.id).one()
        assert card.issue_count == 1


def test_a_refused_correction_leaves_no_attendance_row(
    app, client, csrf_token, login_as, make_user, make_town, make_school, make_class_session
):
    """The service inserts the learner's row, then refuses hours above the class's: the
    view rolls that insert back instead of committing it behind its redirect."""
    town, staff, school = school_and_staff(make_user, make_town, make_school)
    learner = make_user(town=town)
    class_session = make_class_session(school, hours=2.0, starts_in=timedelta(minutes=-5))
    login_as(staff)
    response = client.post(
        f"/class-sessions/{class_session.id}/corrections",
        data={
            "learner": learner.username,
            "status": "present",
            "hours": "9",
            "reason": "补签",
            "csrf_token": csrf_token(),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert db.session.query(Attendance).count() == 0


def test_attendance_sheets_quote_typed_formulas_and_are_audited(
    app, client, login_as, make_user, make_town, make_school, make_class_session
):
    town, staff, school = school_and_staff(make_user, make_town, make_school)
    learner = make_user(town=town, display_name="=HYPERLINK(1)")
    class_session = make_class_session(school)
    signed_up(app, class_session, learner)
    login_as(staff)
    text = client.get(f"/class-sessions/{class_session.id}/attendance.csv").data.decode()
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert rows[1][5] == "'=HYPERLINK(1)"
    response = client.get(f"/class-sessions/{class_session.id}/attendance.xlsx")
    assert response.headers["Content-Disposition"] == (
        f'attachment; filename="attendance-session-{class_session.id}.xlsx"'
    )
    sheet = load_workbook(io.BytesIO(response.data)).active
    assert sheet.cell(row=2, column=6).value == "'=HYPERLINK(1)"
    with app.app_context():
        exported = db.session.query(AuditEvent).filter_by(action="personal_data.exported").all()
        assert [(event.target_type, event.target_id) for event in exported] == [
            ("attendance", f"session-{class_session.id}")
        ] * 2


def test_only_the_admin_is_offered_a_new_school(client, login_as, make_user, make_school):
    staff = make_user("staff")
    make_school(staff)
    login_as(staff)
    assert "/schools/new" not in client.get("/schools/").get_data(as_text=True)
    login_as(make_user("admin"))
    assert "/schools/new" in client.get("/schools/").get_data(as_text=True)


def test_api_errors_are_slugs_never_cached(client, login_as, make_user):
    path = "/api/v1/class-sessions/{}/qr"
    response = client.get(path.format(1))
    assert response.status_code == 401 and response.get_json()["error"] == "unauthenticated"
    assert response.headers["Cache-Control"] == "no-store"
    login_as(make_user("staff"))
    assert client.get(path.format(999)).get_json()["error"] == "not_found"
