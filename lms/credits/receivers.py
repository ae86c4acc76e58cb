"""Credits listens to what study, attendance and assessment announce (blinker signals).

Receivers run synchronously in the sender's transaction: a rollback takes their ledger
entries with it.
"""

from lms.assessment.signals import exam_passed
from lms.attendance.signals import (
    attendance_batch_ended,
    attendance_corrected,
    attendance_recorded,
    current_batch,
)
from lms.credits import batches, services
from lms.study.signals import lesson_completed


def _on_lesson_completed(sender=None, *, learner_id, lesson_id, **extra):
    services.lesson_completed(learner_id, lesson_id)


def _on_attendance_recorded(sender=None, *, learner_id, class_session_id, hours, **extra):
    batch = current_batch()
    if batch is not None:  # posted with the batch's others when it ends
        batch.setdefault("credits_recorded", []).append((learner_id, class_session_id, hours))
        return
    services.attendance_recorded(learner_id, class_session_id, hours)


def _on_attendance_batch_ended(sender=None, *, batch, **extra):
    recorded = batch.pop("credits_recorded", None)
    if recorded:
        batches.attendance_recorded_many(recorded)


def _on_attendance_corrected(sender=None, *, learner_id, class_session_id, hours, **extra):
    services.attendance_corrected(learner_id, class_session_id, hours)


def _on_exam_passed(sender=None, *, learner_id, exam_id, course_id, **extra):
    services.exam_passed(learner_id, exam_id, course_id)


def connect() -> None:
    lesson_completed.connect(_on_lesson_completed)
    attendance_recorded.connect(_on_attendance_recorded)
    attendance_corrected.connect(_on_attendance_corrected)
    exam_passed.connect(_on_exam_passed)
    attendance_batch_ended.connect(_on_attendance_batch_ended)
