"""Media: versioned renditions and forced re-encodes (#18).

Revision ID: c2_media_versions
Revises: c1_assessment
Create Date: 2026-12-06 06:00 UTC

Existing assets keep ``hls_version`` NULL: their files stay where they are
(``assets/<id>/hls/``) and keep playing; their next transcode publishes a version.
"""

import sqlalchemy as sa
from alembic import op

import lms.timeutil  # noqa: F401  (custom column types)

# revision identifiers, used by Alembic.
revision = "c2_media_versions"
down_revision = "c1_assessment"
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table("video_assets", schema=None) as batch_op:
        batch_op.add_column(sa.Column("hls_version", sa.String(length=32), nullable=True))
    with op.batch_alter_table("transcode_jobs", schema=None) as batch_op:
        batch_op.add_column(
            sa.Column("full_reencode", sa.Boolean(), nullable=False, server_default=sa.false())
        )
    op.create_table(
        "media_retired_renditions",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("prefix", sa.String(length=255), nullable=True),
        sa.Column("asset_id", sa.Integer(), nullable=True),
        sa.Column("delete_after", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.Column("created_at", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["asset_id"],
            ["video_assets.id"],
            name=op.f("fk_media_retired_renditions_asset_id_video_assets"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_media_retired_renditions")),
    )
    with op.batch_alter_table("media_retired_renditions", schema=None) as batch_op:
        batch_op.create_index(
            batch_op.f("ix_media_retired_renditions_asset_id"), ["asset_id"], unique=False
        )
        batch_op.create_index(
            batch_op.f("ix_media_retired_renditions_delete_after"), ["delete_after"], unique=False
        )


def downgrade():
    with op.batch_alter_table("media_retired_renditions", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_media_retired_renditions_delete_after"))
        batch_op.drop_index(batch_op.f("ix_media_retired_renditions_asset_id"))
    op.drop_table("media_retired_renditions")
    with op.batch_alter_table("transcode_jobs", schema=None) as batch_op:
        batch_op.drop_column("full_reencode")
    with op.batch_alter_table("video_assets", schema=None) as batch_op:
        batch_op.drop_column("hls_version")
