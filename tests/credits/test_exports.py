"""The learning record exported: XLSX and the PDF transcript; only one's own."""

import io
import subprocess
from datetime import UTC, datetime

import pytest
from openpyxl import load_workbook

from lms.credits.ledger import Posting, post
from lms.extensions import db

LAST_YEAR = datetime(2024, 6, 1, 4, 0, tzinfo=UTC)
THIS_YEAR = datetime(2025, 3, 2, 4, 0, tzinfo=UTC)


def make_record(app, learner_id):
    """A lesson, an attended class reversed, a recognition and an adjustment over two years."""
    with app.app_context():
        post(Posting(learner_id, "lesson", "101", 1.5, 1.5, 1), now=LAST_YEAR)
        post(Posting(learner_id, "attendance", "7", 2.0, 2.0, 1), now=THIS_YEAR)
        post(
            Posting(
                learner_id,
                "attendance",
                "7",
                -2.0,
                -2.0,
                1,
                is_reversal=True,
                reason="attendance corrected",
            ),
            now=THIS_YEAR,
        )
        post(Posting(learner_id, "recognition", "55", 3.0, 3.0, None), now=THIS_YEAR)
        post(
            Posting(learner_id, "adjustment", "adj1", 0.0, 0.5, None, reason="=1+1"), now=THIS_YEAR
        )
        db.session.commit()


@pytest.fixture
def learner(app, make_user):
    learner = make_user(display_name="王小明")
    make_record(app, learner.id)
    return learner


def sheet_rows(data: bytes) -> list[tuple]:
    sheet = load_workbook(io.BytesIO(data)).active
    return [row for row in sheet.iter_rows(values_only=True)]


def pdf_text(data: bytes, tmp_path) -> str:
    path = tmp_path / "transcript.pdf"
    path.write_bytes(data)
    return subprocess.run(
        ["pdftotext", "-layout", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_the_xlsx_lists_every_entry_with_reversals_negative_and_totals(client, login_as, learner):
    login_as(learner)
    response = client.get(f"/record/{learner.id}/record.xlsx")
    assert response.status_code == 200
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert "attachment" in response.headers["Content-Disposition"]
    rows = sheet_rows(response.data)
    assert rows[0][1] == "王小明"
    entries = [row for row in rows if isinstance(row[0], int)]
    assert [row[0] for row in entries] == [1, 2, 3, 4, 5]  # sequence numbers, in order
    assert [row[4] for row in entries] == [1.5, 2.0, -2.0, 3.0, 0.0]  # hours
    assert [row[5] for row in entries] == [1.5, 2.0, -2.0, 3.0, 0.5]  # credits
    assert entries[0][1].date().isoformat() == "2024-06-01"
    assert (entries[0][6], entries[3][6]) == (1, None)  # rule versions
    assert entries[2][7] == "attendance corrected"
    assert entries[4][7] == "'=1+1"  # shown as text, never run as a formula
    totals = [row[4] for row in rows[-4:]]
    assert totals == [1.5, 0.0, 3.0, 5.0]  # online, offline, recognised, credits


def test_the_xlsx_can_hold_one_year(client, login_as, learner):
    login_as(learner)
    rows = sheet_rows(client.get(f"/record/{learner.id}/record.xlsx?year=2025").data)
    entries = [row for row in rows if isinstance(row[0], int)]
    assert [row[0] for row in entries] == [2, 3, 4, 5]
    assert rows[-1][4] == 3.5


def test_the_transcript_pdf_shows_the_name_the_entries_and_the_totals(
    client, login_as, learner, tmp_path
):
    login_as(learner)
    response = client.get(f"/record/{learner.id}/transcript.pdf")
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    text = pdf_text(response.data, tmp_path)
    assert "王小明" in text
    assert "-2.00" in text  # the reversal, as a negative line
    assert "2024-06-01" in text and "2025-03-02" in text
    for total in ("1.50", "3.00", "5.00"):
        assert total in text
    fonts = subprocess.run(
        ["pdffonts", str(tmp_path / "transcript.pdf")],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    assert "CJK" in fonts


def test_a_long_transcript_runs_over_pages(app, client, login_as, make_user, tmp_path):
    learner = make_user(display_name="李四")
    with app.app_context():
        for number in range(120):
            post(Posting(learner.id, "adjustment", f"a{number}", 0.5, 0.5, None, reason="x"))
        db.session.commit()
    login_as(learner)
    response = client.get(f"/record/{learner.id}/transcript.pdf")
    path = tmp_path / "long.pdf"
    path.write_bytes(response.data)
    info = subprocess.run(["pdfinfo", str(path)], check=True, capture_output=True, text=True)
    pages = int(
        next(line for line in info.stdout.splitlines() if line.startswith("Pages:")).split()[1]
    )
    assert pages >= 2
    assert "60.00" in pdf_text(response.data, tmp_path)


@pytest.mark.parametrize(
    "path", ["record.xlsx", "transcript.pdf", "credential.json", "record.xlsx?year=2025"]
)
def test_a_learner_cannot_fetch_another_learners_record(client, login_as, make_user, learner, path):
    other = make_user()
    login_as(other)
    assert client.get(f"/record/{learner.id}/{path}").status_code == 404
    assert client.get(f"/record/{other.id}/{path}").status_code == 200


def test_the_admin_too_gets_only_their_own_record(client, login_as, make_user, learner):
    login_as(make_user("admin"))
    assert client.get(f"/record/{learner.id}/transcript.pdf").status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(client, learner):
    for path in ("record.xlsx", "transcript.pdf", "credential.json"):
        assert client.get(f"/record/{learner.id}/{path}").status_code == 302
