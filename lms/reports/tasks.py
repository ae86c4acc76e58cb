"""The periodic task of the reports domain (embedded worker or celery beat)."""

from lms.reports import dashboard, rollup
from lms.tasks.periodic import periodic_task
from lms.timeutil import local_date, utcnow


@periodic_task("reports.refresh_rollup", every=3600)
def refresh_rollup_task():
    """Move the statistics rollups' watermark forward (a no-op once it is current)."""
    return rollup.refresh().rolled_through


@periodic_task("reports.warm_dashboards", every=240)
def warm_dashboards_task() -> int:
    """Keep this year's district and 镇街 dashboards cached while people use them."""
    return dashboard.warm(local_date(utcnow()))
