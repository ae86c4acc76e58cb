"""Transfer (学分转换/互认): the learning record as a W3C Verifiable Credential 2.0.

The credential is secured with a Data Integrity proof of cryptosuite ``eddsa-jcs-2022``
(W3C vc-di-eddsa §3.3): the proof options (with the document's ``@context``) and the
unsecured document are each canonicalised with the JSON Canonicalization Scheme
(RFC 8785) and hashed with SHA-256; the proof-config hash followed by the document hash
is signed with Ed25519, and ``proofValue`` is the signature as multibase base58-btc.
No JSON-LD context is ever fetched.

The platform's Ed25519 key lives in ``LMS_SIGNING_KEY_FILE`` (PEM, generated with mode
0600 when absent) and is published as a JWK Set at ``/.well-known/jwks.json``; its key
id is the RFC 7638 JWK thumbprint, and a proof names it as
``<site>/.well-known/jwks.json#<kid>``.
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import json
import os
import tempfile
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING

import rfc8785
from flask import current_app

from lms.credits.multibase import (  # noqa: F401  (part of this module's interface)
    base58btc_decode,
    base58btc_encode,
    multibase_decode,
    multibase_encode,
)

if TYPE_CHECKING:
    # cryptography (with its Rust core, ~6 MiB) is imported by the functions that use a
    # key, here and in linked_data.py: most processes never sign nor verify anything.
    from cryptography.hazmat.primitives.asymmetric.ed25519 import (
        Ed25519PrivateKey,
        Ed25519PublicKey,
    )

VC_CONTEXT = "https://www.w3.org/ns/credentials/v2"
CREDENTIAL_TYPE = "LearningRecordCredential"
PROOF_TYPE = "DataIntegrityProof"
CRYPTOSUITE = "eddsa-jcs-2022"
PROOF_PURPOSE = "assertionMethod"


def canonical_json(value) -> bytes:
    """RFC 8785 (JCS) canonical UTF-8 bytes of a JSON value."""
    return rfc8785.dumps(value)


# The platform's key ----------------------------------------------------------------------


def load_signing_key(path: str | Path) -> Ed25519PrivateKey:
    from cryptography.hazmat.primitives import serialization  # on use: see the top
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    key = serialization.load_pem_private_key(Path(path).read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def write_new_signing_key(path: str | Path, *, replace: bool) -> Ed25519PrivateKey:
    """A new key written to ``path`` (mode 0600) whole or not at all: written aside, then
    renamed over the old file (``replace``) or hard-linked into place, so that two
    processes starting at once end up with the same key."""
    from cryptography.hazmat.primitives import serialization  # on use: see the top
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".signing-key-")
    try:
        os.fchmod(fd, 0o600)
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
            handle.flush()
            os.fsync(handle.fileno())
        if replace:
            os.replace(temporary, path)
        else:
            with contextlib.suppress(FileExistsError):  # another process won: use its key
                os.link(temporary, path)
    finally:
        with contextlib.suppress(FileNotFoundError):
            os.unlink(temporary)
    return key


def load_or_create_signing_key(path: str | Path) -> Ed25519PrivateKey:
    """The key in ``path``; a new one is generated there (mode 0600) when it is absent."""
    if not Path(path).exists():
        write_new_signing_key(path, replace=False)
    return load_signing_key(path)


_key_cache: dict[str, tuple[tuple[int, int], Ed25519PrivateKey]] = {}


def signing_key() -> Ed25519PrivateKey:
    """The app's key (from ``LMS_SIGNING_KEY_FILE``), created on first use."""
    path = current_app.config["LMS_SIGNING_KEY_FILE"]
    if not os.path.exists(path):
        load_or_create_signing_key(path)
    status = os.stat(path)
    version = (status.st_ino, status.st_mtime_ns)
    cached = _key_cache.get(path)
    if cached is None or cached[0] != version:  # a replaced (rotated) file is read again
        cached = _key_cache[path] = (version, load_signing_key(path))
    return cached[1]


def _b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def jwk_thumbprint(jwk: dict) -> str:
    """RFC 7638 thumbprint (SHA-256, base64url) of an OKP public key."""
    required = {name: jwk[name] for name in ("crv", "kty", "x")}
    members = json.dumps(required, separators=(",", ":"), sort_keys=True)
    return _b64url(hashlib.sha256(members.encode("utf-8")).digest())


