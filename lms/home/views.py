from flask import render_template
from flask_login import current_user

from lms.home.menu import home_cards


def index():
    cards = home_cards(current_user) if current_user.is_authenticated else []
    return render_template("home/index.html", cards=cards)
