"""Crafted playlists named .mp4 must never make ffprobe or ffmpeg open anything else.

Two witnesses: a loopback listener (any connection would wait in its accept queue) and
a named pipe (opening it for reading blocks, so a run that tried would end in a timeout
instead of a quick refusal).
"""

import socket
import subprocess
import sys

import pytest

from media_pipeline import (
    AudioStream,
    MediaInfo,
    ProbeError,
    ProbeLimits,
    TranscodeError,
    VideoStream,
    plan_ladder,
    probe,
    transcode,
)


def hls_playlist(*uris: str) -> str:
    entries = "".join(f"#EXTINF:10.0,\n{uri}\n" for uri in uris)
    return f"#EXTM3U\n#EXT-X-TARGETDURATION:10\n{entries}#EXT-X-ENDLIST\n"


def ffconcat(*uris: str) -> str:
    return "ffconcat version 1.0\n" + "".join(f"file '{uri}'\n" for uri in uris)


@pytest.fixture(params=["hls", "ffconcat"])
def crafted_mp4(request, tmp_path, listener, canary_fifo):
    render = hls_playlist if request.param == "hls" else ffconcat
    path = tmp_path / f"{request.param}_lesson.mp4"
    path.write_text(render("/etc/passwd", f"file:{canary_fifo}", listener.url))
    return path


def test_crafted_playlist_is_refused_without_reading_anything(crafted_mp4, listener):
    with pytest.raises(ProbeError) as refused:
        probe(crafted_mp4, ProbeLimits(timeout=10))

    assert refused.value.code == "not_media"
    assert refused.value.params["format"] in ("hls", "concat")
    assert "root:" not in str(refused.value.params)
    assert listener.connections() == 0


@pytest.mark.parametrize("uri", ["/etc/passwd", "http"])
def test_playlist_pointing_at_one_target_is_refused(tmp_path, listener, uri):
    path = tmp_path / "lesson.mp4"
    path.write_text(hls_playlist(listener.url if uri == "http" else uri))

    with pytest.raises(ProbeError) as refused:
        probe(path)

    assert refused.value.code == "not_media"
    assert listener.connections() == 0


def test_transcode_forces_the_demuxer_even_if_probe_was_bypassed(crafted_mp4, listener, tmp_path):
    # A MediaInfo forged to say "mp4": ffmpeg is told -f mov, so the playlist is not parsed.
    forged = MediaInfo(
        container="mov,mp4,m4a,3gp,3g2,mj2",
        duration=20.0,
        size=100,
        video=VideoStream(index=0, codec="h264", width=640, height=360, frame_rate=30.0),
        audio=AudioStream(index=1, codec="aac", channels=2),
    )
    plan = plan_ladder(forged)

    with pytest.raises(TranscodeError) as failed:
        transcode(crafted_mp4, tmp_path / "out", plan, forged, timeout=10)

    assert failed.value.code == "failed"
    assert listener.connections() == 0
    assert not (tmp_path / "out").exists()


def test_cli_refuses_crafted_playlist_in_one_line(crafted_mp4, listener):
    completed = subprocess.run(
        [sys.executable, "-m", "media_pipeline", "probe", str(crafted_mp4)],
        capture_output=True,
        text=True,
        timeout=60,
    )

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr == "error: This is not a video or audio file.\n"
    assert listener.connections() == 0


def test_listener_witness_counts_a_connection_that_came_and_went(listener):
    host, port = listener.server.getsockname()
    socket.create_connection((host, port), timeout=5).close()

    assert listener.connections() == 1