def public_jwk(public_key: Ed25519PublicKey) -> dict:
    from cryptography.hazmat.primitives import serialization  # on use: see the top

    raw = public_key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": _b64url(raw)}
    return {**jwk, "kid": jwk_thumbprint(jwk), "alg": "EdDSA", "use": "sig"}


def jwks_document(*public_keys: Ed25519PublicKey) -> dict:
    return {"keys": [public_jwk(key) for key in public_keys]}


def public_key_from_jwk(jwk: dict) -> Ed25519PublicKey:
    from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey  # see top

    if jwk.get("kty") != "OKP" or jwk.get("crv") != "Ed25519":
        raise ValueError("the key is not an Ed25519 (OKP) key")
    raw = _b64url_decode(str(jwk.get("x", "")))
    if len(raw) != 32:
        raise ValueError("the key's x is not 32 bytes")
    return Ed25519PublicKey.from_public_bytes(raw)


# eddsa-jcs-2022 --------------------------------------------------------------------------


def timestamp(moment: datetime) -> str:
    return moment.astimezone(UTC).replace(microsecond=0).isoformat().replace("+00:00", "Z")


def _hash_data(unsecured_document: dict, proof_config: dict) -> bytes:
    """proofConfigHash followed by transformedDocumentHash (vc-di-eddsa §3.3.4)."""
    proof_hash = hashlib.sha256(canonical_json(proof_config)).digest()
    document_hash = hashlib.sha256(canonical_json(unsecured_document)).digest()
    return proof_hash + document_hash


def create_proof(
    unsecured_document: dict,
    private_key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: datetime,
) -> dict:
    """A Data Integrity proof (eddsa-jcs-2022) over ``unsecured_document``."""
    proof = {
        "type": PROOF_TYPE,
        "cryptosuite": CRYPTOSUITE,
        "created": timestamp(created),
        "verificationMethod": verification_method,
        "proofPurpose": PROOF_PURPOSE,
    }
    if "@context" in unsecured_document:
        proof["@context"] = unsecured_document["@context"]
    signature = private_key.sign(_hash_data(unsecured_document, proof))
    return {**proof, "proofValue": multibase_encode(signature)}


def sign_document(
    unsecured_document: dict,
    private_key: Ed25519PrivateKey,
    *,
    verification_method: str,
    created: datetime,
) -> dict:
    proof = create_proof(
        unsecured_document, private_key, verification_method=verification_method, created=created
    )
    return {**unsecured_document, "proof": proof}


@dataclass(frozen=True)
class Verification:
    verified: bool
    reason: str
    kid: str | None = None

    def __bool__(self) -> bool:
        return self.verified


def _find_key(jwks: dict, kid: str) -> dict | None:
    keys = jwks.get("keys") if isinstance(jwks, dict) else None
    if not isinstance(keys, list):
        return None
    return next((key for key in keys if isinstance(key, dict) and key.get("kid") == kid), None)


def verify_document(secured_document, jwks: dict) -> Verification:
    """Check an eddsa-jcs-2022 proof against the keys of a JWK Set (vc-di-eddsa §3.3.2)."""
    from cryptography.exceptions import InvalidSignature  # on use: see the top

    if not isinstance(secured_document, dict):
        return Verification(False, "the credential is not a JSON object")
    proof = secured_document.get("proof")
    if isinstance(proof, list):
        return Verification(False, "proof sets are not supported: expected one proof")
    if not isinstance(proof, dict):
        return Verification(False, "the credential has no proof")
    if proof.get("type") != PROOF_TYPE or proof.get("cryptosuite") != CRYPTOSUITE:
        return Verification(False, f"unsupported proof: expected {PROOF_TYPE} {CRYPTOSUITE}")
    if proof.get("proofPurpose") != PROOF_PURPOSE:
        return Verification(False, f"unexpected proof purpose: {proof.get('proofPurpose')!r}")
    try:
        datetime.fromisoformat(str(proof.get("created")).replace("Z", "+00:00"))
    except ValueError:
        return Verification(False, "the proof's created date is not a valid date-time")
    method = proof.get("verificationMethod")
    kid = method.rpartition("#")[2] if isinstance(method, str) and "#" in method else None
    if not kid:
        return Verification(False, "the proof's verificationMethod names no key id")
    jwk = _find_key(jwks, kid)
    if jwk is None:
        return Verification(False, f"unknown key id {kid}", kid)
    try:
        public_key = public_key_from_jwk(jwk)
        proof_bytes = multibase_decode(proof.get("proofValue"))
    except ValueError as error:
        return Verification(False, f"malformed key or proofValue: {error}", kid)

    unsecured = {name: value for name, value in secured_document.items() if name != "proof"}
    proof_options = {name: value for name, value in proof.items() if name != "proofValue"}
    # The spec lets a document carry more contexts after the proof's (for proof sets);
    # one proof is all this platform issues, so any other @context is a change.
    if "@context" in proof_options and unsecured.get("@context") != proof_options["@context"]:
        return Verification(False, "the document's @context does not match the proof", kid)
    try:
        hash_data = _hash_data(unsecured, proof_options)
    except (TypeError, ValueError) as error:
        return Verification(False, f"the credential cannot be canonicalised: {error}", kid)
    try:
        public_key.verify(proof_bytes, hash_data)
    except InvalidSignature:
        return Verification(
            False,
            "the signature does not match: the credential was changed or signed by another key",
            kid,
        )
    return Verification(True, "the signature verifies", kid)


