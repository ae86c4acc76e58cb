"""Fixtures for media_pipeline: clips made with ffmpeg's test sources, fake binaries,
a loopback listener that records connections, and storage on a folder and on moto
(the suite's one S3 server, s3_endpoint in tests/conftest.py).

Clips are session-scoped and tiny (a few seconds, small frames) so the folder stays fast.
"""

import os
import select
import socket
import stat
import subprocess
import uuid
from pathlib import Path

import pytest

from media_pipeline import LocalStorage, S3Storage

QUIET = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]


def make_media(path: Path, *args: str) -> Path:
    subprocess.run([*QUIET, *args, str(path)], check=True, timeout=120)
    return path


def testsrc(size: str, seconds: float, rate: int = 15) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]


def sine(seconds: float, frequency: int = 440) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency={frequency}:duration={seconds}"]


X264 = ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p"]


@pytest.fixture(scope="session")
def clips(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("clips")


@pytest.fixture(scope="session")
def landscape_1080p(clips):
    return make_media(
        clips / "landscape_1080p.mp4",
        *testsrc("1920x1080", 2, rate=30), *sine(2), *X264, "-c:a", "aac", "-shortest",
    )  # fmt: skip


@pytest.fixture(scope="session")
def clip_360p(clips):
    """The clip the HLS output tests transcode: 10 s, 640×360, sound, a GPS tag."""
    return make_media(
        clips / "clip_360p.mp4",
        *testsrc("640x360", 10), *sine(10), *X264, "-c:a", "aac", "-shortest",
        "-metadata", "location=+30.0000+120.5800/",
    )  # fmt: skip


@pytest.fixture(scope="session")
def hevc_10bit(clips):
    return make_media(
        clips / "hevc_10bit.mp4",
        *testsrc("320x240", 2), *sine(2), "-c:v", "libx265", "-pix_fmt", "yuv420p10le",
        "-x265-params", "log-level=none", "-tag:v", "hvc1", "-c:a", "aac", "-shortest",
    )  # fmt: skip


@pytest.fixture(scope="session")
def hdr_hlg(clips):
    return make_media(
        clips / "hdr_hlg.mp4",
        *testsrc("320x240", 2), "-c:v", "libx265", "-pix_fmt", "yuv420p10le",
        "-x265-params", "log-level=none", "-color_primaries", "bt2020",
        "-color_trc", "arib-std-b67", "-colorspace", "bt2020nc",
    )  # fmt: skip


@pytest.fixture(scope="session")
def portrait(clips):
    return make_media(clips / "portrait.mp4", *testsrc("360x640", 2), *sine(2), *X264, "-shortest")


@pytest.fixture(scope="session")
def rotated(clips):
    """A phone held upright: stored 640×360 with a 90° display rotation."""
    stored = make_media(clips / "rotated_source.mp4", *testsrc("640x360", 2), *sine(2), *X264,
                        "-c:a", "aac", "-shortest")  # fmt: skip
    # ffmpeg 5.1 has no -display_rotation; the rotate tag on a stream copy still works.
    return make_media(
        clips / "rotated.mp4", "-i", str(stored), "-c", "copy", "-metadata:s:v", "rotate=90"
    )


@pytest.fixture(scope="session")
def vp9_webm(clips):
    return make_media(
        clips / "vp9.webm",
        *testsrc("320x240", 2), *sine(2), "-c:v", "libvpx-vp9", "-deadline", "realtime",
        "-cpu-used", "8", "-c:a", "libopus", "-shortest",
    )  # fmt: skip


@pytest.fixture(scope="session")
def webm_without_duration(clips):
    """What a browser's MediaRecorder makes: a WebM whose header has no duration."""
    return make_media(
        clips / "recorded.webm",
        *testsrc("320x240", 3), *sine(3), "-c:v", "libvpx-vp9", "-deadline", "realtime",
        "-cpu-used", "8", "-c:a", "libopus", "-shortest", "-live", "1", "-f", "webm",
    )  # fmt: skip


@pytest.fixture(scope="session")
def no_audio(clips):
    return make_media(clips / "no_audio.mp4", *testsrc("320x240", 3), *X264)


@pytest.fixture(scope="session")
def audio_m4a(clips):
    return make_media(clips / "lecture.m4a", *sine(5), "-c:a", "aac")


@pytest.fixture(scope="session")
def audio_mp3_with_cover(clips):
    cover = make_media(clips / "cover.png", *testsrc("64x64", 1), "-frames:v", "1")
    return make_media(
        clips / "lecture.mp3",
        *sine(3), "-i", str(cover), "-map", "0:a", "-map", "1:v", "-c:a", "libmp3lame",
        "-c:v", "png", "-disposition:v", "attached_pic", "-id3v2_version", "3",
    )  # fmt: skip


@pytest.fixture(scope="session")
def audio_wav(clips):
    return make_media(clips / "lecture.wav", *sine(2))


@pytest.fixture(scope="session")
def odd_surround(clips):
    """Odd dimensions (321×181, possible in 4:4:4) and 5.1 sound."""
    return make_media(
        clips / "odd_surround.mkv",
        *testsrc("320x180", 3), *sine(3),
        "-filter_complex",
        "[0:v]scale=321:181,setsar=1[v];[1:a]pan=5.1|c0=c0|c1=c0|c2=c0|c3=c0|c4=c0|c5=c0[a]",
        "-map", "[v]", "-map", "[a]", "-c:v", "libx264", "-preset", "ultrafast",
        "-pix_fmt", "yuv444p", "-c:a", "aac", "-shortest",
    )  # fmt: skip


@pytest.fixture(scope="session")
def one_frame(clips):
    return make_media(clips / "one_frame.mp4", *testsrc("320x240", 1), "-frames:v", "1", *X264)


@pytest.fixture(scope="session")
def one_frame_with_sound(clips):
    """A single picture held over a sound track, as some slide-to-video tools make."""
    return make_media(
        clips / "one_frame_with_sound.mp4",
        *testsrc("320x240", 1, rate=1), *sine(3), *X264, "-c:a", "aac",
    )  # fmt: skip


@pytest.fixture(scope="session")
def half_second(clips):
    return make_media(clips / "half_second.mp4", *testsrc("320x240", 0.5), *X264)


@pytest.fixture(scope="session")
def truncated_mp4(clips, clip_360p):
    """The first third of an MP4 whose moov atom is at the end: an upload cut short."""
    data = clip_360p.read_bytes()
    assert data[4:8] == b"ftyp" and data.rfind(b"moov") > len(data) // 3
    path = clips / "truncated.mp4"
    path.write_bytes(data[: len(data) // 3])
    return path


@pytest.fixture(scope="session")
def truncated_after_moov(clips, clip_360p):
    """Half of a fast-start MP4: the index is complete, half of the media is missing."""
    faststart = make_media(
        clips / "faststart.mp4", "-i", str(clip_360p), "-c", "copy", "-movflags", "+faststart"
    )
    data = faststart.read_bytes()
    path = clips / "truncated_after_moov.mp4"
    path.write_bytes(data[: len(data) // 2])
    return path


@pytest.fixture(scope="session")
def subtitles_only(clips):
    srt = clips / "captions.srt"
    srt.write_text("1\n00:00:00,000 --> 00:00:02,000\nHello\n")
    return make_media(clips / "subtitles_only.mkv", "-i", str(srt), "-c:s", "srt")


@pytest.fixture(scope="session")
def png_named_mp4(clips):
    png = make_media(clips / "picture.png", *testsrc("64x64", 1), "-frames:v", "1")
    return _renamed(png, clips / "picture_png.mp4")


@pytest.fixture(scope="session")
def gif_named_mp4(clips):
    gif = make_media(clips / "animation.gif", *testsrc("64x64", 1, rate=5))
    return _renamed(gif, clips / "animation_gif.mp4")


@pytest.fixture(scope="session")
def empty_file(clips):
    path = clips / "empty.mp4"
    path.touch()
    return path


@pytest.fixture(scope="session")
def random_bytes(clips):
    path = clips / "random.mp4"
    path.write_bytes(os.urandom(100_000))
    return path


@pytest.fixture(scope="session")
def text_named_mp4(clips):
    path = clips / "notes.mp4"
    path.write_text("Lesson 3: bring a notebook.\n" * 50)
    return path


BAD_UPLOADS = {
    "empty_file": "empty_file",
    "random_bytes": "not_media",
    "text_named_mp4": "not_media",
    "truncated_mp4": "corrupt",
    "png_named_mp4": "still_image",
    "gif_named_mp4": "still_image",
    "one_frame": "still_image",
    "half_second": "too_short",
    "subtitles_only": "no_stream",
}


@pytest.fixture(params=sorted(BAD_UPLOADS))
def bad_upload(request):
    """(path, expected ProbeError code) for each kind of upload that must be refused."""
    return request.getfixturevalue(request.param), BAD_UPLOADS[request.param]


def _renamed(source: Path, target: Path) -> Path:
    target.write_bytes(source.read_bytes())
    return target


class Listener:
    """A TCP socket on loopback that nobody should ever connect to."""

    def __init__(self) -> None:
        self.server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self.server.bind(("127.0.0.1", 0))
        self.server.listen(8)
        self.url = f"http://127.0.0.1:{self.server.getsockname()[1]}/lesson.ts"

    def connections(self) -> int:
        """Connections in the accept queue: the kernel completes the handshake without
        accept(), so a client that connected and left is still counted."""
        count = 0
        while select.select([self.server], [], [], 0)[0]:
            connection, _ = self.server.accept()
            connection.close()
            count += 1
        return count


@pytest.fixture
def listener():
    listener = Listener()
    yield listener
    listener.server.close()


@pytest.fixture
def canary_fifo(tmp_path):
    """A named pipe: opening it for reading blocks, so a reader would hang until timeout."""
    path = tmp_path / "canary"
    os.mkfifo(path)
    return path


@pytest.fixture
def fake_binary(tmp_path):
    """Write an executable shell script standing in for ffmpeg or ffprobe."""

    def write(body: str, name: str = "fake-ffmpeg") -> str:
        path = tmp_path / name
        path.write_text(f"#!/bin/sh\n{body}\n")
        path.chmod(path.stat().st_mode | stat.S_IXUSR)
        return str(path)

    return write


@pytest.fixture(scope="session")
def make_s3():
    """Build an S3Storage for an endpoint; a fresh bucket name unless one is given."""

    def build(endpoint: str, bucket: str | None = None, **options) -> S3Storage:
        return S3Storage(
            bucket or f"media-{uuid.uuid4().hex[:12]}",
            endpoint_url=endpoint,
            region="us-east-1",
            access_key_id="testing",
            secret_access_key="testing",
            **options,
        )

    return build


@pytest.fixture
def s3_storage(s3_endpoint, make_s3):
    storage = make_s3(s3_endpoint)
    storage.ensure_bucket()
    return storage


@pytest.fixture(params=["local", "s3"])
def storage(request, tmp_path):
    if request.param == "local":
        return LocalStorage(tmp_path / "media")
    return request.getfixturevalue("s3_storage")
