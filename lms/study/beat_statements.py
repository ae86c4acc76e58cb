"""The heartbeat's statements, built once, and how a beat's transaction runs them.

Every statement is built once per process with bound parameters (a beat only fills in
values), in a few variants: with or without the learner's check, a new or an existing
progress row, with or without credit for the day. On PostgreSQL each is also compiled
once to SQL and run on psycopg directly, so a beat costs no statement construction,
compilation or cache-key work.

PostgreSQL, two round trips per beat (tests/study/test_hot_path.py counts them on the
wire), on a connection of the beat's own drawn from the engine's pool, outside the
SQLAlchemy session (whose begin and commit cost more Python than the beat's SQL):

1. BEGIN and the locked read, sent together: the connection is in psycopg's pipeline
   mode and autocommit, so psycopg sends no BEGIN of its own (it would wait for it);
2. the write (one statement) and COMMIT, sent together: the beat is durable before the
   200 leaves. A beat that completes the lesson commits after the receivers of
   lesson_completed instead (a third round trip at least): the session joins the beat's
   connection, so they write in the beat's transaction.
A beat that finds the lesson's settings uncached reads them in its transaction (one
more round trip). The connection goes back to the pool when the beat is done (a beat
that wrote nothing is rolled back there); anything the request writes later goes
through the session, on a connection of its own.

The connection is checked out without the pool's ping (lms/database.py): a connection
found dead on the first round trip, before anything was written, is thrown away and
the beat is tried once more on a pinged one. Any other session (SQLite, or a request
that already began its transaction) runs the same statements through SQLAlchemy.
"""

from contextlib import ExitStack, contextmanager, nullcontext, suppress
from functools import cache

from sqlalchemy import and_, bindparam, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.accounts.identity import bound_user_conditions, user_parameters
from lms.accounts.models import User
from lms.database import checkout_without_ping, compiled_sql
from lms.extensions import db
from lms.study.models import DailyStudy, Heartbeat, LessonProgress, PlaySession

_PS, _LP, _USERS = PlaySession.__table__, LessonProgress.__table__, User.__table__
_HB, _DAY = Heartbeat.__table__, DailyStudy.__table__
_PROGRESS_VALUES = ("played_segments", "covered_seconds", "progress", "resume_position")
JSON_PARAMETERS = ("b_segments", "b_played_segments")
BEGUN = object()  # PipelinedBeat.lock: the session's transaction had begun already


@cache
def lock_statement(with_learner: bool):
    """The play session, locked, with its learner's progress on the lesson; with the
    learner's check (id, session token, active, consent: accounts.identity)."""
    query = (
        select(
            _PS.c.learner_id,
            _PS.c.lesson_id,
            _PS.c.last_seq,
            _PS.c.last_beat_at,
            _PS.c.superseded_at,
            _LP.c.id.label("progress_id"),
            _LP.c.played_segments,
            _LP.c.covered_seconds,
            _LP.c.progress,
            _LP.c.credited_seconds,
            _LP.c.completed_at,
        )
        .select_from(
            _PS.outerjoin(
                _LP, and_(_LP.c.learner_id == _PS.c.learner_id, _LP.c.lesson_id == _PS.c.lesson_id)
            )
        )
        .where(_PS.c.id == bindparam("b_play_session_id"))
        # Two racing beats of one player: the second waits here and then sees what the
        # first wrote, so the elapsed time is credited once. The progress row is only
        # written under this lock (a learner's other players are superseded under it).
        .with_for_update(of=_PS)
    )
    if with_learner:
        query = query.join_from(_PS, _USERS, _USERS.c.id == _PS.c.learner_id).where(
            *bound_user_conditions()
        )
    return query


def lock_parameters(play_session_id: int, learner: tuple[int, str] | None) -> dict:
    parameters = {"b_play_session_id": play_session_id}
    if learner is not None:
        parameters.update(user_parameters(learner))
    return parameters


