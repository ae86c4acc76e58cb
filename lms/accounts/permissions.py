"""Who may do what with accounts: the one place these decisions are made."""

from functools import wraps

from flask import abort
from flask_login import current_user

from lms.accounts.models import User
from lms.extensions import login_manager


def role_required(*roles: str):
    """Allow the view only to logged-in users holding one of ``roles`` (403 otherwise)."""

    def decorator(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not current_user.is_authenticated:
                return login_manager.unauthorized()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorator


def managed_town_ids(actor: User) -> set[int] | None:
    """The 镇街 whose learners ``actor`` looks after; None means all of them."""
    if actor.has_role("admin"):
        return None
    if actor.has_role("staff") and actor.town_id is not None:
        return {actor.town_id}
    return set()


def can_manage_learner(actor: User, target: User) -> bool:
    """Admins manage everyone; staff manage plain learners of their own 镇街."""
    if actor.has_role("admin"):
        return True
    towns = managed_town_ids(actor)
    return target.roles == {"learner"} and bool(towns) and target.town_id in towns


def can_administer(actor: User) -> bool:
    return actor.has_role("admin")
