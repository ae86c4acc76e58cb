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
