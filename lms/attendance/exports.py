"""Attendance sheets as CSV (UTF-8 with BOM, for Excel) and XLSX (lms.web.exports)."""

from flask_babel import format_datetime
from flask_babel import gettext as _

from lms.attendance.messages import status_label
from lms.web.exports import csv_bytes, xlsx_bytes

COLUMN_WIDTHS = (12, 8, 8, 24, 20, 14, 14, 14, 8, 8, 8, 8, 8, 30)


def headers() -> list[str]:
    return [
        _("Date"),
        _("Start"),
        _("End"),
        _("Class"),
        _("School"),
        _("Name"),
        _("Username"),
        _("Town or street"),
        _("Signed up"),
        _("Status"),
        _("Checked in"),
        _("Checked out"),
        _("Hours"),
        _("Note"),
    ]


def _time(moment, pattern="HH:mm") -> str:
    return format_datetime(moment, pattern) if moment else ""


def sheet_rows(lines) -> list[list]:
    """``lines`` of (ClassSession, User, Attendance | None, signed_up) as table rows."""
    rows = []
    for class_session, user, attendance, signed_up in lines:
        rows.append(
            [
                _time(class_session.starts_at, "yyyy-MM-dd"),
                _time(class_session.starts_at),
                _time(class_session.ends_at),
                class_session.title,
                class_session.school.name,
                user.display_name,
                user.username,
                user.town.name if user.town else "",
                _("yes") if signed_up else _("no"),
                status_label(attendance.status if attendance else None),
                _time(attendance.checked_in_at if attendance else None),
                _time(attendance.checked_out_at if attendance else None),
                attendance.hours if attendance and attendance.hours is not None else "",
                (attendance.note or "") if attendance else "",
            ]
        )
    return rows


def as_csv(rows: list[list]) -> bytes:
    return csv_bytes([headers(), *rows])


def as_xlsx(rows: list[list], title: str) -> bytes:
    return xlsx_bytes(title, headers(), rows, widths=COLUMN_WIDTHS, fallback="attendance")
