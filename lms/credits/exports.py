"""The learning record (学习档案) exported: XLSX and a PDF transcript (成绩单).

Both show every ledger entry of the learner (reversals as negative lines) with the totals
of ``queries.record_totals``: online hours are lesson entries' hours, offline hours are
attendance entries' hours, credits are all credits. PDFs are HTML templates rendered by
WeasyPrint, which embeds the OpenType/CFF Noto CJK fonts (see ``render_pdf``).
"""

from dataclasses import dataclass
from datetime import date, datetime

from flask import render_template
from flask_babel import gettext as _

from lms.accounts.models import User
from lms.credits import queries
from lms.extensions import db
from lms.timeutil import to_local, utcnow
from lms.web.exports import XlsxBook


@dataclass(frozen=True)
class RecordLine:
    seq: int
    day: date
    source_type: str
    source_id: str
    title: str
    is_reversal: bool
    hours: float
    credits: float
    rule_version: int | None
    reason: str
    entry_hash: str


@dataclass(frozen=True)
class LearningRecord:
    learner_id: int
    learner_name: str
    year: int | None
    totals: queries.RecordTotals
    lines: list[RecordLine]
    generated_at: datetime


def learning_record(learner_id: int, *, year: int | None = None) -> LearningRecord:
    """Everything the exports and the signed credential say about one learner."""
    learner = db.session.get(User, learner_id)
    entries = queries.all_entries(learner_id, year=year)
    titles = queries.source_titles(entries)
    lines = [
        RecordLine(
            seq=entry.seq,
            day=entry.local_day,
            source_type=entry.source_type,
            source_id=entry.source_id,
            title=titles.get(entry.id, ""),
            is_reversal=entry.is_reversal,
            hours=entry.hours_milli / 1000,
            credits=entry.credits_milli / 1000,
            rule_version=entry.rule_version,
            reason=entry.reason or "",
            entry_hash=entry.entry_hash,
        )
        for entry in entries
    ]
    return LearningRecord(
        learner_id=learner_id,
        learner_name=learner.display_name,
        year=year,
        totals=queries.record_totals(learner_id, year=year),
        lines=lines,
        generated_at=utcnow(),
    )


def source_label(source_type: str) -> str:
    labels = {
        "lesson": _("Online lesson"),
        "attendance": _("Offline class"),
        "recognition": _("Recognition"),
        "adjustment": _("Adjustment"),
    }
    return labels.get(source_type, source_type)


def line_source(line: RecordLine) -> str:
    text = source_label(line.source_type)
    if line.is_reversal:
        text += " · " + _("reversal")
    return text


# XLSX ------------------------------------------------------------------------------------


def record_xlsx(record: LearningRecord) -> bytes:
    book = XlsxBook()
    sheet = book.sheet(_("Learning record"), fallback="record")
    sheet.row([_("Learning record"), record.learner_name])
    sheet.row([_("Year"), record.year or _("All years")])
    sheet.row()
    sheet.header(
        [
            _("No."),
            _("Date"),
            _("Source"),
            _("What"),
            _("Hours"),
            _("Credits"),
            _("Rule version"),
            _("Reason"),
        ]
    )
    for line in record.lines:
        sheet.row(
            [
                line.seq,
                line.day,
                line_source(line),
                line.title,
                line.hours,
                line.credits,
                line.rule_version,
                line.reason,
            ],
            formats={2: "yyyy-mm-dd"},
        )
    sheet.row()
    totals = record.totals
    for label, value in (
        (_("Online hours"), totals.online_hours),
        (_("Offline hours"), totals.offline_hours),
        (_("Recognised hours"), totals.recognised_hours),
        (_("Credits"), totals.credits),
    ):
        sheet.row([None, None, None, label, value], bold=True)
    sheet.widths((6, 12, 16, 32, 8, 8, 12, 40))
    return book.to_bytes()


# PDF -------------------------------------------------------------------------------------


def render_pdf(html: str) -> bytes:
    """HTML to PDF with WeasyPrint (imported here: it takes seconds to load).

    Only ``data:`` URLs are fetched, so nothing a template shows can make the renderer
    read a local file or reach the network.
    """
    from weasyprint import HTML, URLFetcher

    fetcher = URLFetcher(allowed_protocols={"data"})
    return HTML(string=html, url_fetcher=fetcher).write_pdf()


def transcript_pdf(record: LearningRecord) -> bytes:
    html = render_template(
        "credits/transcript_pdf.html",
        record=record,
        generated_on=to_local(record.generated_at).date(),
        line_source=line_source,
    )
    return render_pdf(html)
