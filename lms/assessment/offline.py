"""Offline exams: school staff import the scores of an exam held at a community school.

The sheet has a column for the learner (学习卡号 / card number, or 用户名 / user name —
either in one column 卡号或用户名) and one for the score (成绩 / 分数), out of the exam's
full marks. Each learner gets one graded attempt (a new import replaces the score); a
passing score sends ``exam_passed`` once, like an online exam. The report says per row
what was recorded or refused and why; good rows are recorded even when others are bad.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from sqlalchemy import select

from lms.accounts.lookups import find_learner
from lms.assessment import grading
from lms.assessment.attempts import record_pass
from lms.assessment.importing import read_limited
from lms.assessment.models import Attempt, Exam
from lms.assessment.questions import AssessmentError
from lms.courses.services import is_enrolled
from lms.extensions import db
from lms.web.exports import read_workbook

LEARNER_COLUMNS = ("卡号或用户名", "学习卡号", "卡号", "用户名", "card number", "username")
SCORE_COLUMNS = ("成绩", "分数", "得分", "score")
MAX_ROWS = 5000


@dataclass
class ScoreRow:
    row_number: int
    identifier: str
    recorded: bool
    reason: str = ""
    passed: bool | None = None


def _text(value) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _columns(header: list[str]) -> tuple[int, int]:
    lowered = [cell.lower() for cell in header]
    learner = next((i for i, cell in enumerate(lowered) if cell in LEARNER_COLUMNS), None)
    score = next((i for i, cell in enumerate(lowered) if cell in SCORE_COLUMNS), None)
    if learner is None or score is None:
        raise AssessmentError(_("The sheet needs a column 卡号或用户名 and a column 成绩."))
    return learner, score


def import_scores(exam: Exam, stream, *, actor, now) -> list[ScoreRow]:
    if not exam.is_offline:
        raise AssessmentError(_("Scores are imported into offline exams only."))
    stream = read_limited(stream)
    try:
        workbook = read_workbook(stream)
        rows = workbook.worksheets[0].iter_rows(values_only=True)
        header = [_text(cell) for cell in next(rows, ())]
    except Exception as error:
        raise AssessmentError(_("This is not a readable XLSX file.")) from error
    learner_column, score_column = _columns(header)
    report = []
    for row_number, row in enumerate(rows, start=2):
        cells = [_text(cell) for cell in row]
        if not any(cells):
            continue
        if len(report) >= MAX_ROWS:
            raise AssessmentError(_("At most %(n)d rows per import.", n=MAX_ROWS))
        identifier = cells[learner_column] if learner_column < len(cells) else ""
        score_text = cells[score_column] if score_column < len(cells) else ""
        report.append(_record_row(exam, row_number, identifier, score_text, actor, now))
    db.session.flush()
    return report


def _record_row(exam: Exam, row_number: int, identifier: str, score_text: str, actor, now):
    def refused(reason: str) -> ScoreRow:
        return ScoreRow(row_number, identifier, False, reason)

    learner = find_learner(identifier)
    if learner is None:
        return refused(_("No learner has this card number or user name."))
    if not is_enrolled(exam.course, learner):
        return refused(_("This learner is not enrolled in the course."))
    try:
        score = float(score_text)
    except ValueError:
        return refused(_("The score is not a number."))
    if not 0 <= score <= exam.offline_max_score:
        return refused(_("The score is outside 0 to the full marks."))
    attempt = db.session.scalars(
        select(Attempt).where(Attempt.exam_id == exam.id, Attempt.learner_id == learner.id)
    ).first()
    if attempt is None:
        attempt = Attempt(exam_id=exam.id, learner_id=learner.id, number=1, started_at=now)
        db.session.add(attempt)
    attempt.state = "graded"
    attempt.submitted_at = attempt.graded_at = now
    attempt.submitted_by = "import"
    attempt.recorded_by_id = actor.id
    attempt.max_score = exam.offline_max_score
    attempt.score = round(score, 2)
    attempt.percent = grading.percent_of(attempt.score, attempt.max_score)
    attempt.passed = attempt.percent >= exam.pass_percent
    db.session.flush()
    if attempt.passed:
        record_pass(exam, learner.id, attempt, now)
    return ScoreRow(row_number, identifier, True, passed=attempt.passed)
