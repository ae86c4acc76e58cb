"""Who sees which statistics: the one place this is decided.

The admin sees the district and every 镇街. Staff see the 镇街 of the community schools
they work at (``lms.attendance.permissions.scope_town_ids``) and nothing else: another
镇街 asked for by URL is a 404, as if it did not exist. Everyone else gets a 403.
"""

from dataclasses import dataclass

from flask import abort

from lms.accounts.models import Town
from lms.attendance.permissions import scope_town_ids
from lms.extensions import db


@dataclass(frozen=True)
class ReportScope:
    town_ids: set[int] | None  # what the queries get; None: the whole district
    choices: list[Town]  # the 镇街 the user may pick
    selected: Town | None  # one 镇街 picked, or None (the district, or all of the staff's)
    whole: bool  # may see the whole district (the admin)

    @property
    def is_district(self) -> bool:
        return self.whole and self.selected is None


def visible_town_ids(user) -> set[int] | None:
    """None: every 镇街 (the admin); otherwise the 镇街 this user may see (maybe none)."""
    if not user.is_authenticated:
        return set()
    if user.has_role("admin"):
        return None
    if user.has_role("staff"):
        return scope_town_ids(user) or set()
    return set()


def can_view_reports(user) -> bool:
    visible = visible_town_ids(user)
    return visible is None or bool(visible)


def report_scope_or_abort(user, town_id: int | None) -> ReportScope:
    visible = visible_town_ids(user)
    if visible is not None and not visible:
        abort(403)
    query = db.select(Town).order_by(Town.code)
    if visible is not None:
        query = query.where(Town.id.in_(visible))
    choices = list(db.session.scalars(query))
    if town_id is None:
        return ReportScope(visible, choices, None, visible is None)
    selected = next((town for town in choices if town.id == town_id), None)
    if selected is None:
        abort(404)
    return ReportScope({selected.id}, choices, selected, visible is None)
