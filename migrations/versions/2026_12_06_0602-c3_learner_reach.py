"""Learner reach: phone log-in, lesson questions, places to learn (#21).

Phone log-in: users.phone becomes unique (numbers were already checked to be 11 digits
when written). Should two accounts hold the same number, the earliest keeps it and the
later ones lose it (printed, so the admin can tell those people); they still log in by
username.

Places to learn: the places table, with one place for each existing community school.

Revision ID: c3_learner_reach
Revises: c2_media_versions
Create Date: 2026-12-06 06:00 UTC

"""

import sqlalchemy as sa
from alembic import op

import lms.timeutil

# revision identifiers, used by Alembic.
revision = "c3_learner_reach"
down_revision = "c2_media_versions"
branch_labels = None
depends_on = None

_users = sa.table("users", sa.column("id", sa.Integer), sa.column("phone", sa.String))
_schools = sa.table(
    "community_schools",
    sa.column("id", sa.Integer),
    sa.column("name", sa.String),
    sa.column("town_id", sa.Integer),
    sa.column("address", sa.String),
    sa.column("created_at", lms.timeutil.UTCDateTime),
)


def upgrade():
    _upgrade_phone_login()
    _upgrade_places()


def downgrade():
    _downgrade_places()
    _downgrade_phone_login()


# Phone log-in ----------------------------------------------------------------------------


def _upgrade_phone_login():
    connection = op.get_bind()
    rows = connection.execute(
        sa.select(_users.c.id, _users.c.phone)
        .where(_users.c.phone.is_not(None))
        .order_by(_users.c.id)
    ).all()
    seen = set()
    for user_id, phone in rows:
        number = "".join(ch for ch in phone if ch.isascii() and ch.isdigit()) or None
        if number and len(number) == 13 and number.startswith("86"):
            number = number[2:]  # +86
        if number in seen:
            print(f"users.phone: user {user_id} shared {number} with an earlier account; cleared")
            number = None
        seen.add(number)
        if number != phone:
            connection.execute(
                sa.update(_users).where(_users.c.id == user_id).values(phone=number)
            )
    # An index, not a constraint: SQLite would rebuild the users table for a constraint,
    # and the foreign keys to users refuse that once there are rows.
    op.create_index(op.f("ix_users_phone"), "users", ["phone"], unique=True)


def _downgrade_phone_login():
    op.drop_index(op.f("ix_users_phone"), table_name="users")


# Places to learn -------------------------------------------------------------------------


def _upgrade_places():
    op.create_table(
        "places",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=80), nullable=False),
        sa.Column("town_id", sa.Integer(), nullable=False),
        sa.Column("address", sa.String(length=200), nullable=False),
        sa.Column("opening_hours", sa.String(length=200), nullable=False),
        sa.Column("phone", sa.String(length=40), nullable=False),
        sa.Column("description", sa.String(length=500), nullable=False),
        sa.Column("latitude", sa.Double(), nullable=True),
        sa.Column("longitude", sa.Double(), nullable=True),
        sa.Column("school_id", sa.Integer(), nullable=True),
        sa.Column("created_at", lms.timeutil.UTCDateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["school_id"],
            ["community_schools.id"],
            name=op.f("fk_places_school_id_community_schools"),
            ondelete="CASCADE",
        ),
        sa.ForeignKeyConstraint(["town_id"], ["towns.id"], name=op.f("fk_places_town_id_towns")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_places")),
        sa.UniqueConstraint("school_id", name=op.f("uq_places_school_id")),
    )
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.create_index("ix_places_town_kind", ["town_id", "kind"], unique=False)
    places = sa.table(
        "places",
        sa.column("kind", sa.String),
        sa.column("name", sa.String),
        sa.column("town_id", sa.Integer),
        sa.column("address", sa.String),
        sa.column("opening_hours", sa.String),
        sa.column("phone", sa.String),
        sa.column("description", sa.String),
        sa.column("school_id", sa.Integer),
        sa.column("created_at", lms.timeutil.UTCDateTime),
    )
    connection = op.get_bind()
    for school in connection.execute(sa.select(_schools)).all():
        connection.execute(
            sa.insert(places).values(
                kind="community_school",
                name=school.name,
                town_id=school.town_id,
                address=school.address or "",
                opening_hours="",
                phone="",
                description="",
                school_id=school.id,
                created_at=school.created_at,
            )
        )


def _downgrade_places():
    with op.batch_alter_table("places", schema=None) as batch_op:
        batch_op.drop_index("ix_places_town_kind")
    op.drop_table("places")
