"""``flask lms export-xapi``: study records as xAPI statements (JSON lines)."""

import json
import sys
from datetime import datetime, time

import click

from lms.cli import lms_command
from lms.study.xapi import statements
from lms.timeutil import district_zone


@lms_command("export-xapi")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only records from this local date on.",
)
@click.option(
    "--output",
    type=click.Path(dir_okay=False, writable=True),
    help="Write to this file instead of standard output.",
)
def export_xapi(since: datetime | None, output: str | None) -> None:
    """Write xAPI statements (ADL video profile), one JSON object per line."""
    start = None
    if since is not None:
        start = datetime.combine(since.date(), time.min, tzinfo=district_zone())
    stream = open(output, "w", encoding="utf-8") if output else sys.stdout  # noqa: SIM115
    try:
        count = 0
        for statement in statements(start):
            stream.write(json.dumps(statement, ensure_ascii=False) + "\n")
            count += 1
    finally:
        if output:
            stream.close()
    click.echo(f"{count} statements", err=True)
