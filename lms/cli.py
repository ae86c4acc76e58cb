"""The ``flask lms`` command group. Each domain adds its commands and demo seeders."""

from collections.abc import Callable

import click
from flask.cli import AppGroup

from lms.extensions import db

lms_cli = AppGroup("lms", help="Keqiao Learning commands.")

# (order, name, seeder): each domain registers how it adds demo data; seed-demo runs
# them in order, so later domains can build on what earlier ones made.
_demo_seeders: list[tuple[int, str, Callable[[str], list[str]]]] = []

DEFAULT_DEMO_PASSWORD = "demo12345"


def demo_seeder(order: int, name: str):
    """Register ``fn(password) -> list of lines to print`` as part of ``seed-demo``."""

    def decorator(fn):
        if all(existing != name for _, existing, _ in _demo_seeders):
            _demo_seeders.append((order, name, fn))
            _demo_seeders.sort(key=lambda item: item[0])
        return fn

    return decorator


@lms_cli.command("seed-demo")
@click.option("--password", default=DEFAULT_DEMO_PASSWORD, show_default=True)
def seed_demo(password: str) -> None:
    """Create demo data (idempotent) and print the demo log-ins."""
    if len(password) < 8:
        raise click.BadParameter("must be at least 8 characters", param_hint="--password")
    for _, _name, seeder in _demo_seeders:
        for line in seeder(password):
            click.echo(line)
        db.session.commit()
