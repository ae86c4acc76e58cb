"""In-video checkpoints (练): questions of the course's bank pinned to moments of a
lesson's video.

The player pauses at a checkpoint the learner has not answered, shows the question
(never its key), takes one answer, shows right/wrong and the explanation, and plays on.
An answer is kept once per learner and checkpoint: a replay does not ask again, and a
second answer is refused. Each first answer sends ``checkpoints_answered`` with the
share of the lesson's checkpoints the learner has answered. Short answers need a
teacher, so they are not pinned; the version answered is the question's current one.
"""

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.assessment.grading import check_answer, grade, is_correct, key_of
from lms.assessment.models import Checkpoint, CheckpointAnswer, Question
from lms.assessment.presenting import question_payload, reveal_payload
from lms.assessment.questions import AssessmentError
from lms.assessment.signals import checkpoints_answered
from lms.courses.models import Lesson
from lms.database import insert_on_conflict
from lms.extensions import db

# Types a checkpoint may ask: graded at once, without a teacher.
CHECKPOINT_TYPES = ("single", "multiple", "true_false", "fill_blank")
MAX_CHECKPOINTS_PER_LESSON = 20


class AlreadyAnswered(AssessmentError):
    """The learner answered this checkpoint before; the first answer stands."""


def checkpoints_of(lesson_id: int) -> list[Checkpoint]:
    return list(
        db.session.scalars(
            select(Checkpoint)
            .where(Checkpoint.lesson_id == lesson_id)
            .order_by(Checkpoint.at_seconds, Checkpoint.id)
        )
    )


def add_checkpoint(lesson: Lesson, question_id: int, at_seconds: float, *, actor) -> Checkpoint:
    """Pin a live question of the lesson's course at ``at_seconds`` of its video."""
    question = db.session.get(Question, question_id)
    if question is None or question.course_id != lesson.course_id or question.deleted_at:
        raise AssessmentError(_("Choose a question of this course's bank."))
    if question.current.type not in CHECKPOINT_TYPES:
        raise AssessmentError(_("A short answer needs a teacher; pin another type of question."))
    duration = lesson.duration or 0
    if at_seconds < 0 or (duration and at_seconds > duration):
        raise AssessmentError(_("The moment must be within the video."))
    existing = checkpoints_of(lesson.id)
    if any(c.question_id == question_id for c in existing):
        raise AssessmentError(_("This question is pinned to this lesson already."))
    if len(existing) >= MAX_CHECKPOINTS_PER_LESSON:
        raise AssessmentError(_("A lesson holds at most 20 checkpoints."))
    checkpoint = Checkpoint(
        lesson_id=lesson.id,
        question_id=question_id,
        at_seconds=round(float(at_seconds), 1),
        created_by_id=actor.id if actor else None,
    )
    db.session.add(checkpoint)
    db.session.flush()
    return checkpoint


def remove_checkpoint(checkpoint: Checkpoint) -> None:
    """Unpin; the answers given go with it (the share counts what is still pinned)."""
    db.session.delete(checkpoint)


def answered_ids(lesson_id: int, learner_id: int) -> set[int]:
    query = (
        select(CheckpointAnswer.checkpoint_id)
        .join(Checkpoint, Checkpoint.id == CheckpointAnswer.checkpoint_id)
        .where(Checkpoint.lesson_id == lesson_id, CheckpointAnswer.learner_id == learner_id)
    )
    return set(db.session.scalars(query))


def player_checkpoints(lesson: Lesson, learner_id: int) -> list[dict]:
    """The checkpoints still to ask this learner, with their questions (no key)."""
    done = answered_ids(lesson.id, learner_id)
    return [
        {"id": c.id, "at": c.at_seconds, "question": question_payload(c.question.current)}
        for c in checkpoints_of(lesson.id)
        if c.id not in done and c.question.deleted_at is None
    ]


def share_answered(lesson_id: int, learner_id: int) -> float:
    total = db.session.scalar(
        select(func.count(Checkpoint.id)).where(Checkpoint.lesson_id == lesson_id)
    )
    return round(len(answered_ids(lesson_id, learner_id)) / total, 4) if total else 0.0


def graded_answer(version, answer) -> dict:
    """An answer to ``version`` graded, as the columns a checkpoint or practice answer
    keeps. Raises ``AnswerShapeError`` (bad shape, another question's option), or
    ``AssessmentError`` when nothing was given."""
    key = key_of(version)
    given = check_answer(key, answer)
    if given is None:
        raise AssessmentError(_("Give an answer."))
    score = grade(key, given)
    return {
        "version_id": version.id,
        "answer": given,
        "score": score,
        "correct": is_correct(key, score),
    }


def answer_checkpoint(checkpoint: Checkpoint, learner_id: int, answer, now) -> dict:
    """Grade and keep the learner's one answer; the feedback the player shows.

    Raises ``AnswerShapeError`` (bad shape, another question's option) or
    ``AlreadyAnswered``."""
    version = checkpoint.question.current
    graded = graded_answer(version, answer)
    claimed = db.session.execute(
        insert_on_conflict(CheckpointAnswer)
        .values(checkpoint_id=checkpoint.id, learner_id=learner_id, answered_at=now, **graded)
        .on_conflict_do_nothing(index_elements=["checkpoint_id", "learner_id"])
        .returning(CheckpointAnswer.id)
    ).scalar()
    if claimed is None:  # answered before (or by another tab at the same moment)
        raise AlreadyAnswered(_("You answered this question already."))
    share = share_answered(checkpoint.lesson_id, learner_id)
    checkpoints_answered.send(learner_id=learner_id, lesson_id=checkpoint.lesson_id, share=share)
    return {**reveal_payload(version, graded["score"]), "share": share}
