"""What accounts announces about a person's standing as a learner; reports listens
(accounts imports none of it).

learner_state_changed.send(user_id=..., before=..., after=...)
    after a flush that changed what statistics count a person by: the 镇街, whether they
    count as a learner (the learner role and an account not disabled) or the birth
    year. ``before`` and ``after`` are ``LearnerState`` (``before`` None for a new
    account). Sent inside the transaction (from the session's ``after_flush``), so a
    rollback takes the receivers' writes with it; receivers write with Core statements
    only. Changes made with bulk UPDATE statements are not seen.
"""

from dataclasses import dataclass

from blinker import Namespace
from sqlalchemy import event, exists, inspect, select
from sqlalchemy.orm import Session

from lms.accounts.models import User, UserRole

accounts_signals = Namespace()
learner_state_changed = accounts_signals.signal("learner-state-changed")

PENDING_KEY = "accounts_learner_states"
WATCHED = ("town_id", "disabled", "birth_year", "role_rows")


@dataclass(frozen=True)
class LearnerState:
    town_id: int | None
    counted: bool  # holds the learner role and the account is not disabled
    birth_year: int | None


def learner_states(session: Session, user_ids: set[int]) -> dict[int, LearnerState]:
    if not user_ids:
        return {}
    is_learner = exists().where(UserRole.user_id == User.id, UserRole.role == "learner")
    rows = session.execute(
        select(User.id, User.town_id, User.disabled, User.birth_year, is_learner).where(
            User.id.in_(user_ids)
        )
    )
    return {row[0]: LearnerState(row[1], bool(row[4]) and not row[2], row[3]) for row in rows}


def _changed(user: User) -> bool:
    state = inspect(user)
    return any(state.attrs[name].history.has_changes() for name in WATCHED)


def _before_flush(session: Session, flush_context, instances) -> None:
    new_users, ids = [], set()
    for obj in session.new:
        if isinstance(obj, User):
            new_users.append(obj)
        elif isinstance(obj, UserRole) and obj.user_id is not None:
            ids.add(obj.user_id)
    for obj in session.dirty:
        if isinstance(obj, User) and obj.id is not None and _changed(obj):
            ids.add(obj.id)
    for obj in session.deleted:
        if isinstance(obj, UserRole) and obj.user_id is not None:
            ids.add(obj.user_id)
    if not new_users and not ids:
        return
    pending = session.info.setdefault(PENDING_KEY, ([], {}))
    pending[0].extend(new_users)
    for user_id, state in learner_states(session, ids - set(pending[1])).items():
        pending[1][user_id] = state


def _after_flush(session: Session, flush_context) -> None:
    pending = session.info.pop(PENDING_KEY, None)
    if pending is None:
        return
    new_users, before = pending
    new_ids = {user.id for user in new_users if user.id is not None}
    after = learner_states(session, new_ids | set(before))
    for user_id, state in sorted(after.items()):
        old = before.get(user_id)
        if old != state:
            learner_state_changed.send(user_id=user_id, before=old, after=state)


def _after_rollback(session: Session) -> None:
    session.info.pop(PENDING_KEY, None)


def install() -> None:
    """Watch every ORM session's flushes (once per process)."""
    if not event.contains(Session, "before_flush", _before_flush):
        event.listen(Session, "before_flush", _before_flush)
        event.listen(Session, "after_flush", _after_flush)
        event.listen(Session, "after_rollback", _after_rollback)
