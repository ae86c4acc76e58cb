"""A service's refusal and what a view does with it.

Services raise a ``DomainError`` (each domain extends it: ``CourseError``, …) with a
message fit to show. A view that catches one rolls back what the service had flushed
before saying so: otherwise the request's commit (``lms/database.py``) would keep a
half-done change behind a 200 or 302.
"""

from collections.abc import Callable

from flask import flash, redirect

from lms.extensions import db


class DomainError(ValueError):
    """A rule refused the action; ``str(error)`` is the message for the person."""


def flash_refusal(error: DomainError) -> None:
    """Undo what the refused action flushed and show why it was refused."""
    db.session.rollback()
    flash(str(error), "error")


def act_then_redirect(action: Callable[[], object], *, done: str | None, to: str):
    """Run ``action``; flash ``done`` (if any) or the refusal; redirect to ``to``."""
    try:
        action()
    except DomainError as error:
        flash_refusal(error)
    else:
        if done:
            flash(done, "ok")
    return redirect(to)
