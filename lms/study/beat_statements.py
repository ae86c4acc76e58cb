"""The heartbeat's statements, built once, and how a beat's transaction runs them.

Every statement is built once per process with bound parameters (a beat only fills in
values), in a few variants: with or without the learner's check, a new or an existing
progress row, with or without credit for the day. On PostgreSQL each is also compiled
once to SQL and run on psycopg directly, so a beat costs no statement construction,
compilation or cache-key work.

PostgreSQL, two round trips per beat (tests/study/test_hot_path.py counts them on the
wire):

1. BEGIN and the locked read, sent together: the connection is in psycopg's pipeline
   mode and autocommit, so psycopg sends no BEGIN of its own (it would wait for it);
2. the write (one statement) and COMMIT, sent together: the beat is durable before the
   200 leaves. A beat that completes the lesson leaves COMMIT to the request instead (a
   third round trip): the receivers of lesson_completed write in the same transaction.
   After an early COMMIT the connection is back in psycopg's ordinary mode, so anything
   the request writes later goes in a transaction of its own, committed by the request.

The connection is checked out without the pool's ping (lms/database.py): a connection
found dead on the first round trip, before anything was written, is thrown away and
the beat is tried once more on a pinged one. Any other session (SQLite, or a request
that already began its transaction) runs the same statements through SQLAlchemy.
"""

from contextlib import ExitStack, suppress
from functools import cache

from sqlalchemy import and_, bindparam, func, literal_column, select, update
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.accounts.identity import bound_user_conditions, user_parameters
from lms.accounts.models import User
from lms.database import checkout_without_ping
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


@cache
def _compiled(statement, dialect) -> str:
    return statement.compile(dialect=dialect).string


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

    def write(self, variant: tuple[bool, bool], parameters: dict, *, commit: bool) -> None:
        """``commit`` is left to the request: SQLAlchemy's statements are one transaction."""
        for statement in write_statements(self.dialect, *variant):
            db.session.execute(statement, parameters)

    def close(self) -> None:
        pass


class PipelinedBeat:
    """The beat's statements on psycopg in pipeline mode (see the module's docstring).
    ``lock`` returns BEGUN when the session's transaction had already begun: then the
    caller uses a SessionBeat."""

    def __init__(self):
        self.stack = ExitStack()
        self.cursor = None
        self.committed = False

    def _open(self, *, ping: bool) -> bool:
        session = db.session
        if session.new or session.dirty or session.deleted:
            return False  # the session's statements flush them first
        if ping:
            connection = db.session.connection()
        else:
            with checkout_without_ping():
                connection = db.session.connection()
        self.connection, self.dialect = connection, connection.dialect
        raw = connection.connection.driver_connection
        from psycopg.pq import TransactionStatus
        from psycopg.rows import namedtuple_row

        if raw.info.transaction_status != TransactionStatus.IDLE:
            return False

        self.raw = raw
        raw.autocommit = True  # until the connection goes back (lms/database.py)
        self.stack.enter_context(raw.pipeline())
        self.cursor = raw.cursor(row_factory=namedtuple_row)
        self.cursor.execute(b"BEGIN")
        return True

    def _run(self, statement, parameters: dict):
        sql = _compiled(statement, self.dialect)
        # Listeners that count statements (tests, the benchmark) see these too.
        dispatch = self.connection.dispatch
        dispatch.before_cursor_execute(self.connection, self.cursor, sql, parameters, None, False)
        self.cursor.execute(sql, _psycopg_parameters(parameters))
        dispatch.after_cursor_execute(self.connection, self.cursor, sql, parameters, None, False)

    def lock(self, play_session_id: int, learner):
        from psycopg import OperationalError

        query, parameters = (
            lock_statement(learner is not None),
            lock_parameters(play_session_id, learner),
        )
        try:
            if not self._open(ping=False):
                return BEGUN
            self._run(query, parameters)
            return self.cursor.fetchone()
        except OperationalError:
            if not getattr(self, "raw", None) or not self.raw.broken:
                raise
        # The pooled connection was dead (a failover, an idle reaper) and nothing was
        # written: a fresh, pinged connection once more.
        self.close()
        self.connection.invalidate()
        db.session.rollback()
        self.cursor = None
        if not self._open(ping=True):
            return BEGUN
        self._run(query, parameters)
        return self.cursor.fetchone()

    def write(self, variant: tuple[bool, bool], parameters: dict, *, commit: bool) -> None:
        """Queued in the pipeline (run at once if it was closed: a settings load), with
        COMMIT after it when ``commit``."""
        (statement,) = write_statements("postgresql", *variant)
        self._run(statement, parameters)
        if commit:
            self.cursor.execute(b"COMMIT")
            self.committed = True

    def close(self) -> None:
        """Leave pipeline mode (before any statement through the session, and after the
        write): the Sync that sends what is queued and waits for it."""
        from psycopg import Error

        stack, self.stack = self.stack, ExitStack()
        if getattr(self, "raw", None) is not None and self.raw.broken:
            with suppress(Error):
                stack.close()
        else:
            stack.close()
            if self.committed and self.raw.autocommit:
                self.raw.autocommit = False  # IDLE: later statements begin as usual
