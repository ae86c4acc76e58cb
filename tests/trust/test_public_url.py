"""Every URL that leaves the site is built on LMS_PUBLIC_URL when it is set, never on the
request's Host header (which the client chooses): certificate QR codes, credentials'
issuer and key ids, tus Locations, playback and check-in links."""

import base64
import json
import subprocess
from datetime import timedelta

import pytest
import zxingcpp
from PIL import Image

from lms.attendance.models import ClassSession, CommunitySchool
from lms.courses.models import Course
from lms.credits import services
from lms.extensions import db
from lms.media import uploads
from lms.media.api import upload_client_config
from lms.media.playback import signed_url_for_key
from lms.timeutil import utcnow

PUBLIC_URL = "https://learn.example.org"
FORGED = {"Host": "evil.example"}


def log_in_on_forged_host(client, login_as, user, csrf_token=None):
    """The test client sends a cookie only to its domain: copy the session to evil's."""
    login_as(user)
    token = csrf_token() if csrf_token else None  # it may change the session: first
    client.set_cookie("session", client.get_cookie("session").value, domain="evil.example")
    return token


@pytest.fixture
def public_app(app):
    app.config["LMS_PUBLIC_URL"] = PUBLIC_URL
    return app


@pytest.fixture
def certificate(public_app, make_user, make_course):
    learner = make_user()
    course = make_course()
    with public_app.app_context():
        issued = services.issue_certificate(learner.id, db.session.get(Course, course.id))
        db.session.commit()
        return learner, issued.id, issued.code


def qr_codes_in(pdf: bytes, tmp_path) -> list[str]:
    (tmp_path / "document.pdf").write_bytes(pdf)
    subprocess.run(
        ["pdftoppm", "-png", "-r", "150", "-f", "1", "-l", "1"]
        + [str(tmp_path / "document.pdf"), str(tmp_path / "page")],
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    return [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(page))]


def test_a_forged_host_does_not_move_the_certificates_qr_code(
    client, login_as, certificate, tmp_path
):
    learner, certificate_id, code = certificate
    log_in_on_forged_host(client, login_as, learner)
    response = client.get(f"/certificates/{certificate_id}.pdf", headers=FORGED)
    assert response.status_code == 200
    assert qr_codes_in(response.data, tmp_path) == [f"{PUBLIC_URL}/verify/{code}"]


def test_credentials_name_the_configured_site_as_issuer(client, login_as, certificate):
    learner, certificate_id, _code = certificate
    log_in_on_forged_host(client, login_as, learner)
    for url in (
        f"/record/{learner.id}/credential.json",
        f"/certificates/{certificate_id}/credential.json",
    ):
        response = client.get(url, headers=FORGED)
        assert response.status_code == 200, url
        document = json.loads(response.data)
        assert document["issuer"]["id"] == f"{PUBLIC_URL}/"
        method = document["proof"]["verificationMethod"]
        assert method.startswith(f"{PUBLIC_URL}/.well-known/jwks.json#")
        status_list = document["credentialStatus"]["statusListCredential"]
        assert status_list.startswith(f"{PUBLIC_URL}/credentials/status/")
        assert "evil.example" not in response.get_data(as_text=True)


def test_tus_and_playback_links_use_the_configured_site(
    public_app, client, login_as, csrf_token, make_user
):
    token = log_in_on_forged_host(client, login_as, make_user("teacher"), csrf_token)
    uploads.register_upload_purpose(
        "test", authorize=lambda user, ident: True, on_complete=lambda upload, asset: None
    )
    try:
        metadata = "purpose " + base64.b64encode(b"test:ok").decode()
        response = client.post(
            "/api/v1/uploads",
            headers={
                **FORGED,
                "Tus-Resumable": "1.0.0",
                "X-CSRFToken": token,
                "Upload-Length": "10",
                "Upload-Metadata": metadata,
            },
        )
    finally:
        uploads._purposes.pop("test", None)
    assert response.status_code == 201
    assert response.headers["Location"].startswith(f"{PUBLIC_URL}/api/v1/uploads/")
    with public_app.test_request_context("/", headers=FORGED):
        assert upload_client_config()["endpoint"] == f"{PUBLIC_URL}/api/v1/uploads"
        assert signed_url_for_key("a/poster.jpg").startswith(f"{PUBLIC_URL}/media/files/a/")


def test_the_check_in_qr_points_at_the_configured_site(
    public_app, client, login_as, make_user, make_town
):
    town = make_town()
    with public_app.app_context():
        school = CommunitySchool(name="学校", town_id=town.id, address="")
        db.session.add(school)
        db.session.flush()
        starts = utcnow()
        session = ClassSession(
            school_id=school.id, title="课", starts_at=starts, ends_at=starts + timedelta(hours=2)
        )
        db.session.add(session)
        db.session.commit()
        session_id = session.id
    log_in_on_forged_host(client, login_as, make_user("admin"))
    response = client.get(f"/api/v1/class-sessions/{session_id}/qr", headers=FORGED)
    assert response.status_code == 200
    assert response.json["url"].startswith(f"{PUBLIC_URL}/attend/")
