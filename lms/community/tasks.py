"""Periodic tasks of the community domain (the embedded worker or celery beat runs them)."""

from lms.community import notifications
from lms.tasks.periodic import periodic_task


@periodic_task("community.notify_recognitions", every=300)
def notify_recognitions_task() -> int:
    """A notification for each recognition request decided lately."""
    return notifications.notify_decided_recognitions()


@periodic_task("community.notify_classes_tomorrow", every=1800)
def notify_classes_tomorrow_task() -> int:
    """Remind signed-up learners of the classes starting tomorrow (local date)."""
    return notifications.notify_classes_tomorrow()


@periodic_task("community.notify_training_due", every=3600)
def notify_training_due_task() -> int:
    """Remind members of unfinished training due within three days."""
    return notifications.notify_training_due()


@periodic_task("community.prune_notifications", every=86400)
def prune_notifications_task() -> int:
    """Delete notifications older than 90 days."""
    return notifications.prune_notifications()
