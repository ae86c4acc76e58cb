import secrets
from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from lms.extensions import db
from lms.timeutil import UTCDateTime, utcnow

ROLES = ("learner", "teacher", "staff", "admin")


class Town(db.Model):
    """A town or street (镇街), the district's unit for scope and statistics."""

    __tablename__ = "towns"

    id: Mapped[int] = mapped_column(primary_key=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(50))
    population: Mapped[int] = mapped_column(default=0)

    def __repr__(self):
        return f"<Town {self.code} {self.name}>"


class UserRole(db.Model):
    __tablename__ = "user_roles"
    __table_args__ = (UniqueConstraint("user_id", "role"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    role: Mapped[str] = mapped_column(String(20))


class User(UserMixin, db.Model):
    __tablename__ = "users"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(40), unique=True)
    display_name: Mapped[str] = mapped_column(String(60))
    # 11 digits (normalised by services); unique among the accounts that have one. A
    # unique index, not a constraint: adding it needs no rebuild of the users table on
    # SQLite, which foreign keys to users would refuse once there are rows.
    phone: Mapped[str | None] = mapped_column(String(20), unique=True, index=True)
    birth_year: Mapped[int | None]
    town_id: Mapped[int | None] = mapped_column(ForeignKey("towns.id"), index=True)
    password_hash: Mapped[str] = mapped_column(String(255))
    # Rotated with every password change so sessions opened before it end.
    session_token: Mapped[str] = mapped_column(String(32), default=lambda: secrets.token_hex(16))
    disabled: Mapped[bool] = mapped_column(default=False)
    elder_mode: Mapped[bool] = mapped_column(default=False)
    locale: Mapped[str | None] = mapped_column(String(10))
    privacy_version: Mapped[str | None] = mapped_column(String(20))
    privacy_accepted_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    created_at: Mapped[datetime] = mapped_column(UTCDateTime(), default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # PIPL: a learner asks for deletion, the admin confirms, the person is pseudonymised.
    deletion_requested_at: Mapped[datetime | None] = mapped_column(UTCDateTime())
    pseudonymised_at: Mapped[datetime | None] = mapped_column(UTCDateTime())

    town: Mapped[Town | None] = relationship(lazy="joined")
    role_rows: Mapped[list[UserRole]] = relationship(cascade="all, delete-orphan", lazy="selectin")

    @property
    def roles(self) -> set[str]:
        return {row.role for row in self.role_rows}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def set_roles(self, roles) -> None:
        wanted = set(roles)
        self.role_rows = [row for row in self.role_rows if row.role in wanted]
        for role in sorted(wanted - self.roles):
            self.role_rows.append(UserRole(role=role))

    def set_password(self, password: str) -> None:
        self.password_hash = generate_password_hash(password)
        self.rotate_session_token()

    def rotate_session_token(self) -> None:
        """End every session of this user: their cookies name the old token."""
        self.session_token = secrets.token_hex(16)

    def check_password(self, password: str) -> bool:
        return check_password_hash(self.password_hash, password)

    @property
    def is_active(self) -> bool:
        return not self.disabled

    def get_id(self) -> str:
        return f"{self.id}:{self.session_token}"

    @property
    def masked_phone(self) -> str:
        """138****5678: enough to recognise one's own number, not to read someone's."""
        if not self.phone:
            return ""
        if len(self.phone) < 7:
            return "*" * len(self.phone)
        return self.phone[:3] + "*" * (len(self.phone) - 7) + self.phone[-4:]

    def __repr__(self):
        return f"<User {self.username}>"
