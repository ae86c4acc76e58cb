"""The learner-side rollups: registrations, enrolments, completions, recognitions and
offline hours per local day and learner's 镇街 (``report_learner_days``), new enrolments
and completions per day, course and 镇街 (``report_course_days``), and the few enrolments
whose open/completed counts do not add up by day (``report_odd_enrolments``).

They count learners as they are *now* (the learner role, not disabled, their current
镇街), like the raw queries, and hold the days up to the study watermark (offline hours:
of sessions closed by its cutoff). What keeps them right:

- the periodic refresh (``rollup.refresh``) rolls the days it moves the watermark over
  and re-rolls the days of sessions closed since the last refresh;
- a learner whose 镇街 or standing changes (``learner_state_changed``) has their rows
  taken out of the old 镇街 and added to the new one (``rebucket``);
- an enrolment left or taken up again re-rolls the days it counted on (``reroll_days``),
  an attendance recorded or corrected after the close re-rolls its session's day.

Open enrolments in a period [s, t] are E ≤ t, L ≥ s, C ≥ s (enrolled, left, completed
days; left is never before enrolled). By inclusion and exclusion:
open = #E≤t − #L<s − #C<s + #max(L,C)<s + #(C<s, E>t) and
completed in it = #s≤C≤t − #(s≤C≤t, E>t) − #(s≤C≤t, L<s); the pair terms are 0 unless the
completion is before the enrolment or after leaving: those are kept one by one.
"""

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date, datetime

from flask import current_app
from sqlalchemy import (
    Float,
    Integer,
    and_,
    cast,
    delete,
    false,
    func,
    literal,
    null,
    select,
    true,
    union_all,
)

from lms.accounts.models import User, UserRole
from lms.attendance.models import ATTENDED_STATUSES, Attendance, ClassSession
from lms.courses.models import Enrolment
from lms.credits.models import CourseCompletion, Recognition
from lms.database import insert_on_conflict
from lms.extensions import db
from lms.reports.models import course_days, learner_days, odd_enrolments
from lms.reports.periods import day_bounds
from lms.timeutil import UTCDateTime, local_date

DAY_COLUMNS = (
    "registrations",
    "enrolled",
    "left",
    "completed",
    "closed_both",
    "recognitions",
    "offline_hours",
)
COURSE_COLUMNS = ("enrolled", "completed")


@dataclass
class Facts:
    """Sums per (day, town_key) and per (day, course_id, town_key)."""

    days: dict = field(default_factory=lambda: defaultdict(lambda: [0] * len(DAY_COLUMNS)))
    courses: dict = field(default_factory=lambda: defaultdict(lambda: [0, 0]))

    def add_day(self, moment, town_key, column: str, amount=1) -> None:
        self.days[(local_date(moment), town_key)][DAY_COLUMNS.index(column)] += amount

    def add_course(self, moment, course_id, town_key, column: str) -> None:
        self.courses[(local_date(moment), course_id, town_key)][COURSE_COLUMNS.index(column)] += 1


def _zone() -> str:
    return current_app.config["LMS_TIMEZONE"]


def people(town_ids=None, *, learner_id=None, town_key=None):
    """(id, town_key, created_at) of the learners counted now (``town_ids``: of these
    镇街), or of one learner put in ``town_key`` whatever their standing."""
    if learner_id is not None:
        return (
            select(User.id, literal(town_key).label("town_key"), User.created_at)
            .where(User.id == learner_id)
            .subquery("person")
        )
    query = (
        select(User.id, func.coalesce(User.town_id, 0).label("town_key"), User.created_at)
        .join(UserRole, and_(UserRole.user_id == User.id, UserRole.role == "learner"))
        .where(User.disabled == false())
    )
    if town_ids is not None:
        query = query.where(User.town_id.in_(town_ids))
    return query.subquery("counted")


def _between(column, low, high):
    return and_(column >= low, column < high) if low is not None else column < high


