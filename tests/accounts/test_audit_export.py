import io
import json
import zipfile

from openpyxl import load_workbook

from lms.accounts.audit import AuditEvent, record_event
from lms.accounts.models import User
from lms.extensions import db


def test_a_typed_value_that_looks_like_a_formula_is_exported_as_text(
    app, client, login_as, make_user
):
    admin, clerk = make_user("admin"), make_user("staff")
    with app.app_context():
        person = db.session.get(User, clerk.id)
        person.username = '=HYPERLINK("http://x")'
        record_event("account.disabled", actor=person, target_type="-1+1", reason="=1+1")
        db.session.commit()
    login_as(admin)
    response = client.get("/audit/export.xlsx?action=account.disabled")
    assert response.headers["Content-Disposition"] == 'attachment; filename="audit-log.xlsx"'
    rows = list(load_workbook(io.BytesIO(response.data)).active.values)
    assert rows[1][2] == '\'=HYPERLINK("http://x")'
    assert rows[1][5] == "'-1+1"
    with app.app_context():
        exported = db.session.query(AuditEvent).order_by(AuditEvent.id.desc()).first()
        assert exported.action == "personal_data.exported"
        assert exported.actor_id == admin.id and exported.target_type == "audit_log"
        assert exported.details == {"rows": 1, "filename": "audit-log.xlsx"}


def test_the_my_data_copy_is_audited_with_its_file_name(app, client, login_as, make_user):
    me = make_user()
    login_as(me)
    response = client.get("/account/my-data")
    assert response.headers["Content-Disposition"] == 'attachment; filename="my-data.zip"'
    with app.app_context():
        event = db.session.query(AuditEvent).one()
        assert (event.action, event.actor_id, event.target_id) == (
            "personal_data.exported",
            me.id,
            str(me.id),
        )
        assert event.details == {"what": "my-data zip", "filename": "my-data.zip"}


def test_the_my_data_csv_quotes_a_name_that_looks_like_a_formula(client, login_as, make_user):
    login_as(make_user(display_name="=1+2"))
    archive = zipfile.ZipFile(io.BytesIO(client.get("/account/my-data").data))
    assert "'=1+2" in archive.read("profile.csv").decode("utf-8-sig")
    assert json.loads(archive.read("profile.json"))[0]["display_name"] == "=1+2"
