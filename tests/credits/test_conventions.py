"""Credits follows the web conventions: formula-safe, audited downloads with safe names,
and its permission rules in one module.

No credits service flushes a change and then refuses (each checks before it writes),
so there is no rollback-on-refusal case to test here; attendance has one.
"""

import io
from datetime import date

from openpyxl import load_workbook
from PIL import Image

from lms.accounts.audit import AuditEvent
from lms.accounts.models import User
from lms.credits import permissions
from lms.credits import recognition as recognitions
from lms.credits.ledger import Posting, post
from lms.credits.models import Recognition
from lms.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "white").save(buffer, "PNG")
    return buffer.getvalue()


def exports_audited(app) -> list[tuple]:
    with app.app_context():
        events = db.session.query(AuditEvent).filter_by(action="personal_data.exported")
        return [(event.target_type, event.target_id) for event in events.order_by(AuditEvent.id)]


def recognition_of(app, learner, evidence: bytes, name: str) -> int:
    with app.app_context():
        item = recognitions.submit(
            recognitions.RecognitionRequest("培训", "单位", date(2026, 1, 1), 2, evidence, name),
            learner=db.session.get(User, learner.id),
        )
        db.session.commit()
        return item.id


def test_a_name_typed_as_a_formula_is_text_in_the_record_and_the_export_is_audited(
    app, client, login_as, make_user
):
    learner = make_user(display_name="=HYPERLINK(1)")
    with app.app_context():
        post(Posting(learner.id, "adjustment", "a1", 0.0, 1.0, None, reason="@SUM(1)"))
        db.session.commit()
    login_as(learner)
    response = client.get(f"/record/{learner.id}/record.xlsx")
    filename = f"learning-record-{learner.id}.xlsx"
    assert response.headers["Content-Disposition"] == f'attachment; filename="{filename}"'
    rows = list(load_workbook(io.BytesIO(response.data)).active.iter_rows(values_only=True))
    assert rows[0][1] == "'=HYPERLINK(1)"
    assert rows[4][7] == "'@SUM(1)"
    assert exports_audited(app) == [("download", filename)]


def test_evidence_is_served_with_a_safe_name_photos_inline_and_audited(
    app, client, login_as, make_user
):
    learner = make_user()
    photo = recognition_of(app, learner, png(), 'x".html')
    paper = recognition_of(app, learner, PDF, "证书.pdf")
    login_as(learner)
    shown = client.get(f"/recognitions/{photo}/evidence")
    assert shown.mimetype == "image/png"
    assert shown.headers["Content-Disposition"].startswith('inline; filename="x.png"')
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    saved = client.get(f"/recognitions/{paper}/evidence")
    assert saved.headers["Content-Disposition"].startswith('attachment; filename="download.pdf"')
    assert "filename*=UTF-8''%E8%AF%81%E4%B9%A6.pdf" in saved.headers["Content-Disposition"]
    assert exports_audited(app) == [("recognition", str(photo)), ("recognition", str(paper))]


def test_who_reviews_which_recognition(app, make_user, make_town):
    from lms.attendance.models import CommunitySchool, SchoolStaff

    home, away = make_town(), make_town()
    learner = make_user(town=home)
    staff, stranger_staff = make_user("staff", town=home), make_user("staff", town=away)
    admin, other_learner = make_user("admin"), make_user(town=home)
    item_id = recognition_of(app, learner, PDF, "a.pdf")
    with app.app_context():
        school = CommunitySchool(name="本街道学校", town_id=home.id, address="")
        school.staff_links.append(SchoolStaff(user_id=staff.id))
        db.session.add(school)
        db.session.commit()
        item = db.session.get(Recognition, item_id)

        def user(record):
            return db.session.get(User, record.id)

        assert permissions.review_town_ids(user(admin)) is None
        assert permissions.review_town_ids(user(staff)) == {home.id}
        assert permissions.review_town_ids(user(other_learner)) == set()
        assert permissions.can_review(user(staff), item)
        assert permissions.can_review(user(admin), item)
        assert not permissions.can_review(user(stranger_staff), item)
        assert not permissions.can_review(user(learner), item)  # never one's own
        assert permissions.can_see_recognition(user(learner), item)
        assert not permissions.can_see_recognition(user(other_learner), item)
        assert permissions.can_view_record(user(learner), learner.id)
        assert not permissions.can_view_record(user(admin), learner.id)


def test_the_rules_page_shows_the_defaults_without_writing_them(app, client, login_as, make_user):
    from lms.credits.models import CreditRule

    login_as(make_user("admin"))
    page = client.get("/credit-rules/").get_data(as_text=True)
    assert 'value="8.00"' in page and 'value="200.00"' in page
    with app.app_context():
        assert db.session.query(CreditRule).count() == 0
