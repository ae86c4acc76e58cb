"""The ``flask lms`` command group and the seed-demo registry.

A domain declares its commands with ``@lms_command`` in its ``cli.py`` and adds them,
with its demo seeder, in its ``register(app)``: ``register_commands(cli.create_user)``,
``register_demo_seeder(10, "accounts", cli.seed_accounts)``, and what tells seed-demo
that a database is in use: ``register_data_check(cli.accounts_held)``. The app factory
adds those of ops and synthetic, which are not domains.
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


# (check): each domain whose rows mean someone may be using the site registers how to
# tell; a check returns what it found ("3 accounts") or None. seed-demo fills only a
# database where every check finds nothing (accounts: no user at all).
_data_checks: list[Callable[[], str | None]] = []


def register_data_check(check: Callable[[], str | None]) -> None:
    """Make ``check()`` part of what seed-demo asks before it seeds: a description of
    the data it finds, or None."""
    if check not in _data_checks:
        _data_checks.append(check)


def data_in_database() -> list[str]:
    """What the registered checks find: empty for a database seed-demo may fill."""
    return [found for check in _data_checks if (found := check())]


def run_demo_seeders(password: str, options: DemoOptions = DEFAULT_DEMO_OPTIONS):
    """Run every domain's seeder in order, committing after each; yields their lines."""
    for _, _name, seeder in _demo_seeders:
        yield from seeder(password, options)
        db.session.commit()


class DatabaseInUse(click.ClickException):
    """seed-demo's refusal: ``error: <message>``, exit status 2, as ConfigurationError."""

    exit_code = 2

    def show(self, file=None) -> None:
        click.echo(f"error: {self.format_message()}", file=file, err=file is None)


@lms_cli.command("seed-demo")
@click.option("--password", default=DEFAULT_DEMO_PASSWORD, show_default=True)
@click.option(
    "--clip-seconds",
    type=click.FloatRange(1, 180),
    help="Make every demo lesson video this long (quick tries, tests).",
)
@click.option(
    "--if-empty",
    is_flag=True,
    help="On a database that already holds data, say so and exit 0 (scripts/run.sh).",
)
def seed_demo(password: str, clip_seconds: float | None, if_empty: bool) -> None:
    """Fill an empty database with demo data and print the demo log-ins.

    A database that holds data (an account) is refused and left as it is: the demo
    accounts' known password must never come back on a site someone uses.
    """
    if len(password) < 8:
        raise click.BadParameter("must be at least 8 characters", param_hint="--password")
    found = data_in_database()
    if found and if_empty:
        click.echo(f"The database already holds data ({', '.join(found)}): no demo data added")
        return
    if found:
        raise DatabaseInUse(
            f"the database already holds data ({', '.join(found)}): seed-demo only fills an "
            "empty database, so nothing was changed"
        )
    for line in run_demo_seeders(password, DemoOptions(clip_seconds=clip_seconds)):
        click.echo(line)
