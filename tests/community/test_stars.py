"""Learning stars: rankings, nominations in scope, the public honour roll's privacy."""

from datetime import date

import pytest
from sqlalchemy import select

from lms.attendance.models import CommunitySchool, SchoolStaff
from lms.community import stars
from lms.community.models import StarNomination
from lms.community.services import CommunityError
from lms.credits.ledger import Posting, post
from lms.extensions import db
from lms.study.models import DailyStudy
from tests.community.helpers import user


def staff_of(app, make_user, town):
    staff = make_user("staff", town=town)
    with app.app_context():
        school = CommunitySchool(name=f"{town.name}学校", town_id=town.id)
        db.session.add(school)
        db.session.flush()
        db.session.add(SchoolStaff(school_id=school.id, user_id=staff.id))
        db.session.commit()
    return staff


def credit(app, learner_id, credits, day=date(2025, 5, 1), key=None):
    with app.app_context():
        entry = post(
            Posting(
                learner_id, "adjustment", key or f"{learner_id}-{credits}", credits, credits, None
            )
        )
        entry.local_day = day  # as if posted that day (the hash does not cover it)
        db.session.commit()


def star(app, learner, year=2025, citation="坚持学习，乐于助人"):
    with app.app_context():
        admin = user(learner.id)  # any actor id will do for the rule
        nomination = stars.nominate(user(learner.id), year, citation, actor=admin)
        stars.select_star(nomination, actor=admin)
        db.session.commit()


def choose(app, learner, choice):
    with app.app_context():
        stars.set_honour_choice(user(learner.id), choice)
        db.session.commit()


def test_public_names_follow_each_choice():
    assert stars.public_name("张三丰", "full") == "张三丰"
    assert stars.public_name("张三丰", "surname") == "张**"
    assert stars.public_name("张三丰", "hidden") is None


def test_the_honour_roll_respects_each_privacy_choice(app, client, make_learners):
    full, surname, hidden, default = make_learners(
        4, names=("王大明", "李小红", "赵隐名", "钱默认")
    )
    for learner, citation in (
        (full, "王的事迹"),
        (surname, "李的事迹"),
        (hidden, "赵的事迹"),
        (default, "钱的事迹"),
    ):
        star(app, learner, citation=citation)
    choose(app, full, "full")
    choose(app, surname, "surname")
    choose(app, hidden, "hidden")
    page = client.get("/honour-roll/?year=2025")  # public: nobody logged in
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert "王大明" in text and "王的事迹" in text
    assert "李**" in text and "李小红" not in text and "李的事迹" in text
    assert "赵" not in text and "赵隐名" not in text and "赵的事迹" not in text
    assert "钱**" in text and "钱默认" not in text  # no choice made: surname only


def test_a_learner_changes_how_their_name_shows(app, client, make_user, login_as, csrf_token):
    learner = make_user(display_name="孙悟空")
    star(app, learner)
    login_as(learner)
    client.post("/honour-roll/my-name", data={"choice": "full", "csrf_token": csrf_token()})
    assert "孙悟空" in client.get("/honour-roll/?year=2025").get_data(as_text=True)
    client.post("/honour-roll/my-name", data={"choice": "hidden", "csrf_token": csrf_token()})
    assert "孙" not in app.test_client().get("/honour-roll/?year=2025").get_data(as_text=True)


def test_only_selected_stars_of_that_year_are_on_the_roll(app, client, make_learners):
    chosen, nominee, last_year = make_learners(3)
    for learner, name in ((chosen, "入选者"), (nominee, "提名者"), (last_year, "去年者")):
        choose(app, learner, "full")
        with app.app_context():
            user(learner.id).display_name = name
            db.session.commit()
    star(app, chosen)
    star(app, last_year, year=2024)
    with app.app_context():
        stars.nominate(user(nominee.id), 2025, "提名", actor=user(nominee.id))
        db.session.commit()
    text = client.get("/honour-roll/?year=2025").get_data(as_text=True)
    assert "入选者" in text and "提名者" not in text and "去年者" not in text


