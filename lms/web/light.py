"""Light pages (templates/light.html): rendered with only the context they are given.

base.html's context processors load the logged-in user (elder mode, language, name),
count their notifications and make a CSRF token (a session write). The busiest pages (a
learner's check-in at a class start) show a result and a link or two: the view gives
the page what it shows and the language it speaks, and nothing else runs.
"""

from flask import current_app, request
from flask_babel import force_locale

from lms.config import SUPPORTED_LOCALES

DEFAULT_LOCALE = "zh_CN"


def page_locale(user_locale: str | None) -> str:
    """The language of a page: the user's choice, else the ``lang`` cookie's, else Chinese."""
    if user_locale:
        return user_locale
    cookie = request.cookies.get("lang")
    return cookie if cookie in SUPPORTED_LOCALES else DEFAULT_LOCALE


def render_light(template: str, *, locale: str, elder_mode: bool, **context) -> str:
    """``template`` (extending light.html) rendered in ``locale``, without the app's
    context processors. Messages made for it are made inside ``force_locale(locale)``
    too (gettext would otherwise ask the locale selector, which loads the user)."""
    with force_locale(locale):
        return current_app.jinja_env.get_template(template).render(
            current_locale=locale, elder_mode=elder_mode, **context
        )
