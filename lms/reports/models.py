"""The statistics rollup and the indexes the indicator queries need.

``report_study_years`` holds, per learner and calendar year, the credited study seconds
(``s01``..``s12``) and the credits posted (``c01``..``c12``, thousandths) of each month,
counting only days up to the watermark in ``report_rollup_state``. Both sources are
frozen for past days: study credits a learner's *current* local day only, and the ledger
is append-only with ``local_day`` the day of posting. So a month's column, once built
for days up to the watermark, stays right; the refresh (``rollup.refresh``) only moves
the watermark forward and rebuilds the months it crosses. Days after the watermark are
read live from ``daily_study`` and ``ledger_entries``.

The extra indexes are declared here on other domains' tables (an ``Index`` built from
bound columns attaches itself to that table's metadata) and created by migration
``a9_reports``.
"""

from sqlalchemy import (
    BigInteger,
    Column,
    Date,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Table,
    text,
)

from lms.accounts.models import User, UserRole
from lms.attendance.models import Attendance
from lms.courses.models import Enrolment
from lms.credits.models import LedgerEntry, Recognition
from lms.extensions import db
from lms.study.models import DailyStudy
from lms.timeutil import UTCDateTime

MONTHS = range(1, 13)


def seconds_column_name(month: int) -> str:
    return f"s{month:02d}"


def credits_column_name(month: int) -> str:
    return f"c{month:02d}"


study_years = Table(
    "report_study_years",
    db.metadata,
    Column("learner_id", ForeignKey("users.id", ondelete="CASCADE"), primary_key=True),
    Column("year", Integer, primary_key=True, autoincrement=False),
    *[Column(seconds_column_name(m), Float, nullable=False, default=0.0) for m in MONTHS],
    *[Column(credits_column_name(m), BigInteger, nullable=False, default=0) for m in MONTHS],
    # Bit m-1 set: attended (present or late) a session held in month m, among the
    # sessions closed by the study rollup's cutoff and on days up to its watermark.
    Column("attended", Integer, nullable=False, default=0, server_default="0"),
    Index("ix_report_study_years_year", "year"),
)

# The learner-side indicators per local day and learner's 镇街 (town_key: towns.id, 0 for
# none), counting learners as they are now (learner role, not disabled; see
# lms.reports.facts). Days up to the study watermark; offline hours of the sessions
# closed by its cutoff.
learner_days = Table(
    "report_learner_days",
    db.metadata,
    Column("day", Date, primary_key=True),
    Column("town_key", Integer, primary_key=True, autoincrement=False),
    Column("registrations", Integer, nullable=False, default=0),
    Column("enrolled", Integer, nullable=False, default=0),  # enrolled_at on the day
    Column("left", Integer, nullable=False, default=0),  # left_at on the day
    Column("completed", Integer, nullable=False, default=0),  # enrolled course completed
    Column("closed_both", Integer, nullable=False, default=0),  # max(left, completed)
    Column("recognitions", Integer, nullable=False, default=0),
    Column("offline_hours", Float, nullable=False, default=0.0),
)

# Per calendar year, learner's 镇街 (town_key as above) and whether elderly in that year
# (born in year − 60 or before): the learners active in each standard period of the year
# (year, quarters, months) and the study seconds and credits of each month, summed from
# report_study_years (see lms.reports.activity_rollup).
ACTIVITY_SLOTS = ("y", "q1", "q2", "q3", "q4", *[f"m{m:02d}" for m in MONTHS])
activity_towns = Table(
    "report_activity_towns",
    db.metadata,
    Column("year", Integer, primary_key=True, autoincrement=False),
    Column("town_key", Integer, primary_key=True, autoincrement=False),
    Column("elderly", Integer, primary_key=True, autoincrement=False),
    *[Column(f"a_{slot}", Integer, nullable=False, default=0) for slot in ACTIVITY_SLOTS],
    *[Column(seconds_column_name(m), Float, nullable=False, default=0.0) for m in MONTHS],
    *[Column(credits_column_name(m), BigInteger, nullable=False, default=0) for m in MONTHS],
)

