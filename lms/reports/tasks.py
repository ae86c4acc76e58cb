"""The periodic task of the reports domain (embedded worker or celery beat)."""

from lms.media.periodic import periodic_task
from lms.reports import rollup


@periodic_task("reports.refresh_rollup", every=3600)
def refresh_rollup_task():
    """Move the study rollup's watermark forward (a no-op once it is current)."""
    return rollup.refresh().rolled_through
