"""Credit rules: from what happened (signals, decisions) to ledger entries.

Online hours are the durations of completed lessons (what the bank recognises); offline
hours are attended hours. Credits follow the current rule version, cut at the daily and
yearly caps (the hours are kept in full and the reason recorded). Recognitions and
admin adjustments are not capped: a person decided them.
"""

import uuid
from dataclasses import asdict, dataclass

from flask_babel import gettext as _
from sqlalchemy import func, select

from lms.accounts.audit import record_event
from lms.assessment.completion import passed_exam_ids, required_exam_ids
from lms.attendance.models import Attendance, ClassSession
from lms.attendance.session_settings import class_session_settings
from lms.courses.models import Course, Lesson
from lms.credits import status_list
from lms.credits.ledger import Posting, credits_posted, current_rule, find_entry, post
from lms.credits.models import Certificate, CourseCompletion, CreditRule, LedgerEntry
from lms.credits.rule_in_force import RuleInForce, rule_in_force
from lms.extensions import db
from lms.study.models import LessonProgress
from lms.timeutil import local_date, utcnow
from lms.web.errors import DomainError

CAPPED_SOURCES = ("lesson", "attendance", "exam")


class CreditError(DomainError):
    """A refusal with a message fit to show the person who asked."""


def capped_credits(learner_id: int, hours: float, rate: float, rule: RuleInForce, now):
    """Credits for ``hours`` at ``rate``, cut to what the caps leave, and why."""
    today = local_date(now)
    posted_today = credits_posted(learner_id, since_day=today, source_types=CAPPED_SOURCES)
    posted_year = credits_posted(
        learner_id, since_day=today.replace(month=1, day=1), source_types=CAPPED_SOURCES
    )
    return cut_to_caps(hours, rate, rule, posted_today, posted_year)


def cut_to_caps(hours: float, rate: float, rule: RuleInForce, posted_today, posted_year):
    wanted = round(hours * rate, 3)
    left_today = rule.daily_cap - posted_today
    left_year = rule.yearly_cap - posted_year
    allowed = max(0.0, min(wanted, left_today, left_year))
    if allowed >= wanted:
        return wanted, ""
    cap = "daily_cap" if left_today <= left_year else "yearly_cap"
    return round(allowed, 3), f"{cap}: {wanted:g} credits cut to {allowed:g}"


def _post_study(
    learner_id: int, source_type: str, source_id: str, hours: float, revision: int = 1
) -> LedgerEntry | None:
    now = utcnow()
    rule = rule_in_force()
    rate = (
        rule.credits_per_online_hour if source_type == "lesson" else rule.credits_per_offline_hour
    )
    credits, reason = capped_credits(learner_id, hours, rate, rule, now)
    return post(
        Posting(
            learner_id,
            source_type,
            source_id,
            hours,
            credits,
            rule.version,
            revision=revision,
            reason=reason,
        ),
        now=now,
    )


# What study and attendance announce --------------------------------------------------


def lesson_completed(learner_id: int, lesson_id: int) -> None:
    lesson = db.session.get(Lesson, lesson_id)
    if lesson is None:
        return
    _post_study(learner_id, "lesson", str(lesson_id), lesson.duration / 3600)
    evaluate_course(learner_id, lesson.course)


def exam_passed(learner_id: int, exam_id: int, course_id: int) -> None:
    """Credits for passing an exam (the rule's rate, capped like study; once per exam,
    online or offline alike), then the course's completion, which may need the exam."""
    now = utcnow()
    rule = rule_in_force()
    if rule.credits_per_exam_passed > 0:
        credits, reason = capped_credits(learner_id, 1.0, rule.credits_per_exam_passed, rule, now)
        post(
            Posting(learner_id, "exam", str(exam_id), 0.0, credits, rule.version, reason=reason),
            now=now,
        )
    course = db.session.get(Course, course_id)
    if course is not None:
        evaluate_course(learner_id, course)


def _active_attendance_entry(learner_id: int, class_session_id: int) -> LedgerEntry | None:
    """The attendance posting that stands (its reversal not posted), if any."""
    entries = db.session.scalars(
        select(LedgerEntry).where(
            LedgerEntry.learner_id == learner_id,
            LedgerEntry.source_type == "attendance",
            LedgerEntry.source_id == str(class_session_id),
        )
    ).all()
    reversed_revisions = {e.revision for e in entries if e.is_reversal}
    standing = [e for e in entries if not e.is_reversal and e.revision not in reversed_revisions]
    return max(standing, key=lambda e: e.revision, default=None)


