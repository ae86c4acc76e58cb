import io
from datetime import date

import pytest
from PIL import Image

from lms.accounts.models import User
from lms.credits import recognition as recognitions
from lms.credits.models import LedgerEntry, Recognition
from lms.credits.permissions import can_review
from lms.credits.services import CreditError
from lms.extensions import db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def png() -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 40), "white").save(buffer, "PNG")
    return buffer.getvalue()


def submit(client, csrf, evidence=PDF, name="证书.pdf", hours="6"):
    return client.post(
        "/recognitions/new",
        data={
            "title": "老年大学书法班结业",
            "issuer": "柯桥区老年大学",
            "learned_on": "2026-06-30",
            "hours": hours,
            "csrf_token": csrf,
            "evidence": (io.BytesIO(evidence), name),
        },
        content_type="multipart/form-data",
    )


def only_recognition(app):
    with app.app_context():
        return db.session.query(Recognition).one()


def test_a_learner_submits_and_staff_of_their_town_approve_once(
    app, client, csrf_token, login_as, make_user, make_town
):
    from tests.factories import staff_of_town

    town = make_town()
    learner = make_user(town=town)
    login_as(learner)
    assert submit(client, csrf_token()).status_code == 302
    item = only_recognition(app)
    assert item.state == "submitted" and item.evidence_type == "application/pdf"
    staff = staff_of_town(app, make_user, town)
    login_as(staff)
    assert "老年大学书法班结业" in client.get("/recognitions/review").get_data(as_text=True)
    for _ in range(2):  # a double click
        client.post(
            f"/recognitions/{item.id}/approve", data={"credits": "5", "csrf_token": csrf_token()}
        )
    with app.app_context():
        entries = db.session.query(LedgerEntry).filter_by(learner_id=learner.id).all()
        assert [(e.source_type, e.hours, e.credits) for e in entries] == [("recognition", 6.0, 5.0)]
    login_as(learner)
    assert "已通过" in client.get("/recognitions/").get_data(as_text=True)


def test_staff_outside_the_learners_town_cannot_decide(
    app, client, csrf_token, login_as, make_user, make_town
):
    from tests.factories import staff_of_town

    learner = make_user(town=make_town())
    login_as(learner)
    submit(client, csrf_token())
    item = only_recognition(app)
    login_as(staff_of_town(app, make_user, make_town()))
    assert client.get(f"/recognitions/{item.id}").status_code == 404
    assert (
        client.post(
            f"/recognitions/{item.id}/approve", data={"credits": "5", "csrf_token": csrf_token()}
        ).status_code
        == 404
    )
    assert only_recognition(app).state == "submitted"


def test_a_learner_cannot_approve_their_own(app, make_user, make_town):
    town = make_town()
    staff_learner = make_user(roles=["staff", "learner"], town=town)
    with app.app_context():
        actor = db.session.get(User, staff_learner.id)
        item = recognitions.submit(
            recognitions.RecognitionRequest("自学", "自己", date(2026, 1, 1), 2, PDF, "a.pdf"),
            learner=actor,
        )
        assert not can_review(actor, item)
        with pytest.raises(PermissionError):
            recognitions.approve(item, 2, actor=actor)


def test_a_rejection_needs_a_reason(app, make_user):
    learner, admin = make_user(), make_user("admin")
    with app.app_context():
        item = recognitions.submit(
            recognitions.RecognitionRequest("培训", "某单位", date(2026, 1, 1), 2, png(), "a.png"),
            learner=db.session.get(User, learner.id),
        )
        reviewer = db.session.get(User, admin.id)
        with pytest.raises(CreditError):
            recognitions.reject(item, "  ", actor=reviewer)
        recognitions.reject(item, "证明材料看不清", actor=reviewer)
        assert item.state == "rejected"
        assert item.evidence_type == "image/png"


@pytest.mark.parametrize(
    ("data", "name"),
    [
        (b"MZ\x90\x00 not a pdf", "证书.pdf"),
        (b"<html><script>alert(1)</script></html>", "photo.png"),
        (b"%PDF-1.4 but cut short", "short.pdf"),
    ],
)
def test_evidence_that_is_not_a_pdf_or_image_is_refused(
    app, client, csrf_token, login_as, make_user, data, name
):
    login_as(make_user())
    page = submit(client, csrf_token(), evidence=data, name=name).get_data(as_text=True)
    assert "PDF" in page
    with app.app_context():
        assert db.session.query(Recognition).count() == 0
