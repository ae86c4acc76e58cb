from lms.accounts.models import User
from lms.extensions import db


def user(user_id: int) -> User:
    """The user row of a record made by make_user (inside an app context)."""
    return db.session.get(User, user_id)