def _latest_revision(learner_id: int, class_session_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.max(LedgerEntry.revision), 0)).where(
            LedgerEntry.learner_id == learner_id,
            LedgerEntry.source_type == "attendance",
            LedgerEntry.source_id == str(class_session_id),
        )
    )


def attendance_recorded(learner_id: int, class_session_id: int, hours: float) -> None:
    if hours > 0 and _latest_revision(learner_id, class_session_id) == 0:
        _post_study(learner_id, "attendance", str(class_session_id), hours)
    evaluate_session_course(learner_id, class_session_id)


def attendance_corrected(learner_id: int, class_session_id: int, hours: float) -> None:
    """A hand correction: reverse what stands, then post the new hours (if any)."""
    standing = _active_attendance_entry(learner_id, class_session_id)
    if standing is not None and standing.hours_milli == round(hours * 1000):
        return
    if standing is not None:
        reverse(standing, reason="attendance corrected", actor_id=None)
    if hours > 0:
        revision = _latest_revision(learner_id, class_session_id) + 1
        _post_study(learner_id, "attendance", str(class_session_id), hours, revision=revision)
    evaluate_session_course(learner_id, class_session_id)


def reverse(entry: LedgerEntry, *, reason: str, actor_id: int | None) -> LedgerEntry | None:
    """A correction is a new, reversing entry; the original stays as it was."""
    if entry.is_reversal:
        raise CreditError(_("A reversal cannot be reversed; post an adjustment instead."))
    reversal = post(
        Posting(
            entry.learner_id,
            entry.source_type,
            entry.source_id,
            -entry.hours,
            -entry.credits,
            entry.rule_version,
            revision=entry.revision,
            is_reversal=True,
            reason=reason,
            actor_id=actor_id,
        )
    )
    if reversal is not None and actor_id is not None:
        # The reason is the reversal's (beside the chain, erasable), not copied here.
        record_event(
            "ledger.reversed",
            actor=actor_id,
            target_type="ledger_entry",
            target_id=entry.id,
            learner_id=entry.learner_id,
            reversal_id=reversal.id,
        )
    return reversal


def adjust(learner_id: int, hours: float, credits: float, reason: str, *, actor) -> LedgerEntry:
    if not reason.strip():
        raise CreditError(_("An adjustment needs a reason."))
    entry = post(
        Posting(
            learner_id,
            "adjustment",
            uuid.uuid4().hex[:16],
            hours,
            credits,
            None,
            reason=reason.strip(),
            actor_id=actor.id,
        )
    )
    # The reason is the entry's (beside the chain, erasable), not copied here.
    record_event(
        "ledger.adjusted",
        actor=actor,
        target_type="user",
        target_id=learner_id,
        hours=hours,
        credits=credits,
        entry_id=entry.id,
    )
    return entry


# Course completion ---------------------------------------------------------------------


@dataclass(frozen=True)
class CourseStatus:
    lessons_done: int
    lessons_total: int
    sessions_attended: int
    sessions_required: int
    exams_passed: int = 0
    exams_required: int = 0

    @property
    def online_done(self) -> bool:
        return self.lessons_total > 0 and self.lessons_done >= self.lessons_total

    @property
    def offline_done(self) -> bool:
        return self.sessions_attended >= self.sessions_required

    @property
    def exams_done(self) -> bool:
        return self.exams_passed >= self.exams_required

    @property
    def complete(self) -> bool:
        return self.online_done and self.offline_done and self.exams_done


def course_status(learner_id: int, course: Course) -> CourseStatus:
    lesson_ids = [lesson.id for lesson in course.lessons if lesson.is_playable]
    done = (
        db.session.scalar(
            select(func.count(LessonProgress.id)).where(
                LessonProgress.learner_id == learner_id,
                LessonProgress.lesson_id.in_(lesson_ids),
                LessonProgress.completed_at.is_not(None),
            )
        )
        if lesson_ids
        else 0
    )
    attended = (
        db.session.scalar(
            select(func.count(Attendance.id))
            .join(ClassSession, ClassSession.id == Attendance.class_session_id)
            .where(
                Attendance.learner_id == learner_id,
                ClassSession.course_id == course.id,
                Attendance.status.in_(("present", "late")),
            )
        )
        if course.is_blended
        else 0
    )
    required = course.required_sessions if course.is_blended else 0
    exams = required_exam_ids(course.id)
    passed = len(passed_exam_ids(learner_id, exams))
    return CourseStatus(done, len(lesson_ids), attended, required, passed, len(exams))


