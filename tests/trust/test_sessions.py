"""A page load that ends in an error never starts a session.

Browsers fetch ``/favicon.ico`` beside every page, often while the next page is already
loading. When that 404 started a session of its own, its cookie (with a fresh CSRF
token) could land after the log-in page's and the log-in form was refused with 400.
"""

import re

SESSION_COOKIE = "session"


def session_cookie_set(response) -> bool:
    return any(
        header.startswith(f"{SESSION_COOKIE}=") for header in response.headers.getlist("Set-Cookie")
    )


def test_a_missing_page_starts_no_session(client):
    response = client.get("/no-such-page")
    assert response.status_code == 404
    assert not session_cookie_set(response)


def test_the_favicon_is_served_without_a_session(client):
    response = client.get("/favicon.ico")
    assert response.status_code == 200
    assert response.mimetype.startswith("image/")
    assert not session_cookie_set(response)


def test_a_stray_request_does_not_replace_the_login_forms_token(client):
    login_page = client.get("/login")
    assert session_cookie_set(login_page)
    token = re.search(r'name="csrf-token" content="([^"]+)"', login_page.text).group(1)

    # The favicon request of the page before, sent without the cookie, answers late.
    stray = client.application.test_client()
    late_answer = stray.get("/no-such-page")
    for header in late_answer.headers.getlist("Set-Cookie"):
        client.set_cookie(SESSION_COOKIE, header.split(";")[0].split("=", 1)[1])

    response = client.post(
        "/login",
        data={"username": "nobody", "password": "wrong-password", "csrf_token": token},
    )
    assert response.status_code == 200  # the form answered (wrong password), not a 400
