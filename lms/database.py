"""Database glue: SQLite pragmas and savepoints, pinging pooled connections, and the
one-transaction-per-request boundary.

A connection drawn from the pool is pinged first (a dropped one is replaced instead of
failing the request), as ``pool_pre_ping`` would, except inside
``checkout_without_ping()``: the heartbeat and the self check-in save that round trip
and retry themselves when their first statement finds the connection dead
(lms/study/beat_statements.py, ``run_compiled_first``). The
heartbeat also turns psycopg's autocommit on to send its own BEGIN; a connection going
back to the pool leaves it off again.
"""

from contextlib import contextmanager
from contextvars import ContextVar
from functools import cache
from itertools import groupby
from operator import itemgetter

from flask import Flask
from sqlalchemy import event, exc

from lms.extensions import db


def _sqlite_pragmas(dbapi_connection, connection_record):
    cursor = dbapi_connection.cursor()
    # WAL lets readers go on while the worker thread writes.
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA busy_timeout=10000")
    cursor.close()


def _begin_before_savepoint(connection, name) -> None:
    """pysqlite (before Python 3.12's ``autocommit``) sends BEGIN only before a write: a
    SAVEPOINT that came first would open the transaction itself, and releasing it would
    commit what the session may still roll back."""
    dbapi_connection = connection.connection.dbapi_connection
    if not dbapi_connection.in_transaction:
        dbapi_connection.execute("BEGIN")


_unpinged = ContextVar("lms_checkout_without_ping", default=False)


@contextmanager
def checkout_without_ping():
    """Connections checked out inside are not pinged: the caller must retry a statement
    that finds its connection dead (and only while it has written nothing)."""
    token = _unpinged.set(True)
    try:
        yield
    finally:
        _unpinged.reset(token)


def _pinger(dialect):
    def ping_on_checkout(dbapi_connection, connection_record, connection_proxy):
        if _unpinged.get():
            return
        try:
            dialect.do_ping(dbapi_connection)
        except dialect.loaded_dbapi.Error as error:
            if dialect.is_disconnect(error, dbapi_connection, None):
                raise exc.DisconnectionError() from error  # the pool draws a new one
            raise

    return ping_on_checkout


def _autocommit_off(dbapi_connection, connection_record) -> None:
    if dbapi_connection is None or dbapi_connection.closed or dbapi_connection.broken:
        return
    if dbapi_connection.autocommit:
        if dbapi_connection.info.transaction_status:  # not IDLE: left mid-transaction
            dbapi_connection.rollback()
        dbapi_connection.autocommit = False


def init_database(app: Flask) -> None:
    """After init_app: the pragmas on each new connection of the app's SQLite engines;
    pings and the autocommit reset for the others."""
    with app.app_context():
        engines = list(db.engines.values())
    for engine in engines:
        if engine.dialect.name == "sqlite":
            if not event.contains(engine, "connect", _sqlite_pragmas):
                event.listen(engine, "connect", _sqlite_pragmas)
                event.listen(engine, "savepoint", _begin_before_savepoint)
            continue
        if engine.dialect.driver == "psycopg" and not event.contains(
            engine, "checkin", _autocommit_off
        ):
            event.listen(engine, "checkout", _pinger(engine.dialect))
            event.listen(engine, "checkin", _autocommit_off)


def register_request_transaction(app: Flask) -> None:
    """Commit once when a request succeeds; roll back on any error status or exception."""

    @app.after_request
    def commit_or_roll_back(response):
        if response.status_code < 400:
            db.session.commit()
        else:
            db.session.rollback()
        return response


def insert_on_conflict(model):
    """INSERT … ON CONFLICT for the session's database: add
    ``.on_conflict_do_nothing(index_elements=[...])`` or ``.on_conflict_do_update(...)``;
    the same on SQLite and PostgreSQL."""
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert

    dialect = db.session.get_bind().dialect.name
    return (postgresql_insert if dialect == "postgresql" else sqlite_insert)(model)


