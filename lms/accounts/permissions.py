"""Who may do what with accounts: the one place these decisions are made."""

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import Select, select

from lms.accounts.models import Town, User
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

        wrapped.required_roles = frozenset(roles)  # menus ask the view who may open it
        return wrapped

    return decorator


def may_open(user, view) -> bool:
    """Whether ``user`` passes ``view``'s ``role_required`` (True for views without one)."""
    roles = getattr(view, "required_roles", None)
    if roles is None:
        return True
    return user.is_authenticated and user.has_role(*roles)


def managed_town_ids(actor: User) -> set[int] | None:
    """The 镇街 whose learners ``actor`` looks after; None means all of them."""
    if actor.has_role("admin"):
        return None
    if actor.has_role("staff") and actor.town_id is not None:
        return {actor.town_id}
    return set()


def can_administer(actor: User) -> bool:
    return actor.has_role("admin")


def can_manage_learner(actor: User, target: User) -> bool:
    """Admins manage everyone; staff manage plain learners of their own 镇街."""
    if can_administer(actor):
        return True
    towns = managed_town_ids(actor)
    return target.roles == {"learner"} and bool(towns) and target.town_id in towns


def can_register_learner_in(actor: User, town: Town | None) -> bool:
    """Admins register learners anywhere; staff only in their own 镇街."""
    towns = managed_town_ids(actor)
    return towns is None or (town is not None and town.id in towns)


def can_create_accounts(actor: User) -> bool:
    """Teacher, staff and admin accounts, and bulk imports of learners, are the admin's."""
    return can_administer(actor)


def can_filter_people_by_role(actor: User) -> bool:
    """Staff see learners only; the admin looks for any role."""
    return can_administer(actor)


def can_change_roles(actor: User, target: User) -> bool:
    return can_administer(actor) and can_manage_learner(actor, target)


def can_disable_account(actor: User, target: User) -> bool:
    """The admin disables others' accounts, never their own."""
    return can_administer(actor) and target.id != actor.id


def people_visible_to(actor: User) -> Select:
    """The people ``actor`` finds in the people list, as a query to narrow further:
    everyone for admins; the learners of their own 镇街 for staff; nobody otherwise."""
    query = select(User)
    towns = managed_town_ids(actor)
    if towns is None:
        return query
    return query.where(User.town_id.in_(towns), User.role_rows.any(role="learner"))
