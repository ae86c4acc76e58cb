import csv
import io
from datetime import UTC, datetime, timedelta

import pytest
from openpyxl import load_workbook

from lms.attendance import tokens
from lms.attendance.models import ClassSession
from lms.extensions import db
from lms.timeutil import utcnow
from tests.factories import sign_up
from tests.helpers import decode_qr
from tests.web_client import log_in

KEY = tokens.derive_key("test-secret-key")  # build_app's LMS_SECRET_KEY


@pytest.fixture
def clock(monkeypatch):
    """The views' clock, moved by the test instead of waiting."""
    moment = {"now": utcnow()}
    monkeypatch.setattr("lms.attendance.views.utcnow", lambda: moment["now"])
    return moment


def qr_path(class_session_id, mode="checkin", at=None):
    return f"/attend/{tokens.make_rotating_token(KEY, class_session_id, mode, at or utcnow())}"


def test_browse_by_town_and_school_is_paginated(
    app, client, make_town, make_school, make_class_session, monkeypatch
):
    east, west = make_town(name="东街道"), make_town(name="西街道")
    east_school, west_school = make_school(town=east), make_school(town=west)
    make_class_session(east_school, title="东边的太极课")
    make_class_session(west_school, title="西边的书法课")
    make_class_session(west_school, title="已经结束的课", starts_in=timedelta(hours=-5))
    page = client.get("/classes/").get_data(as_text=True)
    assert "东边的太极课" in page and "西边的书法课" in page and "已经结束的课" not in page
    page = client.get(f"/classes/?town={east.id}").get_data(as_text=True)
    assert "东边的太极课" in page and "西边的书法课" not in page
    page = client.get(f"/classes/?school={west_school.id}").get_data(as_text=True)
    assert "东边的太极课" not in page and "西边的书法课" in page
    monkeypatch.setattr("lms.attendance.views.PER_PAGE", 1)
    first, second = (
        client.get("/classes/").get_data(as_text=True),
        client.get("/classes/?page=2").get_data(as_text=True),
    )
    assert ("东边的太极课" in first) != ("东边的太极课" in second)


def test_sign_up_cancel_and_my_classes(
    app, client, csrf_token, login_as, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), title="智能手机课", capacity=1)
    learner = make_user()
    login_as(learner)
    client.post(f"/classes/{class_session.id}/signup", data={"csrf_token": csrf_token()})
    assert "智能手机课" in client.get("/my/classes").get_data(as_text=True)
    client.post(f"/classes/{class_session.id}/cancel", data={"csrf_token": csrf_token()})
    assert "智能手机课" not in client.get("/my/classes").get_data(as_text=True)
    with app.app_context():
        assert db.session.get(ClassSession, class_session.id).seats_taken == 0


def test_a_logged_in_learner_opening_the_qr_is_checked_in_once(
    app, client, login_as, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=5))
    learner = make_user()
    sign_up(app, class_session, learner)
    login_as(learner)
    path = qr_path(class_session.id)
    assert client.get(path).status_code == 200
    again = client.get(path)  # a replayed token does not check in twice
    assert again.status_code == 200
    assert 'data-reason="already_checked_in"' in again.get_data(as_text=True)
    page = client.get("/my/attendance").get_data(as_text=True)
    assert "书法入门" in page and page.count('class="status-present"') == 1


def test_an_expired_or_forged_qr_does_not_check_in(
    app, client, login_as, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), signup_required=False)
    login_as(make_user())
    stale = qr_path(class_session.id, at=utcnow() - timedelta(seconds=60))
    assert client.get(stale).status_code == 400
    forged = tokens.make_rotating_token(
        tokens.derive_key("guess"), class_session.id, "checkin", utcnow()
    )
    assert client.get(f"/attend/{forged}").status_code == 400
    assert client.get("/attend/nonsense").status_code == 400
    assert "书法入门" not in client.get("/my/attendance").get_data(as_text=True)


def test_a_qr_bound_at_the_first_visit_survives_a_slow_login(
    app, client, clock, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=5))
    learner = make_user()
    sign_up(app, class_session, learner)
    path = qr_path(class_session.id, at=clock["now"])
    first = client.get(path)
    assert first.status_code == 302 and "/login" in first.headers["Location"]
    clock["now"] += timedelta(seconds=90)  # long past the token's window and grace
    logged_in = log_in(client, learner.username, next_url=path)
    assert logged_in.headers["Location"] == path
    assert client.get(path).status_code == 200
    with app.app_context():
        from lms.attendance.checkin import attendance_of

        row = attendance_of(class_session.id, learner.id)
        assert row.checked_in_at <= clock["now"] - timedelta(seconds=89)  # the time of the visit