@cache
def write_statements(dialect: str, new_progress: bool, day_credit: bool) -> tuple:
    """Every write of an accepted beat, one statement per table."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    credit = bindparam("b_credit")
    statements = [
        update(_PS)
        .where(_PS.c.id == bindparam("b_play_session_id"))
        .values(
            last_seq=bindparam("b_seq"),
            last_beat_at=bindparam("b_now"),
            credited_seconds=_PS.c.credited_seconds + credit,
            position=bindparam("b_resume_position"),
        ),
        _HB.insert().values(
            play_session_id=bindparam("b_play_session_id"),
            seq=bindparam("b_seq"),
            received_at=bindparam("b_now"),
            position=bindparam("b_position"),
            segments=bindparam("b_segments", type_=_HB.c.segments.type),
            rate=bindparam("b_rate"),
            visible=bindparam("b_visible"),
            credited_seconds=credit,
        ),
    ]
    values = {name: bindparam(f"b_{name}", type_=_LP.c[name].type) for name in _PROGRESS_VALUES}
    values["updated_at"] = bindparam("b_now")
    completed_at = bindparam("b_completed_at", type_=_LP.c.completed_at.type)
    if new_progress:
        statement = insert(_LP).values(
            learner_id=bindparam("b_learner_id"),
            lesson_id=bindparam("b_lesson_id"),
            started_at=bindparam("b_now"),
            credited_seconds=credit,
            completed_at=completed_at,
            **values,
        )
        excluded = statement.excluded
        statements.append(
            # Another player of the learner made the row a moment ago: add to it.
            statement.on_conflict_do_update(
                index_elements=["learner_id", "lesson_id"],
                set_={
                    **{name: excluded[name] for name in values},
                    "credited_seconds": _LP.c.credited_seconds + credit,
                    "completed_at": func.coalesce(_LP.c.completed_at, excluded.completed_at),
                },
            )
        )
    else:
        statements.append(
            update(_LP)
            .where(_LP.c.id == bindparam("b_progress_id"))
            .values(
                credited_seconds=_LP.c.credited_seconds + credit,
                completed_at=completed_at,
                **values,
            )
        )
    if day_credit:
        day = insert(_DAY).values(
            learner_id=bindparam("b_learner_id"), day=bindparam("b_day"), credited_seconds=credit
        )
        statements.append(
            day.on_conflict_do_update(
                index_elements=["learner_id", "day"],
                set_={"credited_seconds": _DAY.c.credited_seconds + credit},
            )
        )
    if dialect == "postgresql":  # one statement: data-modifying CTEs
        ctes = (statement.cte(f"beat_write_{n}") for n, statement in enumerate(statements))
        return (select(literal_column("1")).add_cte(*ctes),)
    return tuple(statements)


def _psycopg_parameters(parameters: dict) -> dict:
    from psycopg.types.json import Json

    return {
        name: Json(value) if name in JSON_PARAMETERS else value
        for name, value in parameters.items()
    }


class SessionBeat:
    """The beat's statements through SQLAlchemy, in the session's transaction."""

    def __init__(self, dialect: str):
        self.dialect = dialect

    def lock(self, play_session_id: int, learner):
        query = lock_statement(learner is not None)
        return db.session.execute(query, lock_parameters(play_session_id, learner)).first()

    def first(self, query):
        return db.session.execute(query).first()

    def write(self, variant: tuple[bool, bool], parameters: dict, *, commit: bool) -> None:
        """``commit`` is left to the request: SQLAlchemy's statements are one transaction."""
        for statement in write_statements(self.dialect, *variant):
            db.session.execute(statement, parameters)

    def sync(self) -> None:
        pass

    def announcing(self):
        """Receivers write in the session's transaction; the request commits it."""
        return nullcontext()

    def close(self) -> None:
        pass


