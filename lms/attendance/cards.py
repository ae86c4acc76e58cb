"""Learning cards (学习卡): issued when asked for (a POST), reissued by staff, found by token."""

from sqlalchemy import select

from lms.accounts.models import User
from lms.attendance import tokens
from lms.attendance.models import LearningCard
from lms.database import insert_on_conflict
from lms.extensions import db
from lms.timeutil import utcnow


def _fresh_token() -> str:
    """A new card token whose number no card has yet (two clashing is a one-in-10¹¹
    chance per pair; the unique index refuses what slips through)."""
    while True:
        token = tokens.new_card_token()
        number = tokens.card_number(token)
        if db.session.scalar(select(LearningCard.id).where(LearningCard.number == number)) is None:
            return token


def card_of(learner_id: int) -> LearningCard | None:
    return db.session.scalar(select(LearningCard).where(LearningCard.learner_id == learner_id))


def get_or_issue_card(learner: User) -> LearningCard:
    """The learner's card, issuing one the first time (two racing requests make one)."""
    card = card_of(learner.id)
    if card is None:
        token = _fresh_token()
        db.session.execute(
            insert_on_conflict(LearningCard)
            .values(
                learner_id=learner.id,
                number=tokens.card_number(token),
                token=token,
                issued_at=utcnow(),
                issue_count=1,
            )
            .on_conflict_do_nothing(index_elements=["learner_id"])
        )
        card = card_of(learner.id)
    return card


def cards_of(learners: list[User]) -> dict[int, LearningCard]:
    """The cards these learners have (none is issued here)."""
    ids = [learner.id for learner in learners]
    query = select(LearningCard).where(LearningCard.learner_id.in_(ids))
    return {card.learner_id: card for card in db.session.scalars(query)}


def issue_cards(learners: list[User]) -> dict[int, LearningCard]:
    """Cards of several learners (for a printed sheet), issuing the missing ones."""
    cards = cards_of(learners)
    for learner in learners:
        if learner.id not in cards:
            cards[learner.id] = get_or_issue_card(learner)
    return cards


def reissue_card(learner: User, *, actor: User) -> LearningCard:
    """A new token (so a new QR and a new number) for a lost card; the old card's QR and
    number are refused from now on."""
    card = get_or_issue_card(learner)
    card.token = _fresh_token()
    card.number = tokens.card_number(card.token)
    card.issue_count += 1
    card.issued_at = utcnow()
    db.session.flush()
    return card


def learners_by_token(card_tokens) -> dict[str, User]:
    """The current holders of these card tokens; reissued (old) tokens find nobody."""
    if not card_tokens:
        return {}
    rows = db.session.execute(
        select(LearningCard.token, User)
        .join(User, User.id == LearningCard.learner_id)
        .where(LearningCard.token.in_(set(card_tokens)))
    )
    return {token: user for token, user in rows}


def find_card_by_number(number: str) -> LearningCard | None:
    return db.session.scalar(select(LearningCard).where(LearningCard.number == number.strip()))
