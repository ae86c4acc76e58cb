"""Forwarding to a real Ralph LRS (started by the test, on a free port, with its own
auth file and a file-system backend)."""

import json
from datetime import timedelta

import pytest

from lms.accounts.models import User
from lms.attendance.models import ClassSession
from lms.courses.models import Lesson
from lms.extensions import db
from lms.timeutil import utcnow
from lms.xapi import forwarding, lrs
from lms.xapi.models import XapiForwarding
from lms.xapi.sources import actor_name, records
from tests.factories import attend
from tests.xapi.ralph import RalphLrs

pytestmark = pytest.mark.slow
LRS_FIELDS = ("stored", "authority", "version")


@pytest.fixture
def ralph(app, tmp_path):
    server = RalphLrs(tmp_path / "ralph").start()
    app.config.update(server.settings())
    yield server
    server.stop()


def emitted(app) -> list[dict]:
    with app.app_context():
        return [record.statement for record in records()]


def stored(ralph) -> list[dict]:
    return [
        {key: value for key, value in statement.items() if key not in LRS_FIELDS}
        for statement in ralph.statements()
    ]


def forward(app, **options):
    with app.app_context():
        return forwarding.forward(settle=timedelta(0), **options)


def test_a_run_stores_exactly_the_statements_emitted(app, district, ralph):
    expected = emitted(app)
    outcome = forward(app)
    assert outcome.error is None and outcome.sent == len(expected)
    assert sorted(stored(ralph), key=lambda s: s["id"]) == sorted(expected, key=lambda s: s["id"])
    assert forward(app).sent == 0  # the mark: nothing twice
    with app.app_context():
        state = db.session.get(XapiForwarding, "lrs")
        assert state.sent_total == len(expected) and state.failures == 0
        gone = actor_name(district.erased.id)  # the erased learner: nothing sent
    assert all(s["actor"]["account"]["name"] != gone for s in ralph.statements())


def test_the_lrs_stopped_mid_run_and_restarted_loses_nothing_and_duplicates_nothing(
    app, district, ralph, monkeypatch
):
    expected = emitted(app)
    monkeypatch.setattr(forwarding, "BATCH", 3)
    real_post = lrs.post_statements
    calls = []

    def post_then_stop(statements):
        calls.append(len(statements))
        if len(calls) == 2:
            ralph.stop()  # the LRS goes down between the first and second batch
        return real_post(statements)

    monkeypatch.setattr(lrs, "post_statements", post_then_stop)
    first = forward(app)
    assert first.sent == 3 and first.error and first.waiting_until is not None
    assert forward(app).sent == 0  # backing off: the periodic run waits
    ralph.start()
    monkeypatch.setattr(lrs, "post_statements", real_post)
    later = forward(app, now=first.waiting_until + timedelta(seconds=1))
    assert later.error is None and first.sent + later.sent == len(expected)
    held = ralph.statements()
    assert len(held) == len({s["id"] for s in held}) == len(expected)
    assert {s["id"] for s in held} == {s["id"] for s in expected}


def test_a_batch_taken_but_unanswered_is_resent_harmlessly(app, district, ralph, monkeypatch):
    expected = emitted(app)
    real_post = lrs.post_statements

    def post_then_lose_the_answer(statements):
        real_post(statements)
        raise lrs.LrsError("the answer was lost")

    monkeypatch.setattr(lrs, "post_statements", post_then_lose_the_answer)
    assert forward(app).sent == 0
    monkeypatch.setattr(lrs, "post_statements", real_post)
    assert forward(app, wait_out_backoff=False).sent == len(expected)
    assert len(ralph.statements()) == len(expected)


def test_send_xapi_and_doctor_against_the_lrs(app, district, ralph, monkeypatch):
    monkeypatch.setattr(forwarding, "SETTLE", timedelta(0))
    runner = app.test_cli_runner()
    result = runner.invoke(args=["lms", "send-xapi"])
    assert result.exit_code == 0, result.output
    assert f"{len(emitted(app))} statements sent" in result.output
    again = runner.invoke(args=["lms", "send-xapi", "--since", "2000-01-01"])
    assert again.exit_code == 0 and len(ralph.statements()) == len(emitted(app))
    doctor = runner.invoke(args=["lms", "doctor"])
    assert f"ok    LRS: {ralph.url} answers a statements query" in doctor.output
    ralph.stop()
    down = runner.invoke(args=["lms", "doctor"])
    assert "FAIL  LRS:" in down.output and "does not answer" in down.output


def test_without_an_lrs_nothing_is_sent(app, district):
    assert forward(app).sent == 0
    result = app.test_cli_runner().invoke(args=["lms", "send-xapi"])
    assert result.exit_code != 0 and "LMS_XAPI_LRS_URL is not set" in result.output


def test_statements_newer_than_the_settling_time_wait(app, district, ralph):
    with app.app_context():
        assert forwarding.forward(now=utcnow()).sent == 0  # all made just now: too new
    assert ralph.statements() == []


def test_after_erasure_nothing_new_is_sent_about_the_person(app, district, ralph):
    assert forward(app).error is None
    held = len(ralph.statements())
    with app.app_context():
        db.session.get(User, district.learner.id).pseudonymised_at = utcnow()
        db.session.commit()
        name = actor_name(district.learner.id)
    with app.app_context():
        session = db.session.get(ClassSession, district.class_session_id)
        second = ClassSession(
            school_id=session.school_id,
            title="又一课",
            starts_at=session.starts_at,
            ends_at=session.ends_at,
        )
        db.session.add(second)
        db.session.commit()
        second_id = second.id
    attend(app, second_id, district.learner.id)
    assert forward(app).sent == 0
    after = ralph.statements()
    assert len(after) == held  # what it had stays; nothing new, under the same pseudonym
    assert {s["actor"]["account"]["name"] for s in after} == {name}


def test_one_run_at_a_time(app, district):
    app.config.update(LMS_XAPI_LRS_URL="http://127.0.0.1:9/xAPI")  # nothing listens there
    with app.app_context():
        forwarding.state()
        assert forwarding._claim()  # another process's run holds the lease
        assert forward(app).busy and not forward(app).sent
        result = app.test_cli_runner().invoke(args=["lms", "send-xapi"])
        assert result.exit_code != 0 and "another run" in result.output
        row = db.session.get(XapiForwarding, "lrs")
        row.lease_until = utcnow() - timedelta(seconds=1)  # that run died: the lease expired
        db.session.commit()
    outcome = forward(app)
    assert not outcome.busy and outcome.error and "does not answer" in outcome.error
    with app.app_context():
        assert db.session.get(XapiForwarding, "lrs").lease_until is None  # released


def test_a_resend_of_a_changed_statement_keeps_the_lrs_copy(app, district, ralph):
    assert forward(app).error is None
    held = {s["id"]: s for s in ralph.statements()}
    with app.app_context():
        db.session.get(Lesson, district.course.lesson_ids[0]).title = "改过的标题"
        db.session.commit()
    again = forward(app, since=utcnow() - timedelta(days=1))  # 409s, one by one
    assert again.error is None and again.sent == len(held)
    after = {s["id"]: s for s in ralph.statements()}
    assert after.keys() == held.keys()
    assert "改过的标题" not in json.dumps(list(after.values()), ensure_ascii=False)
