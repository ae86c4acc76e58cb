"""The tus requests of a running upload over real HTTP: the lean PATCH and HEAD (the
caller checked in the upload's own statement) and bodies cut short."""

import hashlib
import logging
import os
import socket
import struct
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import event, update

from lms.accounts.models import User
from lms.extensions import db
from lms.media import api, uploads_body
from lms.media.storage import get_storage
from tests.helpers import wait_for
from tests.media.test_uploads import TUS, bytes_kept, create, head_offset, patch, upload_row

MiB = 2**20


@pytest.fixture
def app(storage_app):
    return storage_app


def set_user(app, user_id, **values):
    with app.app_context():
        db.session.execute(update(User).where(User.id == user_id).values(**values))
        db.session.commit()


def test_a_chunk_loads_neither_the_user_nor_their_roles(
    app, live_server, teacher_headers, make_user, finished
):
    teacher = make_user("teacher")
    headers = teacher_headers(teacher)
    url = create(live_server, headers, 9 * MiB).headers["Location"]
    statements = []

    def record(conn, cursor, statement, *args):
        statements.append(" ".join(statement.split()))

    with app.app_context():
        event.listen(db.engine, "before_cursor_execute", record)
        try:
            assert patch(url, headers, 0, os.urandom(8 * MiB)).status_code == 204
            assert head_offset(url, headers) == 8 * MiB
        finally:
            event.remove(db.engine, "before_cursor_execute", record)
    reading_users = [s for s in statements if " users" in s or "user_roles" in s]
    assert len(reading_users) == 2, statements  # one per request: the upload and its owner
    assert all("FROM media_uploads JOIN users ON" in s for s in reading_users), reading_users


def test_the_request_log_names_the_sender_of_a_chunk(
    app, live_server, teacher_headers, make_user, finished, caplog
):
    """A lean request loads no user, yet its log line names the user its statement found
    (a refused one loads its caller to say why, and names them)."""
    caplog.set_level(logging.INFO, logger="lms.requests")
    teacher = make_user("teacher")
    headers = teacher_headers(teacher)
    url = create(live_server, headers, MiB).headers["Location"]
    assert patch(url, headers, 0, os.urandom(MiB)).status_code == 204
    assert head_offset(url, headers) == MiB
    other = make_user("teacher")
    patch(url, teacher_headers(other), MiB, b"x")  # someone else's upload: 404

    lines = [r.fields for r in caplog.records if r.name == "lms.requests"]
    chunk, head, refused = [line for line in lines if line["method"] in ("PATCH", "HEAD")]
    assert chunk["status"] == 204 and chunk["user_id"] == teacher.id
    assert head["status"] == 200 and head["user_id"] == teacher.id
    assert refused["status"] == 404 and refused["user_id"] == other.id


def test_a_chunk_needs_its_own_session_s_csrf_token(
    app, live_server, teacher_headers, make_user, login_as, csrf_token, finished
):
    """A chunk's token is checked in its view from the header (lms/web/header_csrf.py): a
    forged token, or another session's (valid there, and accepted there first), stores
    nothing; nor does this session's token sent with the other session's cookie."""
    owner = teacher_headers()
    other_client = app.test_client()
    login_as(make_user("teacher"), on=other_client)
    others_token = csrf_token(on=other_client)  # first: it writes the session's cookie
    other = {"Cookie": f"session={other_client.get_cookie('session').value}"}
    other["X-CSRFToken"] = others_token
    assert other["X-CSRFToken"] != owner["X-CSRFToken"]
    others_url = create(live_server, other, 1000).headers["Location"]
    assert patch(others_url, other, 0, b"y" * 1000).status_code == 204  # accepted there
    url = create(live_server, owner, 2000).headers["Location"]
    for headers in (
        {**owner, "X-CSRFToken": "forged"},
        {**owner, "X-CSRFToken": other["X-CSRFToken"]},
        {**other, "X-CSRFToken": owner["X-CSRFToken"]},
    ):
        refused = patch(url, headers, 0, b"x" * 2000)
        assert refused.status_code == 400 and refused.json()["error"] == "csrf_failed"
    assert head_offset(url, owner) == 0 == bytes_kept(app, upload_row(app, url))
    assert patch(url, owner, 0, b"x" * 2000).status_code == 204


def test_the_lean_requests_refuse_whoever_may_not_send(
    app, client, csrf_token, live_server, teacher_headers, make_user, finished
):
    owner = make_user("teacher")
    owner_headers = teacher_headers(owner)
    url = create(live_server, owner_headers, MiB).headers["Location"]

    def refusal(headers, method="PATCH"):
        if method == "PATCH":
            response = patch(url, headers, 0, b"x" * 1000)
        else:
            response = requests.request(method, url, headers={**TUS, **headers})
        assert response.headers["Tus-Resumable"] == "1.0.0"
        return response.status_code, method == "HEAD" or response.json()["error"]

    other = teacher_headers(make_user("teacher"))  # logged in, consented, not the owner
    for method in ("PATCH", "HEAD", "GET"):
        assert refusal(other, method)[0] == 404
    assert refusal(other) == (404, "not_found")

    client.delete_cookie("session")
    token = csrf_token()  # a visitor's session, with a valid CSRF token
    visitor = {"Cookie": f"session={client.get_cookie('session').value}", "X-CSRFToken": token}
    assert refusal(visitor) == (401, "unauthenticated")
    assert refusal(visitor, "HEAD")[0] == 401

    set_user(app, owner.id, session_token="changed-password")  # every session of theirs ends
    assert refusal(owner_headers) == (401, "unauthenticated")
    set_user(app, owner.id, session_token=owner.session_id.split(":")[1])

    set_user(app, owner.id, disabled=True)
    assert refusal(owner_headers) == (401, "unauthenticated")
    assert refusal(owner_headers, "HEAD")[0] == 401
    set_user(app, owner.id, disabled=False)

    set_user(app, owner.id, privacy_version="an older notice")
    assert refusal(owner_headers) == (403, "consent_required")
    assert refusal(owner_headers, "GET") == (403, "consent_required")
    set_user(app, owner.id, privacy_version=app.config["PRIVACY_NOTICE_VERSION"])

    assert head_offset(url, owner_headers) == 0 == bytes_kept(app, upload_row(app, url))
    assert patch(url, owner_headers, 0, b"x" * MiB).status_code == 204
    assert upload_row(app, url).status == "complete"


