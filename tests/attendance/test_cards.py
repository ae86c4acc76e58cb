import re
import uuid
from datetime import timedelta

from lms.accounts.models import User
from lms.attendance import tokens
from lms.attendance.cards import card_of
from lms.extensions import db
from lms.timeutil import utcnow
from tests.helpers import decode_qr


def qr_images(page: str) -> list[str]:
    return re.findall(r'class="learning-card-qr" src="(data:image/png;base64,[^"]+)"', page)


def current_token(app, learner) -> str:
    with app.app_context():
        return card_of(learner.id).token


def test_my_card_qr_decodes_to_its_payload(app, client, csrf_token, login_as, make_user):
    learner = make_user()
    login_as(learner)
    assert "领取学习卡" in client.get("/my/card").get_data(as_text=True)
    assert client.post("/my/card", data={"csrf_token": csrf_token()}).status_code == 302
    page = client.get("/my/card").get_data(as_text=True)
    (image,) = qr_images(page)
    payload = decode_qr(image)
    token = current_token(app, learner)
    assert payload == tokens.card_payload(token)
    assert tokens.read_card_payload(payload) == token
    with app.app_context():
        number = card_of(learner.id).number
    assert number in page and number == tokens.card_number(token)
    client.post("/my/card", data={"csrf_token": csrf_token()})  # a second click
    again = client.get("/my/card").get_data(as_text=True)
    assert qr_images(again) == [image]  # issued once, then kept
    with app.app_context():
        assert card_of(learner.id).issue_count == 1


def scan_once(client, csrf_token, class_session_id, payload):
    response = client.post(
        f"/api/v1/class-sessions/{class_session_id}/scans",
        json={
            "device_now": utcnow().isoformat(),
            "scans": [
                {"nonce": uuid.uuid4().hex, "payload": payload, "scanned_at": utcnow().isoformat()}
            ],
        },
        headers={"X-CSRFToken": csrf_token()},
    )
    return response.get_json()["results"][0]


def test_a_reissued_card_refuses_the_old_token_and_the_new_one_works(
    app, client, csrf_token, login_as, make_user, make_school, make_class_session
):
    staff = make_user("staff")
    school = make_school(staff)
    learner = make_user(town=_town_of(app, school))
    first = make_class_session(school, signup_required=False, starts_in=timedelta(minutes=-5))
    second = make_class_session(school, signup_required=False, starts_in=timedelta(minutes=-5))
    login_as(staff)
    client.post(f"/cards/{learner.id}", data={"csrf_token": csrf_token()})
    page = client.get(f"/cards/{learner.id}").get_data(as_text=True)
    old_payload = decode_qr(qr_images(page)[0])
    assert (
        client.post(f"/cards/{learner.id}/reissue", data={"csrf_token": csrf_token()}).status_code
        == 302
    )
    new_page = client.get(f"/cards/{learner.id}").get_data(as_text=True)
    new_payload = decode_qr(qr_images(new_page)[0])
    assert new_payload != old_payload
    assert scan_once(client, csrf_token, first.id, old_payload)["reason"] == "unknown_card"
    assert scan_once(client, csrf_token, first.id, new_payload)["status"] == "recorded"
    with app.app_context():
        card = card_of(learner.id)
        assert card.issue_count == 2 and card.number == tokens.card_number(card.token)
    assert scan_once(client, csrf_token, second.id, old_payload)["status"] == "invalid"


def _town_of(app, school):
    from types import SimpleNamespace

    from lms.accounts.models import Town

    with app.app_context():
        town = db.session.get(Town, school.town_id)
        return SimpleNamespace(id=town.id, code=town.code)


def test_learners_cannot_reissue_cards(app, client, csrf_token, login_as, make_user):
    learner, other = make_user(), make_user()
    login_as(learner)
    assert (
        client.post(f"/cards/{other.id}/reissue", data={"csrf_token": csrf_token()}).status_code
        == 403
    )
    assert client.get(f"/cards/{other.id}").status_code == 403
    assert client.post(f"/cards/{other.id}", data={"csrf_token": csrf_token()}).status_code == 403


def test_staff_print_cards_only_for_their_schools_towns(
    app, client, csrf_token, login_as, make_user, make_town, make_school
):
    home, away = make_town(), make_town()
    staff = make_user("staff", town=home)
    make_school(staff, town=home)
    neighbour = make_user(town=home, display_name="本街道学员")
    stranger = make_user(town=away, display_name="外街道学员")
    login_as(staff)
    sheet = client.get("/cards/sheet").get_data(as_text=True)
    assert "本街道学员" in sheet and "外街道学员" not in sheet
    assert client.get(f"/cards/{neighbour.id}").status_code == 200
    assert client.get(f"/cards/{stranger.id}").status_code == 404
    reissue = client.post(f"/cards/{stranger.id}/reissue", data={"csrf_token": csrf_token()})
    assert reissue.status_code == 404


def test_a_class_sheet_searches_numbers_only_of_learners_in_the_staff_s_towns(
    app, client, login_as, make_user, make_town, make_school, make_class_session
):
    """A learner of another 镇街 on the class's roster is found by name, never by any
    part of their mobile number (the staff may not see it)."""
    from tests.factories import sign_up

    home, away = make_town(), make_town()
    staff = make_user("staff", town=home)
    class_session = make_class_session(make_school(staff, town=home))
    visitor = make_user(town=away, display_name="乙镇学员", phone="13955501234")
    neighbour = make_user(town=home, display_name="本街道学员", phone="13955509876")
    sign_up(app, class_session, visitor, neighbour)
    login_as(staff)
    sheet = f"/cards/sheet?session={class_session.id}&q="
    assert "乙镇学员" in client.get(sheet + "乙镇").get_data(as_text=True)
    for digits in ("13955501234", "1395550"):
        found = client.get(sheet + digits).get_data(as_text=True)
        assert "乙镇学员" not in found
    assert "本街道学员" in client.get(sheet + "13955509876").get_data(as_text=True)


def test_the_a4_sheet_holds_ten_cards_a_page_and_prints(
    app, client, login_as, make_user, make_town
):
    from tests.factories import bulk_learners

    town = make_town()
    bulk_learners(app, 12, town.id)
    with app.app_context():
        assert db.session.query(User).count() == 12
    login_as(make_user("admin"))
    first = client.get("/cards/sheet").get_data(as_text=True)
    second = client.get("/cards/sheet?page=2").get_data(as_text=True)
    assert len(qr_images(first)) == 10 and len(qr_images(second)) == 2
    assert decode_qr(qr_images(second)[0]).startswith("KQCARD:1:")
    css = client.get("/static/css/site.css").get_data(as_text=True)
    assert "@page { size: A4" in css and ".learning-card" in css
