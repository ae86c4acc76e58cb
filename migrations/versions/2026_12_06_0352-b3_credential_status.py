"""Credential status lists and kept signing keys.

Revision ID: b3_credential_status
Revises: b2_private_ledger_text
Create Date: 2026-12-06 03:5x UTC

"""

import sqlalchemy as sa
from alembic import op

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "b3_credential_status"
down_revision = "b2_private_ledger_text"
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "signing_keys",
        sa.Column("kid", sa.String(length=64), nullable=False),
        sa.Column("public_x", sa.String(length=64), nullable=False),
        sa.Column("first_used_at", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("retired_at", lms.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.PrimaryKeyConstraint("kid", name=op.f("pk_signing_keys")),
    )
    op.create_table(
        "credential_status_lists",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("purpose", sa.String(length=20), nullable=False),
        sa.Column("size", sa.Integer(), nullable=False),
        sa.Column("allocated", sa.Integer(), nullable=False),
        sa.Column("created_at", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_credential_status_lists")),
    )
    op.create_table(
        "issued_credentials",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("learner_id", sa.Integer(), nullable=False),
        sa.Column("certificate_id", sa.Integer(), nullable=True),
        sa.Column("subject_digest", sa.String(length=64), nullable=False),
        sa.Column("status_list_id", sa.Integer(), nullable=False),
        sa.Column("status_index", sa.Integer(), nullable=False),
        sa.Column("issued_at", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("status_set_at", lms.timeutil.UTCDateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(
            ["certificate_id"],
            ["certificates.id"],
            name=op.f("fk_issued_credentials_certificate_id_certificates"),
        ),
        sa.ForeignKeyConstraint(
            ["learner_id"], ["users.id"], name=op.f("fk_issued_credentials_learner_id_users")
        ),
        sa.ForeignKeyConstraint(
            ["status_list_id"],
            ["credential_status_lists.id"],
            name=op.f("fk_issued_credentials_status_list_id_credential_status_lists"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_issued_credentials")),
        sa.UniqueConstraint("certificate_id", name=op.f("uq_issued_credentials_certificate_id")),
        sa.UniqueConstraint("status_list_id", "status_index", name="uq_issued_credentials_status"),
    )
    with op.batch_alter_table("issued_credentials", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_issued_credentials_learner_id"), ["learner_id"], unique=False
        )


def downgrade():
    with op.batch_alter_table("issued_credentials", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_issued_credentials_learner_id"))
    op.drop_table("issued_credentials")
    op.drop_table("credential_status_lists")
    op.drop_table("signing_keys")
