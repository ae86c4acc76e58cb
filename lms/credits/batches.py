"""Postings of a batch: what one batch of attendances (a staff device's scan batch, a
class closing) makes the credit bank post, together.

The same entries as ``services.attendance_recorded`` one after another would post, in the
same order, with the same caps and hashes (``chain_append.post_many``): one lock and one
head update per learner, and one query for what was posted already and the credits
counted against the caps.
"""

from dataclasses import replace

from lms.credits.chain_append import CapsCount, post_many
from lms.credits.ledger import Posting, milli
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
    postings = [
        Posting(learner_id, source_type, source_id, hours, 0.0, rule.version)
        for learner_id, source_id, hours in items
    ]

    def decide(posting: Posting, counted: list[int]) -> Posting:
        credits, reason = cut_to_caps(
            posting.hours, rate, rule, counted[0] / 1000, counted[1] / 1000
        )
        counted[0] += milli(credits)
        counted[1] += milli(credits)
        return replace(posting, credits=credits, reason=reason)

    caps = CapsCount(local_date(now), CAPPED_SOURCES)
    post_many(postings, now=now, caps=caps, decide=decide)
