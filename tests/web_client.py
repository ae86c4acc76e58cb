"""Logging in on a Flask test client, and the CSRF token a form needs.

``log_in`` goes through the real form; ``log_in_as`` skips it and writes the session,
for tests about something else (the ``login_as`` fixture is ``log_in_as`` on ``client``).
The browser tests log in with tests/e2e/chromium.py.
"""

import re

from tests.factories import TEST_PASSWORD


def csrf_token_of(client, path="/") -> str:
    """The CSRF token of ``client``'s session, read from the page at ``path``."""
    page = client.get(path).get_data(as_text=True)
    return re.search(r'name="csrf-token" content="([^"]+)"', page).group(1)


def log_in(client, username, password=TEST_PASSWORD, *, next_url=None, **request_options):
    """Post the log-in form as a browser would; the response (302 when it worked)."""
    path = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(
        path,
        data={"username": username, "password": password, "csrf_token": csrf_token_of(client)},
        **request_options,
    )


def log_in_as(client, user):
    """Log ``user`` (a record with .session_id) in without the form; returns ``client``."""
    with client.session_transaction() as session:
        session["_user_id"] = user.session_id
        session["_fresh"] = True
    return client
