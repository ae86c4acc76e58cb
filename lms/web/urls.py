"""Numbers in URLs, and URLs that leave the site.

- ``is_number(text)``: plain ASCII digits only. ``str.isdigit()`` is true for "²" and
  "١٢", and ``int("²")`` raises: a check with ``isdigit()`` before ``int()`` turns a
  typed superscript into a 500.
- ``BoundedRequest`` (the app's request class): ``request.args.get("page", type=int)``
  answers the default for such values and for numbers no database integer holds;
  ``calendar_year`` is the type for a year.
- ``IdConverter`` replaces Werkzeug's ``int`` converter: ASCII digits (Werkzeug's
  ``\\d`` takes any script's digits) and no larger than a database integer, so an id no
  column can hold is a 404 at routing instead of an overflow in the database driver.
- ``external_url(endpoint, **values)``: a URL for someone outside the request (a QR code,
  a credential, a link in a file) built on ``LMS_PUBLIC_URL`` when it is set, never on
  the request's Host header, which the client chooses.
"""

import re
from urllib.parse import urlsplit

from flask import Request, current_app, url_for
from werkzeug.datastructures import ImmutableMultiDict
from werkzeug.routing import IntegerConverter

LARGEST_ID = 2**31 - 1  # PostgreSQL's integer; SQLite's is wider
_NUMBER = re.compile("[0-9]+")
_SIGNED_NUMBER = re.compile("-?[0-9]+")


def is_number(text) -> bool:
    return isinstance(text, str) and _NUMBER.fullmatch(text) is not None


def calendar_year(text: str) -> int:
    """A type for ``request.args.get("year", type=calendar_year)``: a year the dates and
    times of a report can hold (1900 to 2999); anything else is the default."""
    if not is_number(text) or not 1900 <= int(text) <= 2999:
        raise ValueError(text)
    return int(text)


class BoundedParameters(ImmutableMultiDict):
    """The query's and the form's values. ``get(name, type=int)`` takes ASCII digits (and
    a minus) up to a database integer; anything else is the default, as a value ``int``
    refuses is: a page number no database can hold would be a 500 in the driver."""

    def get(self, key, default=None, type=None):
        if type is not int:
            return super().get(key, default, type)
        value = super().get(key)
        if not isinstance(value, str) or not _SIGNED_NUMBER.fullmatch(value):
            return default
        number = int(value)
        return number if abs(number) <= LARGEST_ID else default


class BoundedRequest(Request):
    parameter_storage_class = BoundedParameters


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