def send_part_of_a_chunk(live_server, url, headers, offset, declared, data):
    """A PATCH that declares ``declared`` bytes and sends ``data``; the open socket."""
    host, port = urlsplit(live_server).netloc.split(":")
    request_head = (
        f"PATCH {urlsplit(url).path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Tus-Resumable: 1.0.0\r\nUpload-Offset: {offset}\r\n"
        f"Content-Type: application/offset+octet-stream\r\nContent-Length: {declared}\r\n"
        f"Cookie: {headers['Cookie']}\r\nX-CSRFToken: {headers['X-CSRFToken']}\r\n\r\n"
    ).encode()
    connection = socket.create_connection((host, int(port)))
    connection.sendall(request_head + data)
    return connection


def test_a_connection_reset_mid_chunk_leaves_the_offset_at_the_bytes_written(
    app, live_server, teacher_headers, finished
):
    if app.config["LMS_STORAGE"] != "local":
        pytest.skip("S3 keeps whole parts only (test_uploads: a dropped part is resent)")
    headers = teacher_headers()
    data = os.urandom(5 * MiB)
    url = create(live_server, headers, len(data)).headers["Location"]
    upload = upload_row(app, url)
    sent = 2 * MiB + 12345  # not a whole number of the server's read buffers
    connection = send_part_of_a_chunk(live_server, url, headers, 0, 4 * MiB, data[:sent])
    wait_for(lambda: bytes_kept(app, upload) >= 2 * MiB, timeout=30, message="the bytes sent")
    # The phone loses the network: a reset, not a clean end of the body. What the server
    # had not written yet is lost; the offset says what it wrote.
    connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
    connection.close()

    offset = head_offset(url, headers)
    assert 2 * MiB <= offset <= sent and offset == bytes_kept(app, upload)
    rest = patch(url, headers, offset, data[offset:])
    assert rest.status_code == 204 and rest.headers["Upload-Offset"] == str(len(data))
    with app.app_context():
        stored = get_storage().get_bytes(upload.storage_key)
    assert hashlib.sha256(stored).digest() == hashlib.sha256(data).digest()


def test_a_body_that_ends_early_is_answered_with_the_bytes_written(
    app, live_server, teacher_headers, finished
):
    headers = teacher_headers()
    data = os.urandom(9 * MiB)
    url = create(live_server, headers, len(data)).headers["Location"]
    sent = MiB + 777
    connection = send_part_of_a_chunk(live_server, url, headers, 0, 8 * MiB, data[:sent])
    with connection:
        connection.shutdown(socket.SHUT_WR)  # the body ends 7 MiB early
        reply = connection.makefile("rb").read()
    kept = sent if upload_row(app, url).backend == "local" else 0  # S3: whole parts only
    assert reply.startswith(b"HTTP/1.1 204") and f"Upload-Offset: {kept}\r\n".encode() in reply
    assert head_offset(url, headers) == kept == bytes_kept(app, upload_row(app, url))


def test_a_server_stream_without_readinto_is_read_into_the_buffer():
    """gunicorn's request body has read() only: the reused buffer is filled from it."""
    body_module = pytest.importorskip("gunicorn.http.body")
    unreader = pytest.importorskip("gunicorn.http.unreader")
    data = os.urandom(3 * MiB + 5)
    pieces = [data[i : i + 65536] for i in range(0, len(data), 65536)]
    stream = body_module.Body(body_module.LengthReader(unreader.IterUnreader(pieces), len(data)))
    assert not hasattr(stream, "readinto")
    body, buffer, received = api._RequestBody(stream), memoryview(bytearray(MiB)), b""
    while count := body.readinto(buffer):
        received += bytes(buffer[:count])
    assert received == data


def test_an_s3_part_is_read_from_the_request_a_buffer_at_a_time():
    """The S3 client asks for 16 KiB at a time; the part hands out exactly its bytes and
    raises when the body ends inside it."""
    body_module = pytest.importorskip("gunicorn.http.body")
    unreader = pytest.importorskip("gunicorn.http.unreader")
    data = os.urandom(2 * MiB + 100)

    def request_body(length):
        pieces = [data[i : i + 65536] for i in range(0, length, 65536)]
        reader = body_module.LengthReader(unreader.IterUnreader(pieces), length)
        return api._RequestBody(body_module.Body(reader))

    buffer = memoryview(bytearray(MiB))
    body = request_body(len(data))
    first = uploads_body.PartBody(body, MiB + 50, buffer)
    assert b"".join(iter(lambda: first.read(16384), b"")) == data[: MiB + 50]
    assert uploads_body.PartBody(body, MiB + 50, buffer).read() == data[MiB + 50 :]

    cut = uploads_body.PartBody(request_body(MiB), MiB + 50, buffer)
    with pytest.raises(uploads_body.BodyCutShort):
        while cut.read(16384):
            pass
    assert cut.cut_short
