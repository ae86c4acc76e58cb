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
