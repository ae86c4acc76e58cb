"""A PATCH body into storage, read into a reused buffer: into the partial file at its
offset (local storage), or handed on to an S3 part.

The body is read straight into one of a few buffers kept for reuse (``readinto``, so the
socket's bytes land in it without a bytes object per block) and written from there with
``os.pwrite``. A process's memory stays flat however many chunks go through it: at most
``KEPT_BUFFERS`` buffers stay allocated between requests, one more per request running
beyond that while it runs.
"""

import os
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Protocol

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
    with reused_buffer() as buffer:
        while position < end:
            received = body.readinto(buffer[: min(len(buffer), end - position)])
            if not received:
                break
            written = 0
            while written < received:
                written += os.pwrite(fd, buffer[written:received], position + written)
            position += received
            stored(position)
    return position


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
