"""What the header and the home page offer each person.

A link is shown to whoever its view admits: the view's own ``role_required`` decides
(``lms.accounts.permissions.may_open``), plus a domain's ``can_*`` rule where the view
checks more than roles. Nothing here restates who may do what.
"""

from collections.abc import Callable
from dataclasses import dataclass
from fnmatch import fnmatch

from flask import current_app, request
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
    Link("attendance.places", _l("Places to learn")),
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


# The bottom tab bar on phones: at most five tabs. A tab is the current one when the
# request's endpoint matches one of its patterns (fnmatch); the first match wins.
@dataclass(frozen=True)
class Tab(Link):
    current_on: tuple[str, ...] = ()

    def is_current(self, endpoint: str | None) -> bool:
        return endpoint is not None and any(fnmatch(endpoint, p) for p in self.current_on)


HOME_TAB = Tab("home.index", _l("Home"), current_on=("home.index",))
COURSES_TAB = Tab(
    "courses.catalogue",
    _l("Courses"),
    current_on=(
        "courses.catalogue",
        "courses.course",
        "courses.lesson",
        "community.course_ratings",
    ),
)
STUDY_TAB = Tab(
    "study.my_learning",
    _l("Study"),
    current_on=("study.*", "courses.my_courses", "credits.*", "community.my_training"),
)
CLASSES_TAB = Tab("attendance.browse", _l("Offline classes"), current_on=("attendance.*",))
TEACH_TAB = Tab(
    "courses.teaching",
    _l("Teach"),
    current_on=("courses.teaching", "courses.*_course", "courses.*_lesson", "courses.*captions"),
)
SCHOOLS_TAB = Tab(
    "attendance.schools",
    _l("Community schools"),
    current_on=(
        "attendance.schools",
        "attendance.school",
        "attendance.*_school",
        "attendance.*_session",
    ),
)
ME_TAB = Tab("home.me", _l("Me"), current_on=("home.me", "accounts.*", "community.*"))

# Each person gets the first row whose every tab their views admit: staff trade 学习 for
# their community schools, teachers trade 线下课堂 for their teaching; everyone else has
# the learner's row. (Admins may open both work areas and get the staff row.)
TAB_ROWS = (
    (HOME_TAB, COURSES_TAB, SCHOOLS_TAB, CLASSES_TAB, ME_TAB),
    (HOME_TAB, COURSES_TAB, TEACH_TAB, STUDY_TAB, ME_TAB),
    (HOME_TAB, COURSES_TAB, STUDY_TAB, CLASSES_TAB, ME_TAB),
)
VISITOR_TABS = (
    HOME_TAB,
    COURSES_TAB,
    Tab("accounts.login", _l("Log in"), current_on=("accounts.login",)),
    Tab("accounts.register", _l("Register"), current_on=("accounts.register",)),
)

# The 我的 page: the person's own account, then every other page the home cards offer.
ACCOUNT_ENDPOINTS = ("accounts.change_password", "accounts.my_data", "accounts.request_deletion")


def tab_bar(user) -> tuple[Tab, ...]:
    if not user.is_authenticated:
        return VISITOR_TABS
    return next(row for row in TAB_ROWS if all(tab.visible_to(user) for tab in row))


def current_tab(tabs, endpoint: str | None) -> Tab | None:
    return next((tab for tab in tabs if tab.is_current(endpoint)), None)


def bottom_tabs() -> tuple[tuple[Tab, ...], Tab | None]:
    """The tabs for whoever is asking, and the one for this page (if any)."""
    tabs = tab_bar(current_user)
    return tabs, current_tab(tabs, request.endpoint)


def account_links(user) -> list[Link]:
    return [link for link in home_cards(user) if link.endpoint in ACCOUNT_ENDPOINTS]


def more_links(user) -> list[Link]:
    return [link for link in home_cards(user) if link.endpoint not in ACCOUNT_ENDPOINTS]
