"""SQLite pragmas on the app's own engines, and only there; savepoints that a rollback undoes."""

import pytest
from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine

from lms.database import _sqlite_pragmas
from lms.extensions import db
from tests.apps import build_app


def pragmas(connection) -> tuple:
    return (
        connection.execute(text("PRAGMA journal_mode")).scalar(),
        connection.execute(text("PRAGMA foreign_keys")).scalar(),
        connection.execute(text("PRAGMA busy_timeout")).scalar(),
    )


def on_sqlite(app) -> bool:
    return app.config["SQLALCHEMY_DATABASE_URI"].startswith("sqlite")


def test_the_app_s_sqlite_connections_get_the_pragmas(app):
    if not on_sqlite(app):
        pytest.skip("SQLite pragmas: the SQLite run")
    with app.app_context(), db.engine.connect() as connection:
        assert pragmas(connection) == ("wal", 1, 10000)


def test_the_listener_is_on_the_app_s_engine_once_not_on_every_engine(app, database_url, tmp_path):
    second = build_app(database_url, tmp_path / "second")
    for each in (app, second):
        with each.app_context():
            assert event.contains(db.engine, "connect", _sqlite_pragmas) == on_sqlite(app)
    assert not event.contains(Engine, "connect", _sqlite_pragmas)
    other = create_engine(f"sqlite:///{tmp_path / 'other.sqlite'}")
    with other.connect() as connection:
        assert pragmas(connection)[1] == 0  # an engine of someone else's is left alone
    other.dispose()
    with second.app_context():
        db.engine.dispose()


def test_a_rollback_undoes_what_a_savepoint_kept(app):
    """A savepoint first in a transaction, released, then the transaction rolled back:
    nothing stays (on SQLite the release used to commit it)."""
    from lms.accounts.models import Town

    with app.app_context():
        with db.session.begin_nested():
            db.session.add(Town(code="sp-test", name="回滚镇"))
        db.session.rollback()
        assert db.session.scalar(db.select(Town).where(Town.code == "sp-test")) is None
