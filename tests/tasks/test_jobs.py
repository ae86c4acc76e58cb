"""Job kinds, and jobs handed to the runner only once their transaction commits."""

import logging

import pytest
from sqlalchemy import event

from lms.accounts.models import Town
from lms.extensions import db
from lms.tasks.joblog import logged_job
from lms.tasks.jobs import (
    JobKind,
    _submit_committed_jobs,
    job_kinds,
    register_job_kind,
    submit_after_commit,
)
from tests.apps import build_app


def test_a_registered_kind_is_listed_and_keeps_its_celery_task_name(only_test_kinds):
    kind = JobKind("media.transcode", next_queued=lambda: None, run=lambda job_id, worker: None)
    register_job_kind(kind)
    register_job_kind(kind)  # every app registers it again: still one
    assert job_kinds() == [kind]
    assert kind.celery_task == "lms.media.transcode"  # queued messages name it


def test_a_job_is_submitted_when_its_transaction_commits(app, recorder):
    with app.app_context():
        submit_after_commit("test.kind", 7)
        submit_after_commit("test.kind", 7)  # queued twice in one transaction: sent once
        submit_after_commit("test.other", 7)
        assert recorder.submitted == []
        db.session.commit()
        assert recorder.submitted == [("test.kind", 7), ("test.other", 7)]
        db.session.commit()
    assert len(recorder.submitted) == 2  # handed over once


def queue_a_job_row(job_id):
    """Stands for a job row: any write in the transaction."""
    db.session.add(Town(code=f"99{job_id:04d}", name=f"街道{job_id}"))
    db.session.flush()
    submit_after_commit("test.kind", job_id)


def test_a_rolled_back_job_is_forgotten(app, recorder):
    with app.app_context():
        queue_a_job_row(8)
        db.session.rollback()
        db.session.commit()
        # A transaction that never reached the database is rolled back too.
        db.session.add(Town(code="990009", name="街道9"))
        submit_after_commit("test.kind", 9)
        db.session.rollback()
        db.session.commit()
    assert recorder.submitted == []


def test_a_savepoint_s_rollback_keeps_the_outer_transaction_s_jobs(app, recorder):
    with app.app_context():
        queue_a_job_row(10)
        with pytest.raises(RuntimeError), db.session.begin_nested():
            raise RuntimeError("the savepoint fails")
        db.session.commit()
    assert recorder.submitted == [("test.kind", 10)]


def test_two_apps_in_one_process_submit_a_job_once(app, recorder, database_url, tmp_path):
    second = build_app(database_url, tmp_path / "second")
    second_recorder = type(recorder)()
    second.extensions["lms_job_runner"] = second_recorder
    with second.app_context():
        submit_after_commit("test.kind", 9)
        db.session.commit()
        listeners = list(db.session().dispatch.after_commit)
    assert second_recorder.submitted == [("test.kind", 9)]
    assert recorder.submitted == []  # the other app's runner is not asked
    assert listeners.count(_submit_committed_jobs) == 1


def test_the_listeners_are_on_the_app_session_not_every_session(app):
    from sqlalchemy.orm import Session

    assert event.contains(db.session, "after_commit", _submit_committed_jobs)
    assert not event.contains(Session, "after_commit", _submit_committed_jobs)


def test_one_log_line_per_run_with_the_kind_s_fields(caplog):
    caplog.set_level(logging.INFO, logger="lms.jobs")
    outcomes = iter(["done", None])

    @logged_job(lambda job_id: {"thing_id": job_id * 10})
    def run(job_id, worker_id):
        outcome = next(outcomes, "boom")
        if outcome == "boom":
            raise RuntimeError(outcome)
        return outcome

    assert run(1, "worker-a") == "done"
    assert run(2, "worker-b") is None
    with pytest.raises(RuntimeError):
        run(3, "worker-c")
    lines = [r for r in caplog.records if r.name == "lms.jobs"]
    assert [r.fields["outcome"] for r in lines] == ["done", "skipped", "error"]
    first = lines[0].fields
    assert first["job_id"] == 1 and first["thing_id"] == 10 and first["worker_id"] == "worker-a"
    assert first["seconds"] >= 0
    assert lines[0].getMessage().startswith("job 1 thing_id=10 done in ")
