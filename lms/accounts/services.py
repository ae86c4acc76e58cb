"""Account rules as plain functions: they flush, the caller commits."""

import functools
import re
import secrets
from dataclasses import dataclass

from flask import current_app
from flask_babel import gettext as _
from sqlalchemy import Select, func, or_, select
from werkzeug.security import check_password_hash, generate_password_hash

from lms.accounts.audit import record_event
from lms.accounts.models import ROLES, Town, User
from lms.extensions import db
from lms.timeutil import utcnow
from lms.web.errors import DomainError

MIN_PASSWORD_LENGTH = 8
USERNAME_PATTERN = re.compile(r"^[A-Za-z0-9_.-]{3,40}$")
PHONE_PATTERN = re.compile(r"^1[3-9]\d{9}$")
# What people type around a mobile number: spaces (also full-width), dashes, brackets.
PHONE_SEPARATORS = re.compile(r"[\s\u3000()（）-]")
EARLIEST_BIRTH_YEAR = 1900


class AccountError(DomainError):
    """A refusal with a message fit to show the person who asked."""


class PhoneTakenError(AccountError):
    """The mobile number is another account's (numbers are unique among accounts)."""


@dataclass
class NewUser:
    username: str
    display_name: str
    password: str
    town_code: str | None = None
    phone: str | None = None
    birth_year: int | None = None
    roles: tuple[str, ...] = ("learner",)


def normalise_username(username: str) -> str:
    return (username or "").strip().lower()


def find_user_by_username(username: str) -> User | None:
    return db.session.scalar(select(User).where(User.username == normalise_username(username)))


def normalise_phone(text: str | None) -> str | None:
    """A mainland mobile number as its 11 digits, or None when ``text`` is not one.

    Spaces, dashes and brackets are dropped and a +86 / 0086 prefix is taken off, so
    "138 0000 0000", "138-0000-0000" and "+86 13800000000" are the same number."""
    digits = PHONE_SEPARATORS.sub("", text or "")
    for prefix in ("+86", "0086"):
        if digits.startswith(prefix):
            digits = digits[len(prefix) :]
            break
    return digits if digits.isascii() and PHONE_PATTERN.match(digits) else None


def login_key(identifier: str) -> str:
    """The one spelling of what a person typed to log in: the normalised number when it
    is a mobile number, else the normalised username. Rate limits count per this key."""
    return normalise_phone(identifier) or normalise_username(identifier)[:40]


def find_user_by_phone(phone: str) -> User | None:
    number = normalise_phone(phone)
    if number is None:
        return None
    return db.session.scalar(select(User).where(User.phone == number))


def find_user_for_login(identifier: str) -> User | None:
    """The account a log-in names: by mobile number when it is one, else by username
    (an older account whose username is digits still logs in by its username)."""
    if normalise_phone(identifier):
        user = find_user_by_phone(identifier)
        if user is not None:
            return user
    return find_user_by_username(identifier)


def _checked_phone(phone: str | None, *, holder: User | None = None) -> str | None:
    """``phone`` normalised and free (not another account's), or a refusal."""
    if not (phone or "").strip():
        return None
    number = normalise_phone(phone)
    if number is None:
        raise AccountError(_("A mobile number has 11 digits and starts with 1."))
    other = find_user_by_phone(number)
    if other is not None and other is not holder:
        raise PhoneTakenError(
            _("The mobile number %(phone)s belongs to another account.", phone=number)
        )
    return number


def find_town_by_code(code: str) -> Town | None:
    return db.session.scalar(select(Town).where(Town.code == (code or "").strip()))


def check_password_strength(password: str) -> None:
    if len(password or "") < MIN_PASSWORD_LENGTH:
        raise AccountError(
            _("The password needs at least %(n)d characters.", n=MIN_PASSWORD_LENGTH)
        )


