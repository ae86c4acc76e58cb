"""The periodic-task registry, its schedule, and one run's transaction."""

import pytest
from sqlalchemy import select

from lms.accounts.models import Town
from lms.extensions import db
from lms.tasks.periodic import (
    PeriodicSchedule,
    periodic_task,
    registered_tasks,
    run_periodic_task,
)


def test_every_task_is_due_at_start_then_after_its_interval(only_test_periodic_tasks):
    periodic_task("test.often", every=10)(lambda: None)
    periodic_task("test.seldom", every=60)(lambda: None)
    assert [task.name for task in registered_tasks()] == ["test.often", "test.seldom"]
    schedule = PeriodicSchedule(now=100.0)
    assert schedule.due(100.0) == ["test.often", "test.seldom"]
    assert schedule.due(105.0) == []
    assert schedule.seconds_until_next(105.0) == 5.0
    assert schedule.due(110.0) == ["test.often"]
    assert schedule.due(160.0) == ["test.often", "test.seldom"]


def test_an_empty_schedule_wakes_within_a_minute(only_test_periodic_tasks):
    assert PeriodicSchedule(now=0.0).seconds_until_next(0.0) == 60.0


def test_a_task_commits_when_it_returns_and_rolls_back_when_it_raises(
    app, only_test_periodic_tasks
):
    def add_town(code):
        db.session.add(Town(code=code, name=f"街道{code}"))

    @periodic_task("test.adds", every=60)
    def adds():
        add_town("990001")
        return "added"

    @periodic_task("test.fails", every=60)
    def fails():
        add_town("990002")
        raise RuntimeError("half done")

    with app.app_context():
        assert run_periodic_task("test.adds") == "added"
        with pytest.raises(RuntimeError):
            run_periodic_task("test.fails")
    with app.app_context():
        assert db.session.scalars(select(Town.code)).all() == ["990001"]


def test_the_domains_register_their_tasks(app):
    names = {task.name for task in registered_tasks()}
    assert {
        "media.requeue_expired_jobs",
        "study.prune_heartbeats",
        "attendance.close_ended_sessions",
        "reports.refresh_rollup",
    } <= names
