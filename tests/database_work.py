"""Counting what a request costs the database, as the benchmarks count it."""

from sqlalchemy import event

from lms.extensions import db


def count_database_work(app, work) -> dict:
    """Statements, commits and connection checkouts while ``work`` runs."""
    seen = {"statements": [], "commits": 0, "checkouts": 0}
    with app.app_context():
        engine = db.engine

    def before(conn, cursor, statement, parameters, context, executemany):
        seen["statements"].append(" ".join(statement.split()))

    def commit(conn):
        seen["commits"] += 1

    def checkout(dbapi_connection, record, proxy):
        seen["checkouts"] += 1

    listeners = (("before_cursor_execute", before), ("commit", commit), ("checkout", checkout))
    for name, listener in listeners:
        event.listen(engine, name, listener)
    try:
        work()
    finally:
        for name, listener in listeners:
            event.remove(engine, name, listener)
    return seen