def _validate(data: NewUser, current_year: int) -> Town | None:
    username = normalise_username(data.username)
    if not USERNAME_PATTERN.match(username):
        raise AccountError(_("A username is 3 to 40 letters, digits, dots, dashes or underscores."))
    if normalise_phone(username):
        # Else one person's username could be another's number, and log-in ambiguous.
        raise AccountError(_("A username cannot be a mobile number."))
    if find_user_by_username(username):
        raise AccountError(_("The username %(username)s is taken.", username=username))
    if not (data.display_name or "").strip():
        raise AccountError(_("Please give a name."))
    check_password_strength(data.password)
    data.phone = _checked_phone(data.phone)
    if data.birth_year is not None and not EARLIEST_BIRTH_YEAR <= data.birth_year <= current_year:
        raise AccountError(_("The birth year %(year)s is not possible.", year=data.birth_year))
    unknown = set(data.roles) - set(ROLES)
    if unknown or not data.roles:
        raise AccountError(_("Unknown role: %(role)s", role=", ".join(sorted(unknown)) or "-"))
    town = None
    if data.town_code:
        town = find_town_by_code(data.town_code)
        if town is None:
            raise AccountError(
                _("There is no town or street with code %(code)s.", code=data.town_code)
            )
    elif "learner" in data.roles or "staff" in data.roles:
        raise AccountError(_("Please choose a town or street."))
    return town


def create_user(data: NewUser, *, actor: User | None) -> User:
    """Create an account after checking every field; nothing is written on refusal."""
    now = utcnow()
    town = _validate(data, now.year)
    user = User(
        username=normalise_username(data.username),
        display_name=data.display_name.strip(),
        phone=data.phone or None,
        birth_year=data.birth_year,
        town=town,
        created_by_id=actor.id if actor else None,
    )
    user.set_password(data.password)
    user.set_roles(data.roles)
    db.session.add(user)
    db.session.flush()
    return user


def register_learner(data: NewUser, *, accepted_privacy: bool, actor: User | None = None) -> User:
    """A learner registering, or staff registering one on their behalf."""
    if not accepted_privacy:
        raise AccountError(_("Please read and accept the privacy notice."))
    data.roles = ("learner",)
    user = create_user(data, actor=actor)
    record_consent(user)
    return user


def privacy_notice_version() -> str:
    return current_app.config["PRIVACY_NOTICE_VERSION"]


def needs_consent(user: User) -> bool:
    return user.privacy_version != privacy_notice_version()


def record_consent(user: User) -> None:
    user.privacy_version = privacy_notice_version()
    user.privacy_accepted_at = utcnow()


@functools.cache
def _hash_of_no_account() -> str:
    return generate_password_hash(secrets.token_hex(16))


def authenticate(identifier: str, password: str) -> User | None:
    """The account named by ``identifier`` (a mobile number or a username) when the
    password is right, else None."""
    user = find_user_for_login(identifier)
    if user is None:
        # Hash the guess anyway: a wrong username or number then costs what a wrong
        # password does, so response times do not tell which ones exist.
        check_password_hash(_hash_of_no_account(), password or "")
        return None
    if not user.check_password(password or ""):
        return None
    return user


def change_password(user: User, old_password: str, new_password: str) -> None:
    if not user.check_password(old_password or ""):
        raise AccountError(_("The current password is wrong."))
    check_password_strength(new_password)
    user.set_password(new_password)


def end_sessions(user: User) -> None:
    """Log ``user`` out everywhere: a copied session cookie dies with the log-out."""
    user.rotate_session_token()


def reset_password(user: User, new_password: str | None, *, actor: User) -> str:
    """Set a new password chosen by a helper (staff/admin); returns it to hand over."""
    password = new_password or generate_password()
    check_password_strength(password)
    user.set_password(password)
    record_event("password.reset_by_other", actor=actor, target_type="user", target_id=user.id)
    return password


def set_disabled(user: User, disabled: bool, *, actor: User) -> None:
    if user.id == actor.id and disabled:
        raise AccountError(_("You cannot disable your own account."))
    if user.disabled != disabled:
        record_event(
            "account.disabled" if disabled else "account.enabled",
            actor=actor,
            target_type="user",
            target_id=user.id,
        )
    user.disabled = disabled


