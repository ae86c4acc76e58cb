"""People pages: what staff and the admin see, and refusals that leave nothing behind."""

import io

from openpyxl import Workbook

from lms.accounts.services import find_user_by_username


def test_an_import_with_too_many_rows_creates_nobody(
    app, client, csrf_token, login_as, make_user, make_town
):
    app.config["MAX_IMPORT_ROWS"] = 1
    town = make_town()
    login_as(make_user("admin"))
    workbook = Workbook()
    workbook.active.append(["用户名", "姓名", "镇街代码"])
    workbook.active.append(["first1", "第一", town.code])
    workbook.active.append(["second2", "第二", town.code])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    response = client.post(
        "/people/import",
        data={"csrf_token": csrf_token(), "sheet": (buffer, "learners.xlsx")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 200
    assert "每次最多导入 1 行" in response.get_data(as_text=True)
    with app.app_context():
        assert find_user_by_username("first1") is None
        assert find_user_by_username("second2") is None


def test_staff_see_no_admin_controls_and_the_admin_does(client, login_as, make_user, make_town):
    home = make_town()
    learner = make_user("learner", town=home)
    login_as(make_user("staff", town=home))
    page = client.get("/people/").get_data(as_text=True)
    assert "/people/new-learner" in page and 'href="/people/new"' not in page
    assert 'name="role"' not in page
    detail = client.get(f"/people/{learner.id}").get_data(as_text=True)
    assert f"/people/{learner.id}/roles" not in detail
    assert f"/people/{learner.id}/disable" not in detail
    admin = make_user("admin")
    login_as(admin)
    page = client.get("/people/").get_data(as_text=True)
    assert 'href="/people/new"' in page and 'name="role"' in page
    detail = client.get(f"/people/{learner.id}").get_data(as_text=True)
    assert f"/people/{learner.id}/roles" in detail and f"/people/{learner.id}/disable" in detail
    own = client.get(f"/people/{admin.id}").get_data(as_text=True)
    assert f"/people/{admin.id}/disable" not in own
