import pytest

from tests.factories import make_clip


@pytest.fixture(scope="session")
def short_clip(tmp_path_factory):
    return make_clip(tmp_path_factory.mktemp("clips") / "lesson.mp4")


@pytest.fixture(scope="session")
def long_clip(tmp_path_factory):
    """Long enough that a transcode is still running when a test kills its worker."""
    return make_clip(tmp_path_factory.mktemp("clips") / "long.mp4", seconds=40, size="640x360")


@pytest.fixture(params=["local", "s3"])
def storage_app(request, database_url, tmp_path):
    """An app on local storage, then on S3 (moto); a module uses it as its ``app``."""
    from lms.extensions import db
    from tests.apps import build_app, empty_all_tables

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
