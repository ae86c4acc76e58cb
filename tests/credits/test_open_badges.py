"""Open Badges 3.0 and CLR 2.0 credentials, checked with openbadgeslib (an independent
Open Badges 3.0 library), not with the code that made them."""

import json

import pytest
from openbadgeslib import baking as library_baking
from openbadgeslib.ob3 import (
    OB3LdpVerifier,
    OB3VerificationError,
    bundled_clr_contexts,
    decode_encoded_list,
    resolve_did,
    verify_data_integrity_proof,
)
from openbadgeslib.ob3.status import set_indices

from lms.attendance.models import ClassSession, CommunitySchool
from lms.courses.models import Course
from lms.credits import linked_data, services
from lms.credits.ledger import Posting, post
from lms.credits.models import Certificate
from lms.extensions import db
from lms.timeutil import utcnow
from tests.factories import attend

OB = "https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json"
CLR = "https://purl.imsglobal.org/spec/clr/v2p0/context-2.0.1.json"
VC = "https://www.w3.org/ns/credentials/v2"


@pytest.fixture
def certified(app, make_user, make_course, make_town, login_as):
    """A logged-in learner with a certificate of a course and an attended class session
    of that course."""
    learner = make_user(display_name="张三")
    course = make_course(title="长辈学用智能手机")
    town = make_town()
    with app.app_context():
        school = CommunitySchool(name="社区学校", town_id=town.id, address="")
        db.session.add(school)
        db.session.flush()
        session = ClassSession(
            school_id=school.id,
            course_id=course.id,
            title="线下第一课",
            starts_at=utcnow(),
            ends_at=utcnow(),
        )
        db.session.add(session)
        db.session.commit()
        session_id = session.id
    attend(app, session_id, learner.id, hours=2.0)
    with app.app_context():
        post(Posting(learner.id, "lesson", str(course.lesson_ids[0]), 1.5, 1.5, 1))
        post(Posting(learner.id, "attendance", str(session_id), 2.0, 2.0, 1))
        post(Posting(learner.id, "lesson", "99999", 5.0, 5.0, 1))  # another course's
        certificate = services.issue_certificate(learner.id, db.session.get(Course, course.id))
        db.session.commit()
        certificate_id = certificate.id
    login_as(learner)
    return learner, course, certificate_id, session_id


