"""Exported tables: typed names that look like formulas stay text; aggregates are not
personal data, so no audit record."""

import csv
import io

from openpyxl import load_workbook

from lms.accounts.audit import AuditEvent
from lms.accounts.models import Town
from lms.courses.models import Course
from lms.extensions import db

Q2 = "period=2025-Q2"


def test_typed_names_that_look_like_formulas_are_exported_as_text(app, client, login_as, district):
    with app.app_context():
        db.session.get(Course, district.k2).title = '=HYPERLINK("http://x")'
        db.session.get(Town, district.town_b).name = "+乙镇"
        db.session.commit()
    login_as(district.admin)
    sheet = load_workbook(io.BytesIO(client.get(f"/reports/courses.xlsx?{Q2}").data)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == [
        '\'=HYPERLINK("http://x")',
        "太极拳入门",
    ]
    body = client.get(f"/reports/towns.csv?{Q2}").data.decode("utf-8-sig")
    assert "'+乙镇" in [row[0] for row in csv.reader(io.StringIO(body))]
    with app.app_context():
        assert db.session.query(AuditEvent).count() == 0


def test_a_download_is_private_and_keeps_its_file_name(client, login_as, district):
    response = login_as(district.staff_a).get(f"/reports/towns.csv?{Q2}&town={district.town_a}")
    assert response.status_code == 200
    assert response.mimetype == "text/csv"
    assert response.headers["Content-Disposition"] == (
        'attachment; filename="report-towns-2025-Q2-town-T01.csv"'
    )
    assert response.headers["Cache-Control"] == "private, no-store"
