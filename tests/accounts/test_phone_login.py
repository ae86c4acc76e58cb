"""Log-in by mobile number: one spelling for every way it is typed, unique among accounts,
masked on staff screens except where a person is edited (and that showing is audited),
and limited per (identifier, address) exactly as usernames are."""

import io

import pytest
from openpyxl import Workbook
from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from lms.accounts import services
from lms.accounts.audit import AuditEvent
from lms.accounts.models import User
from lms.extensions import db
from tests.web_client import csrf_token_of, log_in

NUMBER = "13800005678"
SPELLINGS = ("13800005678", "138 0000 5678", "138-0000-5678", "+86 138 0000 5678", "+8613800005678")


@pytest.mark.parametrize("typed", SPELLINGS + ("0086 13800005678", "（138）0000-5678"))
def test_every_spelling_of_a_number_normalises_to_its_eleven_digits(typed):
    assert services.normalise_phone(typed) == NUMBER


@pytest.mark.parametrize(
    "typed",
    ("1380000567", "138000056789", "23800005678", "１３８００００５６７８", "abc", "", None),
)
def test_what_is_not_a_mainland_mobile_number_is_none(typed):
    assert services.normalise_phone(typed) is None


def test_the_login_key_is_one_for_every_spelling_and_the_username_otherwise():
    assert {services.login_key(typed) for typed in SPELLINGS} == {NUMBER}
    assert services.login_key("  Wang.Li ") == "wang.li"


@pytest.mark.parametrize("typed", SPELLINGS)
def test_a_learner_logs_in_with_the_number_in_any_spelling(app, make_user, typed):
    user = make_user(phone=NUMBER)
    client = app.test_client()
    assert log_in(client, typed, user.password).status_code == 302
    with client.session_transaction() as session:
        assert session["_user_id"] == user.session_id


def test_the_username_still_logs_in(app, client, make_user):
    user = make_user(phone=NUMBER)
    assert log_in(client, user.username, user.password).status_code == 302


def test_another_users_number_with_ones_own_password_is_refused(app, client, make_user):
    make_user(phone=NUMBER)
    me = make_user(phone="13911110000", password="mine-only-123")
    response = log_in(client, "138 0000 5678", me.password)
    assert response.status_code == 200
    assert "手机号、用户名或密码错误" in response.get_data(as_text=True)
    with client.session_transaction() as session:
        assert "_user_id" not in session


def test_an_unknown_number_is_checked_against_a_password_hash_too(app, monkeypatch):
    checked = []
    original = services.check_password_hash

    def counting(password_hash, password):
        checked.append(password_hash)
        return original(password_hash, password)

    monkeypatch.setattr(services, "check_password_hash", counting)
    with app.app_context():
        assert services.authenticate("+86 139 9999 0000", "a-guess-123") is None
    assert len(checked) == 1 and checked[0].startswith("scrypt:")


def test_failures_in_different_spellings_share_one_bucket(app, client, make_user):
    app.config["LMS_LOGIN_LIMIT_PER_USERNAME"] = "3 per minute"
    victim = make_user(phone=NUMBER)
    other = make_user()
    for typed in ("138 0000 5678", "+8613800005678", "138-0000-5678"):
        assert log_in(client, typed, "guess").status_code == 200
    # The fourth try, in yet another spelling, is refused even with the right password...
    assert log_in(client, NUMBER, victim.password).status_code == 429
    # ...and by username it is another identifier, with its own bucket (as before).
    assert log_in(client, victim.username, victim.password).status_code == 302
    assert log_in(app.test_client(), other.username, other.password).status_code == 302


def test_the_slowdown_counts_a_number_once_whatever_its_spelling(app, make_user):
    app.config["LMS_LOGIN_SLOWDOWN_AFTER"] = 2
    make_user(phone=NUMBER)
    client = app.test_client()
    for number, typed in enumerate(("138 0000 5678", "+8613800005678")):
        address = {"REMOTE_ADDR": f"10.66.2.{number}"}
        assert log_in(client, typed, "x", environ_base=address).status_code == 200
    address = {"REMOTE_ADDR": "10.66.2.0"}
    assert log_in(client, "138-0000-5678", "x", environ_base=address).status_code == 200
    refused = log_in(client, NUMBER, "x", environ_base=address)
    assert refused.status_code == 429


def register(client, town, **fields):
    form = {
        "username": "newlearner",
        "display_name": "新学员",
        "password": "password-123",
        "password_confirm": "password-123",
        "town_code": town.code,
        "accept_privacy": "y",
        "csrf_token": csrf_token_of(client, "/register"),
        **fields,
    }
    return client.post("/register", data=form)


def test_registration_stores_the_normalised_number(app, client, make_town):
    town = make_town()
    assert register(client, town, phone="+86 139-1234-5678").status_code == 302
    with app.app_context():
        assert services.find_user_by_username("newlearner").phone == "13912345678"


def test_registration_refuses_a_number_another_account_has(app, client, make_user, make_town):
    make_user(phone=NUMBER)
    response = register(client, make_town(), phone="138 0000 5678")
    assert response.status_code == 200
    assert "已被另一个账号使用" in response.get_data(as_text=True)
    with app.app_context():
        assert services.find_user_by_username("newlearner") is None


