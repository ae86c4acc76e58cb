"""Certificates: the PDF and its QR, the public check, revocation, who may see what."""

import re
import subprocess
from zoneinfo import ZoneInfo

import pytest
import zxingcpp
from PIL import Image

from lms.courses.models import Course
from lms.credits import services
from lms.credits.models import Certificate
from lms.extensions import db


def issue(app, learner, course):
    with app.app_context():
        certificate = services.issue_certificate(learner.id, db.session.get(Course, course.id))
        db.session.commit()
        return certificate.id, certificate.code


def pdf_text(pdf: bytes, tmp_path) -> str:
    path = tmp_path / "document.pdf"
    path.write_bytes(pdf)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def result_state(response) -> str:
    match = re.search(r'id="verify-result" data-state="(\w+)"', response.get_data(as_text=True))
    return match.group(1) if match else ""


def without_csrf(page: str) -> str:
    return re.sub(r'(name="csrf[-_]token" (?:content|value))="[^"]+"', r"\1", page)


@pytest.fixture
def learner_with_certificate(app, make_user, make_course):
    learner = make_user(display_name="张三")
    course = make_course(title="长辈学用智能手机")
    certificate_id, code = issue(app, learner, course)
    return learner, certificate_id, code


def test_the_pdf_shows_a_qr_of_the_verify_url_and_chinese_text(
    client, login_as, learner_with_certificate, tmp_path
):
    learner, certificate_id, code = learner_with_certificate
    login_as(learner)
    response = client.get(f"/certificates/{certificate_id}.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    (tmp_path / "certificate.pdf").write_bytes(response.data)

    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "150",
            "-f",
            "1",
            "-l",
            "1",
            str(tmp_path / "certificate.pdf"),
            str(tmp_path / "page"),
        ],
        check=True,
    )
    page = next(tmp_path.glob("page*.png"))
    decoded = [barcode.text for barcode in zxingcpp.read_barcodes(Image.open(page))]
    assert decoded == [f"http://localhost/verify/{code}"]

    text = pdf_text(response.data, tmp_path)
    assert "张三" in text and "长辈学用智能手机" in text and code in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "certificate.pdf")], check=True, capture_output=True, text=True
    ).stdout
    assert "CJK" in fonts  # the Noto CJK font is embedded, not left to the reader


def test_the_verify_page_says_valid_then_revoked(
    app, client, make_user, login_as, csrf_token, learner_with_certificate
):
    learner, certificate_id, code = learner_with_certificate
    response = client.get(f"/verify/{code}")  # nobody is logged in
    assert response.status_code == 200 and result_state(response) == "valid"
    assert "张三" in response.get_data(as_text=True)

    admin = make_user("admin")
    login_as(admin)
    response = client.post(
        f"/certificates/{certificate_id}/revoke",
        data={"reason": "成绩作假", "csrf_token": csrf_token()},
    )
    assert response.status_code == 302
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        assert certificate.revoke_reason == "成绩作假"
        revoked_on = certificate.revoked_at

    client.post("/logout", data={"csrf_token": csrf_token()})
    response = client.get(f"/verify/{code}")
    assert response.status_code == 200 and result_state(response) == "revoked"
    local_day = revoked_on.astimezone(ZoneInfo(app.config["LMS_TIMEZONE"])).date()
    assert local_day.isoformat() in response.get_data(as_text=True)


def test_a_revoked_certificate_pdf_and_list_say_so(
    app, client, login_as, learner_with_certificate, tmp_path
):
    learner, certificate_id, _code = learner_with_certificate
    login_as(learner)
    before = pdf_text(client.get(f"/certificates/{certificate_id}.pdf").data, tmp_path)
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        services.revoke_certificate(certificate, "mistake", actor=None)
        db.session.commit()
        revoked_year = str(certificate.revoked_at.year)
    after = pdf_text(client.get(f"/certificates/{certificate_id}.pdf").data, tmp_path)
    added = set(after.splitlines()) - set(before.splitlines())
    assert any(revoked_year in line for line in added)  # a "revoked on <date>" banner
    page = client.get("/certificates/")
    assert page.status_code == 200 and 'class="flash flash-error"' in page.get_data(as_text=True)


