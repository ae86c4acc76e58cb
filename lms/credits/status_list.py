"""Revocation that reaches verifiers: W3C Bitstring Status List v1.0.

Every signed learning record and certificate credential carries a
``BitstringStatusListEntry`` (``credentialStatus``) naming a status list credential
(``/credentials/status/<list id>``) and an index in it. The list is published as a signed
``BitstringStatusListCredential`` whose ``encodedList`` is the bitstring, GZIP-compressed,
base64url-encoded without padding, with the multibase prefix ``u``. The first index is the
left-most bit (the high bit of the first byte).

- One purpose, ``revocation``: a certificate's bit is set when the admin revokes it, a
  record's when a later record of the same learner says something else (superseded).
  Both are final (a revoked certificate is not reinstated, a superseded snapshot does
  not become current again), which is what ``revocation`` means; ``suspension`` is for
  a status that can be undone.
- A list has 131,072 bits (16 KiB, the specification's minimum, for herd privacy) and
  indexes are drawn at random, so an index says nothing about when or to whom a
  credential was issued. Two issuers drawing the same index at once: the unique
  constraint refuses the second, which draws again (the allocation runs in a savepoint).
"""

import base64
import gzip
import hashlib
import re
import secrets
from datetime import datetime
from urllib.parse import urlsplit

from flask import current_app
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from werkzeug.exceptions import HTTPException

from lms.credits import credentials
from lms.credits.credential_models import IssuedCredential, StatusList
from lms.extensions import db
from lms.web.urls import external_url

REVOCATION = "revocation"
LIST_SIZE = 131_072  # bits: 16 KiB
ENTRY_TYPE = "BitstringStatusListEntry"
LIST_CREDENTIAL_TYPE = "BitstringStatusListCredential"
LIST_TYPE = "BitstringStatusList"
LIST_ENDPOINT = "credits.status_list"
_STATES = {"revocation": "revoked", "suspension": "suspended"}
_DRAWS = 50

# The bitstring ---------------------------------------------------------------------------


