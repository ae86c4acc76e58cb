"""The signed learning record: JCS, eddsa-jcs-2022, the platform key, JWKS, the CLI."""

import copy
import json
import os
import stat
from datetime import UTC, datetime
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from lms.credits import credentials
from lms.credits.ledger import Posting, post
from lms.extensions import db

# Pure parts ------------------------------------------------------------------------------


def test_jcs_sorts_keys_by_utf16_code_units():
    # RFC 8785 §3.2.3: the property sorting example.
    value = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    keys = list(json.loads(credentials.canonical_json(value)))
    assert keys == ["\r", "1", "\u0080", "\u00f6", "\u20ac", "\U0001f600", "\ufb33"]


def test_jcs_serialises_numbers_strings_and_literals_as_the_rfc_says():
    # RFC 8785 §3.2.2: the sample input and its canonical form.
    value = {
        "numbers": [333333333.33333329, 1e30, 4.50, 2e-3, 0.000000000000000000000000001],
        "string": "\u20ac$\u000f\u000aA'\u0042\u0022\u005c\\\"/",
        "literals": [None, True, False],
    }
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"\u20ac$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert credentials.canonical_json(value) == expected.encode("utf-8")


@pytest.mark.parametrize(
    ("number", "text"),
    [
        (0.0, "0"),
        (-0.0, "0"),
        (5e-324, "5e-324"),
        (1.7976931348623157e308, "1.7976931348623157e+308"),
        (9007199254740992.0, "9007199254740992"),
        (295147905179352830000.0, "295147905179352830000"),
        (1e21, "1e+21"),
        (0.000001, "0.000001"),
        (1e-7, "1e-7"),
        (1.5, "1.5"),
        (2.0, "2"),
    ],
)
def test_jcs_numbers_follow_ecmascript(number, text):
    # RFC 8785 Appendix B.
    assert credentials.canonical_json(number) == text.encode("ascii")


def test_base58btc_round_trips_with_leading_zero_bytes():
    for data in (b"", b"\0", b"\0\0\x01", b"hello world", bytes(range(64))):
        assert credentials.base58btc_decode(credentials.base58btc_encode(data)) == data
    assert credentials.base58btc_encode(b"hello world") == "StV1DL6CwTryKyV"
    with pytest.raises(ValueError):
        credentials.multibase_decode("mAbc")  # base64 multibase is not base58-btc


def test_jwk_thumbprint_matches_rfc_8037():
    # RFC 8037 Appendix A.3.
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert credentials.jwk_thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_the_w3c_eddsa_jcs_2022_test_vector_is_reproduced():
    # vc-di-eddsa, Appendix B.3 (Representation: eddsa-jcs-2022): key, credential, proof.
    secret = credentials.multibase_decode("z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq")
    assert secret[:2] == b"\x80\x26"  # the multicodec header of an Ed25519 secret key
    key = Ed25519PrivateKey.from_private_bytes(secret[2:])
    document = {
        "@context": [
            "https://www.w3.org/ns/credentials/v2",
            "https://www.w3.org/ns/credentials/examples/v2",
        ],
        "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
        "type": ["VerifiableCredential", "AlumniCredential"],
        "name": "Alumni Credential",
        "description": "A minimum viable example of an Alumni Credential.",
        "issuer": "https://vc.example/issuers/5678",
        "validFrom": "2023-01-01T00:00:00Z",
        "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"},
    }
    multikey = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"
    signed = credentials.sign_document(
        document,
        key,
        verification_method=f"did:key:{multikey}#{multikey}",
        created=datetime(2023, 2, 24, 23, 36, 38, tzinfo=UTC),
    )
    assert signed["proof"]["proofValue"] == (
        "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX"
    )
    assert signed["proof"]["@context"] == document["@context"]
    jwks = credentials.jwks_document(key.public_key())
    jwks["keys"][0]["kid"] = multikey
    assert credentials.verify_document(signed, jwks).verified


def _signed_sample(key, kid):
    document = {
        "@context": [credentials.VC_CONTEXT],
        "type": ["VerifiableCredential", credentials.CREDENTIAL_TYPE],
        "issuer": {"id": "https://lms.example/"},
        "validFrom": "2025-01-01T00:00:00Z",
        "credentialSubject": {"name": "张三", "learningRecord": {"entries": [{"hours": 1.5}]}},
    }
    return credentials.sign_document(
        document,
        key,
        verification_method=f"https://lms.example/.well-known/jwks.json#{kid}",
        created=datetime(2025, 1, 1, tzinfo=UTC),
    )


