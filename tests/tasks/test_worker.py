"""The Celery application (lms/worker.py): its task names and the beat schedule."""

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.apps import shared_signing_key

PROJECT_ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow  # a process of its own builds the app
def test_celery_has_the_job_tasks_and_beat_runs_every_periodic_task(tmp_path):
    env = {
        **os.environ,
        "LMS_INSTANCE_PATH": str(tmp_path),
        "LMS_BROKER_URL": "redis://127.0.0.1:1/0",
        "LMS_SECRET_KEY": "test-secret-key",
        "LMS_SIGNING_KEY_FILE": shared_signing_key(tmp_path),
    }
    script = (
        "from lms.worker import celery\n"
        "print(sorted(name for name in celery.tasks if name.startswith('lms.')))\n"
        "print(sorted(celery.conf.beat_schedule))\n"
    )
    tasks, schedule = subprocess.run(
        [sys.executable, "-c", script],
        cwd=PROJECT_ROOT,
        env=env,
        capture_output=True,
        text=True,
        check=True,
    ).stdout.splitlines()
    # Queued messages and the compose files name these: they never change.
    assert tasks == "['lms.media.transcode', 'lms.periodic']"
    assert "media.requeue_expired_jobs" in schedule and "study.prune_heartbeats" in schedule
