"""Settings read from rows, kept per app process for the busiest requests.

A ``RowCache`` keeps what ``load(key)`` returned (a frozen value, never an ORM object)
for ``ttl`` seconds in the app's process. A change to a watched model in this process
empties it: when a session flushes one (a staff edit), when a bulk INSERT, UPDATE or
DELETE names one, and again when that transaction commits or rolls back, so a value read from
a transaction that is later rolled back does not stay. Other processes see a change when
their copy expires, at most ``ttl`` seconds later.
"""

import time
from collections.abc import Callable, Hashable

from flask import current_app, has_app_context
from sqlalchemy import event
from sqlalchemy.orm import Session


class RowCache:
    def __init__(self, name: str, watched: tuple[type, ...], ttl: float = 60.0):
        self.name, self.watched, self.ttl = name, watched, ttl
        self._changed_flag = f"{name}_changed"

    def get(self, key: Hashable, load: Callable[[Hashable], object]):
        """The cached value of ``key``, or ``load(key)`` (kept unless it is None)."""
        cache = current_app.extensions.setdefault(self.name, {})
        cached = cache.get(key)
        now = time.monotonic()
        if cached is not None and cached[0] > now:
            return cached[1]
        value = load(key)
        if value is not None:
            cache[key] = (now + self.ttl, value)
        return value

    def forget_all(self) -> None:
        if has_app_context():
            current_app.extensions.pop(self.name, None)

    def _changed(self, session) -> None:
        session.info[self._changed_flag] = True
        self.forget_all()

    def _flushed(self, session, flush_context) -> None:
        changed = (*session.new, *session.dirty, *session.deleted)
        if any(isinstance(instance, self.watched) for instance in changed):
            self._changed(session)

    def _ended(self, session, *args) -> None:
        if session.info.pop(self._changed_flag, False):
            self.forget_all()

    def _bulk(self, orm_execute_state) -> None:
        state = orm_execute_state
        if state.is_insert or state.is_update or state.is_delete:
            mapper = state.bind_mapper
            if mapper is not None and mapper.class_ in self.watched:
                self._changed(state.session)

    def connect(self) -> None:
        """Listen to every session (once per process)."""
        if not event.contains(Session, "after_flush", self._flushed):
            event.listen(Session, "after_flush", self._flushed)
            event.listen(Session, "after_commit", self._ended)
            event.listen(Session, "after_rollback", self._ended)
            event.listen(Session, "do_orm_execute", self._bulk)
