"""Certificates as Open Badges 3.0 ``OpenBadgeCredential``s and the learning record as a
CLR 2.0 ``ClrCredential``, signed with ``eddsa-rdfc-2022`` (``linked_data.py``).

- A badge: the course is the ``Achievement`` (its page as id, criteria, the credits the
  learner earned in it as ``creditsAvailable``), the issuer a ``Profile`` (the platform's
  ``did:key``, the district's name and site), the learner named in an ``IdentityObject``,
  the certificate's status entry (the same bit as its other credential).
- A CLR: the learner's badges in ``credentialSubject.verifiableCredential``, the courses
  and the class sessions behind them as achievements, and one ``Association``
  (``isPartOf``) per attended class session of a course, tying it to the course.
"""

import hashlib
import uuid
from datetime import datetime

from flask import current_app
from sqlalchemy import select

from lms.attendance.models import ATTENDED_STATUSES, Attendance, ClassSession
from lms.courses.models import Course, Lesson
from lms.credits import credentials, linked_data, signing_keys, status_list
from lms.credits.credential_models import IssuedCredential
from lms.credits.models import Certificate, LedgerEntry
from lms.extensions import db
from lms.web.urls import external_url

ISSUER_NAME = "柯桥终身学习在线 (Keqiao Learning)"
BADGE_CONTEXT = [linked_data.VC_CONTEXT, linked_data.OB_CONTEXT]
CLR_CONTEXT = [linked_data.VC_CONTEXT, linked_data.OB_CONTEXT, linked_data.CLR_CONTEXT]
NAMESPACE = uuid.UUID("6f1a3c52-98e4-4b0e-a4d4-0a2b5b7c1e23")


def issuer_profile(key) -> dict:
    return {
        "id": linked_data.did_key(key.public_key()),
        "type": ["Profile"],
        "name": ISSUER_NAME,
        "url": external_url("home.index"),
    }


def _learner_identifier(name: str) -> list[dict]:
    return [
        {"type": "IdentityObject", "hashed": False, "identityHash": name, "identityType": "name"}
    ]


def course_credits(learner_id: int, course_id: int) -> float:
    """The credits the learner's ledger holds for the course's lessons and class sessions
    (reversals included, so a correction counts once)."""
    lessons = [
        str(i) for i in db.session.scalars(select(Lesson.id).where(Lesson.course_id == course_id))
    ]
    sessions = [
        str(i)
        for i in db.session.scalars(
            select(ClassSession.id).where(ClassSession.course_id == course_id)
        )
    ]
    total = 0
    for source_type, ids in (("lesson", lessons), ("attendance", sessions)):
        if ids:
            rows = db.session.scalars(
                select(LedgerEntry.credits_milli).where(
                    LedgerEntry.learner_id == learner_id,
                    LedgerEntry.source_type == source_type,
                    LedgerEntry.source_id.in_(ids),
                )
            )
            total += sum(rows)
    return round(total / 1000, 3)


def course_achievement(course_id: int, title: str, description: str, credits: float) -> dict:
    return {
        "id": external_url("courses.course", course_id=course_id),
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": title,
        "description": description or title,
        "criteria": {
            "narrative": "完成课程的线上学习（达到完成比例）和要求的线下课，颁发结业证书。"
            " (Completed the course's online lessons to its completion threshold and the"
            " offline class sessions it requires.)"
        },
        "creditsAvailable": credits,
    }


def badge_id(certificate: Certificate) -> str:
    return f"urn:uuid:{uuid.uuid5(NAMESPACE, f'certificate:{certificate.code}')}"


def badge_credential(certificate: Certificate, *, issuer: dict) -> dict:
    course = db.session.get(Course, certificate.course_id)
    description = course.description if course is not None else ""
    credits = course_credits(certificate.learner_id, certificate.course_id)
    document = {
        "@context": list(BADGE_CONTEXT),
        "id": badge_id(certificate),
        "type": ["VerifiableCredential", "OpenBadgeCredential"],
        "name": f"结业证书：{certificate.course_title}",
        "issuer": issuer,
        "validFrom": credentials.timestamp(certificate.issued_at),
        "credentialSubject": {
            "type": ["AchievementSubject"],
            "identifier": _learner_identifier(certificate.learner_name),
            "achievement": course_achievement(
                certificate.course_id, certificate.course_title, description, credits
            ),
        },
    }
    return status_list.with_certificate_status(document, certificate)


