"""Database glue: SQLite pragmas and the one-transaction-per-request boundary."""

from flask import Flask
from sqlalchemy import event

from lms.extensions import db


def _sqlite_pragmas(dbapi_connection, connection_record):
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while the worker thread writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def init_database(app: Flask) -> None:
    """Set the pragmas on each new connection of the app's SQLite engines (after init_app)."""
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "sqlite" and not event.contains(
            engine, "connect", _sqlite_pragmas
        ):
            event.listen(engine, "connect", _sqlite_pragmas)


def register_request_transaction(app: Flask) -> None:
    """Commit once when a request succeeds; roll back on any error status or exception."""

    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def insert_ignoring_conflicts(model):
    """INSERT … ON CONFLICT DO NOTHING for the session's database (add
    ``.on_conflict_do_nothing(index_elements=[...])``); the same on SQLite and PostgreSQL."""
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    dialect = db.session.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(model)
