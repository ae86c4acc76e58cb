"""Revocation that reaches verifiers: the Bitstring Status List, entries, verify-credential."""

import json
import threading

import pytest
from sqlalchemy import select

from lms.courses.models import Course
from lms.credits import credentials, services, status_list
from lms.credits.credential_models import IssuedCredential, StatusList
from lms.credits.ledger import Posting, post
from lms.credits.models import Certificate
from lms.extensions import db

# The bitstring ---------------------------------------------------------------------------


def test_the_encoded_list_is_gzip_base64url_with_the_u_prefix_first_index_leftmost():
    encoded = status_list.encode_bits({0, 7, 131_071})
    assert encoded.startswith("u") and "=" not in encoded
    assert not set(encoded[1:]) - set(
        "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"
    )
    bits = status_list.decode_bits(encoded)
    assert len(bits) * 8 == status_list.LIST_SIZE == 131_072  # 16 KiB, the minimum
    assert bits[0] == 0b1000_0001 and bits[-1] == 0b0000_0001 and not any(bits[1:-1])
    assert status_list.bit_is_set(bits, 7) and not status_list.bit_is_set(bits, 8)


# Allocation ------------------------------------------------------------------------------


def _record_row(learner_id):
    return IssuedCredential(kind="record", learner_id=learner_id, subject_digest="x")


def test_indexes_are_drawn_at_random_and_never_given_twice(app, make_user, monkeypatch):
    learner = make_user()
    with app.app_context():
        rows = [status_list.allocate(_record_row(learner.id)) for _ in range(100)]
        db.session.commit()
        indexes = [row.status_index for row in rows]
        assert len(set(indexes)) == 100
        assert sorted(indexes) != list(range(min(indexes), min(indexes) + 100))
        assert max(indexes) - min(indexes) > 10_000  # spread over the 131,072 positions
        assert db.session.get(StatusList, rows[0].status_list_id).allocated == 100

        # Drawing an index that is taken (here, or by another process at the same moment)
        # is refused by the unique constraint and drawn again.
        taken = indexes[0]
        draws = iter([taken, taken, 12_345])
        monkeypatch.setattr(status_list.secrets, "randbelow", lambda _size: next(draws))
        row = status_list.allocate(_record_row(learner.id))
        db.session.commit()
        assert row.status_index == 12_345
        assert db.session.get(StatusList, row.status_list_id).allocated == 101


# Through the app and the CLI -------------------------------------------------------------


def _issue_certificate(app, learner, course):
    with app.app_context():
        certificate = services.issue_certificate(learner.id, db.session.get(Course, course.id))
        db.session.commit()
        return certificate.id


def _download(client, url, tmp_path, name):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    path = tmp_path / name
    path.write_bytes(response.data)
    return json.loads(response.data), path


def _verify(app, path, *extra):
    return app.test_cli_runner().invoke(args=["lms", "verify-credential", str(path), *extra])


def test_a_revoked_certificate_credential_stops_verifying(
    app, client, make_user, make_course, login_as, tmp_path
):
    learner = make_user(display_name="张三")
    certificate_id = _issue_certificate(app, learner, make_course(title="长辈学用智能手机"))
    login_as(learner)
    url = f"/certificates/{certificate_id}/credential.json"
    document, path = _download(client, url, tmp_path, "certificate.json")
    entry = document["credentialStatus"]
    assert entry["type"] == "BitstringStatusListEntry"
    assert entry["statusPurpose"] == "revocation"
    assert entry["statusListIndex"].isascii() and entry["statusListIndex"].isdigit()
    list_url = entry["statusListCredential"]
    assert list_url.startswith("http://localhost/credentials/status/")
    assert entry["id"] == f"{list_url}#{entry['statusListIndex']}"
    assert document["credentialSubject"]["certificate"]["course"] == "长辈学用智能手机"
    again, _ = _download(client, url, tmp_path, "again.json")
    assert again["credentialStatus"] == entry  # one entry per certificate

    before_list, before_list_path = _download(client, list_url, tmp_path, "list-before.json")
    assert before_list["type"] == ["VerifiableCredential", "BitstringStatusListCredential"]
    assert before_list["credentialSubject"]["statusPurpose"] == "revocation"
    result = _verify(app, path)
    assert result.exit_code == 0, result.output
    assert "not revoked" in result.output

    with app.app_context():
        certificate = db.session.get(Certificate, certificate_id)
        services.revoke_certificate(certificate, "成绩作假", actor=None)
        db.session.commit()

    result = _verify(app, path)  # this site's list, read from the database
    assert result.exit_code == 1 and "marks it revoked" in result.output
    after_list, after_list_path = _download(client, list_url, tmp_path, "list-after.json")
    result = _verify(app, path, "--status-list", str(after_list_path))
    assert result.exit_code == 1 and "marks it revoked" in result.output
    bits = status_list.decode_bits(after_list["credentialSubject"]["encodedList"])
    assert status_list.bit_is_set(bits, int(entry["statusListIndex"]))
    # The copy saved before the revocation still says what it said then.
    result = _verify(app, path, "--status-list", str(before_list_path))
    assert result.exit_code == 0, result.output

    # A status list that was changed after signing is refused.
    forged = dict(after_list, credentialSubject=before_list["credentialSubject"])
    forged_path = tmp_path / "forged.json"
    forged_path.write_text(json.dumps(forged))
    result = _verify(app, path, "--status-list", str(forged_path))
    assert result.exit_code == 1 and "status list does not verify" in result.output


