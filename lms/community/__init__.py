"""Learning stars, learning organisations, workplace training, course ratings and
in-app notifications. Community reads credits, study, attendance, courses and
accounts; nothing imports community."""

from flask import Flask


def register(app: Flask) -> None:
    from lms.community import models  # noqa: F401
