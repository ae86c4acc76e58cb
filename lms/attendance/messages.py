"""What learners and staff read for each outcome and refusal reason."""

from flask_babel import format_datetime
from flask_babel import gettext as _

from lms.attendance.checkin import Outcome


def refusal_message(reason: str | None) -> str:
    messages = {
        "expired": _("This QR code has expired. Please scan the code on the screen again."),
        "not_yet": _("This QR code is not valid yet. Please scan the code on the screen again."),
        "bad_signature": _("This is not a valid check-in code."),
        "malformed": _("This is not a valid check-in code."),
        "unknown_version": _("This check-in code is from an older version. Please scan again."),
        "unknown_session": _("This class no longer exists."),
        "too_early": _("Check-in has not opened yet."),
        "too_late": _("The check-in time for this class is over."),
        "in_the_future": _("The time of this scan is in the future."),
        "before_checkin": _("Check-out cannot come before check-in."),
        "not_signed_up": _("You have not signed up for this class."),
        "not_checked_in": _("You have not checked in to this class yet."),
        "no_checkout": _("This class takes no check-out."),
        "already_checked_in": _("You were already checked in."),
        "already_checked_out": _("You were already checked out."),
    }
    return messages.get(reason or "", _("This did not work. Please ask the staff."))


def outcome_message(outcome: Outcome) -> str:
    if outcome.status == "recorded":
        row = outcome.attendance
        if row.checked_out_at is not None:
            return _(
                "Checked out at %(time)s. Attended hours: %(hours)s.",
                time=format_datetime(row.checked_out_at, "HH:mm"),
                hours=row.hours,
            )
        if row.status == "late":
            return _(
                "Checked in at %(time)s (late).", time=format_datetime(row.checked_in_at, "HH:mm")
            )
        return _("Checked in at %(time)s.", time=format_datetime(row.checked_in_at, "HH:mm"))
    return refusal_message(outcome.reason)


def status_label(status: str | None) -> str:
    labels = {
        "present": _("Present"),
        "late": _("Late"),
        "excused": _("Excused"),
        "absent": _("Absent"),
    }
    return labels.get(status or "", _("Not yet"))
