"""Attendance sheets as CSV (UTF-8 with BOM, for Excel) and XLSX (openpyxl)."""

import csv
import io

from flask_babel import format_datetime
from flask_babel import gettext as _
from openpyxl import Workbook

from lms.attendance.messages import status_label

_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


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


def _cell(value):
    # A cell starting like a formula is shown as text, never run by a spreadsheet.
    if isinstance(value, str) and value.startswith(_FORMULA_STARTS):
        return "'" + value
    return value


def as_csv(rows: list[list]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers())
    for row in rows:
        writer.writerow([_cell(value) for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def as_xlsx(rows: list[list], title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "".join(c for c in title if c not in "\\/?*[]:")[:31] or "attendance"
    sheet.append(headers())
    for row in rows:
        sheet.append([_cell(value) for value in row])
    widths = (12, 8, 8, 24, 20, 14, 14, 14, 8, 8, 8, 8, 8, 30)
    for column, width in zip("ABCDEFGHIJKLMN", widths, strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