def test_a_bound_qr_is_honoured_only_for_a_few_minutes_and_only_in_that_browser(
    app, client, clock, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=5))
    slow, friend = make_user(), make_user()
    sign_up(app, class_session, slow, friend)
    path = qr_path(class_session.id, at=clock["now"])
    client.get(path)
    clock["now"] += timedelta(minutes=6)
    log_in(client, slow.username, next_url=path)
    assert client.get(path).status_code == 400
    other_browser = app.test_client()  # the photo forwarded to a friend at home
    clock["now"] -= timedelta(minutes=5)
    log_in(other_browser, friend.username)
    assert other_browser.get(path).status_code == 400


def test_check_in_with_the_numeric_code_and_its_rate_limit(
    app, client, csrf_token, login_as, make_user, make_school, make_class_session
):
    class_session = make_class_session(make_school(), starts_in=timedelta(minutes=5))
    learner = make_user()
    sign_up(app, class_session, learner)
    login_as(learner)
    app.config["LMS_CHECKIN_CODE_LIMIT"] = "3 per minute"
    code = tokens.code_for_now(KEY, class_session.id, "checkin", utcnow())
    wrong = f"{(int(code) + 1) % 1_000_000:06d}"
    url = f"/classes/{class_session.id}/code"
    assert client.post(url, data={"code": wrong, "csrf_token": csrf_token()}).status_code == 400
    right = client.post(url, data={"code": code, "csrf_token": csrf_token()})
    assert right.status_code == 302
    page = client.get(f"/classes/{class_session.id}").get_data(as_text=True)
    assert 'data-status="present"' in page
    for _ in range(2):
        client.post(url, data={"code": wrong, "csrf_token": csrf_token()})
    assert client.post(url, data={"code": code, "csrf_token": csrf_token()}).status_code == 429


