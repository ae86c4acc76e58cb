"""Each audited action leaves exactly one audit row."""

import io
from datetime import date

from openpyxl import Workbook, load_workbook

from lms.accounts.audit import AuditEvent
from lms.accounts.models import User
from lms.credits import recognition as recognitions
from lms.credits.ledger import Posting, post
from lms.credits.models import LedgerEntry
from lms.extensions import db


def actions(app):
    with app.app_context():
        return [event.action for event in db.session.query(AuditEvent).order_by(AuditEvent.id)]


def test_account_actions_are_audited_once(app, client, csrf_token, login_as, make_user):
    admin, learner = make_user("admin"), make_user()
    login_as(admin)
    client.post(f"/people/{learner.id}/password", data={"csrf_token": csrf_token()})
    client.post(f"/people/{learner.id}/disable", data={"csrf_token": csrf_token(), "disabled": "1"})
    client.post(
        f"/people/{learner.id}/disable", data={"csrf_token": csrf_token(), "disabled": "1"}
    )  # no change
    client.post(
        f"/people/{learner.id}/roles",
        data={"csrf_token": csrf_token(), "roles": ["learner", "teacher"]},
    )
    client.post(
        f"/people/{learner.id}/roles", data={"csrf_token": csrf_token(), "roles": ["teacher"]}
    )
    assert actions(app) == [
        "password.reset_by_other",
        "account.disabled",
        "role.granted",
        "role.revoked",
    ]
    with app.app_context():
        event = db.session.query(AuditEvent).first()
        assert event.actor_id == admin.id and event.target_id == str(learner.id)
        assert event.ip == "127.0.0.1"


def test_an_import_and_a_data_export_are_audited(
    app, client, csrf_token, login_as, make_user, make_town
):
    town = make_town()
    login_as(make_user("admin"))
    workbook = Workbook()
    workbook.active.append(["用户名", "姓名", "镇街代码"])
    workbook.active.append(["auditme", "审计", town.code])
    buffer = io.BytesIO()
    workbook.save(buffer)
    buffer.seek(0)
    client.post(
        "/people/import",
        data={"csrf_token": csrf_token(), "sheet": (buffer, "a.xlsx")},
        content_type="multipart/form-data",
    )
    client.get("/account/my-data")
    assert actions(app) == ["users.imported", "personal_data.exported"]


def test_credit_actions_are_audited_once(app, client, csrf_token, login_as, make_user):
    admin, learner = make_user("admin"), make_user()
    with app.app_context():
        entry = post(Posting(learner.id, "adjustment", "x", 1.0, 1.0, None, reason="seed"))
        db.session.commit()
        entry_id = entry.id
        item = recognitions.submit(
            recognitions.RecognitionRequest(
                "培训", "单位", date(2026, 1, 1), 2, b"%PDF-1.4\n%%EOF\n", "a.pdf"
            ),
            learner=db.session.get(User, learner.id),
        )
        db.session.commit()
        item_id = item.id
    login_as(admin)
    client.post(
        "/credit-rules/",
        data={
            "csrf_token": csrf_token(),
            "credits_per_online_hour": "2",
            "credits_per_offline_hour": "1",
            "daily_cap": "10",
            "yearly_cap": "100",
        },
    )
    client.post(
        f"/ledger/{learner.id}",
        data={"csrf_token": csrf_token(), "hours": "0", "credits": "1", "reason": "补录"},
    )
    for _ in range(2):
        client.post(
            f"/ledger/{learner.id}/entries/{entry_id}/reverse",
            data={"csrf_token": csrf_token(), "reason": "录错"},
        )
        client.post(
            f"/recognitions/{item_id}/approve", data={"csrf_token": csrf_token(), "credits": "2"}
        )
    assert actions(app) == [
        "credit_rules.changed",
        "ledger.adjusted",
        "ledger.reversed",
        "recognition.approved",
    ]
    with app.app_context():
        assert db.session.query(LedgerEntry).count() == 4


def test_the_audit_page_filters_and_exports(app, client, csrf_token, login_as, make_user):
    admin, learner = make_user("admin"), make_user()
    login_as(admin)
    client.post(f"/people/{learner.id}/password", data={"csrf_token": csrf_token()})
    client.post(f"/people/{learner.id}/disable", data={"csrf_token": csrf_token(), "disabled": "1"})
    page = client.get("/audit/?action=account.disabled").get_data(as_text=True)
    assert "<td>account.disabled</td>" in page
    assert "<td>password.reset_by_other</td>" not in page
    export = client.get("/audit/export.xlsx?action=account.disabled")
    rows = list(load_workbook(io.BytesIO(export.data)).active.values)
    assert len(rows) == 2 and rows[1][4] == "account.disabled"
    assert actions(app)[-1] == "personal_data.exported"
    login_as(learner)
    assert client.get("/audit/").status_code in (302, 403)