def test_rankings_order_by_credits_then_participation_within_a_period(app, make_learners):
    first, second, third, outside = make_learners(4)
    credit(app, first.id, 10)
    credit(app, second.id, 5)
    credit(app, third.id, 5)
    credit(app, outside.id, 50, day=date(2024, 12, 31))
    with app.app_context():
        db.session.add(DailyStudy(learner_id=third.id, day=date(2025, 3, 1), credited_seconds=60))
        db.session.commit()
        page = stars.rankings(stars.Period.of(2025), town_ids=None)
        order = [row.learner.id for row in page.items]
        assert order == [first.id, third.id, second.id]
        assert [row.rank for row in page.items] == [1, 2, 3]
        assert page.items[0].credits == 10.0
        month = stars.rankings(stars.Period.of(2024, 12), town_ids=None)
        assert [row.learner.id for row in month.items] == [outside.id]


def test_staff_rank_and_nominate_only_learners_of_their_scope(
    app, client, make_user, make_town, login_as, csrf_token
):
    here, there = make_town(), make_town()
    staff = staff_of(app, make_user, here)
    local, remote = make_user(town=here), make_user(town=there)
    credit(app, local.id, 3, day=date.today())
    credit(app, remote.id, 9, day=date.today())
    login_as(staff)
    page = client.get("/stars/rankings").get_data(as_text=True)
    assert f"/stars/nominate/{local.id}" in page and f"/stars/nominate/{remote.id}" not in page
    assert client.get(f"/stars/rankings?town={there.id}").status_code == 404
    assert client.get(f"/stars/nominate/{remote.id}").status_code == 404
    response = client.post(
        f"/stars/nominate/{remote.id}",
        data={"year": "2025", "citation": "越权", "csrf_token": csrf_token()},
    )
    assert response.status_code == 404
    response = client.post(
        f"/stars/nominate/{local.id}",
        data={"year": "2025", "citation": "热心学习", "csrf_token": csrf_token()},
    )
    assert response.status_code == 302
    with app.app_context():
        assert [n.learner_id for n in db.session.scalars(select(StarNomination))] == [local.id]


def test_staff_cannot_select_stars_or_see_other_scopes_nominations(
    app, client, make_user, make_town, login_as, csrf_token
):
    here, there = make_town(), make_town()
    staff, other_staff = staff_of(app, make_user, here), staff_of(app, make_user, there)
    learner = make_user(town=here)
    with app.app_context():
        nomination = stars.nominate(user(learner.id), 2025, "社区义工十年", actor=user(staff.id))
        db.session.commit()
        nomination_id = nomination.id
    login_as(staff)
    assert (
        client.post(
            f"/stars/nominations/{nomination_id}/select", data={"csrf_token": csrf_token()}
        ).status_code
        == 403
    )
    login_as(other_staff)
    assert "社区义工十年" not in client.get("/stars/nominations?year=2025").get_data(as_text=True)
    assert (
        client.post(
            f"/stars/nominations/{nomination_id}/withdraw", data={"csrf_token": csrf_token()}
        ).status_code
        == 404
    )
    login_as(make_user())
    assert client.get("/stars/rankings").status_code == 403
    login_as(make_user("admin"))
    client.post(f"/stars/nominations/{nomination_id}/select", data={"csrf_token": csrf_token()})
    with app.app_context():
        assert db.session.get(StarNomination, nomination_id).state == "selected"


def test_a_learner_is_nominated_once_per_year(app, make_user):
    learner, staff = make_user(), make_user("staff")
    with app.app_context():
        stars.nominate(user(learner.id), 2025, "一", actor=user(staff.id))
        with pytest.raises(CommunityError):
            stars.nominate(user(learner.id), 2025, "二", actor=user(staff.id))
        stars.nominate(user(learner.id), 2024, "去年", actor=user(staff.id))
