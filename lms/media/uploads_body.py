"""A PATCH body into the partial file: read into a reused buffer, written at its offset.

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