def test_an_unknown_code_says_so_and_leaks_nothing(client, learner_with_certificate):
    _learner, _certificate_id, code = learner_with_certificate
    near_miss = code[:-1] + ("A" if code[-1] != "A" else "B")
    pages = []
    for unknown in (near_miss, "AAAAAAAAAAAAAAAA", '<b>x"y', "x" * 200):
        response = client.get(f"/verify/{unknown}")
        assert response.status_code == 404 and result_state(response) == "unknown"
        page = response.get_data(as_text=True)
        assert "张三" not in page and "长辈学用智能手机" not in page and code not in page
        pages.append(without_csrf(page).replace(unknown, "CODE"))
    assert pages[0] == pages[1]  # a near miss looks exactly like a random guess


def test_the_verify_page_is_rate_limited(app, client, learner_with_certificate):
    app.config["LMS_VERIFY_LIMIT"] = "3 per minute"
    codes = ["AAAAAAAAAAAAAAAA", "BBBBBBBBBBBBBBBB", learner_with_certificate[2], "CCCCCCCC"]
    statuses = [client.get(f"/verify/{code}").status_code for code in codes]
    assert statuses == [404, 404, 200, 429]


def test_the_verify_form_leads_to_the_code(client):
    response = client.get("/verify/?code=%20abcDEF12%20")
    assert response.status_code == 302 and response.headers["Location"].endswith("/verify/abcDEF12")
    assert client.get("/verify/").status_code == 200


def test_a_learner_sees_only_their_own_certificates(
    app, client, make_user, make_course, login_as, learner_with_certificate
):
    owner, certificate_id, code = learner_with_certificate
    other = make_user()
    other_certificate_id, _ = issue(app, other, make_course(title="太极拳入门"))

    login_as(other)
    assert client.get(f"/certificates/{certificate_id}.pdf").status_code == 404
    assert client.get("/certificates/999999.pdf").status_code == 404
    page = client.get("/certificates/").get_data(as_text=True)
    assert "太极拳入门" in page and "长辈学用智能手机" not in page and code not in page
    assert client.get(f"/certificates/{other_certificate_id}.pdf").status_code == 200

    login_as(make_user("admin"))
    assert client.get(f"/certificates/{certificate_id}.pdf").status_code == 200


def test_anonymous_visitors_cannot_download_a_certificate(client, learner_with_certificate):
    _owner, certificate_id, _code = learner_with_certificate
    assert client.get(f"/certificates/{certificate_id}.pdf").status_code == 302  # to log in


def test_revoking_needs_the_admin_a_reason_and_csrf(
    app, client, make_user, login_as, csrf_token, learner_with_certificate
):
    owner, certificate_id, _code = learner_with_certificate
    url = f"/certificates/{certificate_id}/revoke"

    login_as(owner)
    assert client.post(url, data={"reason": "x", "csrf_token": csrf_token()}).status_code == 403
    login_as(make_user("staff"))
    assert client.post(url, data={"reason": "x", "csrf_token": csrf_token()}).status_code == 403

    login_as(make_user("admin"))
    assert client.post(url, data={"reason": "no token"}).status_code == 400
    response = client.post(url, data={"reason": "  ", "csrf_token": csrf_token()})
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Certificate, certificate_id).revoked_at is None

    client.post(url, data={"reason": "重复颁发", "csrf_token": csrf_token()})
    page = client.get("/admin/certificates").get_data(as_text=True)
    assert "重复颁发" in page
    with app.app_context():
        assert db.session.get(Certificate, certificate_id).revoked_at is not None


def test_the_admin_list_finds_certificates_by_code(
    client, make_user, login_as, learner_with_certificate
):
    _owner, _certificate_id, code = learner_with_certificate
    login_as(make_user("learner"))
    assert client.get("/admin/certificates").status_code == 403
    login_as(make_user("admin"))
    page = client.get(f"/admin/certificates?q={code}").get_data(as_text=True)
    assert code in page and "张三" in page
    assert "张三" not in client.get("/admin/certificates?q=nothing-like-it").get_data(as_text=True)