# New enrolments and completions per local day, course and learner's 镇街 (top courses).
course_days = Table(
    "report_course_days",
    db.metadata,
    Column("day", Date, primary_key=True),
    Column("course_id", Integer, primary_key=True, autoincrement=False),
    Column("town_key", Integer, primary_key=True, autoincrement=False),
    Column("enrolled", Integer, nullable=False, default=0),
    Column("completed", Integer, nullable=False, default=0),
)

# Enrolments completed on a rolled day whose completion is before their (re-)enrolment or
# after they left: the few for which the open/completed counts do not add up by day.
odd_enrolments = Table(
    "report_odd_enrolments",
    db.metadata,
    Column("enrolment_id", Integer, primary_key=True, autoincrement=False),
    Column("learner_id", Integer, nullable=False, index=True),
    Column("enrolled_day", Date, nullable=False),
    Column("left_day", Date, nullable=True),
    Column("completed_day", Date, nullable=False),
)

# Offline classes per local day of the session's start and school 镇街 (closed sessions
# up to the "sessions" watermark; see lms.reports.session_rollup).
town_days = Table(
    "report_town_days",
    db.metadata,
    Column("day", Date, primary_key=True),
    Column("town_id", ForeignKey("towns.id", ondelete="CASCADE"), primary_key=True),
    Column("sessions_held", Integer, nullable=False, default=0),
    Column("signups", Integer, nullable=False, default=0),
    Column("signups_attended", Integer, nullable=False, default=0),
)

# One row per rollup: "study", the last local day whose study seconds and credits are in
# report_study_years, and a version that changes with every refresh (caches key on it);
# "sessions", the last day of report_town_days and when it was refreshed.
rollup_state = Table(
    "report_rollup_state",
    db.metadata,
    Column("name", String(20), primary_key=True),
    Column("rolled_through", Date, nullable=True),
    Column("version", Integer, nullable=False, default=0),
    Column("refreshed_at", UTCDateTime(), nullable=True),
)

# Covering indexes: each period query reads only the index.
Index(
    "ix_daily_study_day_learner_seconds",
    DailyStudy.day,
    DailyStudy.learner_id,
    DailyStudy.credited_seconds,
)
Index(
    "ix_ledger_entries_day_learner_credits",
    LedgerEntry.local_day,
    LedgerEntry.learner_id,
    LedgerEntry.credits_milli,
)
# The learners active in their year (the "y" count of lms.reports.activity_rollup), by key:
# a range that counts from a whole year (the last 365 days in December) leaves them out
# of the learners the rest of the range adds by reading this index, not every row's
# months (≈40 ms at 100k learners). The planner uses it only for a condition it can prove
# implies the predicate: this is what ``_active_sql(study_years, MONTHS)`` renders (a
# test keeps them alike).
ACTIVE_IN_YEAR = (
    " + ".join(["0.0", *[seconds_column_name(m) for m in MONTHS]])
    + " >= 60 OR (attended & 4095) != 0"
)
Index(
    "ix_report_study_years_active",
    study_years.c.year,
    study_years.c.learner_id,
    postgresql_where=text(ACTIVE_IN_YEAR),
    sqlite_where=text(ACTIVE_IN_YEAR),
)
# New enrolments and completions of one 镇街 (top courses) without reading the others'.
Index(
    "ix_report_course_days_town",
    course_days.c.town_key,
    course_days.c.day,
    course_days.c.course_id,
    course_days.c.enrolled,
    course_days.c.completed,
)
# Who attended a few sessions (a partial month's, those after the rollup's rows), from the
# index alone: the planner otherwise reads every attendance row.
Index(
    "ix_attendances_session_status_learner",
    Attendance.class_session_id,
    Attendance.status,
    Attendance.learner_id,
)
# Who is a learner, without a pass over every role row.
Index("ix_user_roles_role_user", UserRole.role, UserRole.user_id)
# New enrolments in a period (top courses), approved recognitions in a period.
Index("ix_enrolments_enrolled_at", Enrolment.enrolled_at)
Index("ix_recognitions_state_decided", Recognition.state, Recognition.decided_at)
# What the rollups read live after the watermark: registrations, enrolments left.
Index("ix_users_created_at", User.created_at)
Index("ix_enrolments_left_at", Enrolment.left_at)
