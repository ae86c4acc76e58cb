"""Checking a credential this platform issued, whatever its format: the signed learning
record and certificate of before (``eddsa-jcs-2022``, key in the JWK Set) and the Open
Badges 3.0 / CLR 2.0 credentials (``eddsa-rdfc-2022``, key in the issuer's ``did:key``).
Used by ``flask lms verify-credential`` and the verify page; nothing is fetched."""

from dataclasses import dataclass

from lms.credits import credentials, linked_data, status_list
from lms.timeutil import utcnow

KINDS = {
    "OpenBadgeCredential": "Open Badges 3.0",
    "AchievementCredential": "Open Badges 3.0",
    "ClrCredential": "CLR 2.0",
    credentials.CREDENTIAL_TYPE: "learning record",
    "CourseCertificateCredential": "course certificate",
}


@dataclass(frozen=True)
class Check:
    result: credentials.Verification
    kind: str
    subject: str
    achievements: tuple[str, ...]
    key: str | None


def kind_of(document: dict) -> str:
    types = document.get("type") if isinstance(document, dict) else None
    types = types if isinstance(types, list) else [types]
    return next((KINDS[t] for t in types if isinstance(t, str) and t in KINDS), "credential")


def _subject_and_achievements(document: dict) -> tuple[str, tuple[str, ...]]:
    subject = document.get("credentialSubject") if isinstance(document, dict) else None
    subject = subject if isinstance(subject, dict) else {}
    name = subject.get("name")
    for identity in subject.get("identifier") or []:
        if isinstance(identity, dict) and identity.get("identityType") == "name":
            name = name or identity.get("identityHash")
    achievements = subject.get("achievement") or []
    achievements = achievements if isinstance(achievements, list) else [achievements]
    names = tuple(str(a.get("name")) for a in achievements if isinstance(a, dict))
    if not names and isinstance(subject.get("certificate"), dict):
        names = (str(subject["certificate"].get("course")),)
    return str(name or "?"), names


def _proof(document: dict, jwks: dict) -> credentials.Verification:
    proof = document.get("proof") if isinstance(document, dict) else None
    if isinstance(proof, dict) and proof.get("cryptosuite") == linked_data.CRYPTOSUITE:
        result = linked_data.verify(document)
        if not result.verified:
            return result
        key = linked_data.public_key_of_did_key(result.kid)
        kid = credentials.public_jwk(key)["kid"]
        if credentials._find_key(jwks, kid) is None:
            return credentials.Verification(
                False, f"signed by {result.kid}, which is not a key of this issuer", kid
            )
        return credentials.Verification(True, result.reason, kid)
    return credentials.verify_document(document, jwks)


def check(document, jwks: dict, list_document=None, *, own_kids=frozenset()) -> Check:
    """Proof (by a key of ``jwks``), validity period, revocation status."""
    subject, achievements = _subject_and_achievements(document)
    kind = kind_of(document)
    result = _proof(document, jwks)
    kid = result.kid
    if result.verified:
        result = credentials.check_validity_period(document, utcnow())
    if result.verified:
        result = status_list.check_status(
            document, jwks, list_document, signed_here=kid in own_kids
        )
    return Check(result, kind, subject, achievements, kid)
