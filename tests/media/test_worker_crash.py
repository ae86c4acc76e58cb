"""A worker process killed in the middle of a transcode loses nothing.

Runs the embedded worker as its own process (`flask lms worker`) and, when
LMS_TEST_REDIS_URL is set, a real Celery worker on Redis. Nothing is mocked.
"""

import os
import random
import signal
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest

from lms.extensions import db
from lms.media import services
from lms.media.jobs import requeue_expired_jobs
from lms.media.models import VideoAsset
from tests.apps import TEST_REDIS_URL, build_app, shared_signing_key
from tests.factories import make_clip
from tests.helpers import wait_for

pytestmark = pytest.mark.slow  # real worker processes killed mid-transcode

PROJECT_ROOT = Path(__file__).resolve().parents[2]
RUNNERS = ["embedded"] + (["celery"] if TEST_REDIS_URL else [])


@pytest.fixture(scope="module")
def crash_clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("clips") / "crash.mp4", seconds=20, size="640x360")


def private_redis_db(url: str) -> str:
    """The same Redis server, another database number: a Celery worker of another test
    process (a pytest-xdist worker, another run sharing the server) never takes this
    test's jobs. Each xdist worker has its own number; another run picks at random."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    number = 1 + int(worker.removeprefix("gw")) % 15 if worker else random.randint(1, 15)
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path=f"/{number}"))


def start_worker(kind: str, env: dict, log_path: Path) -> subprocess.Popen:
    if kind == "celery":
        command = [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "lms.worker",
            "worker",
            "--pool=solo",
            "--concurrency=1",
            "--loglevel=INFO",
            "--without-heartbeat",
            "--without-gossip",
            "--without-mingle",
        ]
    else:
        command = [sys.executable, "-m", "flask", "--app", "wsgi", "lms", "worker"]
    return subprocess.Popen(
        command,
        cwd=PROJECT_ROOT,
        env=env,
        start_new_session=True,
        stdout=log_path.open("ab"),
        stderr=subprocess.STDOUT,
    )


def stop(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait(timeout=30)


def ffmpeg_running_on(path_fragment: str) -> bool:
    result = subprocess.run(["pgrep", "-f", f"ffmpeg.*{path_fragment}"], capture_output=True)
    return result.returncode == 0


@pytest.mark.parametrize("kind", RUNNERS)
def test_a_killed_worker_s_job_is_requeued_and_finished(
    app, database_url, crash_clip, tmp_path, kind
):
    instance = Path(app.config["INSTANCE_PATH"])
    settings = {
        "LMS_INSTANCE_PATH": str(instance),
        "LMS_DATABASE_URL": database_url,
        "LMS_SECRET_KEY": "test-secret-key",
        "LMS_SIGNING_KEY_FILE": shared_signing_key(instance),
        "LMS_JOB_LEASE_SECONDS": "3",
    }
    if kind == "celery":
        settings["LMS_BROKER_URL"] = private_redis_db(TEST_REDIS_URL)
    submitter = build_app(database_url, instance, environ=settings)
    env = {**os.environ, **settings}
    log_path = tmp_path / "worker.log"

    # A slow preset keeps the first worker busy long enough to be killed mid-way.
    first = start_worker(kind, {**env, "LMS_TRANSCODE_PRESET": "slower"}, log_path)
    second = None
    try:
        with submitter.app_context():
            asset = services.create_asset_from_file(crash_clip, actor=None)
            db.session.commit()
            asset_id = asset.id

        def progress():
            with submitter.app_context():
                found = db.session.get(VideoAsset, asset_id)
                return found.status == "transcoding" and found.percent > 0

        wait_for(progress, timeout=90, message=f"{kind} worker to start transcoding")
        stop(first)
        # ffmpeg loses its progress pipe with its parent and ends too.
        wait_for(
            lambda: not ffmpeg_running_on(str(instance)),
            timeout=30,
            message="the orphaned ffmpeg to end",
        )

        def sweep():
            with submitter.app_context():
                requeued = requeue_expired_jobs()
                db.session.commit()
                return requeued

        wait_for(sweep, timeout=30, message="the sweeper to requeue the job")
        second = start_worker(kind, env, log_path)

        def ready():
            with submitter.app_context():
                found = db.session.get(VideoAsset, asset_id)
                assert found.status != "failed", found.failure_params
                return found.status == "ready" and [j.attempts for j in found.jobs] == [2]

        wait_for(ready, timeout=180, message="the asset to be ready")
    except AssertionError:
        print(log_path.read_text()[-4000:])
        raise
    finally:
        stop(first)
        if second:
            stop(second)
        with submitter.app_context():
            db.engine.dispose()