def collect(low, high, who, *, sessions=None, offline=True) -> Facts:
    """The facts of the learners ``who`` for moments in [low, high) (low None: from the
    start); offline hours of the sessions matching ``sessions``. One statement: a union
    of one branch per kind of fact, each (kind, learner, moment, other moment, course,
    number) read by its moment's index, joined once to ``who`` by the learner's key."""
    matched = and_(
        Enrolment.learner_id == CourseCompletion.learner_id,
        Enrolment.course_id == CourseCompletion.course_id,
    )
    no_time, no_id, one = cast(null(), UTCDateTime()), cast(null(), Integer), literal(1.0, Float)
    branches = [
        select(
            literal(0).label("kind"),
            who.c.id.label("learner_id"),
            who.c.created_at.label("moment"),
            no_time.label("other"),
            no_id.label("course_id"),
            one.label("number"),
        ).where(_between(who.c.created_at, low, high)),
        select(
            literal(1),
            Enrolment.learner_id,
            Enrolment.enrolled_at,
            no_time,
            Enrolment.course_id,
            one,
        ).where(_between(Enrolment.enrolled_at, low, high)),
        select(literal(2), Enrolment.learner_id, Enrolment.left_at, no_time, no_id, one).where(
            _between(Enrolment.left_at, low, high)
        ),
        select(
            literal(3),
            CourseCompletion.learner_id,
            CourseCompletion.completed_at,
            no_time,
            CourseCompletion.course_id,
            cast(Enrolment.id, Float),
        )
        .outerjoin(Enrolment, matched)
        .where(_between(CourseCompletion.completed_at, low, high)),
        # Left and completed: by the later of the two (each branch reads one index).
        select(
            literal(4),
            Enrolment.learner_id,
            Enrolment.left_at,
            CourseCompletion.completed_at,
            no_id,
            one,
        )
        .join(CourseCompletion, matched)
        .where(_between(Enrolment.left_at, low, high)),
        select(
            literal(4),
            Enrolment.learner_id,
            Enrolment.left_at,
            CourseCompletion.completed_at,
            no_id,
            one,
        )
        .select_from(CourseCompletion)
        .join(Enrolment, matched)
        .where(
            _between(CourseCompletion.completed_at, low, high),
            # Left outside [low, high) (not left: the completion's moment, inside it); an
            # expression, not the index of left_at: the few enrolments are looked up.
            ~_between(func.coalesce(Enrolment.left_at, CourseCompletion.completed_at), low, high),
        ),
        select(
            literal(5), Recognition.learner_id, Recognition.decided_at, no_time, no_id, one
        ).where(Recognition.state == "approved", _between(Recognition.decided_at, low, high)),
    ]
    if offline:
        branches.append(
            select(
                literal(6),
                Attendance.learner_id,
                ClassSession.starts_at,
                no_time,
                no_id,
                cast(func.coalesce(Attendance.hours, 0.0), Float),
            )
            .select_from(Attendance)
            .join(ClassSession, ClassSession.id == Attendance.class_session_id)
            .where(
                Attendance.status.in_(ATTENDED_STATUSES),
                _between(ClassSession.starts_at, low, high),
                sessions if sessions is not None else true(),
            )
        )
    rows = union_all(*branches).subquery("fact_rows")
    kind, learner, moment, other, course, number = rows.c
    query = select(kind, who.c.town_key, moment, other, course, number).join(
        who, who.c.id == learner
    )
    facts = Facts()
    for kind, town, moment, other, course, number in db.session.execute(query):
        if kind == 0:
            facts.add_day(moment, town, "registrations")
        elif kind == 1:
            facts.add_day(moment, town, "enrolled")
            facts.add_course(moment, course, town, "enrolled")
        elif kind == 2:
            facts.add_day(moment, town, "left")
        elif kind == 3:
            facts.add_course(moment, course, town, "completed")
            if number is not None:  # the completion of an enrolment
                facts.add_day(moment, town, "completed")
        elif kind == 4:
            last = max(moment, other)
            if (low is None or last >= low) and last < high:
                facts.add_day(last, town, "closed_both")
        elif kind == 5:
            facts.add_day(moment, town, "recognitions")
        else:
            facts.add_day(moment, town, "offline_hours", float(number or 0.0))
    return facts


def closed_by(cutoff: datetime | None):
    if cutoff is None:
        return false()
    return and_(ClassSession.closed_at.is_not(None), ClassSession.closed_at <= cutoff)


def _write(facts: Facts, sign: int = 1, *, add: bool) -> None:
    """Insert the sums (``add``: added to rows already there, times ``sign``)."""
    day_rows = [
        {
            "day": day,
            "town_key": town,
            **dict(zip(DAY_COLUMNS, [sign * v for v in values], strict=True)),
        }
        for (day, town), values in sorted(facts.days.items())
    ]
    course_rows = [
        {
            "day": day,
            "course_id": course,
            "town_key": town,
            "enrolled": sign * e,
            "completed": sign * c,
        }
        for (day, course, town), (e, c) in sorted(facts.courses.items())
    ]
    for table, rows, keys in (
        (learner_days, day_rows, ["day", "town_key"]),
        (course_days, course_rows, ["day", "course_id", "town_key"]),
    ):
        if rows and not add:
            db.session.execute(table.insert(), rows)
        elif rows:
            add_rows(table, keys, rows)


