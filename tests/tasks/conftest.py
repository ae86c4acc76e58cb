import pytest

from lms.tasks import jobs, periodic


class RecordingRunner:
    """Stands in for the app's runner: remembers what it was handed."""

    def __init__(self):
        self.submitted = []

    def submit(self, kind_name, job_id):
        self.submitted.append((kind_name, job_id))


@pytest.fixture
def recorder(app):
    runner = RecordingRunner()
    app.extensions["lms_job_runner"] = runner
    return runner


@pytest.fixture
def only_test_kinds(monkeypatch):
    """The job-kind registry without the domains' kinds, restored after the test."""
    kinds = {}
    monkeypatch.setattr(jobs, "_kinds", kinds)
    return kinds


@pytest.fixture
def only_test_periodic_tasks(monkeypatch):
    """The periodic-task registry without the domains' tasks, restored after the test."""
    registry = {}
    monkeypatch.setattr(periodic, "_registry", registry)
    return registry