# The learning record as a credential -----------------------------------------------------


def add_years(moment: datetime, years: int) -> datetime:
    """The same day and time ``years`` later (29 February becomes 28 February)."""
    try:
        return moment.replace(year=moment.year + years)
    except ValueError:
        return moment.replace(year=moment.year + years, day=28)


def record_credential(
    record, *, issuer_id: str, issuer_name: str, issued_at: datetime, valid_years: int
) -> dict:
    """The unsecured credential for a ``LearningRecord`` (see ``exports.learning_record``),
    valid from ``issued_at`` for ``valid_years``."""
    totals = record.totals
    return {
        "@context": [VC_CONTEXT],
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", CREDENTIAL_TYPE],
        "name": "学习档案 (learning record)",
        "issuer": {"id": issuer_id, "name": issuer_name},
        "validFrom": timestamp(issued_at),
        "validUntil": timestamp(add_years(issued_at, valid_years)),
        "credentialSubject": {
            "type": "Learner",
            "name": record.learner_name,
            "platformId": str(record.learner_id),
            "learningRecord": {
                "totals": {
                    "onlineHours": totals.online_hours,
                    "offlineHours": totals.offline_hours,
                    "recognisedHours": totals.recognised_hours,
                    "credits": totals.credits,
                },
                "entries": [
                    {
                        "seq": line.seq,
                        "date": line.day.isoformat(),
                        "source": line.source_type,
                        "sourceId": line.source_id,
                        "title": line.title,
                        "reversal": line.is_reversal,
                        "hours": line.hours,
                        "credits": line.credits,
                        "ruleVersion": line.rule_version,
                        "reason": line.reason,
                        "entryHash": line.entry_hash,
                    }
                    for line in record.lines
                ],
            },
        },
    }


# Verifying a file (the CLI) --------------------------------------------------------------


def load_jwks(source: str) -> dict:
    """A JWK Set from a file or an http(s) URL."""
    if source.startswith(("https://", "http://")):
        from urllib.request import urlopen

        with urlopen(source, timeout=15) as response:  # noqa: S310 (scheme checked above)
            return json.loads(response.read(1_000_000))
    return json.loads(Path(source).read_text(encoding="utf-8"))


def _parse_timestamp(value) -> datetime | None:
    try:
        moment = datetime.fromisoformat(str(value).replace("Z", "+00:00"))
    except ValueError:
        return None
    return moment if moment.tzinfo else None


def check_validity_period(document: dict, now: datetime) -> Verification:
    """Whether ``now`` is within the credential's validFrom and validUntil (either may be
    absent; one that is present must be a date-time with a time zone)."""
    for name in ("validFrom", "validUntil"):
        if name in document and _parse_timestamp(document[name]) is None:
            return Verification(False, f"the credential's {name} is not a valid date-time")
    valid_from = _parse_timestamp(document.get("validFrom"))
    valid_until = _parse_timestamp(document.get("validUntil"))
    if valid_from and now < valid_from:
        return Verification(False, f"the credential is not valid before {document['validFrom']}")
    if valid_until and now > valid_until:
        return Verification(False, f"the credential expired on {document['validUntil']}")
    return Verification(True, "the credential is within its validity period")


def describe(document: dict) -> str:
    subject = document.get("credentialSubject") or {}
    subject = subject if isinstance(subject, dict) else {}
    return (
        f"{document.get('id', 'credential')} for {subject.get('name', '?')} "
        f"(learner {subject.get('platformId', '?')}), signed "
        f"{(document.get('proof') or {}).get('created', '?')}"
    )
