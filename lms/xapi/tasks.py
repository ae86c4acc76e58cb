"""The periodic forwarding (run by the embedded worker or celery beat)."""

from lms.tasks.periodic import periodic_task
from lms.xapi.forwarding import forward


@periodic_task("xapi.forward", every=60)
def forward_task() -> int:
    """Send the statements that are new since the last run to the LRS, if one is set."""
    return forward().sent
