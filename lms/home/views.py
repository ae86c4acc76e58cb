from flask import render_template
from flask_login import current_user, login_required

from lms.home.dashboard import learner_dashboard
from lms.home.menu import account_links, more_links


def index():
    if not current_user.is_authenticated:
        return render_template("home/index.html", cards=[], dashboard=None)
    return render_template(
        "home/index.html",
        cards=more_links(current_user),  # the account's own links are under 我的
        dashboard=learner_dashboard(current_user),
    )


@login_required
def me():
    """我的: the person's own account and every page not on the tab bar."""
    return render_template(
        "home/me.html",
        account_links=account_links(current_user),
        more_links=more_links(current_user),
    )
