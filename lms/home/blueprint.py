"""Every URL of the home package."""

from flask import Blueprint

from lms.home import views

bp = Blueprint("home", __name__)

bp.add_url_rule("/", "index", views.index)
bp.add_url_rule("/me", "me", views.me)
