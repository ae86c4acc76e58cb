"""The phone's bottom tab bar: five tabs chosen by what each person's views admit, the
current one marked for screen readers; 我的 holds everything else."""

import re

import pytest


def tab_bar(client, path="/"):
    page = client.get(path).get_data(as_text=True)
    start = page.index('class="tab-bar"')
    bar = page[start : page.index("</nav>", start)]
    hrefs = re.findall(r'href="([^"]+)"', bar)
    current = re.findall(r'href="([^"]+)" aria-current="page"', bar)
    return hrefs, current


def urls(app, endpoints):
    with app.test_request_context():
        from flask import url_for

        return [url_for(endpoint) for endpoint in endpoints]


@pytest.mark.parametrize(
    ("roles", "tabs"),
    [
        (
            ["learner"],
            [
                "home.index",
                "courses.catalogue",
                "study.my_learning",
                "attendance.browse",
                "home.me",
            ],
        ),
        (
            ["teacher"],
            ["home.index", "courses.catalogue", "courses.teaching", "study.my_learning", "home.me"],
        ),
        (
            ["staff"],
            [
                "home.index",
                "courses.catalogue",
                "attendance.schools",
                "attendance.browse",
                "home.me",
            ],
        ),
        (
            ["admin"],
            [
                "home.index",
                "courses.catalogue",
                "attendance.schools",
                "attendance.browse",
                "home.me",
            ],
        ),
    ],
)
def test_each_role_gets_five_tabs(app, client, make_user, login_as, roles, tabs):
    login_as(make_user(roles=roles))
    hrefs, current = tab_bar(client)
    assert hrefs == urls(app, tabs)
    assert current == urls(app, ["home.index"])


def test_a_visitor_gets_home_courses_log_in_and_register(app, client):
    hrefs, current = tab_bar(client, "/courses/")
    assert hrefs == urls(
        app, ["home.index", "courses.catalogue", "accounts.login", "accounts.register"]
    )
    assert current == urls(app, ["courses.catalogue"])


@pytest.mark.parametrize(
    ("path", "tab"),
    [
        ("/study/", "study.my_learning"),
        ("/record/", "study.my_learning"),
        ("/my/card", "attendance.browse"),
        ("/notifications/", "home.me"),
        ("/account/password", "home.me"),
        ("/privacy", "home.me"),
        ("/me", "home.me"),
    ],
)
def test_the_current_tab_is_marked(app, client, make_user, login_as, path, tab):
    login_as(make_user(roles=["learner"]))
    _, current = tab_bar(client, path)
    assert current == urls(app, [tab])


def test_me_lists_the_account_and_every_other_card(app, client, make_user, login_as):
    login_as(make_user(roles=["learner"]))
    page = client.get("/me").get_data(as_text=True)
    main = page[page.index('<main id="main">') : page.index("</main>")]
    for endpoint in [
        "accounts.change_password",
        "accounts.my_data",
        "accounts.request_deletion",
        "accounts.privacy",
        "community.hub",
        "attendance.my_card",
        "credits.my_certificates",
    ]:
        assert f'href="{urls(app, [endpoint])[0]}"' in main
    for action in ["/logout", "/preferences/language", "/preferences/elder-mode"]:
        assert f'action="{action}"' in main
    assert "/people/" not in main


def test_me_asks_a_visitor_to_log_in(client):
    assert client.get("/me").status_code == 302
