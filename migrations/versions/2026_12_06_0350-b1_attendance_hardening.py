"""Attendance hardening: pending check-ins, card numbers from the card's token.

Revision ID: b1_attendance_hardening
Revises: a10_trust
Create Date: 2026-12-06 03:50 UTC

Card numbers were the learner's id and a check digit (guessable); every existing card
gets the number derived from its token (lms.attendance.tokens.card_number, copied here
so that a later change there does not change this migration). Printed cards keep their
QR; their printed number changes. Should two tokens give the same number, the later
card gets a new token (its QR changes too) until the numbers are unique.
"""

import hashlib
import secrets

import sqlalchemy as sa
from alembic import op

import lms.timeutil

# revision identifiers, used by Alembic.
revision = "b1_attendance_hardening"
down_revision = "a10_trust"
branch_labels = None
depends_on = None

_NUMBER_DIGITS = 11


def _luhn_check_digit(digits: str) -> str:
    total = 0
    for position, char in enumerate(reversed(digits)):
        value = int(char) * (2 if position % 2 == 0 else 1)
        total += value - 9 if value > 9 else value
    return str((10 - total % 10) % 10)


def _number_of_token(token: str) -> str:
    digest = hashlib.sha256(f"KQCARD:number:{token.lower()}".encode()).digest()
    digits = str(int.from_bytes(digest[:8], "big") % 10**_NUMBER_DIGITS).zfill(_NUMBER_DIGITS)
    return digits + _luhn_check_digit(digits)


def _number_of_learner(learner_id: int) -> str:
    digits = f"{learner_id:08d}"
    return digits + _luhn_check_digit(digits)


_cards = sa.table(
    "learning_cards",
    sa.column("id", sa.Integer),
    sa.column("learner_id", sa.Integer),
    sa.column("number", sa.String),
    sa.column("token", sa.String),
)


def upgrade():
    op.create_table(
        "pending_checkins",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=64), nullable=False),
        sa.Column("class_session_id", sa.Integer(), nullable=False),
        sa.Column("mode", sa.String(length=10), nullable=False),
        sa.Column("created_at", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("used_at", lms.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(
            ["class_session_id"],
            ["class_sessions.id"],
            name=op.f("fk_pending_checkins_class_session_id_class_sessions"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(
            ["user_id"], ["users.id"], name=op.f("fk_pending_checkins_user_id_users")
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_pending_checkins")),
        sa.UniqueConstraint("key", name=op.f("uq_pending_checkins_key")),
    )
    with op.batch_alter_table("pending_checkins", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_pending_checkins_class_session_id"), ["class_session_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_pending_checkins_created_at"), ["created_at"], unique=False
        )
        batch_op.create_index(batch_op.f("ix_pending_checkins_user_id"), ["user_id"], unique=False)

    connection = op.get_bind()
    cards = connection.execute(sa.select(_cards.c.id, _cards.c.token).order_by(_cards.c.id)).all()
    taken = set()
    for card_id, token in cards:
        number = _number_of_token(token)
        while number in taken:
            token = secrets.token_hex(16)
            number = _number_of_token(token)
        taken.add(number)
        connection.execute(
            sa.update(_cards).where(_cards.c.id == card_id).values(number=number, token=token)
        )


def downgrade():
    connection = op.get_bind()
    cards = connection.execute(sa.select(_cards.c.id, _cards.c.learner_id)).all()
    for card_id, learner_id in cards:
        connection.execute(
            sa.update(_cards)
            .where(_cards.c.id == card_id)
            .values(number=_number_of_learner(learner_id))
        )
    with op.batch_alter_table("pending_checkins", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_pending_checkins_user_id"))
        batch_op.drop_index(batch_op.f("ix_pending_checkins_created_at"))
        batch_op.drop_index(batch_op.f("ix_pending_checkins_class_session_id"))
    op.drop_table("pending_checkins")
