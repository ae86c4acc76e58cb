"""The header and the home page show each role what the old templates showed, now asked
of the views' own guards (``role_required``) instead of restated with ``has_role``."""

import re

import pytest

LEARNER_CARDS = [
    "courses.my_courses",
    "courses.catalogue",
    "credits.record",
    "credits.my_certificates",
    "community.hub",
    "attendance.browse",
    "attendance.places",
    "attendance.my_card",
]
# The account's own links live under 我的 (home.me), not on the home page.
ACCOUNT_LINKS = ["accounts.change_password", "accounts.my_data", "accounts.request_deletion"]


def nav_and_cards(client, app):
    page = client.get("/").get_data(as_text=True)
    nav = page[page.index('class="site-nav"') : page.index("</nav>")]
    cards = page[page.index('class="cards"') : page.index("</ul>", page.index('class="cards"'))]
    hrefs = [re.findall(r'href="([^"]+)"', part) for part in (nav, cards)]
    return hrefs


def urls(app, endpoints):
    with app.test_request_context():
        from flask import url_for

        return [url_for(endpoint) for endpoint in endpoints]


@pytest.mark.parametrize(
    ("roles", "nav_extra", "card_extra"),
    [
        (["learner"], [], []),
        (["teacher"], ["courses.teaching"], ["courses.teaching"]),
        (
            ["staff"],
            ["accounts.people", "attendance.schools"],  # statistics: only with a school's 镇街
            [
                "attendance.schools",
                "credits.review_recognitions",
                "accounts.people",
                "accounts.register_learner",
            ],
        ),
        (
            ["admin"],
            [
                "courses.teaching",
                "courses.review",
                "accounts.people",
                "attendance.schools",
                "reports.dashboard",
            ],
            [
                "attendance.schools",
                "courses.teaching",
                "courses.review",
                "credits.rules",
                "credits.admin_certificates",
                "courses.categories",
                "media.jobs",
                "credits.review_recognitions",
                "accounts.people",
                "accounts.register_learner",
                "accounts.create_user",
                "accounts.import_people",
                "accounts.audit_log",
                "accounts.deletion_requests",
            ],
        ),
    ],
)
def test_each_role_sees_the_links_its_views_admit(
    app, client, make_user, login_as, roles, nav_extra, card_extra
):
    login_as(make_user(roles=roles))
    nav, cards = nav_and_cards(client, app)
    base_nav = ["study.my_learning", "credits.record", "attendance.browse"]
    expected_nav = urls(app, ["courses.catalogue"])
    for endpoint in MAIN_NAV_ORDER:
        if endpoint in base_nav or endpoint in nav_extra:
            expected_nav += urls(app, [endpoint])
    assert nav[: len(expected_nav)] == expected_nav
    assert sorted(cards) == sorted(urls(app, LEARNER_CARDS + card_extra))
    assert not set(cards) & set(urls(app, ACCOUNT_LINKS))


MAIN_NAV_ORDER = [
    "study.my_learning",
    "credits.record",
    "courses.teaching",
    "courses.review",
    "accounts.people",
    "attendance.browse",
    "attendance.schools",
    "reports.dashboard",
]


def test_staff_without_a_town_sees_no_statistics_link(app, client, make_user, login_as):
    from lms.accounts.models import User
    from lms.extensions import db

    staff = make_user("staff")
    with app.app_context():
        db.session.get(User, staff.id).town_id = None
        db.session.commit()
    login_as(staff)
    nav, _ = nav_and_cards(client, app)
    assert urls(app, ["reports.dashboard"])[0] not in nav


def test_a_visitor_sees_the_catalogue_and_log_in(client):
    page = client.get("/").get_data(as_text=True)
    assert 'href="/courses/"' in page and 'href="/login"' in page
    assert "/study/" not in page
