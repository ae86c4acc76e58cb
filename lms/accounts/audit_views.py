"""The admin's audit log page, with filters and an XLSX export.

/audit/               filter by action, person and dates; paginated
/audit/export.xlsx    the filtered rows as a spreadsheet (the export is audited too)
"""

import io
from datetime import datetime, time, timedelta

from flask import Response, render_template, request
from flask_login import current_user
from openpyxl import Workbook
from sqlalchemy import select

from lms.accounts.audit import AUDITED_ACTIONS, AuditEvent, record_event
from lms.accounts.models import User
from lms.accounts.permissions import role_required
from lms.accounts.services import find_user_by_username
from lms.accounts.views import bp
from lms.extensions import db
from lms.timeutil import district_zone, to_local


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


@bp.get("/audit/")
@role_required("admin")
def audit_log():
    page = db.paginate(
        filtered_events(), page=request.args.get("page", 1, type=int), per_page=50, error_out=False
    )
    return render_template(
        "accounts/audit.html", page=page, actions=AUDITED_ACTIONS, names=_actor_names(page.items)
    )


@bp.get("/audit/export.xlsx")
@role_required("admin")
def export_audit_log():
    events = list(db.session.scalars(filtered_events().limit(100_000)))
    names = _actor_names(events)
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["id", "time", "actor", "ip", "action", "object", "object id", "details"])
    for event in events:
        sheet.append(
            [
                event.id,
                to_local(event.at).strftime("%Y-%m-%d %H:%M:%S"),
                names.get(event.actor_id, ""),
                event.ip or "",
                event.action,
                event.target_type or "",
                event.target_id or "",
                str(event.details or {}),
            ]
        )
    record_event(
        "personal_data.exported", actor=current_user, target_type="audit_log", rows=len(events)
    )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = Response(
        buffer.getvalue(),
        mimetype=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
    )
    response.headers["Content-Disposition"] = "attachment; filename=audit-log.xlsx"
    return response