def test_a_record_is_superseded_when_a_later_one_says_something_else(
    app, client, make_user, login_as, tmp_path
):
    learner = make_user()
    with app.app_context():
        post(Posting(learner.id, "lesson", "101", 1.5, 1.5, 1))
        db.session.commit()
    login_as(learner)
    url = f"/record/{learner.id}/credential.json"
    first, first_path = _download(client, url, tmp_path, "first.json")
    second, second_path = _download(client, url, tmp_path, "second.json")
    assert first["credentialStatus"]["statusPurpose"] == "revocation"
    assert (
        first["credentialStatus"]["statusListIndex"]
        != second["credentialStatus"]["statusListIndex"]
    )
    assert _verify(app, first_path).exit_code == 0  # the same content: not superseded

    with app.app_context():
        post(Posting(learner.id, "lesson", "102", 1.0, 1.0, 1))
        db.session.commit()
    _, third_path = _download(client, url, tmp_path, "third.json")
    for superseded in (first_path, second_path):
        result = _verify(app, superseded)
        assert result.exit_code == 1 and "marks it revoked" in result.output
    result = _verify(app, third_path)
    assert result.exit_code == 0, result.output


def test_another_sites_status_list_needs_a_saved_copy(app, client, make_user, login_as, tmp_path):
    learner = make_user()
    login_as(learner)
    document, _ = _download(client, f"/record/{learner.id}/credential.json", tmp_path, "r.json")
    with app.app_context():
        key = credentials.load_signing_key(app.config["LMS_SIGNING_KEY_FILE"])
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    unsecured["credentialStatus"] = dict(
        document["credentialStatus"],
        statusListCredential="https://other.example/credentials/status/1",
    )
    moved = credentials.sign_document(
        unsecured,
        key,
        verification_method=document["proof"]["verificationMethod"],
        created=credentials.datetime.now(credentials.UTC),
    )
    path = tmp_path / "moved.json"
    path.write_text(json.dumps(moved))
    result = _verify(app, path)
    assert result.exit_code == 1 and "--status-list FILE" in result.output

    # With LMS_PUBLIC_URL set, only lists on that origin are this site's.
    app.config["LMS_PUBLIC_URL"] = "https://learn.example.org"
    record_path = tmp_path / "r.json"
    result = _verify(app, record_path)
    assert result.exit_code == 1 and "not this site's" in result.output


def test_the_status_list_is_public_and_unknown_lists_are_404(
    app, client, make_user, login_as, tmp_path
):
    learner = make_user()
    login_as(learner)
    document, _ = _download(client, f"/record/{learner.id}/credential.json", tmp_path, "r.json")
    list_url = document["credentialStatus"]["statusListCredential"]
    anonymous = app.test_client()
    response = anonymous.get(list_url)
    assert response.status_code == 200 and response.headers["Access-Control-Allow-Origin"] == "*"
    jwks = json.loads(anonymous.get("/.well-known/jwks.json").data)
    assert credentials.verify_document(json.loads(response.data), jwks).verified
    assert anonymous.get("/credentials/status/999").status_code == 404


def test_the_status_list_url_is_on_the_public_url(app, client, make_user, login_as, tmp_path):
    app.config["LMS_PUBLIC_URL"] = "https://learn.example.org"
    learner = make_user()
    login_as(learner)
    response = client.get(f"/record/{learner.id}/credential.json")
    assert response.status_code == 200
    document = json.loads(response.data)
    list_url = document["credentialStatus"]["statusListCredential"]
    assert list_url.startswith("https://learn.example.org/credentials/status/")
    path = tmp_path / "record.json"
    path.write_bytes(response.data)
    result = _verify(app, path)  # this site's list: read from the database
    assert result.exit_code == 0 and "this site's status list" in result.output


def test_concurrent_issuers_never_share_an_index(app, make_user, monkeypatch):
    if not app.config["SQLALCHEMY_DATABASE_URI"].startswith("postgresql"):
        pytest.skip("PostgreSQL run only (SQLite serialises writers)")
    learner = make_user()
    with app.app_context():
        first = status_list.allocate(_record_row(learner.id))  # one list for all
        db.session.commit()
        list_id = first.status_list_id
    # 64 positions for 41 credentials: the threads' draws collide all the time.
    random = status_list.secrets.SystemRandom()
    monkeypatch.setattr(status_list.secrets, "randbelow", lambda _size: random.randrange(64))
    barrier = threading.Barrier(8)
    errors = []

    def worker():
        with app.app_context():
            try:
                barrier.wait(timeout=10)
                for _ in range(5):
                    status_list.allocate(_record_row(learner.id))
                    db.session.commit()
            except Exception as error:  # reported below
                errors.append(error)
            finally:
                db.session.remove()

    threads = [threading.Thread(target=worker) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert errors == []
    with app.app_context():
        indexes = db.session.scalars(
            select(IssuedCredential.status_index).where(IssuedCredential.status_list_id == list_id)
        ).all()
        assert len(indexes) == len(set(indexes)) == 41
        assert db.session.get(StatusList, list_id).allocated == 41
