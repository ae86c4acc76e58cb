"""Evaluating learning organisations against the admin's checklist.

Each criterion has a maximum score; an evaluation gives every current criterion a
score (0..max) and an evidence note. The rating follows from the total's share of the
maximum: at least 90% excellent (优秀), 75% good (良好), 60% pass (合格), below that
fail (不合格). Only an excellent rating may receive the year's "learning organisation"
award; re-evaluating below excellent withdraws it.
"""

from dataclasses import dataclass

from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from sqlalchemy import func, select

from lms.community.models import (
    Evaluation,
    EvaluationCriterion,
    EvaluationScore,
    Organisation,
)
from lms.community.services import CommunityError
from lms.extensions import db
from lms.timeutil import utcnow

# (lowest share of the maximum, rating), best first; below the last: "fail".
RATING_THRESHOLDS = ((0.9, "excellent"), (0.75, "good"), (0.6, "pass"))
AWARDED_RATING = "excellent"
RATING_LABELS = {
    "excellent": _l("Excellent"),
    "good": _l("Good"),
    "pass": _l("Pass"),
    "fail": _l("Fail"),
}


def rating_for(total: int, max_total: int) -> str:
    share = total / max_total if max_total else 0.0
    for lowest, rating in RATING_THRESHOLDS:
        if share >= lowest:
            return rating
    return "fail"


# Criteria --------------------------------------------------------------------------------


def active_criteria() -> list[EvaluationCriterion]:
    return list(
        db.session.scalars(
            select(EvaluationCriterion)
            .where(EvaluationCriterion.retired_at.is_(None))
            .order_by(EvaluationCriterion.position, EvaluationCriterion.id)
        )
    )


def add_criterion(title: str, description: str, max_score: int, *, actor) -> EvaluationCriterion:
    title = (title or "").strip()
    if not title or len(title) > 200:
        raise CommunityError(_("Please give the criterion a title (up to 200 characters)."))
    if not 1 <= max_score <= 1000:
        raise CommunityError(_("The maximum score is between 1 and 1000."))
    position = db.session.scalar(select(func.coalesce(func.max(EvaluationCriterion.position), 0)))
    criterion = EvaluationCriterion(
        title=title,
        description=(description or "").strip(),
        max_score=max_score,
        position=position + 1,
    )
    db.session.add(criterion)
    db.session.flush()
    return criterion


def retire_criterion(criterion: EvaluationCriterion, *, actor) -> None:
    """Retired criteria leave future evaluations; past scores keep them."""
    if criterion.retired_at is None:
        criterion.retired_at = utcnow()


# Evaluations -----------------------------------------------------------------------------


@dataclass(frozen=True)
class ScoreInput:
    criterion_id: int
    score: int
    evidence: str = ""


def evaluation_for(organisation: Organisation, year: int) -> Evaluation | None:
    return db.session.scalar(
        select(Evaluation).where(
            Evaluation.organisation_id == organisation.id, Evaluation.year == year
        )
    )


def evaluate(
    organisation: Organisation, year: int, scores: list[ScoreInput], note: str = "", *, actor
) -> Evaluation:
    """Score every current criterion; the total and rating are derived, never entered."""
    if not organisation.is_active:
        raise CommunityError(_("Only active organisations are evaluated."))
    if not 2000 <= year <= utcnow().year + 1:
        raise CommunityError(_("Unknown year."))
    criteria = {criterion.id: criterion for criterion in active_criteria()}
    if not criteria:
        raise CommunityError(_("Define the evaluation criteria first."))
    given = {item.criterion_id: item for item in scores}
    if set(given) != set(criteria):
        raise CommunityError(_("Score every criterion."))
    for item in scores:
        if not 0 <= item.score <= criteria[item.criterion_id].max_score:
            raise CommunityError(
                _(
                    "The score for “%(title)s” must be between 0 and %(max)d.",
                    title=criteria[item.criterion_id].title,
                    max=criteria[item.criterion_id].max_score,
                )
            )
    evaluation = evaluation_for(organisation, year)
    if evaluation is None:
        evaluation = Evaluation(
            organisation_id=organisation.id, year=year, rating="fail", evaluated_by_id=actor.id
        )
        db.session.add(evaluation)
    # Updated in place: replacing rows would insert before deleting (unique key).
    existing = {score.criterion_id: score for score in evaluation.scores}
    for criterion_id in set(existing) - set(criteria):
        evaluation.scores.remove(existing.pop(criterion_id))
    for criterion in criteria.values():
        row = existing.get(criterion.id)
        if row is None:
            row = EvaluationScore(criterion_id=criterion.id)
            evaluation.scores.append(row)
        row.max_score = criterion.max_score
        row.score = given[criterion.id].score
        row.evidence = (given[criterion.id].evidence or "").strip()[:2000]
    db.session.flush()
    evaluation.total_score = sum(score.score for score in evaluation.scores)
    evaluation.max_total = sum(score.max_score for score in evaluation.scores)
    evaluation.rating = rating_for(evaluation.total_score, evaluation.max_total)
    evaluation.note = (note or "").strip()[:2000]
    evaluation.evaluated_by_id, evaluation.evaluated_at = actor.id, utcnow()
    if evaluation.rating != AWARDED_RATING:
        evaluation.awarded_at = None
    db.session.flush()
    return evaluation


def award(evaluation: Evaluation, *, actor) -> None:
    if evaluation.rating != AWARDED_RATING:
        raise CommunityError(_("Only an excellent rating receives the award."))
    if evaluation.awarded_at is None:
        evaluation.awarded_at = utcnow()


def withdraw_award(evaluation: Evaluation, *, actor) -> None:
    evaluation.awarded_at = None


def evaluations_page(year: int, *, page: int = 1, per_page: int = 20):
    query = (
        select(Evaluation)
        .where(Evaluation.year == year)
        .order_by(Evaluation.total_score.desc(), Evaluation.id)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def organisation_evaluations(organisation: Organisation, *, page: int = 1, per_page: int = 10):
    query = (
        select(Evaluation)
        .where(Evaluation.organisation_id == organisation.id)
        .order_by(Evaluation.year.desc())
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)


def awarded_page(year: int, *, page: int = 1, per_page: int = 30):
    """The year's awarded organisations, for the public honour roll."""
    query = (
        select(Evaluation)
        .join(Organisation, Organisation.id == Evaluation.organisation_id)
        .where(Evaluation.year == year, Evaluation.awarded_at.is_not(None))
        .order_by(Organisation.name)
    )
    return db.paginate(query, page=page, per_page=per_page, error_out=False)
