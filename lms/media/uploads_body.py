"""A PATCH body into storage, read into a reused buffer: into the partial file at its
offset (local storage), or handed on to an S3 part. Where the server lets the socket be
read directly (``request_socket``), a local body is spliced into the file instead.

The body is read straight into one of a few buffers kept for reuse (``readinto``, so the
socket's bytes land in it without a bytes object per block) and written from there with
``os.pwrite``. A process's memory stays flat however many chunks go through it: at most
``KEPT_BUFFERS`` buffers stay allocated between requests, one more per request running
beyond that while it runs.
"""

import errno
import fcntl
import os
import select
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

from lms.media.request_socket import SocketBody

# 1 MiB measured best (benchmarks/upload.py): 4 MiB cost more CPU under both werkzeug and
# gunicorn (a buffer that no longer stays in the CPU's cache between read and write),
# 256 KiB more reads under gunicorn, whose body reads copy.
BUFFER_SIZE = 2**20
KEPT_BUFFERS = 8  # one per thread of a web process (docker/Dockerfile: 8 threads)

_idle: list[bytearray] = []


class Body(Protocol):
    """A request body: both reads answer nothing (0, b"") once the client has gone."""

    def readinto(self, buffer: memoryview) -> int: ...

    def read(self, size: int = -1) -> bytes: ...

    def socket_body(self, length: int) -> SocketBody | None:
        """The next ``length`` bytes straight from the socket, when the server allows."""


@contextmanager
def reused_buffer() -> Iterator[memoryview]:
    try:
        buffer = _idle.pop()  # list.pop and append are atomic: no lock between threads
    except IndexError:
        buffer = bytearray(BUFFER_SIZE)
    try:
        with memoryview(buffer) as view:
            yield view
    finally:
        if len(_idle) < KEPT_BUFFERS:
            _idle.append(buffer)


def write_body(fd: int, body: Body, position: int, end: int, stored: Callable[[int], None]) -> int:
    """Write the body's bytes for [position, end) into ``fd`` at their offsets, calling
    ``stored(new_end)`` after each block. Answers the end of what was written: short of
    ``end`` when the client went away, every byte received before that written."""
    if (source := body.socket_body(end - position)) is not None:
        position = splice_body(fd, source, position, end, stored)
        if position == end or not source.unspliceable:
            return position
    with reused_buffer() as buffer:
        while position < end:
            received = body.readinto(buffer[: min(len(buffer), end - position)])
            if not received:
                break
            position = _pwrite_all(fd, buffer[:received], position)
            stored(position)
    return position


# The pipe between socket and file: 1 MiB, the most a process may ask for by default
# (/proc/sys/fs/pipe-max-size); a pipe keeps the 64 KiB it has if refused.
PIPE_SIZE = 2**20
F_SETPIPE_SZ = getattr(fcntl, "F_SETPIPE_SZ", 1031)
NOT_SPLICEABLE = {errno.EINVAL, errno.ENOSYS, errno.EOPNOTSUPP}


def splice_body(
    fd: int, source: SocketBody, position: int, end: int, stored: Callable[[int], None]
) -> int:
    """``write_body`` with the kernel moving the bytes: the server's read-ahead written,
    then the socket spliced through a pipe into ``fd``. Every byte taken from the socket
    is written before the next is taken, so a client that goes away loses none that the
    answer counts. When the socket or file cannot be spliced at all (the first splice
    says so), ``source.unspliceable`` is set and the rest is left to the stream."""
    if source.head:
        position = _pwrite_all(fd, memoryview(source.head), position)
        stored(position)
    read_end, write_end = os.pipe()
    try:
        try:
            pipe_size = fcntl.fcntl(write_end, F_SETPIPE_SZ, PIPE_SIZE)
        except OSError:
            pipe_size = 65536
        while position < end and not source.unspliceable:
            moved = _splice_from_socket(source, write_end, min(pipe_size, end - position))
            if not moved:
                break
            source.taken(moved)
            position = _splice_to_file(read_end, fd, moved, position, source)
            stored(position)
    finally:
        os.close(read_end)
        os.close(write_end)
    return position


def _splice_from_socket(source: SocketBody, pipe: int, count: int) -> int:
    """Up to ``count`` bytes from the socket into the pipe; 0 once the client is gone
    (or silent for longer than the socket's timeout)."""
    while True:
        try:
            return os.splice(source.sock.fileno(), pipe, count)
        except BlockingIOError:  # a socket with a timeout is non-blocking underneath
            poller = select.poll()
            poller.register(source.sock, select.POLLIN)
            timeout = source.sock.gettimeout()
            if not poller.poll(None if timeout is None else timeout * 1000):
                return 0
        except OSError as error:
            if error.errno in NOT_SPLICEABLE:
                source.unspliceable = True
            return 0


def _splice_to_file(pipe: int, fd: int, count: int, position: int, source: SocketBody) -> int:
    """The ``count`` bytes in the pipe into the file at ``position``; through memory
    when the file cannot take a splice (then the rest of the body too)."""
    while count:
        try:
            written = os.splice(pipe, fd, count, offset_dst=position)
        except OSError as error:
            if error.errno not in NOT_SPLICEABLE:
                raise
            source.unspliceable = True
            while count:
                block = os.read(pipe, count)
                position = _pwrite_all(fd, memoryview(block), position)
                count -= len(block)
            return position
        position += written
        count -= written
    return position


def _pwrite_all(fd: int, data: memoryview, position: int) -> int:
    written = 0
    while written < len(data):
        written += os.pwrite(fd, data[written:], position + written)
    return position + written


class BodyCutShort(Exception):
    """The request body ended inside a part."""


class PartBody:
    """Exactly ``length`` bytes of the request body, for one S3 part; raises when cut
    short (so the part upload fails instead of waiting for bytes that never come).

    The S3 client asks for 16 KiB at a time; the request is read a buffer at a time
    whatever it asks (gunicorn's body copies what it holds beyond each read: 16 KiB
    reads copied a megabyte each and left the memory of a process higher after them).
    """

    def __init__(self, body: Body, length: int, buffer: memoryview):
        self.body, self.remaining, self.buffer = body, length, buffer
        self.start = self.end = 0
        self.cut_short = False

    def read(self, size: int = -1) -> bytes:
        if size is None or size < 0:
            return b"".join(iter(lambda: self.read(len(self.buffer)), b""))
        if self.start == self.end:
            if self.remaining <= 0:
                return b""
            received = self.body.readinto(self.buffer[: min(len(self.buffer), self.remaining)])
            if not received:
                self.cut_short = True
                raise BodyCutShort()
            self.remaining -= received
            self.start, self.end = 0, received
        block = bytes(self.buffer[self.start : min(self.start + size, self.end)])
        self.start += len(block)
        return block
