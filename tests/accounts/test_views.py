import io
import re

from openpyxl import Workbook

from lms.accounts.models import User
from lms.accounts.services import find_user_by_username
from lms.extensions import db
from tests.web_client import log_in


def register_form(town_code, **fields):
    form = {
        "username": "newlearner",
        "display_name": "新学员",
        "password": "password-123",
        "password_confirm": "password-123",
        "town_code": town_code,
        "birth_year": "1956",
        "accept_privacy": "y",
    }
    form.update(fields)
    return form


def test_a_learner_registers_and_is_logged_in(app, client, csrf_token, make_town):
    town = make_town()
    response = client.post(
        "/register", data=register_form(town.code, csrf_token=csrf_token()), follow_redirects=True
    )
    assert "新学员" in response.get_data(as_text=True)
    with app.app_context():
        user = find_user_by_username("newlearner")
        assert user.roles == {"learner"}
        assert user.town_id == town.id and user.birth_year == 1956
        assert user.privacy_version == app.config["PRIVACY_NOTICE_VERSION"]
        assert user.privacy_accepted_at


def test_registration_without_the_privacy_notice_creates_nothing(
    app, client, csrf_token, make_town
):
    town = make_town()
    form = register_form(town.code, csrf_token=csrf_token())
    del form["accept_privacy"]
    response = client.post("/register", data=form)
    assert response.status_code == 200
    assert "隐私说明" in response.get_data(as_text=True)
    with app.app_context():
        assert find_user_by_username("newlearner") is None


def test_login_and_logout(client, csrf_token, make_user):
    user = make_user()
    response = log_in(client, user.username, user.password)
    assert response.status_code == 302
    home = client.get("/").get_data(as_text=True)
    assert "退出" in home
    client.post("/logout", data={"csrf_token": csrf_token()})
    assert "退出" not in client.get("/").get_data(as_text=True)


def test_wrong_password_is_refused_with_a_message(client, make_user):
    user = make_user()
    response = log_in(client, user.username, "not-the-password")
    assert response.status_code == 200
    assert "用户名或密码错误" in response.get_data(as_text=True)
    assert "退出" not in client.get("/").get_data(as_text=True)


def test_login_follows_only_local_next_urls(client, csrf_token, make_user):
    user = make_user()
    response = client.post(
        "/login?next=//evil.example/steal",
        data={"username": user.username, "password": user.password, "csrf_token": csrf_token()},
    )
    assert response.headers["Location"] == "/"


def test_a_post_without_csrf_token_is_refused(client, make_user):
    user = make_user()
    response = client.post("/login", data={"username": user.username, "password": user.password})
    assert response.status_code == 400


def test_a_learner_cannot_open_admin_pages(client, login_as, make_user):
    login_as(make_user("learner"))
    for path in ("/people/", "/people/new", "/people/import", "/people/new-learner"):
        assert client.get(path).status_code == 403, path


def test_anonymous_visitors_are_sent_to_log_in(client):
    response = client.get("/people/")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/login")


def test_the_admin_creates_a_teacher(app, client, csrf_token, login_as, make_user):
    login_as(make_user("admin"))
    response = client.post(
        "/people/new",
        data={
            "username": "teacher-wang",
            "display_name": "王老师",
            "password": "password-123",
            "roles": ["teacher"],
            "town_code": "",
            "csrf_token": csrf_token(),
        },
    )
    assert response.status_code == 302
    with app.app_context():
        assert find_user_by_username("teacher-wang").roles == {"teacher"}


def test_staff_reset_a_learners_password_in_their_town(
    app, client, csrf_token, login_as, make_user, make_town
):
    home, elsewhere = make_town(), make_town()
    staff = make_user("staff", town=home)
    learner = make_user("learner", town=home)
    login_as(staff)
    response = client.post(f"/people/{learner.id}/password", data={"csrf_token": csrf_token()})
    assert response.status_code == 200
    new_password = re.search(r'id="new-password">(\d+)<', response.get_data(as_text=True))[1]
    with app.app_context():
        assert db.session.get(User, learner.id).check_password(new_password)

    other_learner = make_user("learner", town=elsewhere)
    teacher_here = make_user("teacher", town=home)
    for target in (other_learner, teacher_here):
        response = client.post(f"/people/{target.id}/password", data={"csrf_token": csrf_token()})
        assert response.status_code == 404
        assert client.get(f"/people/{target.id}").status_code == 404