def test_a_proof_breaks_when_anything_signed_changes():
    key = Ed25519PrivateKey.generate()
    jwks = credentials.jwks_document(key.public_key())
    signed = _signed_sample(key, jwks["keys"][0]["kid"])
    assert credentials.verify_document(signed, jwks).verified
    changes = [
        lambda d: d["credentialSubject"]["learningRecord"]["entries"][0].update(hours=2.5),
        lambda d: d["credentialSubject"].update(name="李四"),
        lambda d: d.update(validFrom="2025-01-02T00:00:00Z"),
        lambda d: d["proof"].update(created="2025-01-02T00:00:00Z"),
        lambda d: d.update({"@context": [credentials.VC_CONTEXT, "https://evil.example/v1"]}),
    ]
    for change in changes:
        tampered = copy.deepcopy(signed)
        change(tampered)
        assert not credentials.verify_document(tampered, jwks).verified


def test_a_proof_names_why_it_fails():
    key = Ed25519PrivateKey.generate()
    jwks = credentials.jwks_document(key.public_key())
    signed = _signed_sample(key, jwks["keys"][0]["kid"])
    assert "unknown key id" in credentials.verify_document(signed, {"keys": []}).reason
    assert "no proof" in credentials.verify_document({"a": 1}, jwks).reason
    other = copy.deepcopy(signed)
    other["proof"]["cryptosuite"] = "eddsa-rdfc-2022"
    assert "unsupported" in credentials.verify_document(other, jwks).reason
    garbled = copy.deepcopy(signed)
    garbled["proof"]["proofValue"] = "z0OIl"
    assert "malformed" in credentials.verify_document(garbled, jwks).reason


def test_the_key_file_is_created_once_with_mode_0600(tmp_path):
    path = tmp_path / "keys" / "signing_key.pem"
    first = credentials.load_or_create_signing_key(path)
    assert stat.S_IMODE(os.stat(path).st_mode) == 0o600
    second = credentials.load_or_create_signing_key(path)
    assert credentials.public_jwk(first.public_key()) == credentials.public_jwk(second.public_key())
    assert [p.name for p in path.parent.iterdir()] == ["signing_key.pem"]


# Through the app -------------------------------------------------------------------------


def _record(app, learner_id):
    with app.app_context():
        post(Posting(learner_id, "lesson", "101", 1.5, 1.5, 1))
        post(Posting(learner_id, "attendance", "7", 2.0, 2.0, 1))
        post(
            Posting(
                learner_id,
                "attendance",
                "7",
                -2.0,
                -2.0,
                1,
                is_reversal=True,
                reason="attendance corrected",
            )
        )
        post(Posting(learner_id, "adjustment", "a1", 0.0, 0.5, None, reason="volunteer work"))
        db.session.commit()


def _fetch(client, login_as, learner, tmp_path):
    login_as(learner)
    response = client.get(f"/record/{learner.id}/credential.json")
    assert response.status_code == 200
    assert "attachment" in response.headers["Content-Disposition"]
    jwks = client.get("/.well-known/jwks.json")
    assert jwks.status_code == 200
    jwks_path = tmp_path / "jwks.json"
    jwks_path.write_bytes(jwks.data)
    return json.loads(response.data), jwks_path


def _verify_cli(app, document, tmp_path, *extra):
    path = tmp_path / "credential.json"
    path.write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    return app.test_cli_runner().invoke(args=["lms", "verify-credential", str(path), *extra])


