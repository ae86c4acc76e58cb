"""A PATCH body read straight from the connection's socket, for the kernel to move into
the partial file (``uploads_body.splice_body``) without passing through Python.

Reading a body through the server's stream costs two copies of every byte: the socket's
into a buffer of ours, and that buffer into the page cache. ``os.splice`` moves the
socket's pages into a pipe and from the pipe into the file, one copy in the kernel
(benchmarks/upload.py measures both). That needs the socket itself, which only the
server knows, and the server must not lose track of where the body ends:

- werkzeug's server gives its socket as ``werkzeug.socket``, reads the request through a
  buffered reader (whose read-ahead may hold the body's first bytes) and closes the
  connection after each request;
- gunicorn gives ``gunicorn.socket``; its body reader counts what is left of the body
  and its parser skips that much before the next request on a kept-alive connection, so
  the bytes taken past it are counted off there.

Anything else (another server, TLS in the process, a chunked body, a body already partly
read) reads through the stream as before: ``socket_body`` answers None.
"""

import io
import os
import socket
import ssl
from collections.abc import Callable
from dataclasses import dataclass


@dataclass
class SocketBody:
    """The rest of a request body: ``head`` (what the server had already read ahead),
    then the bytes still to come on ``sock``; ``taken(n)`` tells the server that ``n``
    of them were read past it."""

    sock: socket.socket
    head: bytes
    taken: Callable[[int], None]
    unspliceable: bool = False  # set when the kernel refuses to splice this socket


def socket_body(environ: dict, stream, length: int) -> SocketBody | None:
    """The body of ``length`` bytes straight from the socket, or None to read ``stream``
    (the request's stream, which must not have been read yet)."""
    if not hasattr(os, "splice") or length <= 0:
        return None
    if (sock := environ.get("werkzeug.socket")) is not None and _plain(sock):
        return _from_werkzeug(sock, environ["wsgi.input"], stream, length)
    if (sock := environ.get("gunicorn.socket")) is not None and _plain(sock):
        return _from_gunicorn(sock, environ["wsgi.input"], length)
    return None


def _plain(sock) -> bool:
    """A TCP or Unix socket without TLS: its bytes are the body's bytes."""
    return isinstance(sock, socket.socket) and not isinstance(sock, ssl.SSLSocket)


def _from_werkzeug(sock, reader, stream, length: int) -> SocketBody | None:
    from werkzeug.wsgi import LimitedStream

    if not (
        isinstance(reader, io.BufferedReader)
        and isinstance(stream, LimitedStream)
        and stream.tell() == 0
    ):
        return None
    # What the reader holds already (peek reads the socket only when it holds nothing),
    # taken out of it so that its next read would start where the socket is.
    try:
        head = reader.peek(1)[:length]
    except OSError:  # gone or silent (a socket timeout): the splice will say so
        head = b""
    reader.read(len(head))
    return SocketBody(sock, head, taken=lambda count: None)  # the connection closes after


def _from_gunicorn(sock, body, length: int) -> SocketBody | None:
    try:
        from gunicorn.http.body import Body, LengthReader
    except ImportError:
        return None
    reader = getattr(body, "reader", None)
    if not (
        isinstance(body, Body)
        and isinstance(reader, LengthReader)
        and hasattr(reader.unreader, "take_buffered")
        and reader.length == length
        and body.buf.tell() == 0
    ):
        return None
    buffered = reader.unreader.take_buffered()
    head = buffered[:length]
    if len(buffered) > length:  # the next request's first bytes: put back
        reader.unreader.unread(buffered[length:])
    reader.length -= len(head)

    def taken(count: int) -> None:
        reader.length -= count

    return SocketBody(sock, head, taken)