class PipelinedBeat:
    """The beat's statements on a pooled connection of its own, outside the SQLAlchemy
    session, in psycopg's pipeline mode (see the module's docstring). ``lock`` returns
    BEGUN when the session's transaction had begun already: then the caller uses a
    SessionBeat."""

    def __init__(self):
        self.stack = ExitStack()
        self.connection = self.raw = self.cursor = None

    def _open(self, *, ping: bool) -> bool:
        session = db.session()  # this request's Session
        if session.in_transaction() or session.new or session.dirty or session.deleted:
            return False  # the request's statements came first: the beat goes in them
        engine = session.get_bind()
        with nullcontext() if ping else checkout_without_ping():
            self.connection = engine.connect()  # checked out of the pool; never begun
        from psycopg.rows import namedtuple_row

        self.dialect = engine.dialect
        self.raw = self.connection.connection.driver_connection
        self.raw.autocommit = True  # BEGIN is the beat's; off again in the pool (database.py)
        self.stack.enter_context(self.raw.pipeline())
        self.cursor = self.raw.cursor(row_factory=namedtuple_row)
        self.cursor.execute(b"BEGIN")
        return True

    def _run(self, sql: str, parameters: dict) -> None:
        # Listeners that count statements (tests, the benchmark) see these too.
        dispatch = self.connection.dispatch
        dispatch.before_cursor_execute(self.connection, self.cursor, sql, parameters, None, False)
        self.cursor.execute(sql, _psycopg_parameters(parameters))
        dispatch.after_cursor_execute(self.connection, self.cursor, sql, parameters, None, False)

    def _first_row(self, statement, parameters: dict):
        self._run(compiled_sql(statement, self.dialect), parameters)
        return self.cursor.fetchone()

    def lock(self, play_session_id: int, learner):
        from psycopg import OperationalError

        query, parameters = (
            lock_statement(learner is not None),
            lock_parameters(play_session_id, learner),
        )
        try:
            if not self._open(ping=False):
                return BEGUN
            return self._first_row(query, parameters)
        except OperationalError:
            if self.raw is None or not self.raw.broken:
                raise
        # The pooled connection was dead (a failover, an idle reaper) and nothing was
        # written: a fresh, pinged connection once more.
        self.close()
        if not self._open(ping=True):
            return BEGUN
        return self._first_row(query, parameters)

    def first(self, query):
        """A read in the beat's transaction (the lesson's settings when not cached)."""
        compiled = query.compile(dialect=self.dialect)
        self._run(compiled.string, compiled.params)
        return self.cursor.fetchone()

    def write(self, variant: tuple[bool, bool], parameters: dict, *, commit: bool) -> None:
        """Queued in the pipeline, with COMMIT after it when ``commit``."""
        (statement,) = write_statements("postgresql", *variant)
        self._run(compiled_sql(statement, self.dialect), parameters)
        if commit:
            self.cursor.execute(b"COMMIT")
            self.connection.dispatch.commit(self.connection)  # counted as the session's were

    def sync(self) -> None:
        """Leave pipeline mode: the Sync that sends what is queued and waits for it."""
        from psycopg import Error

        stack, self.stack = self.stack, ExitStack()
        if self.raw is not None and self.raw.broken:
            with suppress(Error):
                stack.close()
        else:
            stack.close()

    @contextmanager
    def announcing(self):
        """Receivers of lesson_completed write through the session, in the beat's
        transaction: the session joins the beat's connection and commits after them."""
        session = db.session
        session.connection(bind_arguments={"bind": self.connection})
        try:
            yield
            session.commit()
        except BaseException:
            session.rollback()
            raise

    def close(self) -> None:
        """Back to the pool (a transaction left open is rolled back there); a dead
        connection is thrown away."""
        try:
            self.sync()
        finally:
            connection, self.connection, self.raw = self.connection, None, None
            if connection is not None:
                if connection.connection.driver_connection.broken:
                    connection.invalidate()
                connection.close()
