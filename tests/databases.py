"""PostgreSQL databases for a test run: a template migrated once, a clone per process.

The template's name carries a fingerprint of ``migrations/``, so runs reuse the template
an earlier run migrated until a migration changes. Each test process (plain pytest, or
each pytest-xdist worker) clones a database of its own from it, named after its process
id, and drops it at the end; clones left by processes that no longer run, and templates
of other migrations, are dropped by the next run that starts. Creating and cloning happen
under one advisory lock on the server, so concurrent runs never clone a half-built
template (PostgreSQL refuses to clone a database someone is connected to).
"""

import hashlib
import os
import re
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

MIGRATIONS = Path(__file__).resolve().parent.parent / "migrations"
ADVISORY_LOCK = 0x4C4D5354  # "LMST": any number no other client of the server uses


def migrations_fingerprint() -> str:
    digest = hashlib.sha256()
    for path in sorted(MIGRATIONS.rglob("*.py")):
        digest.update(path.relative_to(MIGRATIONS).as_posix().encode())
        digest.update(path.read_bytes())
    return digest.hexdigest()[:12]


def _process_running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def _left_behind(name: str, prefix: str, template: str) -> bool:
    """A clone whose process has ended, or a template of other migrations."""
    clone = re.fullmatch(rf"{re.escape(prefix)}_p(\d+)", name)
    if clone:
        return not _process_running(int(clone.group(1)))
    return name.startswith(f"{prefix}_template_") and name != template


def _drop(connection, name: str) -> None:
    connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))


def clone_for_this_process(test_database_url: str, migrate: Callable[[str], None]) -> str:
    """The URL of a new database for this process, cloned from the migrated template."""
    prefix = make_url(test_database_url).database
    return clone_template(test_database_url, f"{prefix}_p{os.getpid()}", migrate)


def clone_template(test_database_url: str, clone: str, migrate: Callable[[str], None]) -> str:
    """The URL of ``clone``, a new database cloned from the migrated template.

    ``migrate(url)`` builds the schema in an empty database; it runs only when no
    template for the current migrations exists yet.
    """
    server = make_url(test_database_url).set(drivername="postgresql+psycopg")
    prefix = server.database
    template = f"{prefix}_template_{migrations_fingerprint()}"
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            connection.execute(text("SELECT pg_advisory_lock(:key)"), {"key": ADVISORY_LOCK})
            try:
                names = set(connection.scalars(text("SELECT datname FROM pg_database")))
                for name in names:
                    if _left_behind(name, prefix, template):
                        _drop(connection, name)
                if template not in names:
                    building = f"{template}_building"
                    _drop(connection, building)
                    connection.execute(text(f'CREATE DATABASE "{building}"'))
                    migrate(server.set(database=building).render_as_string(hide_password=False))
                    connection.execute(text(f'ALTER DATABASE "{building}" RENAME TO "{template}"'))
                _drop(connection, clone)
                connection.execute(text(f'CREATE DATABASE "{clone}" TEMPLATE "{template}"'))
            finally:
                connection.execute(text("SELECT pg_advisory_unlock(:key)"), {"key": ADVISORY_LOCK})
    finally:
        admin.dispose()
    return make_url(test_database_url).set(database=clone).render_as_string(hide_password=False)


def drop_clone(test_database_url: str, clone_url: str) -> None:
    server = make_url(test_database_url).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as connection:
            _drop(connection, make_url(clone_url).database)
    finally:
        admin.dispose()
