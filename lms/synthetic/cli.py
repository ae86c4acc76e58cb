"""``flask lms seed-synthetic``."""

import click

from lms.cli import lms_command
from lms.extensions import db


@lms_command("seed-synthetic")
@click.option("--learners", type=click.IntRange(1, 2_000_000), required=True)
@click.option("--days", type=click.IntRange(1, 3 * 366), default=365, show_default=True)
@click.option("--seed", "seed_number", type=int, default=1, show_default=True)
@click.option(
    "--until",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="The last day of activity (default: yesterday).",
)
@click.option(
    "--heartbeat-days",
    type=click.IntRange(0, 90),
    default=0,
    show_default=True,
    help="Also write raw heartbeats for the last N days (the benchmark compares with them).",
)
@click.option("--force", is_flag=True, help="Run although real learners are in the database.")
def seed_synthetic(learners, days, seed_number, until, heartbeat_days, force):
    """Create a realistic synthetic district in the configured database, in bulk."""
    from lms.synthetic import district
    from lms.timeutil import local_date, utcnow

    last_day = until.date() if until else None
    if last_day is not None and last_day >= local_date(utcnow()):
        raise click.BadParameter("must be a day before today", param_hint="--until")
    try:
        district.check_database(force=force)
    except district.SyntheticError as error:
        raise click.ClickException(str(error)) from error
    options = district.Options(learners, days, seed_number, last_day, heartbeat_days)
    with click.progressbar(length=learners, label="synthetic learners") as bar:
        counts = district.seed(options, progress=bar.update)
    db.session.commit()
    for table, count in sorted(counts.items()):
        click.echo(f"{table:<20} {count:>10}")