def test_a_19_00_class_is_stored_at_11_00_utc_and_shown_at_19_00(
    app, client, csrf_token, login_as, make_user, make_school
):
    staff = make_user("staff")
    school = make_school(staff)
    login_as(staff)
    response = client.post(
        f"/schools/{school.id}/sessions/new",
        data={
            "title": "晚间书法课",
            "course_id": "0",
            "day": "2031-06-02",
            "starts": "19:00",
            "ends": "21:00",
            "capacity": "20",
            "signup_required": "y",
            "late_after_minutes": "10",
            "checkin_opens_minutes": "30",
            "csrf_token": csrf_token(),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        row = db.session.query(ClassSession).filter_by(title="晚间书法课").one()
        assert row.starts_at == datetime(2031, 6, 2, 11, 0, tzinfo=UTC)
        assert row.ends_at == datetime(2031, 6, 2, 13, 0, tzinfo=UTC)
        class_session_id = row.id
    assert "2031-06-02 19:00–21:00" in client.get(f"/classes/{class_session_id}").get_data(
        as_text=True
    )
    edit = client.get(f"/class-sessions/{class_session_id}/edit").get_data(as_text=True)
    assert 'value="19:00"' in edit


def staff_urls(class_session_id, school_id):
    return [
        f"/schools/{school_id}",
        f"/schools/{school_id}/sessions/new",
        f"/schools/{school_id}/attendance.xlsx?month=2031-06",
        f"/schools/{school_id}/attendance.csv?month=2031-06",
        f"/class-sessions/{class_session_id}/roster",
        f"/class-sessions/{class_session_id}/edit",
        f"/class-sessions/{class_session_id}/present",
        f"/class-sessions/{class_session_id}/attendance.xlsx",
        f"/class-sessions/{class_session_id}/attendance.csv",
        f"/cards/sheet?session={class_session_id}",
    ]


def test_staff_of_school_a_cannot_see_or_export_school_b(
    app, client, csrf_token, login_as, make_user, make_school, make_class_session
):
    staff_a, staff_b = make_user("staff"), make_user("staff")
    make_school(staff_a)
    school_b = make_school(staff_b)
    class_b = make_class_session(school_b)
    login_as(staff_a)
    for url in staff_urls(class_b.id, school_b.id):
        assert client.get(url).status_code == 404, url
    correction = client.post(
        f"/class-sessions/{class_b.id}/corrections",
        data={"learner": "x", "status": "present", "reason": "x", "csrf_token": csrf_token()},
    )
    assert correction.status_code == 404
    assert client.get(f"/schools/{school_b.id}/edit").status_code == 403  # admin only
    schools_page = client.get("/schools/").get_data(as_text=True)
    assert f"/schools/{school_b.id}" not in schools_page
    login_as(staff_b)
    for url in staff_urls(class_b.id, school_b.id):
        assert client.get(url).status_code == 200, url


def test_learners_cannot_open_staff_pages(
    app, client, login_as, make_user, make_school, make_class_session
):
    school = make_school()
    class_session = make_class_session(school)
    login_as(make_user())
    for url in staff_urls(class_session.id, school.id):
        assert client.get(url).status_code == 403, url


def test_the_admin_creates_a_school_and_names_its_staff(
    app, client, csrf_token, login_as, make_user, make_town
):
    admin, staff, learner = make_user("admin"), make_user("staff"), make_user()
    town = make_town()
    login_as(admin)
    form = {"name": "湖塘社区学校", "town_id": str(town.id), "address": "湖塘路", "csrf_token": ""}
    refused = client.post(
        "/schools/new", data=form | {"staff": learner.username, "csrf_token": csrf_token()}
    )
    assert refused.status_code == 200 and "湖塘社区学校" not in client.get("/schools/").get_data(
        as_text=True
    )
    created = client.post(
        "/schools/new", data=form | {"staff": staff.username, "csrf_token": csrf_token()}
    )
    assert created.status_code == 302
    login_as(staff)
    assert "湖塘社区学校" in client.get("/schools/").get_data(as_text=True)


def test_roster_shows_check_ins_and_takes_corrections(
    app, client, csrf_token, login_as, make_user, make_school, make_class_session
):
    staff = make_user("staff")
    class_session = make_class_session(make_school(staff), starts_in=timedelta(minutes=-5))
    came = make_user(display_name="王阿姨")
    excused = make_user(display_name="李大伯")
    sign_up_early(app, class_session, came, excused)
    login_as(came)
    client.get(qr_path(class_session.id))
    login_as(staff)
    client.post(
        f"/class-sessions/{class_session.id}/corrections",
        data={
            "learner": excused.username,
            "status": "excused",
            "reason": "住院",
            "csrf_token": csrf_token(),
        },
    )
    roster = client.get(f"/class-sessions/{class_session.id}/roster").get_data(as_text=True)
    assert "王阿姨" in roster and "李大伯" in roster and "住院" in roster
    workbook = load_workbook(
        io.BytesIO(client.get(f"/class-sessions/{class_session.id}/attendance.xlsx").data)
    )
    values = [[cell for cell in row] for row in workbook.active.iter_rows(values_only=True)]
    assert len(values) == 3 and {row[5] for row in values[1:]} == {"王阿姨", "李大伯"}
    text = client.get(f"/class-sessions/{class_session.id}/attendance.csv").data.decode("utf-8")
    assert text.startswith("\ufeff")
    rows = list(csv.reader(io.StringIO(text.lstrip("\ufeff"))))
    assert len(rows) == 3 and any("住院" in row for row in rows)


def sign_up_early(app, class_session, *learners):
    """Sign-ups for a class that has begun, as if made the day before."""
    from lms.attendance.models import Signup

    with app.app_context():
        for learner in learners:
            db.session.add(Signup(class_session_id=class_session.id, learner_id=learner.id))
        db.session.get(ClassSession, class_session.id).seats_taken = len(learners)
        db.session.commit()


def test_the_school_month_export_holds_that_month_only(
    app, client, login_as, make_user, make_school, make_class_session
):
    staff = make_user("staff")
    school = make_school(staff)
    # 00:30 on 1 July in Shanghai (still June in UTC), and 23:30 on 31 May in Shanghai.
    july_class = make_class_session(school, starts_at=datetime(2031, 6, 30, 16, 30, tzinfo=UTC))
    may = make_class_session(school, starts_at=datetime(2031, 5, 31, 15, 30, tzinfo=UTC))
    learner = make_user(display_name="七月学员")
    other = make_user(display_name="五月学员")
    sign_up_early(app, july_class, learner)
    sign_up_early(app, may, other)
    login_as(staff)
    july = client.get(f"/schools/{school.id}/attendance.csv?month=2031-07").data.decode()
    assert "七月学员" in july and "五月学员" not in july
    workbook = load_workbook(
        io.BytesIO(client.get(f"/schools/{school.id}/attendance.xlsx?month=2031-05").data)
    )
    names = {row[5] for row in workbook.active.iter_rows(min_row=2, values_only=True)}
    assert names == {"五月学员"}
    assert client.get(f"/schools/{school.id}/attendance.csv?month=2031-13").status_code == 400


def test_the_qr_screen_gives_a_qr_that_decodes_to_a_check_in_url(
    app, client, login_as, make_user, make_school, make_class_session
):
    staff = make_user("staff")
    class_session = make_class_session(make_school(staff), signup_required=False)
    login_as(staff)
    assert client.get(f"/class-sessions/{class_session.id}/present").status_code == 200
    data = client.get(f"/api/v1/class-sessions/{class_session.id}/qr").get_json()
    assert decode_qr(data["image"]) == data["url"]
    assert len(data["code"]) == 6 and 0 < data["expires_in"] <= 15
    learner_client = app.test_client()
    login_as(make_user(), on=learner_client)
    assert learner_client.get(data["url"].replace("http://localhost", "")).status_code == 200
    assert client.get(f"/api/v1/class-sessions/{class_session.id}/qr").get_json()["checked_in"] == 1
