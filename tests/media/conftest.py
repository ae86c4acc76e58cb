import subprocess
import time

import pytest


def make_clip(path, seconds=3, size="320x240", audio=True, rate=25):
    """A small H.264/AAC clip from ffmpeg's test sources."""
    args = [
        "ffmpeg",
        "-v",
        "error",
        "-nostdin",
        "-f",
        "lavfi",
        "-i",
        f"testsrc2=size={size}:rate={rate}",
    ]
    if audio:
        args += ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"]
    args += ["-t", str(seconds), "-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]
    args += ["-c:a", "aac"] if audio else []
    subprocess.run([*args, "-y", str(path)], check=True, timeout=120)
    return path


@pytest.fixture(scope="session")
def short_clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("clips") / "lesson.mp4")


@pytest.fixture(scope="session")
def long_clip(tmp_path_factory):
    """Long enough that a transcode is still running when a test kills its worker."""
    return make_clip(tmp_path_factory.mktemp("clips") / "long.mp4", seconds=40, size="640x360")


def wait_for(condition, timeout=60.0, interval=0.1, message="condition"):
    """Poll ``condition`` until it returns something truthy; fail after ``timeout``."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = condition()
        if value:
            return value
        time.sleep(interval)
    raise AssertionError(f"timed out after {timeout} s waiting for {message}")


@pytest.fixture(scope="session")
def s3_endpoint():
    """moto's S3 server on a free loopback port, started once per session."""
    from moto.server import ThreadedMotoServer

    with pytest.MonkeyPatch.context() as env:
        # Dummy credentials, so boto3 never looks for real ones.
        env.setenv("AWS_ACCESS_KEY_ID", "testing")
        env.setenv("AWS_SECRET_ACCESS_KEY", "testing")
        env.setenv("AWS_DEFAULT_REGION", "us-east-1")
        server = ThreadedMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
        server.start()
        host, port = server.get_host_and_port()
        yield f"http://{host}:{port}"
        server.stop()


@pytest.fixture
def s3_settings(s3_endpoint):
    """LMS_* settings for S3 storage on a fresh bucket of the moto server."""
    import uuid

    from media_pipeline import S3Storage

    settings = {
        "LMS_STORAGE": "s3",
        "LMS_S3_ENDPOINT_URL": s3_endpoint,
        "LMS_S3_BUCKET": f"media-{uuid.uuid4().hex[:12]}",
        "LMS_S3_REGION": "us-east-1",
        "LMS_S3_ACCESS_KEY_ID": "testing",
        "LMS_S3_SECRET_ACCESS_KEY": "testing",
    }
    S3Storage(
        settings["LMS_S3_BUCKET"],
        endpoint_url=s3_endpoint,
        access_key_id="testing",
        secret_access_key="testing",
    ).ensure_bucket()
    return settings


@pytest.fixture(params=["local", "s3"])
def storage_app(request, database_url, tmp_path):
    """An app on local storage, then on S3 (moto); a module uses it as its ``app``."""
    from lms.extensions import db
    from tests.conftest import build_app, empty_all_tables

    environ = request.getfixturevalue("s3_settings") if request.param == "s3" else {}
    app = build_app(database_url, tmp_path / "instance", environ)
    yield app
    with app.app_context():
        db.session.remove()
        empty_all_tables()
        db.engine.dispose()


@pytest.fixture
def live_server(app):
    """The app served on a free loopback port by werkzeug, in a thread."""
    import threading

    from werkzeug.serving import make_server

    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join(timeout=10)
