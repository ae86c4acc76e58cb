"""``flask lms export-xapi`` and ``flask lms send-xapi``."""

import json
import sys
from datetime import datetime, time

import click

from lms.cli import lms_command
from lms.timeutil import district_zone
from lms.xapi import lrs
from lms.xapi.forwarding import forward
from lms.xapi.sources import records

SINCE = click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only records from this local date on.",
)


def _start(since: datetime | None) -> datetime | None:
    if since is None:
        return None
    return datetime.combine(since.date(), time.min, tzinfo=district_zone())


@lms_command("export-xapi")
@SINCE
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of standard output.",
)
def export_xapi(since: datetime | None, output: str | None) -> None:
    """Write every xAPI statement (video, attendance, credits...), one JSON object per line."""
    stream = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        count = 0
        for record in records(_start(since)):
            stream.write(json.dumps(record.statement, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if output:
            stream.close()
    click.echo(f"{count} statements", err=True)


@lms_command("send-xapi")
@SINCE
def send_xapi(since: datetime | None) -> None:
    """Send the new statements to the LRS now (from --since again: a harmless resend)."""
    if not lrs.configured():
        raise click.ClickException("LMS_XAPI_LRS_URL is not set: there is no LRS to send to.")
    outcome = forward(since=_start(since), wait_out_backoff=False)
    if outcome.busy:
        raise click.ClickException("another run is sending statements now; try again later")
    click.echo(f"{outcome.sent} statements sent")
    if outcome.error:
        raise click.ClickException(f"the LRS did not take the rest: {outcome.error}")
