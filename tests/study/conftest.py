import pytest

from tests.factories import enrol


@pytest.fixture
def enrolled(app, make_user, make_course, login_as, client):
    """A logged-in learner enrolled in a published course of 2-minute lessons."""
    course = make_course(lessons=2)
    learner = make_user("learner")
    enrol(app, course, learner)
    login_as(learner)
    return course, learner
