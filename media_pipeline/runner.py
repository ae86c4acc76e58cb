"""Run one ffmpeg process: lower priority, progress from ``-progress pipe:1``, timeouts.

The caller's thread does all the waiting and calls ``on_progress`` itself, so a callback
that writes to a database session bound to that thread works. Raising from the callback
stops ffmpeg.
"""

from __future__ import annotations

import contextlib
import os
import selectors
import shutil
import signal
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from media_pipeline.errors import TranscodeError

ProgressCallback = Callable[[float], None]

_STDERR_TAIL_BYTES = 2000


@dataclass(frozen=True)
class RunLimits:
    timeout: float  # wall-clock seconds for the whole run
    stall_timeout: float | None = None  # seconds without the output time advancing
    nice: int = 10


def run_ffmpeg(
    args: Sequence[str],
    *,
    duration: float,
    limits: RunLimits,
    on_progress: ProgressCallback | None = None,
) -> None:
    """Run ``args`` to completion or raise TranscodeError (timeout, stalled, failed)."""
    with tempfile.TemporaryFile() as stderr_file:
        # A process group of its own lets a timeout kill ffmpeg and anything it started.
        # No preexec_fn: it is unsafe when the caller runs jobs on a thread.
        process = subprocess.Popen(
            _dies_with_parent(list(args)),
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=stderr_file,
            process_group=0,
        )
        try:
            _lower_priority(process.pid, limits.nice)
            _follow(process, duration, limits, on_progress)
        except BaseException:
            _kill_group(process)
            raise
        finally:
            process.stdout.close()
        if process.returncode != 0:
            raise TranscodeError(
                "failed", returncode=process.returncode, stderr_tail=_tail(stderr_file)
            )
    if on_progress is not None:
        on_progress(1.0)


def _dies_with_parent(args: list[str]) -> list[str]:
    """Have the kernel kill ffmpeg when the thread that started it dies (a worker killed
    mid-transcode), so no orphan keeps transcoding for nobody. util-linux's setpriv sets
    the parent-death signal and execs ffmpeg; without it, ffmpeg runs as it is."""
    setpriv = shutil.which("setpriv")
    return [setpriv, "--pdeathsig", "KILL", "--", *args] if setpriv else args


def _follow(
    process: subprocess.Popen[bytes],
    duration: float,
    limits: RunLimits,
    on_progress: ProgressCallback | None,
) -> None:
    started = time.monotonic()
    deadline = started + limits.timeout
    last_advance = started
    out_time = 0.0
    reported = 0.0
    pending = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while True:
            now = time.monotonic()
            if now >= deadline:
                raise TranscodeError("timeout", seconds=limits.timeout)
            if limits.stall_timeout is not None and now - last_advance >= limits.stall_timeout:
                raise TranscodeError("stalled", seconds=limits.stall_timeout)
            wait = deadline - now
            if limits.stall_timeout is not None:
                wait = min(wait, last_advance + limits.stall_timeout - now)
            if not selector.select(timeout=max(wait, 0.0)):
                continue
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                break  # ffmpeg closed its end: it has exited or is exiting
            pending += chunk
            *lines, pending = pending.split(b"\n")
            for line in lines:
                seconds = _out_time(line)
                if seconds is None or seconds <= out_time:
                    continue
                out_time = seconds
                last_advance = time.monotonic()
                fraction = min(1.0, out_time / duration) if duration > 0 else 0.0
                if on_progress is not None and fraction > reported:
                    reported = fraction
                    on_progress(fraction)
    try:
        process.wait(timeout=max(deadline - time.monotonic(), 0.0))
    except subprocess.TimeoutExpired:
        raise TranscodeError("timeout", seconds=limits.timeout) from None


def _out_time(line: bytes) -> float | None:
    key, _, value = line.strip().partition(b"=")
    if key != b"out_time_us":
        return None
    try:
        return int(value) / 1_000_000
    except ValueError:
        return None  # "N/A" before the first packet is written


def _lower_priority(pid: int, nice: int) -> None:
    if nice <= 0:
        return
    target = min(19, os.getpriority(os.PRIO_PROCESS, 0) + nice)
    # PRIO_PGRP reaches every thread of every process in the group. If ffmpeg is already
    # gone, or lowering is not allowed, it simply runs at normal priority.
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.setpriority(os.PRIO_PGRP, pid, target)


def _kill_group(process: subprocess.Popen[bytes]) -> None:
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def _tail(stderr_file) -> str:
    stderr_file.seek(0, os.SEEK_END)
    size = stderr_file.tell()
    stderr_file.seek(max(0, size - _STDERR_TAIL_BYTES))
    text = stderr_file.read().decode("utf-8", "replace")
    lines = [line for line in text.splitlines() if line.strip()]
    return "\n".join(lines[-10:])
