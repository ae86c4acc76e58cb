from flask import get_flashed_messages

from lms.accounts.models import Town
from lms.extensions import db
from lms.web.errors import DomainError, act_then_redirect


def _add_town_then(refuse: bool):
    db.session.add(Town(code="half", name="半途镇"))
    db.session.flush()
    if refuse:
        raise DomainError("不行")


def test_a_refused_action_rolls_back_what_it_flushed_and_says_why(app):
    with app.test_request_context():
        response = act_then_redirect(lambda: _add_town_then(True), done="好了", to="/back")
        db.session.commit()  # as the request's boundary does for a 302
        assert response.status_code == 302 and response.location == "/back"
        assert get_flashed_messages(with_categories=True) == [("error", "不行")]
        assert db.session.query(Town).filter_by(name="半途镇").count() == 0


def test_a_done_action_keeps_its_change(app):
    with app.test_request_context():
        act_then_redirect(lambda: _add_town_then(False), done="好了", to="/back")
        db.session.commit()
        assert get_flashed_messages(with_categories=True) == [("ok", "好了")]
        assert db.session.query(Town).filter_by(name="半途镇").count() == 1
