"""Results: a learner's attempts, an exam's results per learner and its score
distribution, and the item analysis (facility, discrimination, option counts, flags).

Item analysis (pure ``analyse``): facility = full-mark answers / answers of the question;
discrimination = facility among the top 27% of attempts by total score − facility among
the bottom 27%; flags at facility > 0.9 (too easy), < 0.2 (too hard) and discrimination
< 0 (negative). Answers a teacher has not graded yet are left out.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, field

from sqlalchemy import select

from lms.accounts.models import User
from lms.assessment.models import Attempt, AttemptQuestion, Exam
from lms.extensions import db

LETTERS = "ABCDEF"
EASY_ABOVE = 0.9
HARD_BELOW = 0.2
GROUP_SHARE = 0.27


def learner_attempts(learner_id: int, exam_id: int) -> list[Attempt]:
    query = select(Attempt).where(Attempt.learner_id == learner_id, Attempt.exam_id == exam_id)
    return list(db.session.scalars(query.order_by(Attempt.number)))


def counted(exam: Exam, attempts: list[Attempt]) -> Attempt | None:
    """The attempt that counts by the exam's grading method (graded ones only)."""
    graded = [a for a in attempts if a.state == "graded" and a.percent is not None]
    if not graded:
        return None
    if exam.grading_method == "latest":
        return max(graded, key=lambda a: a.number)
    return max(graded, key=lambda a: (a.percent, -a.number))


def best_attempts_of(learner_id: int, exam_ids: list[int]) -> dict[int, Attempt]:
    if not exam_ids:
        return {}
    query = select(Attempt).where(Attempt.learner_id == learner_id, Attempt.exam_id.in_(exam_ids))
    by_exam = defaultdict(list)
    for attempt in db.session.scalars(query):
        by_exam[attempt.exam_id].append(attempt)
    found = {}
    for exam_id, attempts in by_exam.items():
        best = counted(attempts[0].exam, attempts)
        if best is not None:
            found[exam_id] = best
    return found


@dataclass
class LearnerResult:
    learner: User
    attempts: int
    counted: Attempt | None
    pending: bool


def exam_results(exam: Exam) -> list[LearnerResult]:
    query = (
        select(Attempt)
        .where(Attempt.exam_id == exam.id, Attempt.state != "open")
        .order_by(Attempt.learner_id, Attempt.number)
    )
    by_learner = defaultdict(list)
    for attempt in db.session.scalars(query):
        by_learner[attempt.learner_id].append(attempt)
    learners = {u.id: u for u in db.session.scalars(select(User).where(User.id.in_(by_learner)))}
    rows = [
        LearnerResult(
            learner=learners[learner_id],
            attempts=len(attempts),
            counted=counted(exam, attempts),
            pending=any(a.state == "submitted" for a in attempts),
        )
        for learner_id, attempts in by_learner.items()
    ]
    return sorted(rows, key=lambda row: row.learner.display_name)


def distribution(percents: list[float]) -> list[dict]:
    """Learners per 10-point band of percent (90–100 includes 100)."""
    bands = Counter(min(int(p // 10), 9) for p in percents)
    total = len(percents) or 1
    return [
        {
            "from": band * 10,
            "to": band * 10 + 10,
            "learners": bands.get(band, 0),
            "share": bands.get(band, 0) / total,
        }
        for band in range(10)
    ]


@dataclass
class ItemRow:
    """One answer of one question in one attempt, for the item analysis."""

    attempt_id: int
    total: float
    question_id: int
    correct: bool | None
    chosen: tuple[int, ...] = ()  # option positions chosen (0 = A)


@dataclass
class ItemStats:
    question_id: int
    answers: int
    facility: float | None
    discrimination: float | None
    option_counts: dict[str, int] = field(default_factory=dict)
    flags: list[str] = field(default_factory=list)
    stem: str = ""


def _facility(rows: list[ItemRow]) -> float | None:
    graded = [row for row in rows if row.correct is not None]
    return sum(1 for row in graded if row.correct) / len(graded) if graded else None


def analyse(rows: list[ItemRow]) -> list[ItemStats]:
    """Facility, discrimination (upper/lower 27% by total), option counts and flags."""
    totals = {row.attempt_id: row.total for row in rows}
    ranked = sorted(totals, key=lambda attempt_id: totals[attempt_id])
    size = max(1, round(GROUP_SHARE * len(ranked))) if ranked else 0
    lower, upper = set(ranked[:size]), set(ranked[-size:]) if size else set()
    by_question = defaultdict(list)
    for row in rows:
        by_question[row.question_id].append(row)
    stats = []
    for question_id, answers in by_question.items():
        facility = _facility(answers)
        high = _facility([row for row in answers if row.attempt_id in upper])
        low = _facility([row for row in answers if row.attempt_id in lower])
        discrimination = None if high is None or low is None or len(ranked) < 2 else high - low
        counts = Counter(LETTERS[i] for row in answers for i in row.chosen if i < len(LETTERS))
        flags = []
        if facility is not None and facility > EASY_ABOVE:
            flags.append("too_easy")
        if facility is not None and facility < HARD_BELOW:
            flags.append("too_hard")
        if discrimination is not None and discrimination < 0:
            flags.append("negative_discrimination")
        stats.append(
            ItemStats(
                question_id=question_id,
                answers=len(answers),
                facility=facility,
                discrimination=discrimination,
                option_counts=dict(sorted(counts.items())),
                flags=flags,
            )
        )
    return sorted(stats, key=lambda item: item.question_id)


def item_rows(exam: Exam) -> tuple[list[ItemRow], dict[int, str]]:
    """The exam's submitted answers as ItemRows, and each question's latest stem."""
    query = (
        select(AttemptQuestion, Attempt.score)
        .join(Attempt, Attempt.id == AttemptQuestion.attempt_id)
        .where(Attempt.exam_id == exam.id, Attempt.state != "open")
    )
    rows, stems = [], {}
    for shown, total in db.session.execute(query):
        version = shown.version
        positions = {option.id: option.position for option in version.options}
        chosen = ()
        if version.type in ("single", "multiple") and isinstance(shown.answer, list):
            chosen = tuple(sorted(positions[i] for i in shown.answer if i in positions))
        correct = None if shown.score is None else shown.score >= shown.points
        rows.append(ItemRow(shown.attempt_id, total or 0.0, shown.question_id, correct, chosen))
        stems[shown.question_id] = version.stem
    return rows, stems


def item_analysis(exam: Exam) -> list[ItemStats]:
    rows, stems = item_rows(exam)
    stats = analyse(rows)
    for item in stats:
        item.stem = stems.get(item.question_id, "")
    return stats
