"""Postings of a batch: what one batch of attendances (a staff device's scan batch, a
class closing) makes the credit bank post, together.

The same entries as ``services.attendance_recorded`` one after another would post, in the
same order, with the same caps and hashes (``chain_append.post_many``): one lock and one head
update per learner, and one query each for what was posted already and for the credits
counted against the caps.
"""

from dataclasses import replace

from lms.credits.chain_append import post_many
from lms.credits.ledger import Posting, credits_posted_by_learner, milli
from lms.credits.rule_in_force import rule_in_force
from lms.credits.services import CAPPED_SOURCES, cut_to_caps, evaluate_session_course
from lms.timeutil import local_date, utcnow


def attendance_recorded_many(records: list[tuple[int, int, float]]) -> None:
    """``attendance_recorded`` for many (learner, class session, hours) announced in one
    batch (a scan batch, a check-in): the same entries, posted together.

    ``attendance_recorded`` posts revision 1 only when the class has no entry of any
    revision yet; every class's first entry is revision 1 (a correction's revision
    follows the latest), so ``post_many`` skipping the (learner, class, revision 1)
    already in the ledger, under the heads' lock, decides the same in the same query."""
    due = [
        (learner_id, str(class_session_id), hours)
        for learner_id, class_session_id, hours in records
        if hours > 0
    ]
    post_study_many("attendance", due)
    for learner_id, class_session_id, _hours in records:
        evaluate_session_course(learner_id, class_session_id)


def post_study_many(source_type: str, items: list[tuple[int, str, float]]) -> None:
    """``_post_study`` for many (learner, source id, hours) at once, in this order: one
    lock and head update per learner, the caps counted as one posting after another
    would count them (chain_append.post_many)."""
    if not items:
        return
    now = utcnow()
    rule = rule_in_force()
    rate = (
        rule.credits_per_online_hour if source_type == "lesson" else rule.credits_per_offline_hour
    )
    today = local_date(now)
    postings = [
        Posting(learner_id, source_type, source_id, hours, 0.0, rule.version)
        for learner_id, source_id, hours in items
    ]
    counted: dict[int, list[int]] = {}

    def decide(posting: Posting) -> Posting:
        if not counted:  # after the heads are locked: what stands now
            posted = credits_posted_by_learner(
                {p.learner_id for p in postings},
                today=today,
                since_day=today.replace(month=1, day=1),
                source_types=CAPPED_SOURCES,
            )
            counted.update({i: list(posted.get(i, (0, 0))) for i, *_ in items})
        so_far = counted[posting.learner_id]
        credits, reason = cut_to_caps(posting.hours, rate, rule, so_far[0] / 1000, so_far[1] / 1000)
        so_far[0] += milli(credits)
        so_far[1] += milli(credits)
        return replace(posting, credits=credits, reason=reason)

    post_many(postings, now=now, decide=decide)