def _get_json(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    return json.loads(response.data)


def test_a_certificate_is_an_open_badge_the_library_verifies(app, client, certified):
    learner, course, certificate_id, _ = certified
    badge = _get_json(client, f"/certificates/{certificate_id}/badge.json")
    assert badge["@context"] == [VC, OB]
    assert badge["type"] == ["VerifiableCredential", "OpenBadgeCredential"]
    assert badge["id"].startswith("urn:uuid:") and badge["name"] and badge["validFrom"]
    issuer = badge["issuer"]
    assert issuer["id"].startswith("did:key:z6Mk") and issuer["type"] == ["Profile"]
    assert issuer["name"] and issuer["url"] == "http://localhost/"
    achievement = badge["credentialSubject"]["achievement"]
    assert badge["credentialSubject"]["type"] == ["AchievementSubject"]
    assert achievement["type"] == ["Achievement"] and achievement["name"] == "长辈学用智能手机"
    assert achievement["criteria"]["narrative"] and achievement["description"]
    assert achievement["creditsAvailable"] == 3.5  # its lesson and its class session
    assert achievement["id"] == f"http://localhost/courses/{course.id}"
    assert badge["proof"]["cryptosuite"] == "eddsa-rdfc-2022"
    assert badge["proof"]["verificationMethod"].startswith(issuer["id"] + "#")
    # The library resolves the did:key itself, offline.
    verified = OB3LdpVerifier().verify(badge)
    assert verified.issuer.id == issuer["id"]
    tampered = json.loads(json.dumps(badge))
    tampered["credentialSubject"]["achievement"]["name"] = "别的课程"
    with pytest.raises(OB3VerificationError):
        OB3LdpVerifier().verify(tampered)


def test_a_revoked_badge_fails_its_status_check(app, client, certified, tmp_path):
    _, _, certificate_id, _ = certified
    badge = _get_json(client, f"/certificates/{certificate_id}/badge.json")
    entry = badge["credentialStatus"]
    list_path = entry["statusListCredential"].removeprefix("http://localhost")

    def served(url):  # the library asks for the list: served from the app
        assert url == entry["statusListCredential"]
        return client.get(list_path).data

    OB3LdpVerifier().verify(badge, check_status=True, download=served, verify_status_list=False)
    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        services.revoke_certificate(certificate, "成绩作假", actor=None)
        db.session.commit()
    with pytest.raises(OB3VerificationError, match="'revocation' is set"):
        OB3LdpVerifier().verify(badge, check_status=True, download=served, verify_status_list=False)
    # And here: verify-credential reads this site's list from the database.
    path = tmp_path / "badge.json"
    path.write_text(json.dumps(badge))
    result = app.test_cli_runner().invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 1 and "marks it revoked" in result.output
    # And by the library's own decoder.
    listed = json.loads(client.get(list_path).data)
    bits = decode_encoded_list(listed["credentialSubject"]["encodedList"])
    assert int(entry["statusListIndex"]) in set_indices(bits)


def test_the_baked_png_is_read_back_by_the_library(app, client, certified):
    _, _, certificate_id, _ = certified
    response = client.get(f"/certificates/{certificate_id}/badge.png")
    assert response.status_code == 200 and response.mimetype == "image/png"
    text = library_baking.extract_png(response.data, keyword=library_baking.ITXT_KEYWORD_OB3)
    verified = OB3LdpVerifier().verify(text)
    assert verified.issuer.id.startswith("did:key:")


def test_the_record_is_a_clr_holding_the_badges_and_the_sessions(app, client, certified):
    learner, course, certificate_id, session_id = certified
    clr = _get_json(client, f"/record/{learner.id}/clr.json")
    assert clr["@context"] == [VC, OB, CLR]
    assert clr["type"] == ["VerifiableCredential", "ClrCredential"]
    assert clr["id"].startswith("urn:uuid:") and clr["name"] and clr["validFrom"]
    assert clr["issuer"]["type"] == ["Profile"] and clr["validUntil"] > clr["validFrom"]
    assert clr["credentialStatus"]["type"] == "BitstringStatusListEntry"
    subject = clr["credentialSubject"]
    assert subject["type"] == ["ClrSubject"]
    assert subject["identifier"][0]["identityHash"] == "张三"
    [badge] = subject["verifiableCredential"]
    OB3LdpVerifier().verify(badge)  # each badge inside verifies on its own
    course_id = f"http://localhost/courses/{course.id}"
    session_iri = f"http://localhost/classes/{session_id}"
    assert {a["id"] for a in subject["achievement"]} == {course_id, session_iri}
    assert subject["association"] == [
        {
            "type": "Association",
            "associationType": "isPartOf",
            "sourceId": session_iri,
            "targetId": course_id,
        }
    ]
    public_key = resolve_did(clr["issuer"]["id"])
    verify_data_integrity_proof(clr, public_key, extra_contexts=bundled_clr_contexts())
    tampered = json.loads(json.dumps(clr))
    tampered["credentialSubject"]["identifier"][0]["identityHash"] = "李四"
    with pytest.raises(OB3VerificationError):
        verify_data_integrity_proof(tampered, public_key, extra_contexts=bundled_clr_contexts())
    png = client.get(f"/record/{learner.id}/clr.png")
    text = library_baking.extract_png(png.data, keyword=library_baking.ITXT_KEYWORD_OB3)
    baked = json.loads(text)  # a new CLR each download, as signed as the JSON one
    assert baked["type"] == ["VerifiableCredential", "ClrCredential"]
    verify_data_integrity_proof(baked, public_key, extra_contexts=bundled_clr_contexts())


def test_no_clr_without_a_certificate_and_none_for_someone_else(
    app, client, certified, make_user, login_as
):
    learner, _, certificate_id, _ = certified
    other = make_user()
    login_as(other)
    assert client.get(f"/record/{other.id}/clr.json").status_code == 404
    assert client.get(f"/record/{learner.id}/clr.json").status_code == 404
    assert client.get(f"/certificates/{certificate_id}/badge.json").status_code == 404
    assert client.get(f"/certificates/{certificate_id}/badge.png").status_code == 404


def test_only_the_shipped_contexts_are_loaded():
    with pytest.raises(linked_data.UnknownContext):
        linked_data.document_loader("https://example.org/context.jsonld")
    document = {"@context": ["https://example.org/context.jsonld"], "name": "x"}
    with pytest.raises(Exception) as raised:  # pyld wraps the loader's refusal
        linked_data.canonize(document)
    causes, error = [], raised.value
    while error is not None:
        causes.append(error)
        error = error.__cause__ or error.__context__
    assert any(isinstance(cause, linked_data.UnknownContext) for cause in causes)


def test_verify_credential_and_the_verify_page_take_every_format(
    app, client, certified, tmp_path, csrf_token
):
    learner, _, certificate_id, _ = certified
    for url in (
        f"/certificates/{certificate_id}/badge.json",
        f"/record/{learner.id}/clr.json",
        f"/record/{learner.id}/credential.json",  # the learning record of before
    ):
        path = tmp_path / "credential.json"
        path.write_bytes(client.get(url).data)
        result = app.test_cli_runner().invoke(args=["lms", "verify-credential", str(path)])
        assert result.exit_code == 0, (url, result.output)
    form = client.get("/verify/credential")
    assert form.status_code == 200 and "核验电子凭证" in form.get_data(as_text=True)
    csrf = csrf_token(path="/verify/credential")
    png = client.get(f"/certificates/{certificate_id}/badge.png").data
    import io

    page = client.post(
        "/verify/credential",
        data={"csrf_token": csrf, "credential": (io.BytesIO(png), "badge.png")},
        content_type="multipart/form-data",
    )
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and 'data-state="valid"' in text
    assert "Open Badges 3.0" in text and "长辈学用智能手机" in text
    badge = json.loads(client.get(f"/certificates/{certificate_id}/badge.json").data)
    badge["name"] = "改过的"
    page = client.post(
        "/verify/credential",
        data={
            "csrf_token": csrf,
            "credential": (io.BytesIO(json.dumps(badge).encode()), "badge.json"),
        },
        content_type="multipart/form-data",
    )
    assert 'data-state="invalid"' in page.get_data(as_text=True)
    junk = client.post(
        "/verify/credential",
        data={"csrf_token": csrf, "credential": (io.BytesIO(b"nothing"), "x.json")},
        content_type="multipart/form-data",
    )
    assert junk.status_code == 400


def test_a_badge_signed_before_a_key_rotation_still_verifies(app, client, certified, tmp_path):
    _, _, certificate_id, _ = certified
    before = json.loads(client.get(f"/certificates/{certificate_id}/badge.json").data)
    result = app.test_cli_runner().invoke(args=["lms", "rotate-signing-key"])
    assert result.exit_code == 0, result.output
    after = json.loads(client.get(f"/certificates/{certificate_id}/badge.json").data)
    assert after["issuer"]["id"] != before["issuer"]["id"]  # a new key, a new did:key
    for badge in (before, after):
        OB3LdpVerifier().verify(badge)
        path = tmp_path / "badge.json"
        path.write_text(json.dumps(badge))
        checked = app.test_cli_runner().invoke(args=["lms", "verify-credential", str(path)])
        assert checked.exit_code == 0, checked.output
