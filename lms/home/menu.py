"""What the header and the home page offer each person.

A link is shown to whoever its view admits: the view's own ``role_required`` decides
(``lms.accounts.permissions.may_open``), plus a domain's ``can_*`` rule where the view
checks more than roles. Nothing here restates who may do what.
"""

from collections.abc import Callable
from dataclasses import dataclass

from flask import current_app
from flask_babel import lazy_gettext as _l
from flask_login import current_user

from lms.accounts.permissions import may_open
from lms.reports.permissions import can_view_reports


@dataclass(frozen=True)
class Link:
    endpoint: str
    label: str
    also: Callable | None = None  # a further rule of the view's domain, given the user

    def visible_to(self, user) -> bool:
        view = current_app.view_functions[self.endpoint]
        return may_open(user, view) and (self.also is None or self.also(user))


# The header, for logged-in people (the catalogue is there for everyone).
MAIN_NAV = (
    Link("study.my_learning", _l("My learning")),
    Link("credits.record", _l("My learning record")),
    Link("courses.teaching", _l("Teaching")),
    Link("courses.review", _l("Review")),
    Link("accounts.people", _l("People")),
    Link("attendance.browse", _l("Offline classes")),
    Link("attendance.schools", _l("Community schools")),
    Link("reports.dashboard", _l("Statistics"), also=can_view_reports),
)

HOME_CARDS = (
    Link("courses.my_courses", _l("My courses")),
    Link("courses.catalogue", _l("Browse courses")),
    Link("credits.record", _l("My learning record")),
    Link("credits.my_certificates", _l("My certificates")),
    Link("community.hub", _l("Learning community")),
    Link("attendance.browse", _l("Offline classes")),
    Link("attendance.my_card", _l("My learning card")),
    Link("attendance.schools", _l("Community schools")),
    Link("courses.teaching", _l("Teaching")),
    Link("courses.review", _l("Course review")),
    Link("credits.rules", _l("Credit rules")),
    Link("credits.admin_certificates", _l("Certificates")),
    Link("courses.categories", _l("Categories")),
    Link("media.jobs", _l("Video processing problems")),
    Link("credits.review_recognitions", _l("Recognition requests")),
    Link("accounts.people", _l("People")),
    Link("accounts.register_learner", _l("Register a learner")),
    Link("accounts.create_user", _l("Create an account")),
    Link("accounts.import_people", _l("Import learners")),
    Link("accounts.change_password", _l("Change password")),
    Link("accounts.my_data", _l("Download my data")),
    Link("accounts.request_deletion", _l("Delete my account")),
    Link("accounts.audit_log", _l("Audit log")),
    Link("accounts.deletion_requests", _l("Deletion requests")),
)


def main_nav() -> list[Link]:
    if not current_user.is_authenticated:
        return []
    return [link for link in MAIN_NAV if link.visible_to(current_user)]


def home_cards(user) -> list[Link]:
    return [link for link in HOME_CARDS if link.visible_to(user)]
