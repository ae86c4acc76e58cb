"""The self check-in's statements, built once: the learner's check and the new attendance
row, in one statement on PostgreSQL.

A learner opening the QR at a class start usually has no attendance row yet, and the
check-in is decided before any query (the window rules read the cached class settings,
checkin.plan_first_checkin). What is left for the database is whether the learner may
check in (accounts.identity's conditions: their session token, not disabled, the
privacy notice accepted; their sign-up when the class requires one) and the insert.

On PostgreSQL both are one statement, compiled once and run by psycopg itself on a
connection drawn without the pool's ping (database.run_compiled_first): the learner's
row is read in a WITH, and the attendance is inserted from it (INSERT … SELECT, so
nothing is inserted for a learner who fails the check or has not signed up) with ON
CONFLICT DO NOTHING, so a row another request (or a staff scan) made first is left as
it was. SQLite has no data-modifying WITH: the read and the insert are two statements
there.

The same statement says whether the class is closed, as a look-up of the class by the
reports receiver would (signals.note_session_open).
"""

from dataclasses import dataclass, replace
from functools import cache

from sqlalchemy import Integer, bindparam, exists, false, select
from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert

from lms.accounts.identity import bound_user_conditions, user_parameters
from lms.accounts.models import User
from lms.attendance.models import Attendance, ClassSession, Signup
from lms.database import run_compiled_first
from lms.extensions import db

_USERS, _ROWS = User.__table__, Attendance.__table__
_SIGNUPS, _SESSIONS = Signup.__table__, ClassSession.__table__
ROW_COLUMNS = (
    "class_session_id",
    "learner_id",
    "status",
    "checked_in_at",
    "checkin_method",
    "checked_out_at",
    "checkout_method",
    "hours",
    "recorded_at",
    "recorded_by_id",
)


@dataclass(frozen=True)
class LearnerAtCheckin:
    """What a check-in statement found of the learner (None when they fail the check)."""

    elder_mode: bool
    locale: str | None
    signed_up: bool
    has_row: bool  # an attendance row, theirs before this statement or not inserted by it
    session_open: bool  # the class is not closed
    inserted: bool = False  # check_and_insert's row went in


def _session_id():
    return bindparam("b_class_session_id", type_=Integer)


@cache
def learner_statement(signup_required: bool):
    """The learner's check, sign-up, whether they have a row and whether the class is open."""
    signed_up = (
        exists().where(
            _SIGNUPS.c.class_session_id == _session_id(),
            _SIGNUPS.c.learner_id == _USERS.c.id,
            _SIGNUPS.c.cancelled_at.is_(None),
        )
        if signup_required
        else false()
    )
    has_row = exists().where(
        _ROWS.c.class_session_id == _session_id(), _ROWS.c.learner_id == _USERS.c.id
    )
    session_open = exists().where(_SESSIONS.c.id == _session_id(), _SESSIONS.c.closed_at.is_(None))
    return select(
        _USERS.c.elder_mode,
        _USERS.c.locale,
        signed_up.label("signed_up"),
        has_row.label("has_row"),
        session_open.label("session_open"),
    ).where(*bound_user_conditions())


def _row_values() -> list:
    return [bindparam(f"b_{name}", type_=_ROWS.c[name].type) for name in ROW_COLUMNS]


@cache
def insert_statement(dialect: str):
    """SQLite: the row inserted unless one is there (the learner was checked first)."""
    insert = postgresql_insert if dialect == "postgresql" else sqlite_insert
    return (
        insert(_ROWS)
        .values(dict(zip(ROW_COLUMNS, _row_values(), strict=True)))
        .on_conflict_do_nothing(index_elements=["class_session_id", "learner_id"])
        .returning(_ROWS.c.id)
    )


@cache
def check_and_insert_statement(signup_required: bool):
    """PostgreSQL: the learner's check and the insert of their row in one statement."""
    learner = learner_statement(signup_required).cte("learner")
    values = select(*_row_values()).select_from(learner)  # nothing for a learner not found
    if signup_required:
        values = values.where(learner.c.signed_up)
    new_row = (
        postgresql_insert(_ROWS)
        .from_select(ROW_COLUMNS, values)
        .on_conflict_do_nothing(index_elements=["class_session_id", "learner_id"])
        .returning(_ROWS.c.id)
        .cte("new_row")
    )
    return select(
        learner.c.elder_mode,
        learner.c.locale,
        learner.c.signed_up,
        exists().select_from(new_row).label("inserted"),
        learner.c.session_open,
    ).select_from(learner)


def _parameters(identity: tuple[int, str], class_session_id: int, row: dict) -> dict:
    return {
        **user_parameters(identity),
        "b_class_session_id": class_session_id,
        **{f"b_{name}": value for name, value in row.items()},
    }


def read_learner(
    identity: tuple[int, str], class_session_id: int, *, signup_required: bool
) -> LearnerAtCheckin | None:
    """The learner ``identity`` names, if they pass the check, with their sign-up and
    whether they have an attendance row for the class."""
    parameters = _parameters(identity, class_session_id, {})
    found = db.session.execute(learner_statement(signup_required), parameters).first()
    return None if found is None else LearnerAtCheckin(*found)


def check_and_insert(
    identity: tuple[int, str], row: dict, *, signup_required: bool
) -> LearnerAtCheckin | None:
    """Insert the attendance ``row`` (its ROW_COLUMNS) for the learner ``identity`` names
    when they pass the check and may check in (signed up, when the class requires it);
    None when they fail the check. ON CONFLICT DO NOTHING: an existing row stays."""
    parameters = _parameters(identity, row["class_session_id"], row)
    if db.session.get_bind().dialect.name == "postgresql":
        statement = check_and_insert_statement(signup_required)
        found = run_compiled_first(statement, parameters).fetchone()
        if found is None:
            return None
        elder_mode, locale, signed_up, inserted, session_open = found
        may_check_in = signed_up or not signup_required
        has_row = may_check_in and not inserted  # the insert met a row
        return LearnerAtCheckin(elder_mode, locale, signed_up, has_row, session_open, inserted)
    learner = read_learner(identity, row["class_session_id"], signup_required=signup_required)
    if learner is None or learner.has_row or not (learner.signed_up or not signup_required):
        return learner
    inserted = db.session.execute(insert_statement("sqlite"), parameters).first() is not None
    return replace(learner, has_row=not inserted, inserted=inserted)