@cache
def compiled_sql(statement, dialect) -> str:
    """``statement``'s SQL for ``dialect``, compiled once per process; every value must
    be a bindparam given at run time."""
    compiled = statement.compile(dialect=dialect)
    fixed = [name for name, value in compiled.params.items() if value is not None]
    if fixed:  # a value built into the statement would not reach the driver
        raise ValueError(f"give these as bindparam() without a value: {fixed}")
    return compiled.string


def run_compiled(statement, parameters: dict):
    """``statement`` (built once, every value a bindparam) run in the session's
    transaction by the driver's own cursor (psycopg, PostgreSQL: named parameters),
    compiled once per process: no statement cache key, compilation or result
    processing per call, a few hundred microseconds less than ``session.execute`` (the
    busiest requests: a self check-in). The parameters go to the driver as they are (no
    type's bind processing: give aware UTC datetimes) and the cursor gives rows as the
    driver reads them (tuples). Pending ORM changes are flushed first; listeners of the
    engine's cursor events see the statement."""
    session = db.session
    if session.new or session.dirty or session.deleted:
        session.flush()
    connection = session.connection()
    sql = compiled_sql(statement, connection.dialect)
    cursor = connection.connection.driver_connection.cursor()
    dispatch = connection.dispatch
    dispatch.before_cursor_execute(connection, cursor, sql, parameters, None, False)
    cursor.execute(sql, parameters)
    dispatch.after_cursor_execute(connection, cursor, sql, parameters, None, False)
    return cursor


def run_compiled_first(statement, parameters: dict):
    """``run_compiled`` as the request's first statement, on a connection drawn from the
    pool without a ping (a round trip saved): when it finds the connection dead,
    nothing was written (the transaction dies with it), so the connection is thrown away
    and the statement run once more on a pinged one. Later in a transaction, as
    ``run_compiled``."""
    from psycopg import OperationalError

    session = db.session()  # the request's Session (the scoped proxy lacks in_transaction)
    if session.in_transaction():
        return run_compiled(statement, parameters)
    with checkout_without_ping():
        connection = session.connection()
    try:
        return run_compiled(statement, parameters)
    except OperationalError:
        if not connection.connection.driver_connection.broken:
            raise
    connection.invalidate()
    session.rollback()
    return run_compiled(statement, parameters)


@contextmanager
def counting_round_trips(engine):
    """Round trips on the wire while inside, for the psycopg connections of ``engine``
    (tests and benchmarks), from libpq's trace of each connection checked out: a round
    trip is the client sending messages and then reading the server's answer (a trace
    line of the server's after one of the client's). Pipelined statements sent together
    are one; pings count. Yields a dict; on leaving, "round_trips" is set, and "sent":
    the client's messages, its turns separated by "|"."""
    import tempfile

    from psycopg import pq

    traced, counts = [], {}
    with tempfile.TemporaryFile() as log:

        def trace(dbapi_connection, connection_record, connection_proxy):
            if dbapi_connection not in traced:
                dbapi_connection.pgconn.trace(log.fileno())
                dbapi_connection.pgconn.set_trace_flags(
                    pq.Trace.SUPPRESS_TIMESTAMPS | pq.Trace.REGRESS_MODE
                )
                traced.append(dbapi_connection)

        event.listen(engine, "checkout", trace, insert=True)  # before the ping
        try:
            yield counts
        finally:
            event.remove(engine, "checkout", trace)
            for dbapi_connection in traced:
                if not dbapi_connection.closed:
                    dbapi_connection.pgconn.untrace()
            log.seek(0)
            lines = log.read().decode("utf-8", "replace").splitlines()
    # "F<tab>length<tab>Message<tab>...": F from the client, B from the server.
    messages = [line.split("\t") + ["", ""] for line in lines if line[:2] in ("F\t", "B\t")]
    turns = [
        (side, [m[2].strip() for m in group]) for side, group in groupby(messages, itemgetter(0))
    ]
    answered = zip(turns, turns[1:], strict=False)
    counts["round_trips"] = sum(
        1 for (side, _), (then, _) in answered if (side, then) == ("F", "B")
    )
    counts["sent"] = " | ".join(" ".join(names) for side, names in turns if side == "F")
