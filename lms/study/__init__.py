"""study domain."""

from flask import Flask


def register(app: Flask) -> None:
    """Blueprints, signals and periodic tasks of the domain."""
    from lms.study import models  # noqa: F401
