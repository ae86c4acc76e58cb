"""The admin's audit log page, with filters and an XLSX export (the export is audited
too)."""

from datetime import datetime, time, timedelta

from flask import render_template, request
from sqlalchemy import select

from lms.accounts.audit import AUDITED_ACTIONS, AuditEvent
from lms.accounts.models import User
from lms.accounts.permissions import role_required
from lms.accounts.services import find_user_by_username
from lms.extensions import db
from lms.timeutil import district_zone, to_local
from lms.web.downloads import download
from lms.web.exports import XLSX_MIMETYPE, xlsx_bytes

EXPORT_HEADER = ("id", "time", "actor", "ip", "action", "object", "object id", "details")


def _day(name: str):
    try:
        return datetime.strptime(request.args.get(name, ""), "%Y-%m-%d").date()
    except ValueError:
        return None


def filtered_events():
    query = select(AuditEvent).order_by(AuditEvent.id.desc())
    if (action := request.args.get("action")) in AUDITED_ACTIONS:
        query = query.where(AuditEvent.action == action)
    if username := request.args.get("actor", "").strip():
        actor = find_user_by_username(username)
        query = query.where(AuditEvent.actor_id == (actor.id if actor else -1))
    if since := _day("since"):
        query = query.where(AuditEvent.at >= datetime.combine(since, time.min, district_zone()))
    if until := _day("until"):
        end = datetime.combine(until + timedelta(days=1), time.min, district_zone())
        query = query.where(AuditEvent.at < end)
    return query


def _actor_names(events) -> dict[int, str]:
    ids = {event.actor_id for event in events if event.actor_id}
    users = db.session.scalars(select(User).where(User.id.in_(ids))) if ids else []
    return {user.id: user.username for user in users}


@role_required("admin")
def audit_log():
    page = db.paginate(
        filtered_events(), page=request.args.get("page", 1, type=int), per_page=50, error_out=False
    )
    return render_template(
        "accounts/audit.html", page=page, actions=AUDITED_ACTIONS, names=_actor_names(page.items)
    )


@role_required("admin")
def export_audit_log():
    events = list(db.session.scalars(filtered_events().limit(100_000)))
    names = _actor_names(events)
    rows = (
        (
            event.id,
            to_local(event.at).strftime("%Y-%m-%d %H:%M:%S"),
            names.get(event.actor_id, ""),
            event.ip or "",
            event.action,
            event.target_type or "",
            event.target_id or "",
            str(event.details or {}),
        )
        for event in events
    )
    return download(
        xlsx_bytes("audit log", EXPORT_HEADER, rows),
        "audit-log.xlsx",
        XLSX_MIMETYPE,
        personal={"target_type": "audit_log", "rows": len(events)},
    )
