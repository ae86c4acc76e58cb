from datetime import timedelta
from types import SimpleNamespace

import pytest

from lms.accounts.models import User
from lms.attendance import services
from lms.attendance.models import ClassSession, CommunitySchool
from lms.extensions import db
from lms.timeutil import utcnow


@pytest.fixture
def make_school(app, make_town):
    """A community school with ``staff`` (plain records from make_user) as its staff."""
    counter = iter(range(1, 1000))

    def make(*staff, town=None, name=None):
        town = town or make_town()
        with app.app_context():
            school = services.save_school(
                None,
                services.SchoolSettings(
                    name=name or f"测试社区学校{next(counter)}",
                    town_id=town.id,
                    address="测试路1号",
                    staff_usernames=tuple(member.username for member in staff),
                ),
                actor=None,
            )
            db.session.commit()
            return SimpleNamespace(id=school.id, town_id=school.town_id)

    return make


@pytest.fixture
def make_class_session(app):
    """A class session starting ``starts_in`` from now (negative: it has begun)."""

    def make(
        school,
        *,
        starts_in=timedelta(minutes=10),
        starts_at=None,
        hours=2.0,
        capacity=30,
        signup_required=True,
        takes_checkout=False,
        late_after_minutes=10,
        checkin_opens_minutes=30,
        title="书法入门",
    ):
        starts_at = starts_at or (utcnow() + starts_in).replace(microsecond=0)
        with app.app_context():
            class_session = services.save_session(
                db.session.get(CommunitySchool, school.id),
                None,
                services.SessionSettings(
                    title=title,
                    starts_at=starts_at,
                    ends_at=starts_at + timedelta(hours=hours),
                    room="201",
                    capacity=capacity,
                    signup_required=signup_required,
                    late_after_minutes=late_after_minutes,
                    checkin_opens_minutes=checkin_opens_minutes,
                    takes_checkout=takes_checkout,
                ),
                actor=SimpleNamespace(id=None),
            )
            db.session.commit()
            return SimpleNamespace(
                id=class_session.id,
                school_id=school.id,
                starts_at=class_session.starts_at,
                ends_at=class_session.ends_at,
            )

    return make


def sign_up(app, class_session, *learners):
    """Sign learners up as if an hour before the start (sign-up closes at the start)."""
    with app.app_context():
        row = db.session.get(ClassSession, class_session.id)
        for learner in learners:
            services.sign_up(
                row, db.session.get(User, learner.id), now=row.starts_at - timedelta(hours=1)
            )
        db.session.commit()


def card_payload_of(app, learner) -> str:
    from lms.attendance.cards import get_or_issue_card
    from lms.attendance.tokens import card_payload

    with app.app_context():
        card = get_or_issue_card(db.session.get(User, learner.id))
        db.session.commit()
        return card_payload(card.token)


@pytest.fixture
def recorded_signals(app):
    """Every attendance signal sent during the test, as (name, kwargs)."""
    from lms.attendance.signals import attendance_corrected, attendance_recorded

    sent = []

    def on_recorded(sender=None, **kwargs):
        sent.append(("recorded", kwargs))

    def on_corrected(sender=None, **kwargs):
        sent.append(("corrected", kwargs))

    attendance_recorded.connect(on_recorded)
    attendance_corrected.connect(on_corrected)
    yield sent
    attendance_recorded.disconnect(on_recorded)
    attendance_corrected.disconnect(on_corrected)


def decode_qr(data_uri: str) -> str:
    """The text of the QR code in a PNG data URI, read with zxing-cpp."""
    import base64
    import io

    import zxingcpp
    from PIL import Image

    header, _, encoded = data_uri.partition(",")
    assert header == "data:image/png;base64"
    image = Image.open(io.BytesIO(base64.b64decode(encoded)))
    results = zxingcpp.read_barcodes(image)
    assert len(results) == 1
    return results[0].text


def log_in_form(client, csrf_token, user, next_url=None):
    """Log in through the real form (not the session shortcut)."""
    path = "/login" + (f"?next={next_url}" if next_url else "")
    return client.post(
        path,
        data={"username": user.username, "password": user.password, "csrf_token": csrf_token()},
    )


def bulk_learners(app, count: int, town_id: int) -> list[SimpleNamespace]:
    """Many learners with cards, fast (one cheap password hash shared by all)."""
    import uuid

    from sqlalchemy import insert
    from werkzeug.security import generate_password_hash

    from lms.accounts.models import UserRole
    from lms.attendance.models import LearningCard
    from lms.attendance.tokens import card_number, card_payload, new_card_token

    prefix = uuid.uuid4().hex[:8]
    password_hash = generate_password_hash("unused-password", method="pbkdf2:sha256:1")
    with app.app_context():
        ids = db.session.scalars(
            insert(User).returning(User.id, sort_by_parameter_order=True),
            [
                {
                    "username": f"b{prefix}{number}",
                    "display_name": f"批量学员{number}",
                    "password_hash": password_hash,
                    "session_token": uuid.uuid4().hex,
                    "town_id": town_id,
                    "created_at": utcnow(),
                    "privacy_version": app.config["PRIVACY_NOTICE_VERSION"],
                    "privacy_accepted_at": utcnow(),
                }
                for number in range(count)
            ],
        ).all()
        db.session.execute(
            insert(UserRole), [{"user_id": user_id, "role": "learner"} for user_id in ids]
        )
        card_tokens = [new_card_token() for _ in ids]
        db.session.execute(
            insert(LearningCard),
            [
                {
                    "learner_id": user_id,
                    "number": card_number(user_id),
                    "token": token,
                    "issued_at": utcnow(),
                    "issue_count": 1,
                }
                for user_id, token in zip(ids, card_tokens, strict=True)
            ],
        )
        db.session.commit()
        return [
            SimpleNamespace(id=user_id, payload=card_payload(token))
            for user_id, token in zip(ids, card_tokens, strict=True)
        ]