def add_rows(table, keys: list[str], rows: list[dict]) -> None:
    """Add the rows' values to those of the rows with the same keys (or insert them)."""
    if not rows:
        return
    statement = insert_on_conflict(table)
    columns = [name for name in rows[0] if name not in keys]
    statement = statement.on_conflict_do_update(
        index_elements=keys,
        set_={name: table.c[name] + statement.excluded[name] for name in columns},
    )
    db.session.execute(statement, rows)


def _odd(where) -> list[dict]:
    """Enrolments matching ``where`` completed before their enrolment or after leaving."""
    rows = db.session.execute(
        select(
            Enrolment.id,
            Enrolment.learner_id,
            Enrolment.enrolled_at,
            Enrolment.left_at,
            CourseCompletion.completed_at,
        )
        .join(
            CourseCompletion,
            and_(
                Enrolment.learner_id == CourseCompletion.learner_id,
                Enrolment.course_id == CourseCompletion.course_id,
            ),
        )
        .where(where)
    )
    odd = []
    for enrolment_id, learner_id, enrolled, left, completed in rows:
        e, c = local_date(enrolled), local_date(completed)
        left_day = local_date(left) if left is not None else None
        if c < e or (left_day is not None and left_day < c):
            odd.append(
                {
                    "enrolment_id": enrolment_id,
                    "learner_id": learner_id,
                    "enrolled_day": e,
                    "left_day": left_day,
                    "completed_day": c,
                }
            )
    return odd


def roll(first: date | None, last: date, cutoff: datetime) -> None:
    """Build the rows of the days ``first``..``last`` (None: from the first fact); the
    caller has emptied them."""
    zone = _zone()
    low = day_bounds(first, first, zone)[0] if first is not None else None
    high = day_bounds(last, last, zone)[1]
    _write(collect(low, high, people(), sessions=closed_by(cutoff)), add=False)
    odd = _odd(_between(CourseCompletion.completed_at, low, high))
    if odd:
        db.session.execute(odd_enrolments.insert(), odd)


def empty() -> None:
    for table in (learner_days, course_days, odd_enrolments):
        db.session.execute(delete(table))


def reroll_days(days: Iterable[date], through: date | None, cutoff: datetime | None) -> None:
    """Recompute the rows of these days, those at or before the watermark."""
    if through is None:
        return
    zone = _zone()
    for day in sorted({day for day in days if day is not None and day <= through}):
        for table in (learner_days, course_days):
            db.session.execute(delete(table).where(table.c.day == day))
        low, high = day_bounds(day, day, zone)
        facts = collect(low, high, people(), sessions=closed_by(cutoff))
        _write(facts, add=False)


def rebucket(learner_id: int, before, after, through: date | None, cutoff) -> None:
    """Move a learner's rows from the 镇街 and standing ``before`` to ``after``."""
    if through is None:
        return
    old = (before.town_id or 0) if before is not None and before.counted else None
    new = (after.town_id or 0) if after is not None and after.counted else None
    if old == new:
        return
    high = day_bounds(through, through, _zone())[1]
    for key, sign in ((old, -1), (new, 1)):
        if key is not None:
            who = people(learner_id=learner_id, town_key=key)
            _write(collect(None, high, who, sessions=closed_by(cutoff)), sign, add=True)


def reroll_enrolment(enrolment_id: int, old_enrolled_at, old_left_at, through, cutoff) -> None:
    """An enrolment left or taken up again: re-roll the days it counted on before and
    its odd row."""
    if through is None:
        return
    completed = db.session.scalar(
        select(CourseCompletion.completed_at)
        .join(
            Enrolment,
            and_(
                Enrolment.learner_id == CourseCompletion.learner_id,
                Enrolment.course_id == CourseCompletion.course_id,
            ),
        )
        .where(Enrolment.id == enrolment_id)
    )
    moments = [old_enrolled_at, old_left_at]
    if old_left_at is not None and completed is not None:
        moments.append(max(old_left_at, completed))
    reroll_days([local_date(m) for m in moments if m is not None], through, cutoff)
    db.session.execute(delete(odd_enrolments).where(odd_enrolments.c.enrolment_id == enrolment_id))
    if completed is not None and local_date(completed) <= through:
        odd = _odd(Enrolment.id == enrolment_id)
        if odd:
            db.session.execute(odd_enrolments.insert(), odd)


def late_sessions(old_cutoff: datetime, now: datetime, before: date) -> list:
    """(id, start day) of sessions closed since the last refresh that started before
    ``before`` (already rolled days)."""
    high = day_bounds(before, before, _zone())[0]
    rows = db.session.execute(
        select(ClassSession.id, ClassSession.starts_at).where(
            ClassSession.closed_at > old_cutoff,
            ClassSession.closed_at <= now,
            ClassSession.starts_at < high,
        )
    )
    return [(session_id, local_date(starts)) for session_id, starts in rows]
