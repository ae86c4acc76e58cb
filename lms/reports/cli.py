"""``flask lms reports-rollup``."""

import click

from lms.cli import lms_command
from lms.extensions import db


@lms_command("reports-rollup")
@click.option("--rebuild", is_flag=True, help="Empty the rollups and build them from scratch.")
def reports_rollup(rebuild: bool) -> None:
    """Move the statistics rollups forward (the periodic task does this hourly)."""
    from lms.reports import rollup

    state = rollup.refresh(rebuild=rebuild)
    db.session.commit()
    click.echo(
        f"statistics rollups (study, learner-side facts, active learners, offline classes)"
        f" through {state.rolled_through} (version {state.version})"
    )