def encode_bits(set_indexes, size: int = LIST_SIZE) -> str:
    """``encodedList`` for a bitstring of ``size`` bits with ``set_indexes`` set."""
    bits = bytearray(size // 8)
    for index in set_indexes:
        bits[index // 8] |= 0x80 >> (index % 8)
    compressed = gzip.compress(bytes(bits), mtime=0)
    return "u" + base64.urlsafe_b64encode(compressed).rstrip(b"=").decode("ascii")


def decode_bits(encoded_list: str) -> bytes:
    if not isinstance(encoded_list, str) or not encoded_list.startswith("u"):
        raise ValueError("encodedList is not multibase base64url (no 'u' prefix)")
    body = encoded_list[1:]
    compressed = base64.urlsafe_b64decode(body + "=" * (-len(body) % 4))
    return gzip.decompress(compressed)


def bit_is_set(bits: bytes, index: int) -> bool:
    if not 0 <= index < len(bits) * 8:
        raise ValueError(f"statusListIndex {index} is outside the list ({len(bits) * 8} bits)")
    return bool(bits[index // 8] & (0x80 >> (index % 8)))


# Allocation ------------------------------------------------------------------------------


def _open_list(purpose: str) -> StatusList:
    """The newest list of ``purpose`` with room (half its indexes), or a new one."""
    status_list = db.session.scalar(
        select(StatusList)
        .where(StatusList.purpose == purpose, StatusList.allocated < StatusList.size // 2)
        .order_by(StatusList.id.desc())
        .limit(1)
    )
    if status_list is None:
        status_list = StatusList(purpose=purpose, size=LIST_SIZE, allocated=0)
        db.session.add(status_list)
        db.session.flush()
    return status_list


def _certificate_row(certificate_id: int) -> IssuedCredential | None:
    return db.session.scalar(
        select(IssuedCredential).where(IssuedCredential.certificate_id == certificate_id)
    )


def allocate(row: IssuedCredential, purpose: str = REVOCATION) -> IssuedCredential:
    """Add ``row`` to the session at a random free index of an open list of ``purpose``.

    For a certificate that got its entry in another request at this moment, that entry.
    """
    for _ in range(_DRAWS):
        status_list = _open_list(purpose)
        row.status_list_id = status_list.id
        row.status_index = secrets.randbelow(status_list.size)
        try:
            with db.session.begin_nested():  # a refused row leaves the session with it
                db.session.add(row)
                db.session.flush()
                db.session.execute(
                    update(StatusList)
                    .where(StatusList.id == status_list.id)
                    .values(allocated=StatusList.allocated + 1)
                )
        except IntegrityError:
            if row.certificate_id is not None:
                existing = _certificate_row(row.certificate_id)
                if existing is not None:
                    return existing
            continue  # the index was taken (perhaps at this very moment): draw again
        return row
    raise RuntimeError("no free status list index found")


# The entry and the list credential -------------------------------------------------------


def status_entry(row: IssuedCredential, list_url: str) -> dict:
    """The credential's ``credentialStatus``."""
    return {
        "id": f"{list_url}#{row.status_index}",
        "type": ENTRY_TYPE,
        "statusPurpose": db.session.get(StatusList, row.status_list_id).purpose,
        "statusListIndex": str(row.status_index),
        "statusListCredential": list_url,
    }


def set_indexes(list_id: int) -> list[int]:
    return list(
        db.session.scalars(
            select(IssuedCredential.status_index).where(
                IssuedCredential.status_list_id == list_id,
                IssuedCredential.status_set_at.is_not(None),
            )
        )
    )


def list_credential(status_list: StatusList, *, list_url: str, issuer: dict, now) -> dict:
    """The unsecured ``BitstringStatusListCredential`` of ``status_list``, as of now."""
    return {
        "@context": [credentials.VC_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": credentials.timestamp(now),
        "credentialSubject": {
            "id": f"{list_url}#list",
            "type": LIST_TYPE,
            "statusPurpose": status_list.purpose,
            "encodedList": encode_bits(set_indexes(status_list.id), status_list.size),
        },
    }


# Setting a bit ---------------------------------------------------------------------------


def list_url(list_id: int) -> str:
    return external_url(LIST_ENDPOINT, list_id=list_id)


def with_record_status(document: dict, learner_id: int, now: datetime) -> dict:
    """The record credential with its status entry; the learner's earlier records that
    say something else are superseded (their bits set)."""
    digest = subject_digest(document)
    supersede_records(learner_id, digest, now)
    row = allocate(
        IssuedCredential(kind="record", learner_id=learner_id, subject_digest=digest, issued_at=now)
    )
    return {**document, "credentialStatus": status_entry(row, list_url(row.status_list_id))}


def with_certificate_status(document: dict, certificate) -> dict:
    row = certificate_entry_row(certificate)
    return {**document, "credentialStatus": status_entry(row, list_url(row.status_list_id))}


def subject_digest(document: dict) -> str:
    return hashlib.sha256(credentials.canonical_json(document["credentialSubject"])).hexdigest()


def supersede_records(learner_id: int, digest: str, now: datetime) -> int:
    """Set the bit of the learner's earlier records that say something else than ``digest``."""
    result = db.session.execute(
        update(IssuedCredential)
        .where(
            IssuedCredential.learner_id == learner_id,
            IssuedCredential.kind == "record",
            IssuedCredential.subject_digest != digest,
            IssuedCredential.status_set_at.is_(None),
        )
        .values(status_set_at=now)
    )
    return result.rowcount


def revoke_certificate_credential(certificate_id: int, now: datetime) -> None:
    db.session.execute(
        update(IssuedCredential)
        .where(
            IssuedCredential.certificate_id == certificate_id,
            IssuedCredential.status_set_at.is_(None),
        )
        .values(status_set_at=now)
    )


def certificate_entry_row(certificate) -> IssuedCredential:
    """The certificate's one status entry (allocated with its first credential)."""
    row = _certificate_row(certificate.id)
    if row is None:
        row = allocate(
            IssuedCredential(
                kind="certificate",
                learner_id=certificate.learner_id,
                certificate_id=certificate.id,
                status_set_at=certificate.revoked_at,
            )
        )
    return row


# Checking an entry (verify-credential; nothing is fetched) -------------------------------


def _origin(url) -> tuple[str, str]:
    parts = urlsplit(url if isinstance(url, str) else "")
    return parts.scheme, parts.netloc


def local_list_id(url: str, issuer_id) -> int | None:
    """The id of this site's status list at ``url``; None for any other URL.

    The path must be this site's status-list route, on the origin of ``LMS_PUBLIC_URL``
    when it is set, else on the origin of the credential's issuer (which this site wrote,
    under its signature, beside the list's URL).
    """
    public_url = current_app.config.get("LMS_PUBLIC_URL")
    origin = _origin(public_url or issuer_id)
    if not origin[1] or _origin(url) != origin:
        return None
    try:
        endpoint, values = current_app.url_map.bind(origin[1]).match(
            urlsplit(url).path, method="GET"
        )
    except HTTPException:
        return None
    return values.get("list_id") if endpoint == LIST_ENDPOINT else None


def local_bits(list_id: int) -> bytes | None:
    """This site's list ``list_id`` as a bitstring, read from the database."""
    status_list = db.session.get(StatusList, list_id)
    if status_list is None:
        return None
    return decode_bits(encode_bits(set_indexes(list_id), status_list.size))


def _entry_fields(document: dict) -> tuple[str, int, str]:
    entry = document.get("credentialStatus")
    if isinstance(entry, list):
        if len(entry) != 1:
            raise ValueError("expected one credentialStatus entry")
        entry = entry[0]
    if not isinstance(entry, dict) or entry.get("type") != ENTRY_TYPE:
        raise ValueError(f"credentialStatus is not a {ENTRY_TYPE}")
    index, url = entry.get("statusListIndex"), entry.get("statusListCredential")
    if not isinstance(index, str) or not re.fullmatch("[0-9]{1,10}", index):
        raise ValueError("statusListIndex is not a number")
    if not isinstance(url, str) or not url:
        raise ValueError("statusListCredential is not a URL")
    return url, int(index), str(entry.get("statusPurpose"))


def bits_from_list_credential(list_document, *, url: str, purpose: str, jwks: dict) -> bytes:
    """The bitstring of a saved status list credential, after checking its proof."""
    verification = credentials.verify_document(list_document, jwks)
    if not verification.verified:
        raise ValueError(f"the status list does not verify: {verification.reason}")
    if list_document.get("id") != url:
        raise ValueError(f"the status list is {list_document.get('id')}, not {url}")
    subject = list_document.get("credentialSubject") or {}
    if subject.get("type") != LIST_TYPE or subject.get("statusPurpose") != purpose:
        raise ValueError(f"the status list is not a {purpose} {LIST_TYPE}")
    bits = decode_bits(subject.get("encodedList"))
    if len(bits) * 8 < LIST_SIZE:
        raise ValueError(f"the status list is shorter than {LIST_SIZE} bits")
    return bits


def check_status(
    document: dict, jwks: dict, list_document=None, *, signed_here: bool
) -> credentials.Verification:
    """The credential's status: from ``list_document`` (a saved status list credential)
    when given, else from this site's database when this site signed the credential
    (``signed_here``) and the list is this site's."""
    if "credentialStatus" not in document:
        return credentials.Verification(True, "no status entry")
    try:
        url, index, purpose = _entry_fields(document)
        if list_document is not None:
            bits = bits_from_list_credential(list_document, url=url, purpose=purpose, jwks=jwks)
            source = f"the status list of {list_document.get('validFrom', '?')}"
        else:
            issuer = document.get("issuer")
            issuer_id = issuer.get("id") if isinstance(issuer, dict) else issuer
            if isinstance(issuer, dict) and str(issuer_id).startswith("did:"):
                issuer_id = issuer.get("url")  # a did:key issuer: its Profile names the site
            list_id = local_list_id(url, issuer_id) if signed_here else None
            bits = local_bits(list_id) if list_id is not None else None
            if bits is None:
                return credentials.Verification(
                    False,
                    f"its status list {url} is not this site's: save it and pass "
                    "--status-list FILE",
                )
            source = "this site's status list"
        revoked = bit_is_set(bits, index)
    except ValueError as error:
        return credentials.Verification(False, f"cannot check its status: {error}")
    state = _STATES.get(purpose, purpose)
    if revoked:
        return credentials.Verification(False, f"{source} marks it {state}")
    return credentials.Verification(True, f"not {state} ({source})")
