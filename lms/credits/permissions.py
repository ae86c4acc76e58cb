"""Who may see and decide what in the credit bank: the one place these decisions are made.

A learner sees their own record, certificates and recognition requests. Staff review
the recognition requests of learners in the 镇街 of their schools; the admin reviews
any, sees any certificate, revokes certificates, sets the rules and keeps the ledger.
Nobody reviews their own request. Someone else's certificate, record or request answers
404 (``*_or_404`` in the views), as if it did not exist.
"""

from lms.accounts.models import User
from lms.attendance.permissions import scope_town_ids
from lms.credits.models import Certificate, Recognition


def is_credit_admin(actor: User) -> bool:
    return actor.is_authenticated and actor.has_role("admin")


def can_view_record(actor: User, learner_id: int) -> bool:
    """A learning record and its exports: only one's own."""
    return actor.is_authenticated and actor.id == learner_id


def can_view_certificate(actor: User, certificate: Certificate) -> bool:
    """The learner sees their own certificates; the admin sees any."""
    return certificate.learner_id == actor.id or is_credit_admin(actor)


def review_town_ids(actor: User) -> set[int] | None:
    """The 镇街 whose learners' requests ``actor`` reviews; None means every 镇街."""
    if is_credit_admin(actor):
        return None
    if not actor.is_authenticated or not actor.has_role("staff"):
        return set()
    return scope_town_ids(actor) or set()


def can_review(actor: User, recognition: Recognition) -> bool:
    """The admin, or staff whose schools' 镇街 include the learner's; never one's own."""
    if actor.id == recognition.learner_id:
        return False
    towns = review_town_ids(actor)
    return towns is None or recognition.learner.town_id in towns


def can_see_recognition(actor: User, recognition: Recognition) -> bool:
    """A request and its evidence: its learner, or someone who may review it."""
    return recognition.learner_id == actor.id or can_review(actor, recognition)
