"""Counting what a request costs the database, as the benchmarks count it; dropping the
pool's server connections."""

import time

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


def drop_pooled_connections(app) -> None:
    """pg_terminate_backend on every other connection to the test's database (a
    failover, an idle reaper), then wait until they are gone."""
    import psycopg

    with app.app_context():
        url = db.engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    with psycopg.connect(url, autocommit=True) as monitor:
        terminated = monitor.execute(
            "SELECT pid, pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        assert terminated and all(done for _, done in terminated), terminated
        deadline = time.monotonic() + 10
        while monitor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(%s)",
            ([pid for pid, _ in terminated],),
        ).fetchone()[0]:
            assert time.monotonic() < deadline, "the terminated backends did not go"
