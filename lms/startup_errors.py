"""A wrong setting or an unreachable database stops every entry point with one line.

``error: <message>`` on stderr, the message naming the LMS_* variable to set, and a
non-zero exit (2: could not run), never a traceback:

- ``flask`` commands: ConfigurationError is a click exception, so click prints it;
  wsgi.py catches it while the app loads (`flask run`, `flask db ...`, `flask lms ...`).
- ``flask db upgrade`` (and the other ``flask db`` commands that connect) and every
  ``flask lms`` command that uses the database first check that it answers.
- ``flask run`` checks the database once when it starts; gunicorn does in its master
  (gunicorn.conf.py), before any worker boots; the Celery worker in ``worker_init``.
- A gunicorn worker that still meets a wrong setting (gunicorn started without
  gunicorn.conf.py) exits with gunicorn's "App failed to load" status, which stops the
  master instead of having it boot the next worker for ever.

Each database check is one connection with a short timeout; nothing runs per request.
"""

import re
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import click
from sqlalchemy import create_engine
from sqlalchemy.engine import URL, make_url
from sqlalchemy.pool import NullPool

from lms.config import ConfigurationError

COULD_NOT_RUN = 2
CONNECT_TIMEOUT_SECONDS = 2  # libpq's smallest useful connect_timeout
# `flask lms` commands that never open the database (doctor reports an unreachable one
# among its findings); every other one checks it first.
OFFLINE_LMS_COMMANDS = frozenset({"doctor", "verify-credential"})
# `flask db` commands that connect; the others only read the migration scripts.
ONLINE_DB_COMMANDS = frozenset({"upgrade", "downgrade", "current", "stamp", "check", "migrate"})


def report(error: ConfigurationError) -> None:
    print(f"error: {error.format_message()}", file=sys.stderr, flush=True)


def _exit_status() -> int:
    # A gunicorn worker that exits 2 is replaced by another that fails the same way, for
    # ever; its APP_LOAD_ERROR status makes the master stop ("App failed to load.").
    arbiter = sys.modules.get("gunicorn.arbiter")
    return arbiter.Arbiter.APP_LOAD_ERROR if arbiter else COULD_NOT_RUN


@contextmanager
def exit_on_configuration_error(status: int | None = None) -> Iterator[None]:
    """Turn a ConfigurationError into its one line on stderr and SystemExit."""
    try:
        yield
    except ConfigurationError as error:
        report(error)
        raise SystemExit(_exit_status() if status is None else status) from None


# The database -----------------------------------------------------------------------------


def require_database(uri: str | URL) -> None:
    """Raise ConfigurationError unless the database at ``uri`` accepts a connection."""
    url = make_url(uri)
    if url.get_backend_name() == "sqlite":
        _require_sqlite_folder(url)
        return
    engine = create_engine(
        url, poolclass=NullPool, connect_args={"connect_timeout": CONNECT_TIMEOUT_SECONDS}
    )
    try:
        with engine.connect():
            pass
    except Exception as error:  # whatever the driver says, the database did not answer
        raise ConfigurationError(_unreachable(url, error)) from None
    finally:
        engine.dispose()


def _require_sqlite_folder(url: URL) -> None:
    database = url.database
    if not database or database == ":memory:" or database.startswith("file:"):
        return
    folder = Path(database).parent
    if not folder.is_dir():
        raise ConfigurationError(
            f"LMS_DATABASE_URL names a SQLite file in {folder}, which does not exist: "
            "create the folder or correct LMS_DATABASE_URL"
        )


def _unreachable(url: URL, error: Exception) -> str:
    where = f"{url.host or 'localhost'}:{url.port or 5432}/{url.database}"
    reason = _reason(error)
    lowered = reason.lower()
    if "password" in lowered or "authentication" in lowered or "role" in lowered:
        fix = "correct the user and password in LMS_DATABASE_URL"
    elif "database" in lowered and "does not exist" in lowered:
        fix = f"create it (createdb {url.database}) or correct LMS_DATABASE_URL"
    else:
        fix = "start PostgreSQL there or correct LMS_DATABASE_URL"
    return f"cannot reach the database LMS_DATABASE_URL names ({where}: {reason}): {fix}"


def _reason(error: Exception) -> str:
    """The driver's reason, one short line: "Connection refused", "timeout expired"..."""
    cause = getattr(error, "orig", None) or error
    lines = str(cause).strip().splitlines()
    line = lines[0] if lines else cause.__class__.__name__
    line = line.removeprefix("connection failed: ")
    if "failed: " in line:  # connection to server at "h", port 1 failed: <reason>
        line = line.rsplit("failed: ", 1)[1]
    line = re.sub(r"^(FATAL|ERROR):\s*", "", line)
    return re.sub(r"\s+", " ", line).strip() or cause.__class__.__name__


# The flask CLI ----------------------------------------------------------------------------


def _app_of(ctx: click.Context):
    from flask import current_app
    from flask.cli import ScriptInfo

    if current_app:
        return current_app._get_current_object()
    return ctx.ensure_object(ScriptInfo).load_app()


def _database_before_lms_command() -> None:
    ctx = click.get_current_context()
    if ctx.invoked_subcommand in OFFLINE_LMS_COMMANDS:
        return
    require_database(_app_of(ctx).config["SQLALCHEMY_DATABASE_URI"])


def _database_before_migrating(config):
    """A Flask-Migrate configure callback: `flask db upgrade` and kin check first."""
    ctx = click.get_current_context(silent=True)
    if ctx is None or ctx.params.get("sql"):  # called from code, or offline SQL
        return config
    name = ctx.info_name
    if name in ONLINE_DB_COMMANDS or (name == "revision" and ctx.params.get("autogenerate")):
        require_database(_app_of(ctx).config["SQLALCHEMY_DATABASE_URI"])
    return config


def check_database_before_commands(lms_group: click.Group) -> None:
    """Have the ``flask db`` and ``flask lms`` commands that need the database check it.

    Idempotent: create_app runs it for every app, the hooks go in once.
    """
    from lms.extensions import migrate

    if _database_before_migrating not in migrate.configure_callbacks:
        migrate.configure(_database_before_migrating)
    previous = lms_group.callback
    if getattr(previous, "_checks_database", False):
        return

    def callback(*args, **kwargs):
        _database_before_lms_command()
        return previous(*args, **kwargs) if previous else None

    callback._checks_database = True
    lms_group.callback = callback


# Entry points -----------------------------------------------------------------------------


def _started_by_flask_run() -> bool:
    from flask.cli import run_command

    ctx = click.get_current_context(silent=True)
    return ctx is not None and ctx.command is run_command


def load_app_or_exit(create_app):
    """The app ``create_app()`` builds, for wsgi.py; a wrong setting ends the process
    with its one line.

    `flask run` also checks the database once here. gunicorn's workers do not: a worker
    booted while the database blinks must not stop the whole server (the master checks
    once at start, see gunicorn.conf.py).
    """
    with exit_on_configuration_error():
        app = create_app()
        if _started_by_flask_run():
            require_database(app.config["SQLALCHEMY_DATABASE_URI"])
    return app


def check_before_serving(environ) -> None:
    """The gunicorn master's check (gunicorn.conf.py): settings, then the database."""
    from lms.config import load_config, require_shared_settings

    with exit_on_configuration_error(COULD_NOT_RUN):
        require_shared_settings(environ)
        require_database(load_config(environ)["SQLALCHEMY_DATABASE_URI"])