def signed_badge(certificate: Certificate, *, now: datetime) -> dict:
    key = signing_keys.current_key().key
    return linked_data.sign(
        badge_credential(certificate, issuer=issuer_profile(key)), key, created=now
    )


def _session_achievement(session: ClassSession) -> dict:
    return {
        "id": external_url("attendance.class_detail", class_session_id=session.id),
        "type": ["Achievement"],
        "achievementType": "Course",
        "name": session.title,
        "description": f"线下课 (offline class session) {session.title}",
        "criteria": {"narrative": "到课签到 (attended, checked in by QR code or by staff)."},
    }


def clr_credential(learner_id: int, learner_name: str, *, now: datetime) -> dict | None:
    """The learner's signed CLR; None when there is no certificate to put in it."""
    certificates = list(
        db.session.scalars(
            select(Certificate)
            .where(Certificate.learner_id == learner_id, Certificate.revoked_at.is_(None))
            .order_by(Certificate.issued_at)
        )
    )
    if not certificates:
        return None
    key = signing_keys.current_key().key
    issuer = issuer_profile(key)
    badges = [signed_badge(certificate, now=now) for certificate in certificates]
    achievements = [badge["credentialSubject"]["achievement"] for badge in badges]
    course_ids = {certificate.course_id for certificate in certificates}
    attended = db.session.scalars(
        select(ClassSession)
        .join(Attendance, Attendance.class_session_id == ClassSession.id)
        .where(
            Attendance.learner_id == learner_id,
            Attendance.status.in_(ATTENDED_STATUSES),
            ClassSession.course_id.in_(course_ids),
        )
        .order_by(ClassSession.starts_at)
    )
    associations = []
    for session in attended:
        achievement = _session_achievement(session)
        achievements.append(achievement)
        associations.append(
            {
                "type": "Association",
                "associationType": "isPartOf",
                "sourceId": achievement["id"],
                "targetId": external_url("courses.course", course_id=session.course_id),
            }
        )
    subject = {
        "type": ["ClrSubject"],
        "identifier": _learner_identifier(learner_name),
        "verifiableCredential": badges,
        "achievement": achievements,
    }
    if associations:
        subject["association"] = associations
    document = {
        "@context": list(CLR_CONTEXT),
        "id": f"urn:uuid:{uuid.uuid4()}",
        "type": ["VerifiableCredential", "ClrCredential"],
        "name": "学习档案 (comprehensive learner record)",
        "issuer": issuer,
        "validFrom": credentials.timestamp(now),
        "validUntil": credentials.timestamp(
            credentials.add_years(now, current_app.config["LMS_CREDENTIAL_VALID_YEARS"])
        ),
        "credentialSubject": subject,
    }
    document = _with_clr_status(document, learner_id, now)
    return linked_data.sign(document, key, created=now)


def _with_clr_status(document: dict, learner_id: int, now: datetime) -> dict:
    """A status entry of its own kind ("clr"): a later CLR that says something else
    supersedes the earlier ones (the badges are compared by id, not by their proofs)."""
    subject = dict(document["credentialSubject"])
    subject["verifiableCredential"] = [badge["id"] for badge in subject["verifiableCredential"]]
    digest = hashlib.sha256(credentials.canonical_json(subject)).hexdigest()
    db.session.execute(
        IssuedCredential.__table__.update()
        .where(
            IssuedCredential.learner_id == learner_id,
            IssuedCredential.kind == "clr",
            IssuedCredential.subject_digest != digest,
            IssuedCredential.status_set_at.is_(None),
        )
        .values(status_set_at=now)
    )
    row = status_list.allocate(
        IssuedCredential(kind="clr", learner_id=learner_id, subject_digest=digest, issued_at=now)
    )
    entry = status_list.status_entry(row, status_list.list_url(row.status_list_id))
    return {**document, "credentialStatus": entry}
