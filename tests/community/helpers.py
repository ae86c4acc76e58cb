from sqlalchemy import select

from lms.accounts.models import User
from lms.community.models import LessonQuestion
from lms.extensions import db
from tests.web_client import csrf_token_of, log_in_as


def user(user_id: int) -> User:
    """The user row of a record made by make_user (inside an app context)."""
    return db.session.get(User, user_id)


# Questions on lessons (the lesson_world fixture is in conftest.py)


def as_user(app, user):
    """A new test client logged in as ``user``, and its CSRF token."""
    client = log_in_as(app.test_client(), user)
    return client, csrf_token_of(client)


def lesson_url(world) -> str:
    return f"/courses/{world['course'].id}/lessons/{world['lesson_id']}"


def ask(app, world, body="第二步怎么设置？", user=None, **extra):
    client, token = as_user(app, user or world["asker"])
    return client.post(
        lesson_url(world) + "/questions", data={"csrf_token": token, "body": body, **extra}
    )


def only_question(app) -> LessonQuestion:
    with app.app_context():
        question = db.session.scalars(select(LessonQuestion)).one()
        db.session.expunge(question)
        return question
