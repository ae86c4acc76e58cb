"""Credential status lists and kept signing keys.

Revision ID: b3_credential_status
Revises: b2_private_ledger_text
Create Date: 2026-12-06 03:5x UTC

"""

import sqlalchemy as sa  # noqa: F401
from alembic import op  # noqa: F401

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "b3_credential_status"
down_revision = "b2_private_ledger_text"
branch_labels = None
depends_on = None


def upgrade():
    pass


def downgrade():
    pass