def test_the_signed_record_verifies_with_the_published_key(
    app, client, make_user, login_as, tmp_path
):
    learner = make_user(display_name="张三")
    _record(app, learner.id)
    document, jwks_path = _fetch(client, login_as, learner, tmp_path)

    assert document["@context"] == ["https://www.w3.org/ns/credentials/v2"]
    assert document["type"][0] == "VerifiableCredential"
    assert document["issuer"]["id"] == "http://localhost/"
    subject = document["credentialSubject"]
    assert (subject["name"], subject["platformId"]) == ("张三", str(learner.id))
    record = subject["learningRecord"]
    assert record["totals"] == {
        "onlineHours": 1.5,
        "offlineHours": 0.0,
        "recognisedHours": 0.0,
        "credits": 2.0,
    }
    assert [entry["hours"] for entry in record["entries"]] == [1.5, 2.0, -2.0, 0.0]
    assert record["entries"][2]["reversal"] is True
    proof = document["proof"]
    assert (proof["type"], proof["cryptosuite"]) == ("DataIntegrityProof", "eddsa-jcs-2022")
    published = json.loads(jwks_path.read_text())["keys"][0]
    assert (published["kty"], published["crv"]) == ("OKP", "Ed25519")
    assert "d" not in published  # never the private part
    assert proof["verificationMethod"] == (
        f"http://localhost/.well-known/jwks.json#{published['kid']}"
    )

    result = _verify_cli(app, document, tmp_path, "--jwks", str(jwks_path))
    assert result.exit_code == 0, result.output
    assert result.output.startswith("valid") and "张三" in result.output
    assert _verify_cli(app, document, tmp_path).exit_code == 0  # the app's own key


@pytest.mark.parametrize("change", ["hours", "name", "date"])
def test_changing_an_hour_the_name_or_a_date_breaks_it(
    app, client, make_user, login_as, tmp_path, change
):
    learner = make_user(display_name="张三")
    _record(app, learner.id)
    document, jwks_path = _fetch(client, login_as, learner, tmp_path)
    subject = document["credentialSubject"]
    if change == "hours":
        subject["learningRecord"]["entries"][0]["hours"] = 15
    elif change == "name":
        subject["name"] = "张三丰"
    else:
        subject["learningRecord"]["entries"][0]["date"] = "2020-01-01"
    result = _verify_cli(app, document, tmp_path, "--jwks", str(jwks_path))
    assert result.exit_code == 1
    assert result.output.startswith("invalid") and "signature does not match" in result.output


def test_a_credential_signed_by_another_key_fails(app, client, make_user, login_as, tmp_path):
    learner = make_user()
    _record(app, learner.id)
    document, jwks_path = _fetch(client, login_as, learner, tmp_path)
    unsecured = {name: value for name, value in document.items() if name != "proof"}
    forger = Ed25519PrivateKey.generate()
    created = datetime(2025, 1, 1, tzinfo=UTC)
    # Claiming the platform's key id: the signature does not match the published key.
    claimed = credentials.sign_document(
        unsecured,
        forger,
        verification_method=document["proof"]["verificationMethod"],
        created=created,
    )
    result = _verify_cli(app, claimed, tmp_path, "--jwks", str(jwks_path))
    assert result.exit_code == 1 and "signature does not match" in result.output
    # Naming its own key: that key id is not the platform's.
    own_kid = credentials.public_jwk(forger.public_key())["kid"]
    named = credentials.sign_document(
        unsecured,
        forger,
        verification_method=f"http://localhost/.well-known/jwks.json#{own_kid}",
        created=created,
    )
    result = _verify_cli(app, named, tmp_path, "--jwks", str(jwks_path))
    assert result.exit_code == 1 and f"unknown key id {own_kid}" in result.output


def test_the_cli_refuses_what_is_not_json(app, tmp_path):
    path = tmp_path / "broken.json"
    path.write_text("{not json")
    result = app.test_cli_runner().invoke(args=["lms", "verify-credential", str(path)])
    assert result.exit_code == 1 and result.output.startswith("invalid")


def test_the_jwks_is_public_and_stable(app, client):
    first = client.get("/.well-known/jwks.json")
    assert first.status_code == 200 and first.mimetype == "application/jwk-set+json"
    assert first.headers["Access-Control-Allow-Origin"] == "*"
    assert client.get("/.well-known/jwks.json").data == first.data
    key_file = app.config["LMS_SIGNING_KEY_FILE"]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600