def change_roles(user: User, roles, *, actor: User) -> None:
    """Grant and revoke roles; each change is audited."""
    wanted = set(roles)
    if unknown := wanted - set(ROLES):
        raise AccountError(_("Unknown role: %(role)s", role=", ".join(sorted(unknown))))
    if user.id == actor.id and "admin" not in wanted:
        raise AccountError(_("You cannot remove your own admin role."))
    if not wanted:
        raise AccountError(_("An account needs at least one role."))
    for role in sorted(wanted - user.roles):
        record_event("role.granted", actor=actor, target_type="user", target_id=user.id, role=role)
    for role in sorted(user.roles - wanted):
        record_event("role.revoked", actor=actor, target_type="user", target_id=user.id, role=role)
    user.set_roles(wanted)


def request_deletion(user: User) -> None:
    if user.deletion_requested_at is None:
        user.deletion_requested_at = utcnow()
        record_event(
            "account.deletion_requested", actor=user, target_type="user", target_id=user.id
        )


def erase_account(user: User, *, actor: User) -> str:
    """The admin confirms a deletion request: the person is erased, the id stays."""
    from lms.accounts.personal_data import pseudonymise

    if user.deletion_requested_at is None:
        raise AccountError(_("This person has not asked for deletion."))
    if user.pseudonymised_at is not None:
        raise AccountError(_("This account was deleted already."))
    pseudonym = pseudonymise(user)
    record_event("account.deleted", actor=actor, target_type="user", target_id=user.id)
    return pseudonym


def edit_person(user: User, *, display_name: str, phone: str | None, actor: User) -> None:
    """Staff or the admin correct a person's name and mobile number; audited."""
    name = (display_name or "").strip()
    if not name:
        raise AccountError(_("Please give a name."))
    number = _checked_phone(phone, holder=user)
    before = {"display_name": user.display_name, "phone": user.phone}
    after = {"display_name": name, "phone": number}
    changed = sorted(field for field in before if before[field] != after[field])
    user.display_name, user.phone = name, number
    if changed:
        record_event(
            "account.edited", actor=actor, target_type="user", target_id=user.id, fields=changed
        )
    db.session.flush()


def record_phone_viewed(user: User, *, actor: User) -> None:
    """The unmasked number was shown to ``actor`` (the staff member editing ``user``)."""
    if user.phone:
        record_event("phone.viewed", actor=actor, target_type="user", target_id=user.id)


def set_elder_mode(user: User, enabled: bool) -> None:
    user.elder_mode = enabled


def set_locale(user: User, locale: str) -> None:
    user.locale = locale


def generate_password() -> str:
    # Digits only: easy to read out to an elderly learner, 10 of them is 33 bits.
    return "".join(secrets.choice("23456789") for _ in range(10))


@dataclass
class UserSearch:
    text: str = ""
    role: str | None = None
    page: int = 1
    per_page: int = 20


def search_users(criteria: UserSearch, among: Select | None = None):
    """A page of users (of ``among``, a query of users; everyone by default) matching a
    substring of username, name or phone."""
    query = (select(User) if among is None else among).order_by(User.id.desc())
    if criteria.text:
        # A whole mobile number is found however it is typed ("+86 138-0000-5678").
        text = normalise_phone(criteria.text) or criteria.text.strip().lower()
        pattern = f"%{text}%"
        query = query.where(
            or_(
                User.username.like(pattern),
                func.lower(User.display_name).like(pattern),
                User.phone.like(pattern),
            )
        )
    if criteria.role:
        query = query.where(User.role_rows.any(role=criteria.role))
    return db.paginate(query, page=criteria.page, per_page=criteria.per_page, error_out=False)


def list_towns() -> list[Town]:
    return list(db.session.scalars(select(Town).order_by(Town.code)))


def upsert_town(code: str, name: str, population: int) -> Town:
    town = find_town_by_code(code)
    if town is None:
        town = Town(code=code, name=name, population=population)
        db.session.add(town)
    else:
        town.name, town.population = name, population
    db.session.flush()
    return town