def completion_of(learner_id: int, course: Course) -> CourseCompletion | None:
    return db.session.scalar(
        select(CourseCompletion).where(
            CourseCompletion.learner_id == learner_id, CourseCompletion.course_id == course.id
        )
    )


def evaluate_course(learner_id: int, course: Course) -> CourseCompletion | None:
    """Mark the course complete (and issue its certificate) once both parts are done."""
    existing = completion_of(learner_id, course)
    if existing is not None or not course_status(learner_id, course).complete:
        return existing
    completion = CourseCompletion(learner_id=learner_id, course_id=course.id)
    db.session.add(completion)
    issue_certificate(learner_id, course)
    db.session.flush()
    return completion


def evaluate_session_course(learner_id: int, class_session_id: int) -> None:
    """The course of a class (from attendance's cached settings), evaluated."""
    class_session = class_session_settings(class_session_id)
    if class_session is None or class_session.course_id is None:
        return
    course = db.session.get(Course, class_session.course_id)
    if course is not None:
        evaluate_course(learner_id, course)


def issue_certificate(learner_id: int, course: Course) -> Certificate:
    from lms.accounts.models import User

    certificate = db.session.scalar(
        select(Certificate).where(
            Certificate.learner_id == learner_id, Certificate.course_id == course.id
        )
    )
    if certificate is not None:
        return certificate
    learner = db.session.get(User, learner_id)
    online = sum(lesson.duration for lesson in course.lessons if lesson.is_playable) / 3600
    session_ids = [
        str(session_id)
        for session_id in db.session.scalars(
            select(ClassSession.id).where(ClassSession.course_id == course.id)
        )
    ]
    offline = sum(
        entry.hours
        for entry in db.session.scalars(
            select(LedgerEntry).where(
                LedgerEntry.learner_id == learner_id,
                LedgerEntry.source_type == "attendance",
                LedgerEntry.source_id.in_(session_ids),
            )
        )
    )
    certificate = Certificate(
        learner_id=learner_id,
        course_id=course.id,
        learner_name=learner.display_name,
        course_title=course.title,
        online_hours=round(online, 2),
        offline_hours=round(offline, 2),
    )
    db.session.add(certificate)
    db.session.flush()
    return certificate


def revoke_certificate(certificate: Certificate, reason: str, *, actor) -> None:
    if not reason.strip():
        raise CreditError(_("Please say why the certificate is revoked."))
    if certificate.revoked_at is not None:
        raise CreditError(_("This certificate was revoked already."))
    certificate.revoked_at, certificate.revoke_reason = utcnow(), reason.strip()
    status_list.revoke_certificate_credential(certificate.id, certificate.revoked_at)
    record_event(
        "certificate.revoked",
        actor=actor,
        target_type="certificate",
        target_id=certificate.id,
        reason=reason.strip(),
    )


# Rules ---------------------------------------------------------------------------------


@dataclass
class RuleSettings:
    credits_per_online_hour: float
    credits_per_offline_hour: float
    daily_cap: float
    yearly_cap: float
    note: str = ""
    credits_per_exam_passed: float = 0.0


def change_rules(settings: RuleSettings, *, actor) -> CreditRule:
    """A change makes a new version; entries posted before keep theirs."""
    rates_and_caps = {name: value for name, value in asdict(settings).items() if name != "note"}
    if any(value < 0 for value in rates_and_caps.values()):
        raise CreditError(_("Rates and caps cannot be negative."))
    rule = CreditRule(
        version=current_rule().version + 1,
        **rates_and_caps,
        created_by_id=actor.id if actor else None,
        note=settings.note.strip(),
    )
    db.session.add(rule)
    db.session.flush()
    record_event(
        "credit_rules.changed",
        actor=actor,
        target_type="credit_rule",
        target_id=rule.version,
        online=rule.credits_per_online_hour,
        offline=rule.credits_per_offline_hour,
        daily_cap=rule.daily_cap,
        yearly_cap=rule.yearly_cap,
        exam_passed=rule.credits_per_exam_passed,
    )
    return rule


def recognition_posted(recognition_id: int, learner_id: int) -> bool:
    return find_entry(learner_id, "recognition", str(recognition_id), 1) is not None
