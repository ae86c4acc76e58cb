"""A local PATCH body spliced from the connection's socket into the partial file
(``lms/media/request_socket.py``): over werkzeug's real server (what ``live_server``
runs), through gunicorn's real request parser on a real socket, and falling back to
reading through the stream when the kernel refuses a splice."""

import errno
import hashlib
import os
import socket
import threading

import pytest

from lms.media.request_socket import socket_body
from lms.media.storage import get_storage
from lms.media.uploads_body import splice_body
from tests.media.test_uploads import create, patch, upload_row

MiB = 2**20
real_splice = os.splice


def stored_digest(app, url) -> bytes:
    with app.app_context():
        return hashlib.sha256(get_storage().get_bytes(upload_row(app, url).storage_key)).digest()


def upload_in_chunks(live_server, headers, data: bytes, chunk: int) -> str:
    url = create(live_server, headers, len(data)).headers["Location"]
    for offset in range(0, len(data), chunk):
        response = patch(url, headers, offset, data[offset : offset + chunk])
        assert response.status_code == 204, response.text
        assert response.headers["Upload-Offset"] == str(min(offset + chunk, len(data)))
    return url


def test_werkzeug_bodies_are_spliced_into_the_file(
    app, live_server, teacher_headers, finished, monkeypatch
):
    into_file = []

    def counting_splice(*args, **kwargs):
        moved = real_splice(*args, **kwargs)
        if "offset_dst" in kwargs:
            into_file.append(moved)
        return moved

    monkeypatch.setattr(os, "splice", counting_splice)
    data = os.urandom(9 * MiB + 12345)
    url = upload_in_chunks(live_server, teacher_headers(), data, 8 * MiB)

    assert stored_digest(app, url) == hashlib.sha256(data).digest()
    # All but what the server had read ahead with each request's head (its 8 KiB buffer).
    assert sum(into_file) >= len(data) - 2 * 8192


@pytest.mark.parametrize("refused", ["socket", "file"])
def test_a_refused_splice_falls_back_to_the_stream(
    app, live_server, teacher_headers, finished, monkeypatch, refused
):
    """A socket or a file system that cannot splice (EINVAL) still stores every byte:
    what is in the pipe is copied out, the rest read through the server's stream."""
    first_splice_done = []

    def refusing_splice(source, destination, count, **kwargs):
        into_file = "offset_dst" in kwargs
        if (refused == "file") == into_file:
            raise OSError(errno.EINVAL, "splice refused (as by a file system without it)")
        first_splice_done.append(count)
        return real_splice(source, destination, count, **kwargs)

    monkeypatch.setattr(os, "splice", refusing_splice)
    data = os.urandom(3 * MiB + 7)
    url = upload_in_chunks(live_server, teacher_headers(), data, 2 * MiB)

    assert stored_digest(app, url) == hashlib.sha256(data).digest()
    assert bool(first_splice_done) == (refused == "file")


def test_gunicorn_counts_the_spliced_bytes_so_the_next_request_parses(tmp_path):
    """On a kept-alive connection gunicorn skips what is left of a body before the next
    request: the bytes spliced past its reader are counted off, and the next request's
    bytes (sent right behind the body) are neither spliced nor lost."""
    config = pytest.importorskip("gunicorn.config")
    parser_module = pytest.importorskip("gunicorn.http.parser")
    body = os.urandom(3 * MiB + 17)
    second = b"PATCH /next HTTP/1.1\r\nHost: t\r\nContent-Length: 6\r\n\r\nsecond"
    first_head = f"PATCH /first HTTP/1.1\r\nHost: t\r\nContent-Length: {len(body)}\r\n\r\n"
    server_side, client_side = socket.socketpair()
    # A timeout: a miscount would wait for bytes that never come. It also makes the
    # socket non-blocking underneath, so the splice waits for data itself.
    server_side.settimeout(10)
    sender = threading.Thread(
        target=client_side.sendall, args=(first_head.encode() + body + second,)
    )
    sender.start()
    try:
        parser = parser_module.RequestParser(config.Config(), server_side, ("127.0.0.1", 1))
        request = next(parser)
        environ = {"gunicorn.socket": server_side, "wsgi.input": request.body}
        source = socket_body(environ, None, len(body))
        assert source is not None
        fd = os.open(tmp_path / "partial", os.O_RDWR | os.O_CREAT)
        try:
            assert splice_body(fd, source, 0, len(body), lambda end: None) == len(body)
        finally:
            os.close(fd)
        assert (tmp_path / "partial").read_bytes() == body

        following = next(parser)
        assert following.path == "/next" and following.body.read() == b"second"
    finally:
        sender.join(timeout=30)
        server_side.close()
        client_side.close()


def test_a_body_partly_read_already_is_not_spliced():
    """Whatever the app read of the body first, the socket no longer starts at the body's
    next byte: only an untouched body is read from the socket."""
    config = pytest.importorskip("gunicorn.config")
    parser_module = pytest.importorskip("gunicorn.http.parser")
    server_side, client_side = socket.socketpair()
    with server_side, client_side:
        client_side.sendall(b"PATCH /x HTTP/1.1\r\nHost: t\r\nContent-Length: 10\r\n\r\n0123456789")
        request = next(parser_module.RequestParser(config.Config(), server_side, ("h", 1)))
        environ = {"gunicorn.socket": server_side, "wsgi.input": request.body}
        assert request.body.read(3) == b"012"
        assert socket_body(environ, None, 10) is None
        assert socket_body(environ, None, 7) is None  # its buffer holds the rest