def test_the_cli_fetches_the_jwks_from_a_url(app, client, make_user, login_as, tmp_path):
    import functools
    import threading
    from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer

    learner = make_user()
    _record(app, learner.id)
    document, jwks_path = _fetch(client, login_as, learner, tmp_path)
    handler = functools.partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        url = f"http://127.0.0.1:{server.server_address[1]}/{jwks_path.name}"
        result = _verify_cli(app, document, tmp_path, "--jwks", url)
        assert result.exit_code == 0, result.output
        missing = _verify_cli(app, document, tmp_path, "--jwks", url + ".missing")
        assert missing.exit_code == 1 and missing.output.startswith("invalid: cannot read")
    finally:
        server.shutdown()
        server.server_close()


def test_credentials_signed_before_a_key_rotation_still_verify(
    app, client, make_user, login_as, tmp_path
):
    learner = make_user()
    _record(app, learner.id)
    before, _ = _fetch(client, login_as, learner, tmp_path)
    old_kid = before["proof"]["verificationMethod"].rpartition("#")[2]

    result = app.test_cli_runner().invoke(args=["lms", "rotate-signing-key"])
    assert result.exit_code == 0, result.output

    after, jwks_path = _fetch(client, login_as, learner, tmp_path)
    new_kid = after["proof"]["verificationMethod"].rpartition("#")[2]
    published = [key["kid"] for key in json.loads(jwks_path.read_text())["keys"]]
    assert new_kid != old_kid and sorted(published) == sorted([old_kid, new_kid])
    for document in (before, after):
        assert _verify_cli(app, document, tmp_path, "--jwks", str(jwks_path)).exit_code == 0
        own = _verify_cli(app, document, tmp_path)  # this platform's keys, old ones included
        assert own.exit_code == 0, own.output
    key_file = app.config["LMS_SIGNING_KEY_FILE"]
    assert stat.S_IMODE(os.stat(key_file).st_mode) == 0o600
    assert [p.name for p in Path(key_file).parent.glob(".signing-key-*")] == []


def test_a_signed_record_is_valid_for_the_configured_years_then_expires(
    app, client, make_user, login_as, tmp_path
):
    from lms.config import ConfigurationError, load_config

    assert load_config({})["LMS_CREDENTIAL_VALID_YEARS"] == 5
    assert load_config({"LMS_CREDENTIAL_VALID_YEARS": "2"})["LMS_CREDENTIAL_VALID_YEARS"] == 2
    with pytest.raises(ConfigurationError):
        load_config({"LMS_CREDENTIAL_VALID_YEARS": "0"})

    learner = make_user()
    _record(app, learner.id)
    document, _ = _fetch(client, login_as, learner, tmp_path)
    valid_from = datetime.fromisoformat(document["validFrom"])
    valid_until = datetime.fromisoformat(document["validUntil"])
    assert (valid_until - valid_from).days in (5 * 365 + 1, 5 * 365 + 2)  # leap days
    assert valid_until.time() == valid_from.time()
    app.config["LMS_CREDENTIAL_VALID_YEARS"] = 1
    document, _ = _fetch(client, login_as, learner, tmp_path)
    valid_from = datetime.fromisoformat(document["validFrom"])
    valid_until = datetime.fromisoformat(document["validUntil"])
    assert (valid_until - valid_from).days in (365, 366)
    assert _verify_cli(app, document, tmp_path).exit_code == 0

    expired = {name: value for name, value in document.items() if name != "proof"}
    expired.update(validFrom="2019-01-01T00:00:00Z", validUntil="2024-01-01T00:00:00Z")
    signer = credentials.load_signing_key(app.config["LMS_SIGNING_KEY_FILE"])
    expired = credentials.sign_document(
        expired,
        signer,
        verification_method=document["proof"]["verificationMethod"],
        created=datetime(2019, 1, 1, tzinfo=UTC),
    )
    result = _verify_cli(app, expired, tmp_path)
    assert result.exit_code == 1 and "expired on 2024-01-01" in result.output
    not_yet = {name: value for name, value in document.items() if name != "proof"}
    not_yet.update(validFrom="2999-01-01T00:00:00Z", validUntil="3004-01-01T00:00:00Z")
    not_yet = credentials.sign_document(
        not_yet,
        signer,
        verification_method=document["proof"]["verificationMethod"],
        created=datetime(2025, 1, 1, tzinfo=UTC),
    )
    result = _verify_cli(app, not_yet, tmp_path)
    assert result.exit_code == 1 and "not valid before 2999-01-01" in result.output