def test_a_username_cannot_be_a_mobile_number(app, client, make_town):
    response = register(client, make_town(), username="13912345678")
    assert "用户名不能是手机号" in response.get_data(as_text=True)


def test_the_database_refuses_a_second_account_with_the_same_number(app, make_user):
    first = make_user(phone=NUMBER)
    with app.app_context():
        user = db.session.get(User, make_user().id)
        user.phone = NUMBER
        with pytest.raises(IntegrityError):
            db.session.flush()
        db.session.rollback()
        assert db.session.get(User, first.id).phone == NUMBER


def sheet(*rows) -> io.BytesIO:
    workbook = Workbook()
    workbook.active.append(["用户名", "姓名", "镇街代码", "手机号"])
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def test_the_import_report_names_duplicate_numbers(
    app, client, csrf_token, login_as, make_user, make_town
):
    town = make_town()
    make_user(phone=NUMBER)
    login_as(make_user("admin"))
    buffer = sheet(
        ("first1", "第一", town.code, "139 1111 2222"),
        ("second2", "第二", town.code, "+86 139-1111-2222"),
        ("third3", "第三", town.code, "138 0000 5678"),
    )
    response = client.post(
        "/people/import",
        data={"csrf_token": csrf_token(), "sheet": (buffer, "learners.xlsx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert page.count("手机号 13911112222 已被另一个账号使用") == 1  # row 3 repeats row 2
    assert "手机号 13800005678 已被另一个账号使用" in page
    with app.app_context():
        assert services.find_user_by_username("first1").phone == "13911112222"
        assert services.find_user_by_username("second2") is None
        assert services.find_user_by_username("third3") is None


def audit_rows(app, action):
    with app.app_context():
        return db.session.scalars(select(AuditEvent).where(AuditEvent.action == action)).all()


def test_staff_screens_mask_the_number(client, login_as, make_user, make_town):
    town = make_town()
    learner = make_user(town=town, phone=NUMBER)
    login_as(make_user("staff", town=town))
    for path in ("/people/", f"/people/{learner.id}"):
        page = client.get(path).get_data(as_text=True)
        assert "138****5678" in page and NUMBER not in page


def test_the_editing_staff_member_sees_the_number_and_the_audit_log_says_so(
    app, client, login_as, make_user, make_town
):
    town = make_town()
    learner = make_user(town=town, phone=NUMBER)
    staff = make_user("staff", town=town)
    login_as(staff)
    page = client.get(f"/people/{learner.id}/edit").get_data(as_text=True)
    assert NUMBER in page
    [viewed] = audit_rows(app, "phone.viewed")
    assert (viewed.actor_id, viewed.target_id) == (staff.id, str(learner.id))


def test_staff_of_another_town_neither_see_nor_leave_a_trace(
    app, client, login_as, make_user, make_town
):
    learner = make_user(town=make_town(), phone=NUMBER)
    login_as(make_user("staff", town=make_town()))
    response = client.get(f"/people/{learner.id}/edit")
    assert response.status_code == 404 and NUMBER not in response.get_data(as_text=True)
    assert audit_rows(app, "phone.viewed") == []


def test_a_teacher_may_not_edit_people(client, login_as, make_user):
    learner = make_user(phone=NUMBER)
    login_as(make_user("teacher"))
    assert client.get(f"/people/{learner.id}/edit").status_code == 403


def test_an_edit_normalises_refuses_duplicates_and_is_audited(
    app, client, csrf_token, login_as, make_user, make_town
):
    town = make_town()
    make_user(phone=NUMBER)
    learner = make_user(town=town, phone="13911110000")
    login_as(make_user("staff", town=town))
    path = f"/people/{learner.id}/edit"
    refused = client.post(
        path, data={"csrf_token": csrf_token(), "display_name": "改名", "phone": "138 0000 5678"}
    )
    assert "已被另一个账号使用" in refused.get_data(as_text=True)
    with app.app_context():
        assert db.session.get(User, learner.id).display_name != "改名"
    done = client.post(
        path,
        data={"csrf_token": csrf_token(), "display_name": "改名", "phone": "+86 137-0000-1111"},
    )
    assert done.status_code == 302
    with app.app_context():
        assert db.session.get(User, learner.id).phone == "13700001111"
    [edited] = audit_rows(app, "account.edited")
    assert edited.details == {"fields": ["display_name", "phone"]}
    # Keeping one's own number is no duplicate.
    kept = client.post(
        path, data={"csrf_token": csrf_token(), "display_name": "再改", "phone": "13700001111"}
    )
    assert kept.status_code == 302


def test_staff_find_a_learner_by_the_number_in_any_spelling(client, login_as, make_user, make_town):
    town = make_town()
    learner = make_user(town=town, phone=NUMBER, display_name="找得到")
    make_user(town=town, phone="13911110000", display_name="别人")
    login_as(make_user("staff", town=town))
    page = client.get("/people/", query_string={"q": "+86 138-0000-5678"}).get_data(as_text=True)
    assert "找得到" in page and "别人" not in page and f"/people/{learner.id}" in page
