"""The offline-class rollup: sessions held, sign-ups and attended sign-ups per local day
and 镇街 of the community school (``report_town_days``, see ``lms.reports.models``).

These figures count in the school's 镇街 and do not depend on any learner's current
镇街, role or account state, so they add up over days. A session's row is written once it
is *closed* (``closed_at``: its check-out window has passed and absentees are marked)
and its local day is at or before the watermark; what changes after that is re-rolled:

- the periodic refresh (with the study rollup, same transaction) rolls the days between
  the old watermark and the new one, and re-rolls the (day, 镇街) of every session closed
  since the last refresh, whatever its day;
- receivers re-roll a session's (day, 镇街) when its attendance is recorded or corrected
  after the close, and the old and new (day, 镇街) when a session is edited; a school
  moved to another 镇街 empties the rollup (``reset``) until the next refresh.

Readers (``signups_by_town``, ``sessions_held_by_town``: the dashboard's offline-class
parts) take the rows for days up to the watermark and read live the sessions held in
the period that are after it or were not yet closed at the last refresh (``cutoff``).
"""

from collections import defaultdict
from datetime import date, datetime, timedelta

from flask import current_app
from sqlalchemy import and_, case, delete, func, or_, select, true

from lms.attendance.models import (
    ATTENDED_STATUSES,
    Attendance,
    ClassSession,
    CommunitySchool,
    Signup,
)
from lms.extensions import db
from lms.reports.activity import held_sessions_filter
from lms.reports.models import rollup_state, town_days
from lms.reports.periods import Period, day_bounds
from lms.timeutil import local_date, utcnow

STATE_NAME = "sessions"


def _zone() -> str:
    return current_app.config["LMS_TIMEZONE"]


def read_cutoff() -> tuple[date | None, datetime | None]:
    """(last day rolled, sessions closed by this time are in the rows)."""
    row = db.session.execute(
        select(rollup_state.c.rolled_through, rollup_state.c.refreshed_at).where(
            rollup_state.c.name == STATE_NAME
        )
    ).first()
    return (row.rolled_through, row.refreshed_at) if row else (None, None)


def _per_session(where) -> list:
    """(starts_at, 镇街, sign-ups, attended sign-ups) of each closed session matching."""
    attended = Attendance.status.in_(ATTENDED_STATUSES)
    signups = (
        select(
            Signup.class_session_id.label("session_id"),
            func.count().label("signups"),
            func.sum(case((attended, 1), else_=0)).label("attended"),
        )
        .outerjoin(
            Attendance,
            and_(
                Attendance.class_session_id == Signup.class_session_id,
                Attendance.learner_id == Signup.learner_id,
            ),
        )
        .where(Signup.cancelled_at.is_(None))
        .group_by(Signup.class_session_id)
        .subquery()
    )
    query = (
        select(
            ClassSession.starts_at,
            CommunitySchool.town_id,
            func.coalesce(signups.c.signups, 0),
            func.coalesce(signups.c.attended, 0),
        )
        .join(CommunitySchool, CommunitySchool.id == ClassSession.school_id)
        .outerjoin(signups, signups.c.session_id == ClassSession.id)
        .where(where)
    )
    return list(db.session.execute(query))


def _write(rows: list, keys: set[tuple[date, int]]) -> None:
    """Replace the rows of ``keys`` (day, 镇街) by the sums of the sessions in ``rows``."""
    sums: dict[tuple[date, int], list[int]] = defaultdict(lambda: [0, 0, 0])
    for starts_at, town_id, signups, attended in rows:
        key = (local_date(starts_at), town_id)
        if key in keys:
            total = sums[key]
            total[0] += 1
            total[1] += int(signups)
            total[2] += int(attended or 0)
    for day, town_id in keys:
        db.session.execute(
            delete(town_days).where(town_days.c.day == day, town_days.c.town_id == town_id)
        )
    values = [
        {"day": day, "town_id": town_id, "sessions_held": h, "signups": s, "signups_attended": a}
        for (day, town_id), (h, s, a) in sorted(sums.items())
    ]
    if values:
        db.session.execute(town_days.insert(), values)


def _closed_by(cutoff: datetime):
    return and_(ClassSession.closed_at.is_not(None), ClassSession.closed_at <= cutoff)


def _roll_days(first: date, last: date, cutoff: datetime) -> None:
    low, high = day_bounds(first, last, _zone())
    rows = _per_session(
        and_(ClassSession.starts_at >= low, ClassSession.starts_at < high, _closed_by(cutoff))
    )
    keys = {(local_date(starts_at), town_id) for starts_at, town_id, _, _ in rows}
    db.session.execute(delete(town_days).where(town_days.c.day.between(first, last)))
    _write(rows, keys)


def reset() -> None:
    """Forget the rollup (a school moved to another 镇街): readers take the raw rows until
    the next refresh builds it again."""
    db.session.execute(delete(town_days))
    db.session.execute(delete(rollup_state).where(rollup_state.c.name == STATE_NAME))


def reroll(keys: set[tuple[date, int]]) -> None:
    """Recompute these (day, 镇街) rows, those at or before the watermark."""
    through, cutoff = read_cutoff()
    keys = {(day, town) for day, town in keys if through is not None and day <= through}
    if not keys:
        return
    _write(_per_session(and_(_keys_filter(keys), _closed_by(cutoff))), keys)


