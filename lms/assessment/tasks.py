"""Periodic tasks of assessment (run by the embedded worker or celery beat)."""

from lms.assessment.attempts import submit_overdue_attempts
from lms.tasks.periodic import periodic_task
from lms.timeutil import utcnow


@periodic_task("assessment.submit_overdue_attempts", every=60)
def submit_overdue_attempts_task() -> int:
    """Submit, with what was saved, open attempts whose deadline has passed."""
    return submit_overdue_attempts(utcnow())
