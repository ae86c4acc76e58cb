"""Numbers in URLs, and URLs that leave the site.

- ``is_number(text)``: plain ASCII digits only. ``str.isdigit()`` is true for "²" and
  "١٢", and ``int("²")`` raises: a check with ``isdigit()`` before ``int()`` turns a
  typed superscript into a 500.
- ``IdConverter`` replaces Werkzeug's ``int`` converter: ASCII digits (Werkzeug's
  ``\\d`` takes any script's digits) and no larger than a database integer, so an id no
  column can hold is a 404 at routing instead of an overflow in the database driver.
- ``external_url(endpoint, **values)``: a URL for someone outside the request (a QR code,
  a credential, a link in a file) built on ``LMS_PUBLIC_URL`` when it is set, never on
  the request's Host header, which the client chooses.
"""

import re
from urllib.parse import urlsplit

from flask import current_app, url_for
from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's is wider
_NUMBER = re.compile("[0-9]+")


def is_number(text) -> bool:
    return isinstance(text, str) and _NUMBER.fullmatch(text) is not None


class IdConverter(IntegerConverter):
    regex = "[0-9]+"

    def __init__(self, map, fixed_digits=0, min=None, max=LARGEST_ID, signed=False):
        super().__init__(map, fixed_digits, min, max, signed)


def external_url(endpoint: str, **values) -> str:
    """``url_for(endpoint, _external=True, **values)`` on the configured public origin."""
    public_url = current_app.config.get("LMS_PUBLIC_URL")
    if not public_url:
        return url_for(endpoint, _external=True, **values)
    origin = urlsplit(public_url)
    return f"{origin.scheme}://{origin.netloc}" + url_for(endpoint, _external=False, **values)
