"""The runners: the embedded one asks the job kinds for work; Celery gets named tasks."""

import pytest

from lms.extensions import db
from lms.tasks.jobs import JobKind, register_job_kind, submit_after_commit
from lms.tasks.periodic import periodic_task
from lms.tasks.runners import CeleryRunner, EmbeddedRunner
from tests.apps import TEST_REDIS_URL
from tests.helpers import wait_for


def queue_of_jobs(name, job_ids, ran):
    """A job kind whose queue is a list: run() takes the job off and notes who ran it."""

    def run(job_id, worker_id):
        job_ids.remove(job_id)
        ran.append((name, job_id, worker_id))
        return "done"

    return JobKind(name, next_queued=lambda: min(job_ids, default=None), run=run)


def test_the_embedded_runner_runs_the_oldest_job_of_the_first_kind_with_one(app, only_test_kinds):
    ran = []
    first, second = [], [5, 3]
    register_job_kind(queue_of_jobs("test.first", first, ran))
    register_job_kind(queue_of_jobs("test.second", second, ran))
    runner = EmbeddedRunner(app)
    with app.app_context():
        assert runner.run_next_job()
        first.append(9)
        assert runner.run_next_job()
        assert runner.run_next_job()
        assert not runner.run_next_job()
    assert [(name, job) for name, job, _ in ran] == [
        ("test.second", 3),
        ("test.first", 9),
        ("test.second", 5),
    ]
    assert {worker for *_, worker in ran} == {runner.worker_id}


def test_the_embedded_thread_runs_submitted_jobs_and_periodic_tasks(
    app, only_test_kinds, only_test_periodic_tasks
):
    ran, queued, ticks = [], [], []
    register_job_kind(queue_of_jobs("test.kind", queued, ran))
    periodic_task("test.tick", every=3600)(lambda: ticks.append(1))
    runner = EmbeddedRunner(app, poll_seconds=30)  # only a submit wakes it in time
    app.extensions["lms_job_runner"] = runner
    runner.ensure_started()
    try:
        wait_for(lambda: ticks, message="the periodic task's first run")
        with app.app_context():
            queued.append(1)
            submit_after_commit("test.kind", 1)
            db.session.commit()
        wait_for(lambda: ran, message="the submitted job to run")
    finally:
        runner.stop(timeout=30)
    assert ticks == [1]  # not due again for an hour


def test_the_celery_runner_sends_the_kind_s_task(monkeypatch):
    runner = CeleryRunner("redis://127.0.0.1:1/0")
    sent = []
    monkeypatch.setattr(runner.client, "send_task", lambda name, args: sent.append((name, args)))
    runner.submit("media.transcode", 4)
    assert sent == [("lms.media.transcode", [4])]


def test_a_broker_that_does_not_answer_leaves_the_job_to_the_sweeper(monkeypatch, caplog):
    runner = CeleryRunner("redis://127.0.0.1:1/0")

    def refuse(name, args):
        raise ConnectionError("no broker")

    monkeypatch.setattr(runner.client, "send_task", refuse)
    runner.submit("media.transcode", 4)  # no exception: the row stays queued
    assert "could not send media.transcode job 4" in caplog.text


@pytest.mark.skipif(not TEST_REDIS_URL, reason="LMS_TEST_REDIS_URL is not set")
def test_a_committed_job_reaches_redis_as_its_celery_task(app):
    import json
    import uuid

    import redis

    queue = f"test-tasks-{uuid.uuid4().hex[:12]}"
    runner = CeleryRunner(TEST_REDIS_URL)
    runner.client.conf.task_default_queue = queue  # no worker of another test takes it
    app.extensions["lms_job_runner"] = runner
    broker = redis.Redis.from_url(TEST_REDIS_URL)
    try:
        with app.app_context():
            submit_after_commit("media.transcode", 11)
            db.session.commit()
        (message,) = broker.lrange(queue, 0, -1)
    finally:
        broker.delete(queue)
        runner.client.close()
    headers = json.loads(message)["headers"]
    assert headers["task"] == "lms.media.transcode" and headers["argsrepr"] == "[11]"