def test_a_password_reset_ends_the_learners_open_sessions(
    app, client, csrf_token, login_as, make_user
):
    admin, learner = make_user("admin"), make_user("learner")
    learner_client = login_as(learner, on=app.test_client())
    assert "退出" in learner_client.get("/").get_data(as_text=True)
    login_as(admin)
    client.post(
        f"/people/{learner.id}/password",
        data={"csrf_token": csrf_token(), "new_password": "brand-new-pass"},
    )
    assert "退出" not in learner_client.get("/").get_data(as_text=True)


def test_staff_see_only_learners_of_their_town(client, login_as, make_user, make_town):
    home, elsewhere = make_town(), make_town()
    login_as(make_user("staff", town=home))
    mine = make_user("learner", town=home, display_name="本街道学员")
    make_user("learner", town=elsewhere, display_name="外街道学员")
    page = client.get("/people/").get_data(as_text=True)
    assert "本街道学员" in page and "外街道学员" not in page
    assert client.get(f"/people/{mine.id}").status_code == 200


def test_staff_register_a_learner_only_in_their_town(
    app, client, csrf_token, login_as, make_user, make_town
):
    home, elsewhere = make_town(), make_town()
    login_as(make_user("staff", town=home))
    form = register_form(home.code, csrf_token=csrf_token(), username="helped")
    assert client.post("/people/new-learner", data=form).status_code == 302
    form = register_form(elsewhere.code, csrf_token=csrf_token(), username="notmine")
    assert client.post("/people/new-learner", data=form).status_code in (200, 403)
    with app.app_context():
        assert find_user_by_username("helped").town_id == home.id
        assert find_user_by_username("notmine") is None


def test_a_disabled_account_cannot_log_in_and_its_session_ends(
    app, client, csrf_token, login_as, make_user
):
    admin, learner = make_user("admin"), make_user("learner")
    learner_client = login_as(learner, on=app.test_client())
    login_as(admin)
    client.post(f"/people/{learner.id}/disable", data={"csrf_token": csrf_token(), "disabled": "1"})
    assert "退出" not in learner_client.get("/").get_data(as_text=True)
    response = log_in(learner_client, learner.username, learner.password)
    assert "停用" in response.get_data(as_text=True)


def test_admin_imports_learners_and_sees_each_refused_row(
    app, client, csrf_token, login_as, make_user, make_town
):
    town = make_town()
    login_as(make_user("admin"))
    workbook = Workbook()
    workbook.active.append(["用户名", "姓名", "镇街代码"])
    workbook.active.append(["import1", "导入一", town.code])
    workbook.active.append(["x", "名字太短的用户名", town.code])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    response = client.post(
        "/people/import",
        data={"csrf_token": csrf_token(), "sheet": (buffer, "learners.xlsx")},
        content_type="multipart/form-data",
    )
    page = response.get_data(as_text=True)
    assert "成功 1 个，拒绝 1 个" in page
    assert "用户名为 3 到 40 个" in page
    with app.app_context():
        assert find_user_by_username("import1") is not None


def test_change_own_password(app, client, csrf_token, login_as, make_user):
    user = make_user()
    login_as(user)
    response = client.post(
        "/account/password",
        data={
            "old_password": user.password,
            "new_password": "another-pass-1",
            "new_password_confirm": "another-pass-1",
            "csrf_token": csrf_token(),
        },
    )
    assert response.status_code == 302
    assert "退出" in client.get("/").get_data(as_text=True)  # this session lives on
    with app.app_context():
        assert db.session.get(User, user.id).check_password("another-pass-1")


def test_elder_mode_is_kept_per_user_and_in_a_cookie_when_logged_out(
    app, client, csrf_token, login_as, make_user
):
    client.post("/preferences/elder-mode", data={"csrf_token": csrf_token(), "enabled": "1"})
    assert 'class="elder"' in client.get("/").get_data(as_text=True)

    user = make_user()
    other = app.test_client()
    login_as(user, on=other)
    other.post("/preferences/elder-mode", data={"csrf_token": csrf_token(other), "enabled": "1"})
    with app.app_context():
        assert db.session.get(User, user.id).elder_mode
    other.delete_cookie("elder")
    assert 'class="elder"' in other.get("/").get_data(as_text=True)


def test_session_cookie_is_secure_behind_an_https_proxy(database_url, tmp_path):
    from tests.apps import build_app

    app = build_app(database_url, tmp_path, environ={"LMS_PROXY_HOPS": "1"})
    client = app.test_client()
    plain = client.get("/login")
    assert "Secure" not in plain.headers["Set-Cookie"]
    proxied = app.test_client().get("/login", headers={"X-Forwarded-Proto": "https"})
    cookie = proxied.headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    with app.app_context():
        db.engine.dispose()
