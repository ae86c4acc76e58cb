"""The ``flask lms`` command group and the seed-demo registry.

A domain declares its commands with ``@lms_command`` in its ``cli.py`` and adds them,
with its demo seeder, in its ``register(app)``: ``register_commands(cli.create_user)``,
``register_demo_seeder(10, "accounts", cli.seed_accounts)``. The app factory adds those
of ops and synthetic, which are not domains.
"""

from collections.abc import Callable, Iterable
from dataclasses import dataclass

import click
from flask.cli import AppGroup, with_appcontext

from lms.extensions import db

lms_cli = AppGroup("lms", help="Keqiao Learning commands.")


def lms_command(name: str, **attrs):
    """Declare a ``flask lms`` command, run in the app context; it appears in the group
    once passed to ``register_commands``."""

    def decorator(fn):
        return click.command(name, **attrs)(with_appcontext(fn))

    return decorator


def register_commands(*commands: click.Command) -> None:
    """Add commands to ``flask lms`` (again for every app: the names stay the same)."""
    for command in commands:
        lms_cli.add_command(command)


DEFAULT_DEMO_PASSWORD = "demo12345"


@dataclass(frozen=True)
class DemoOptions:
    """How ``seed-demo`` builds the demo, beyond the password."""

    # Every demo lesson video lasts this many seconds instead of its 1–3 minutes
    # (tests and quick tries); None: the lessons' own lengths.
    clip_seconds: float | None = None


DEFAULT_DEMO_OPTIONS = DemoOptions()

# (order, name, seeder): each domain registers how it adds demo data; seed-demo runs
# them in order, so later domains can build on what earlier ones made.
_demo_seeders: list[tuple[int, str, Callable[[str, DemoOptions], Iterable[str]]]] = []


def register_demo_seeder(
    order: int, name: str, seeder: Callable[[str, DemoOptions], Iterable[str]]
) -> None:
    """Make ``seeder(password, options)`` part of ``seed-demo``: it returns (or yields,
    to show progress) the lines to print. A seeder is idempotent: run again, it adds what
    is missing and changes nothing else.
    """
    if all(existing != name for _, existing, _ in _demo_seeders):
        _demo_seeders.append((order, name, seeder))
        _demo_seeders.sort(key=lambda item: item[0])


def run_demo_seeders(password: str, options: DemoOptions = DEFAULT_DEMO_OPTIONS):
    """Run every domain's seeder in order, committing after each; yields their lines."""
    for _, _name, seeder in _demo_seeders:
        yield from seeder(password, options)
        db.session.commit()


@lms_cli.command("seed-demo")
@click.option("--password", default=DEFAULT_DEMO_PASSWORD, show_default=True)
@click.option(
    "--clip-seconds",
    type=click.FloatRange(1, 180),
    help="Make every demo lesson video this long (quick tries, tests).",
)
def seed_demo(password: str, clip_seconds: float | None) -> None:
    """Create demo data (idempotent) and print the demo log-ins."""
    if len(password) < 8:
        raise click.BadParameter("must be at least 8 characters", param_hint="--password")
    for line in run_demo_seeders(password, DemoOptions(clip_seconds=clip_seconds)):
        click.echo(line)
