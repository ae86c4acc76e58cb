def test_pages_are_in_chinese_by_default(client):
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="zh-CN"' in page
    assert "登录" in page and "柯桥终身学习在线" in page


def test_pages_are_in_english_when_chosen(client, csrf_token):
    response = client.post(
        "/preferences/language", data={"locale": "en", "csrf_token": csrf_token(), "next": "/login"}
    )
    assert response.headers["Location"] == "/login"
    page = client.get("/login").get_data(as_text=True)
    assert 'lang="en"' in page
    assert "Log in" in page and "登录" not in page


def test_a_logged_in_users_language_follows_them(app, client, csrf_token, login_as, make_user):
    user = make_user()
    login_as(user)
    client.post("/preferences/language", data={"locale": "en", "csrf_token": csrf_token()})
    elsewhere = login_as(user, on=app.test_client())
    assert "Log out" in elsewhere.get("/").get_data(as_text=True)


def test_an_unknown_language_falls_back_to_chinese(client, csrf_token):
    client.post("/preferences/language", data={"locale": "xx", "csrf_token": csrf_token()})
    assert "登录" in client.get("/login").get_data(as_text=True)


def test_every_chinese_translation_is_filled_in():
    from babel.messages.pofile import read_po

    from tests.apps import TRANSLATIONS

    with (TRANSLATIONS / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po").open("rb") as po_file:
        catalog = read_po(po_file)
    untranslated = [m.id for m in catalog if m.id and not m.string]
    assert untranslated == []
