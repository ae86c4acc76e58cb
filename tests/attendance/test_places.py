"""Places to learn: schools come with their place, learners browse by 镇街 and kind, the
admin and 镇街 staff keep the directory (staff their own 镇街 only), XLSX import is all or
nothing and export gives what the keeper may keep."""

import io
from datetime import timedelta

import pytest
from openpyxl import Workbook, load_workbook
from sqlalchemy import func, select

from lms.attendance import places
from lms.attendance.models import Place
from lms.extensions import db


@pytest.fixture
def make_place(app, make_town):
    def make(town=None, *, kind="library", name="柯桥图书馆", latitude=None, longitude=None):
        town = town or make_town()
        with app.app_context():
            place = places.save_place(
                None,
                places.PlaceData(
                    kind=kind,
                    name=name,
                    town_id=town.id,
                    address="笛扬路1号",
                    opening_hours="周二至周日 9:00-17:00",
                    phone="0575-8888 0000",
                    description="借书、阅览、讲座",
                    latitude=latitude,
                    longitude=longitude,
                ),
                town_ids=None,
            )
            db.session.commit()
            return place.id

    return make


@pytest.fixture
def admin_client(app, make_user, login_as):
    return login_as(make_user("admin"), on=app.test_client())


def place_count(app) -> int:
    with app.app_context():
        return db.session.scalar(select(func.count(Place.id)))


def test_a_new_school_comes_with_its_place_and_a_rename_follows(app, make_school, admin_client):
    school = make_school()
    with app.app_context():
        place = db.session.scalar(select(Place).where(Place.school_id == school.id))
        assert place.kind == "community_school" and place.address == "测试路1号"
        place_id = place.id
    page = admin_client.get(f"/places/{place_id}").get_data(as_text=True)
    assert "近期课程" in page


def test_a_schools_page_lists_its_upcoming_classes_only(
    app, client, make_school, make_class_session
):
    school = make_school()
    make_class_session(school, title="太极拳", starts_in=timedelta(days=2))
    make_class_session(school, title="往期书法", starts_in=timedelta(days=-3))
    with app.app_context():
        place_id = db.session.scalar(select(Place.id).where(Place.school_id == school.id))
    page = client.get(f"/places/{place_id}").get_data(as_text=True)
    assert "太极拳" in page and "往期书法" not in page


def test_anyone_browses_by_town_and_kind(app, client, make_place, make_town):
    town_a, town_b = make_town(), make_town()
    make_place(town_a, name="甲图书馆")
    make_place(town_a, kind="memorial_hall", name="甲纪念馆")
    make_place(town_b, name="乙图书馆")
    page = client.get(f"/places/?town={town_a.id}&kind=library").get_data(as_text=True)
    assert "甲图书馆" in page and "甲纪念馆" not in page and "乙图书馆" not in page
    everything = client.get("/places/").get_data(as_text=True)
    assert all(name in everything for name in ("甲图书馆", "甲纪念馆", "乙图书馆"))
    # An unknown kind is no filter, not an error.
    assert client.get("/places/?kind=<script>").status_code == 200


def test_the_directory_is_paginated(app, client, make_place, make_town):
    town = make_town()
    for number in range(25):
        make_place(town, name=f"场馆{number:02d}")
    first = client.get(f"/places/?town={town.id}").get_data(as_text=True)
    second = client.get(f"/places/?town={town.id}&page=2").get_data(as_text=True)
    assert first.count("<strong>场馆") == 20 and second.count("<strong>场馆") == 5


def test_a_place_page_has_standard_map_links_and_no_map_service(client, make_place):
    place_id = make_place(latitude=30.0823, longitude=120.4936)
    page = client.get(f"/places/{place_id}").get_data(as_text=True)
    assert 'href="geo:30.082300,120.493600?q=30.082300,120.493600(' in page
    assert 'href="maps:?ll=30.082300,120.493600' in page
    assert "amap.com" not in page and "map.baidu" not in page and "tile" not in page


def test_the_json_gives_coordinates_for_the_browsers_sort(client, make_place, make_town):
    town = make_town()
    make_place(town, latitude=30.0, longitude=120.5)
    data = client.get(f"/api/v1/places?town={town.id}").get_json()
    assert data["places"][0]["latitude"] == 30.0 and data["places"][0]["kind"] == "图书馆"


def form(town_id, **fields):
    return {
        "kind": "library",
        "name": "新图书馆",
        "town_id": town_id,
        "address": "路1号",
        "opening_hours": "",
        "phone": "",
        "description": "",
        "latitude": "30.1",
        "longitude": "120.5",
        **fields,
    }


def test_staff_keep_the_places_of_their_own_town_only(
    app, client, csrf_token, login_as, make_user, make_town, make_place
):
    home, away = make_town(), make_town()
    login_as(make_user("staff", town=home))
    assert client.get("/places/new").status_code == 200
    created = client.post("/places/new", data={**form(home.id), "csrf_token": csrf_token()})
    assert created.status_code == 302
    refused = client.post(
        "/places/new", data={**form(away.id, name="越界馆"), "csrf_token": csrf_token()}
    )
    assert refused.status_code == 200
    with app.app_context():
        assert db.session.scalar(select(Place).where(Place.name == "越界馆")) is None
    theirs = make_place(away)
    assert client.get(f"/places/{theirs}/edit").status_code == 404
    assert (
        client.post(f"/places/{theirs}/delete", data={"csrf_token": csrf_token()}).status_code
        == 404
    )


