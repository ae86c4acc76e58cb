"""A person's data (PIPL): a copy of everything, and erasure on request.

Accounts knows nothing of the other domains; each registers what it holds about a
person — how to export it and how to erase or pseudonymise it — with
``register_personal_data``. Erasure keeps what statistics and the ledger chain need
(ids, birth year, 镇街, hours) and removes what identifies the person.
"""

import io
import json
import secrets
import zipfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import and_, or_, select

from lms.accounts.audit import AuditEvent
from lms.accounts.models import User
from lms.extensions import db
from lms.timeutil import utcnow
from lms.web.exports import csv_bytes

Rows = list[dict]


@dataclass(frozen=True)
class PersonalDataHandler:
    name: str
    export: Callable[[User], dict[str, Rows]]  # file stem -> rows
    erase: Callable[[User], None]


_handlers: dict[str, PersonalDataHandler] = {}


def register_personal_data(name: str, export, erase) -> None:
    _handlers[name] = PersonalDataHandler(name, export, erase)


def _plain(value):
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _profile(user: User) -> dict[str, Rows]:
    return {
        "profile": [
            {
                "id": user.id,
                "username": user.username,
                "display_name": user.display_name,
                "phone": user.phone,
                "birth_year": user.birth_year,
                "town": user.town.name if user.town else None,
                "roles": sorted(user.roles),
                "registered_at": user.created_at,
                "privacy_version": user.privacy_version,
                "privacy_accepted_at": user.privacy_accepted_at,
            }
        ]
    }


def _audit_rows(user: User) -> dict[str, Rows]:
    """The audit log's rows about the person: what they did, what was done to their
    account, and actions on their records (``learner_id`` in the details). The client
    address is theirs only on their own actions."""
    about = or_(
        AuditEvent.actor_id == user.id,
        and_(AuditEvent.target_type == "user", AuditEvent.target_id == str(user.id)),
        AuditEvent.details["learner_id"].as_integer() == user.id,
    )
    events = db.session.scalars(select(AuditEvent).where(about).order_by(AuditEvent.id))
    return {
        "audit": [
            {
                "at": event.at,
                "action": event.action,
                "by_you": event.actor_id == user.id,
                "target_type": event.target_type,
                "target_id": event.target_id,
                "details": json.dumps(event.details or {}, ensure_ascii=False),
                "ip": event.ip if event.actor_id == user.id else None,
            }
            for event in events
        ]
    }


def _table(rows: Rows) -> list[list]:
    """The rows as a header (the first row's keys) and a list of values per row."""
    if not rows:
        return []
    header = list(rows[0])
    return [header, *([row.get(key) for key in header] for row in rows)]


def export_zip(user: User) -> bytes:
    """One ZIP with a JSON and a CSV file per kind of record."""
    files = {**_profile(user), **_audit_rows(user)}
    for handler in _handlers.values():
        for stem, rows in handler.export(user).items():
            files[f"{handler.name}-{stem}"] = rows
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for stem, rows in files.items():
            plain = [{key: _plain(value) for key, value in row.items()} for row in rows]
            archive.writestr(f"{stem}.json", json.dumps(plain, ensure_ascii=False, indent=2))
            archive.writestr(f"{stem}.csv", csv_bytes(_table(plain)))
    return buffer.getvalue()


def pseudonymise(user: User) -> str:
    """Erase what identifies the person everywhere; the account keeps a random id."""
    for handler in _handlers.values():
        handler.erase(user)
    pseudonym = f"deleted-{secrets.token_hex(6)}"
    user.username = pseudonym
    user.display_name = pseudonym
    user.phone = None
    user.locale = None
    user.set_password(secrets.token_urlsafe(32))
    user.disabled = True
    user.pseudonymised_at = utcnow()
    return pseudonym