def refresh(target: date, now: datetime, *, rebuild: bool) -> None:
    """Roll the days after the watermark up to ``target`` (all when rebuilding) and
    re-roll the days of sessions closed since the last refresh; the caller commits."""
    through, cutoff = read_cutoff()
    if rebuild or through is None:
        db.session.execute(delete(town_days))
        first = db.session.scalar(select(func.min(ClassSession.starts_at)))
        start, cutoff = (local_date(first) if first else None), None
    else:
        start = through + timedelta(days=1)
    if start is not None and start <= target:
        _roll_days(start, target, now)
    if cutoff is not None:
        high = day_bounds(start, start, _zone())[0]
        late = db.session.execute(
            select(ClassSession.starts_at, CommunitySchool.town_id)
            .join(CommunitySchool, CommunitySchool.id == ClassSession.school_id)
            .where(
                ClassSession.closed_at > cutoff,
                ClassSession.closed_at <= now,
                ClassSession.starts_at < high,
            )
        ).all()
        keys = {(local_date(starts_at), town) for starts_at, town in late}
        if keys:
            _write(_per_session(and_(_keys_filter(keys), _closed_by(now))), keys)
    values = {"rolled_through": target, "version": 0, "refreshed_at": now}
    db.session.execute(delete(rollup_state).where(rollup_state.c.name == STATE_NAME))
    db.session.execute(rollup_state.insert().values(name=STATE_NAME, **values))


def _keys_filter(keys: set[tuple[date, int]]):
    zone = _zone()
    return or_(
        *[
            and_(
                ClassSession.starts_at >= day_bounds(day, day, zone)[0],
                ClassSession.starts_at < day_bounds(day, day, zone)[1],
                CommunitySchool.town_id == town,
            )
            for day, town in keys
        ]
    )


def rolled_by_town(first: date, last: date, town_ids, through: date | None) -> dict:
    """(sessions held, sign-ups, attended sign-ups) per 镇街 from the rows of the days
    ``first``..``last`` at or before the watermark ``through``."""
    if through is None or first > min(last, through):
        return {}
    query = (
        select(
            town_days.c.town_id,
            func.sum(town_days.c.sessions_held),
            func.sum(town_days.c.signups),
            func.sum(town_days.c.signups_attended),
        )
        .where(town_days.c.day.between(first, min(last, through)))
        .group_by(town_days.c.town_id)
    )
    if town_ids is not None:
        query = query.where(town_days.c.town_id.in_(town_ids))
    return {
        town: (int(held or 0), int(signups or 0), int(attended or 0))
        for town, held, signups, attended in db.session.execute(query)
    }


def live_sessions_filter(through: date | None, cutoff: datetime | None):
    """Sessions the rows do not hold: after the watermark, or not closed by the cutoff."""
    if through is None or cutoff is None:
        return true()
    after = day_bounds(through + timedelta(days=1), through + timedelta(days=1), _zone())[0]
    return or_(
        ClassSession.starts_at >= after,
        ClassSession.closed_at.is_(None),
        ClassSession.closed_at > cutoff,
    )


def _school_town_filter(town_ids):
    return CommunitySchool.town_id.in_(town_ids) if town_ids is not None else true()


def _session_rollup(zone: str, now: datetime, raw: bool):
    """(watermark, cutoff) of the offline-class rollup; (None, None): read raw rows
    (asked for, a zone other than the district's the rollup's days are in, or figures as
    they were before the last refresh)."""
    if raw or zone != current_app.config["LMS_TIMEZONE"]:
        return None, None
    through, cutoff = read_cutoff()
    return (None, None) if cutoff is None or now < cutoff else (through, cutoff)


def signups_by_town(period: Period, town_ids, *, zone=None, now=None, raw=False) -> dict:
    """(sign-ups not cancelled, of which attended) at sessions held in the period, per
    school's 镇街. Walk-ins (attendance without a sign-up) are not in this rate. Rolled
    days come from ``report_town_days``, the rest from the rows (``raw``: all of it)."""
    zone, now = zone or _zone(), now or utcnow()
    through, cutoff = _session_rollup(zone, now, raw)
    attended = Attendance.status.in_(ATTENDED_STATUSES)
    query = (
        select(CommunitySchool.town_id, func.count(), func.sum(case((attended, 1), else_=0)))
        .select_from(Signup)
        .join(ClassSession, ClassSession.id == Signup.class_session_id)
        .join(CommunitySchool, CommunitySchool.id == ClassSession.school_id)
        .outerjoin(
            Attendance,
            and_(
                Attendance.class_session_id == Signup.class_session_id,
                Attendance.learner_id == Signup.learner_id,
            ),
        )
        .where(
            Signup.cancelled_at.is_(None),
            held_sessions_filter(period, zone, now),
            live_sessions_filter(through, cutoff),
            _school_town_filter(town_ids),
        )
        .group_by(CommunitySchool.town_id)
    )
    result = {town: [int(total), int(done or 0)] for town, total, done in db.session.execute(query)}
    rolled = rolled_by_town(period.start, period.end, town_ids, through)
    for town, (_held, signups, attended_) in rolled.items():
        sums = result.setdefault(town, [0, 0])
        sums[0] += signups
        sums[1] += attended_
    return {town: tuple(sums) for town, sums in result.items() if sums[0]}


def sessions_held_by_town(period: Period, town_ids, *, zone=None, now=None, raw=False) -> dict:
    zone, now = zone or _zone(), now or utcnow()
    through, cutoff = _session_rollup(zone, now, raw)
    query = (
        select(CommunitySchool.town_id, func.count())
        .select_from(ClassSession)
        .join(CommunitySchool, CommunitySchool.id == ClassSession.school_id)
        .where(
            held_sessions_filter(period, zone, now),
            live_sessions_filter(through, cutoff),
            _school_town_filter(town_ids),
        )
        .group_by(CommunitySchool.town_id)
    )
    result = dict(db.session.execute(query).all())
    rolled = rolled_by_town(period.start, period.end, town_ids, through)
    for town, (held, _signups, _attended) in rolled.items():
        result[town] = result.get(town, 0) + held
    return {town: held for town, held in result.items() if held}
