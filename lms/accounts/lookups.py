"""Finding a learner by what a person types or a sheet holds: a user name, or an
identifier a higher domain knows (attendance registers learning-card numbers), so a
domain beside attendance (assessment's offline scores) can take card numbers without
importing it."""

from collections.abc import Callable

from sqlalchemy import select

from lms.accounts.models import User
from lms.extensions import db

_finders: dict[str, Callable[[str], User | None]] = {}


def register_learner_finder(name: str, finder: Callable[[str], User | None]) -> None:
    """``finder(text)`` answers the user ``text`` identifies, or None."""
    _finders[name] = finder


def find_learner(text: str) -> User | None:
    """The learner a user name or a registered identifier (a card number) names."""
    text = text.strip()
    if not text:
        return None
    user = db.session.scalars(select(User).where(User.username == text)).first()
    if user is None:
        for finder in _finders.values():
            user = finder(text)
            if user is not None:
                break
    return user if user is not None and user.has_role("learner") else None
