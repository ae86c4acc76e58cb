"""PIPL: consent per notice version, a copy of one's data, erasure on request."""

import io
import json
import zipfile

from sqlalchemy import inspect, select, text

from lms.accounts.models import User
from lms.courses.models import Course
from lms.credits.ledger import Posting, post, verify_chain
from lms.credits.models import Certificate
from lms.credits.queries import record_totals
from lms.credits.services import issue_certificate
from lms.extensions import db
from tests.factories import enrol


def test_a_new_notice_version_asks_again_at_next_login(
    app, client, csrf_token, login_as, make_user
):
    user = make_user()
    login_as(user)
    assert client.get("/").status_code == 200
    app.config["PRIVACY_NOTICE_VERSION"] = "2027-01"
    response = client.get("/courses/")
    assert response.status_code == 302 and "/privacy/consent" in response.headers["Location"]
    api = client.get("/api/v1/lessons/1/progress")
    assert api.status_code == 403 and api.json["error"] == "consent_required"
    token = csrf_token(path="/privacy/consent")
    client.post("/privacy/consent?next=/courses/", data={"csrf_token": token})
    assert client.get("/courses/").status_code == 200
    with app.app_context():
        assert db.session.get(User, user.id).privacy_version == "2027-01"


def test_my_data_zip_holds_my_records_and_nobody_elses(
    app, client, login_as, make_user, make_course
):
    me, other = make_user(display_name="王小明"), make_user(display_name="李四")
    course = make_course(title="我的课程")
    enrol(app, course, me)
    with app.app_context():
        post(Posting(me.id, "adjustment", "a1", 1.0, 1.0, None, reason="mine"))
        post(Posting(other.id, "adjustment", "b1", 9.0, 9.0, None, reason="not mine"))
        db.session.commit()
    login_as(me)
    response = client.get("/account/my-data")
    assert response.mimetype == "application/zip"
    archive = zipfile.ZipFile(io.BytesIO(response.data))
    names = set(archive.namelist())
    assert {
        "profile.json",
        "profile.csv",
        "courses-enrolments.json",
        "credits-ledger.json",
        "study-daily_study.json",
    } <= names
    everything = " ".join(archive.read(name).decode("utf-8") for name in names)
    assert "王小明" in everything and "我的课程" in everything and "mine" in everything
    assert "李四" not in everything and "not mine" not in everything
    assert json.loads(archive.read("credits-ledger.json"))[0]["hours"] == 1.0


def test_erasure_leaves_no_personal_field_and_keeps_the_ledger_and_totals(
    app, client, csrf_token, login_as, make_user, make_course
):
    learner = make_user(display_name="赵六六", phone="13912345678")
    admin = make_user("admin")
    course = make_course(lessons=1)
    with app.app_context():
        post(Posting(learner.id, "adjustment", "x", 2.0, 3.0, None, reason="demo"))
        issue_certificate(learner.id, db.session.get(Course, course.id))
        db.session.commit()
        totals_before = record_totals(learner.id)
    login_as(learner)
    client.post("/account/delete", data={"csrf_token": csrf_token()})
    login_as(admin)
    client.post(f"/people/{learner.id}/erase", data={"csrf_token": csrf_token()})
    with app.app_context():
        user = db.session.get(User, learner.id)
        assert user.pseudonymised_at is not None and user.disabled
        assert verify_chain(learner.id) is None
        assert record_totals(learner.id) == totals_before
        certificate = db.session.scalars(select(Certificate)).one()
        assert "holder" in certificate.revoke_reason and certificate.revoked_at
        # Search every text column of every table for the old name and phone.
        found = []
        engine_inspector = inspect(db.engine)
        for table in engine_inspector.get_table_names():
            for column in engine_inspector.get_columns(table):
                if "CHAR" in str(column["type"]).upper() or "TEXT" in str(column["type"]).upper():
                    for needle in ("赵六六", "13912345678", learner.username):
                        hit = db.session.execute(
                            text(f'SELECT 1 FROM "{table}" WHERE "{column["name"]}" LIKE :n'),
                            {"n": f"%{needle}%"},
                        ).first()
                        if hit:
                            found.append((table, column["name"], needle))
        assert found == []
    assert app.test_cli_runner().invoke(args=["lms", "verify-ledger"]).exit_code == 0


def test_erasure_needs_a_request_and_the_admin(app, client, csrf_token, login_as, make_user):
    learner, staff = make_user(), make_user("staff")
    login_as(staff)
    assert (
        client.post(f"/people/{learner.id}/erase", data={"csrf_token": csrf_token()}).status_code
        == 403
    )
    login_as(make_user("admin"))
    client.post(f"/people/{learner.id}/erase", data={"csrf_token": csrf_token()})
    with app.app_context():
        assert db.session.get(User, learner.id).pseudonymised_at is None
