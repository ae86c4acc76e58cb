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


@pytest.fixture
def finished():
    """Registers the upload purpose "test:<ident>" (allowed when ident is "ok") and
    records what its on_complete hook receives."""
    from lms.media import uploads

    received = []
    uploads.register_upload_purpose(
        "test",
        authorize=lambda user, ident: ident == "ok",
        on_complete=lambda upload, asset: received.append((upload.public_id, asset.public_id)),
    )
    yield received
    uploads._purposes.pop("test", None)


@pytest.fixture
def teacher_headers(client, login_as, csrf_token, make_user):
    """Headers that make a plain HTTP client a logged-in teacher (or ``user``): session
    cookie and CSRF token, as the browser page sends them."""

    def headers_for(user=None):
        login_as(user or make_user("teacher"))
        token = csrf_token()
        return {"Cookie": f"session={client.get_cookie('session').value}", "X-CSRFToken": token}

    return headers_for
