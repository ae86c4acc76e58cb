"""``flask lms seed-synthetic`` and ``flask lms reports-rollup``."""

import click

from lms.cli import lms_cli
from lms.extensions import db


@lms_cli.command("reports-rollup")
@click.option("--rebuild", is_flag=True, help="Empty the rollup and build it from scratch.")
def reports_rollup(rebuild: bool) -> None:
    """Move the statistics rollup forward (the periodic task does this hourly)."""
    from lms.reports import rollup

    state = rollup.refresh(rebuild=rebuild)
    db.session.commit()
    click.echo(f"study rollup through {state.rolled_through} (version {state.version})")


@lms_cli.command("seed-synthetic")
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
    from lms.reports import synthetic
    from lms.timeutil import local_date, utcnow

    last_day = until.date() if until else None
    if last_day is not None and last_day >= local_date(utcnow()):
        raise click.BadParameter("must be a day before today", param_hint="--until")
    try:
        synthetic.check_database(force=force)
    except synthetic.SyntheticError as error:
        raise click.ClickException(str(error)) from error
    options = synthetic.Options(learners, days, seed_number, last_day, heartbeat_days)
    with click.progressbar(length=learners, label="synthetic learners") as bar:
        counts = synthetic.seed(options, progress=bar.update)
    db.session.commit()
    for table, count in sorted(counts.items()):
        click.echo(f"{table:<20} {count:>10}")