@pytest.mark.parametrize("role", ["learner", "teacher"])
def test_learners_and_teachers_keep_no_places(client, login_as, make_user, make_place, role):
    place_id = make_place()
    login_as(make_user(role))
    for path in (
        "/places/new",
        f"/places/{place_id}/edit",
        "/places/import",
        "/places/export.xlsx",
    ):
        assert client.get(path).status_code == 403


def test_staff_without_a_town_keep_nothing(app, client, login_as, make_user):
    from lms.accounts.models import User

    staff = make_user("staff")
    with app.app_context():
        db.session.get(User, staff.id).town_id = None
        db.session.commit()
    login_as(staff)
    assert client.get("/places/new").status_code == 403


def test_a_schools_place_cannot_be_removed_nor_renamed_here(
    app, admin_client, csrf_token, make_school
):
    school = make_school()
    with app.app_context():
        place = db.session.scalar(select(Place).where(Place.school_id == school.id))
        place_id, town_id = place.id, place.town_id
    token = csrf_token(admin_client)
    admin_client.post(
        f"/places/{place_id}/edit",
        data={
            **form(town_id, name="改名", kind="library", opening_hours="周一"),
            "csrf_token": token,
        },
    )
    admin_client.post(f"/places/{place_id}/delete", data={"csrf_token": token})
    with app.app_context():
        place = db.session.get(Place, place_id)
        assert place.name != "改名" and place.kind == "community_school"
        assert place.opening_hours == "周一"


def sheet(*rows, header=("编号", "类型", "名称", "镇街代码", "地址", "纬度", "经度")):
    workbook = Workbook()
    workbook.active.append(list(header))
    for row in rows:
        workbook.active.append(list(row))
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    return buffer


def post_sheet(client, token, buffer):
    return client.post(
        "/places/import",
        data={"csrf_token": token, "sheet": (buffer, "places.xlsx")},
        content_type="multipart/form-data",
    )


def test_an_import_with_one_bad_row_saves_nothing_and_names_the_row(
    app, admin_client, csrf_token, make_town
):
    town = make_town()
    before = place_count(app)
    buffer = sheet(
        ("", "library", "好图书馆", town.code, "路1号", 30.1, 120.5),
        ("", "castle", "坏行", town.code, "", "", ""),
        ("", "museum?", "", "nowhere", "", 91, 0),
        ("99999999999999999999", "library", "编号太大", town.code, "", "", ""),
        ("１２", "library", "全角编号", town.code, "", "", ""),
    )
    page = post_sheet(admin_client, csrf_token(admin_client), buffer).get_data(as_text=True)
    assert "未导入任何内容" in page
    assert "<td>3</td><td>坏行</td>" in page and "<td>4</td>" in page
    assert "<td>5</td><td>编号太大</td>" in page and "<td>6</td><td>全角编号</td>" in page
    assert place_count(app) == before


def test_an_import_creates_and_updates_and_the_export_round_trips(
    app, admin_client, csrf_token, make_town, make_place
):
    town = make_town()
    existing = make_place(town, name="旧名")
    buffer = sheet(
        (existing, "library", "新名", town.code, "路2号", 30.2, 120.6),
        ("", "science_museum", "科技馆", town.code, "路3号", "", ""),
    )
    response = post_sheet(admin_client, csrf_token(admin_client), buffer)
    assert response.status_code == 302
    with app.app_context():
        assert db.session.get(Place, existing).name == "新名"
        assert db.session.scalar(select(Place).where(Place.name == "科技馆")) is not None
    exported = admin_client.get("/places/export.xlsx")
    rows = list(load_workbook(io.BytesIO(exported.data)).active.iter_rows(values_only=True))
    assert rows[0][:4] == ("编号", "类型", "名称", "镇街代码")
    assert any(row[2] == "新名" and row[3] == town.code for row in rows[1:])


def test_staff_import_and_export_only_their_own_town(
    app, client, csrf_token, login_as, make_user, make_town, make_place
):
    home, away = make_town(), make_town()
    make_place(home, name="本地馆")
    theirs = make_place(away, name="外地馆")
    login_as(make_user("staff", town=home))
    rows = list(
        load_workbook(io.BytesIO(client.get("/places/export.xlsx").data)).active.iter_rows(
            values_only=True
        )
    )
    names = {row[2] for row in rows[1:]}
    assert "本地馆" in names and "外地馆" not in names
    refused = post_sheet(
        client,
        csrf_token(),
        sheet(
            (theirs, "library", "抢来的", away.code, "", "", ""),
            ("", "library", "越界", away.code, "", "", ""),
        ),
    )
    assert refused.status_code == 200
    with app.app_context():
        assert db.session.get(Place, theirs).name == "外地馆"
        assert db.session.scalar(select(Place).where(Place.name == "越界")) is None
