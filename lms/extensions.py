"""Extensions, created unbound and bound to an app in ``create_app``."""

import time

from flask import request
from flask_babel import Babel
from flask_limiter import Limiter
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf import CSRFProtect
from limits.storage import MemoryStorage
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Named constraints keep Alembic migrations identical on SQLite and PostgreSQL.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING_CONVENTION)


class SweptMemoryStorage(MemoryStorage):
    """``lms-memory://``: limits' ``memory://`` without a timer thread per burst.

    ``memory://`` frees expired counters from a ``threading.Timer`` that it starts again
    on a hit whenever the last one has finished (10 ms after it started): on a busy
    process nearly every request starts a thread and waits for it to run, which cost the
    heartbeat more than its database work. Expired counters are never counted (a read
    checks the expiry itself); the timer only frees their memory. This storage frees
    them on a hit instead, at most once a second, and counts exactly as ``memory://``.
    Redis (``LMS_REDIS_URL``) replaces it when several web processes share the limits.
    """

    STORAGE_SCHEME = ["lms-memory"]
    SWEEP_SECONDS = 1.0

    def __init__(self, uri: str | None = None, wrap_exceptions: bool = False, **options):
        super().__init__(uri, wrap_exceptions=wrap_exceptions, **options)
        self.next_sweep = 0.0

    # MemoryStorage calls its private __schedule_expiry on every hit (incr, decr, moving
    # window entries): overridden under its mangled name.
    def _MemoryStorage__schedule_expiry(self) -> None:
        now = time.monotonic()
        if now >= self.next_sweep:
            self.next_sweep = now + self.SWEEP_SECONDS
            self._MemoryStorage__expire_events()


def client_ip() -> str:
    return request.remote_addr or "unknown"


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=client_ip)
