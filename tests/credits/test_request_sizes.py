"""Request sizes: a body over MAX_CONTENT_LENGTH is a 413 before anything is parsed or
stored; evidence for recognition has a monthly quota per learner (files and bytes)."""

import io
from datetime import timedelta

from lms.credits.models import Recognition
from lms.extensions import db
from lms.media.storage import get_storage

MiB = 2**20
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def pdf_of(size: int) -> bytes:
    return b"%PDF-1.4\n" + b"x" * (size - 16) + b"\n%%EOF\n"


def submit(client, csrf, evidence=PDF):
    return client.post(
        "/recognitions/new",
        data={
            "title": "老年大学书法班结业",
            "issuer": "柯桥区老年大学",
            "learned_on": "2026-06-30",
            "hours": "6",
            "csrf_token": csrf,
            "evidence": (io.BytesIO(evidence), "证书.pdf"),
        },
        content_type="multipart/form-data",
    )


def stored_evidence(app, learner_id) -> list[str]:
    with app.app_context():
        return get_storage().list(f"recognitions/{learner_id}")


def recognitions_of(app, learner_id) -> int:
    with app.app_context():
        return db.session.query(Recognition).filter_by(learner_id=learner_id).count()


def test_a_body_over_the_limit_is_a_413_and_nothing_is_stored(
    app, client, csrf_token, login_as, make_user
):
    learner = make_user()
    login_as(learner)
    response = submit(client, csrf_token(), evidence=pdf_of(40 * MiB))
    assert response.status_code == 413
    assert recognitions_of(app, learner.id) == 0 and stored_evidence(app, learner.id) == []
    api = client.post(
        "/api/v1/lessons/1/play-sessions",
        data=b"{" + b" " * 40 * MiB + b"}",
        headers={"X-CSRFToken": csrf_token()},
        content_type="application/json",
    )
    assert api.status_code == 413 and api.json["error"]


def test_an_evidence_file_of_the_largest_size_still_goes_through(
    app, client, csrf_token, login_as, make_user
):
    learner = make_user()
    login_as(learner)
    assert submit(client, csrf_token(), evidence=pdf_of(10 * MiB)).status_code == 302
    assert recognitions_of(app, learner.id) == 1


def test_evidence_files_have_a_monthly_count(app, client, csrf_token, login_as, make_user):
    app.config["LMS_EVIDENCE_MONTHLY_FILES"] = 2
    learner = make_user()
    login_as(learner)
    for _ in range(2):
        assert submit(client, csrf_token()).status_code == 302
    refused = submit(client, csrf_token())
    assert refused.status_code == 200 and "2" in refused.get_data(as_text=True)
    assert recognitions_of(app, learner.id) == 2 and len(stored_evidence(app, learner.id)) == 2
    with app.app_context():  # last month's files do not count
        for item in db.session.query(Recognition).filter_by(learner_id=learner.id):
            item.submitted_at -= timedelta(days=40)
        db.session.commit()
    assert submit(client, csrf_token()).status_code == 302


def test_evidence_files_have_a_monthly_volume(app, client, csrf_token, login_as, make_user):
    app.config["LMS_EVIDENCE_MONTHLY_MB"] = 1
    learner, other = make_user(), make_user()
    login_as(learner)
    assert submit(client, csrf_token(), evidence=pdf_of(600 * 1024)).status_code == 302
    refused = submit(client, csrf_token(), evidence=pdf_of(600 * 1024))
    assert refused.status_code == 200
    assert recognitions_of(app, learner.id) == 1 and len(stored_evidence(app, learner.id)) == 1
    assert submit(client, csrf_token(), evidence=PDF).status_code == 302  # what still fits
    login_as(other)  # a quota per learner
    assert submit(client, csrf_token(), evidence=pdf_of(600 * 1024)).status_code == 302
