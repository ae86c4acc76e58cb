"""python -m media_pipeline: JSON on success, one "error:" line and exit 2 on refusal."""

import json
import os
import pty
import subprocess
import sys

import pytest


def run_cli(*args: str, **options) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "media_pipeline", *map(str, args)],
        capture_output=True,
        text=True,
        timeout=120,
        **options,
    )


def test_probe_prints_media_info_as_json(rotated):
    completed = run_cli("probe", rotated)

    assert completed.returncode == 0, completed.stderr
    info = json.loads(completed.stdout)
    assert info["container"] == "mov,mp4,m4a,3gp,3g2,mj2"
    assert (info["video"]["width"], info["video"]["height"]) == (640, 360)
    assert info["video"]["rotation"] in (90, 270)
    assert info["audio"]["codec"] == "aac"


def test_probe_refuses_bad_upload_in_one_line_without_traceback(bad_upload):
    path, _ = bad_upload
    completed = run_cli("probe", path)

    assert completed.returncode == 2
    assert completed.stdout == ""
    assert completed.stderr.startswith("error: ")
    assert completed.stderr.count("\n") == 1
    assert "Traceback" not in completed.stderr


def test_probe_of_missing_file_is_an_error_line(tmp_path):
    completed = run_cli("probe", tmp_path / "absent.mp4")

    assert completed.returncode == 2
    assert completed.stderr == f"error: No such file or directory: {tmp_path / 'absent.mp4'}\n"


def test_transcode_prints_a_summary_and_no_bar_when_not_on_a_terminal(no_audio, tmp_path):
    completed = run_cli("transcode", no_audio, tmp_path / "out", "--preset", "ultrafast")

    assert completed.returncode == 0, completed.stderr
    assert completed.stderr == ""
    summary = json.loads(completed.stdout)
    assert [rung["name"] for rung in summary["rungs"]] == ["240p"]
    assert summary["duration"] == pytest.approx(3.0, abs=0.2)
    assert summary["bytes"] > 0 and summary["seconds"] > 0
    assert (tmp_path / "out" / "master.m3u8").is_file()


def test_transcode_draws_a_progress_bar_on_a_terminal(no_audio, tmp_path):
    controller, terminal = pty.openpty()
    try:
        command = ["transcode", str(no_audio), str(tmp_path / "out"), "--preset", "ultrafast"]
        completed = subprocess.run(
            [sys.executable, "-m", "media_pipeline", *command],
            stdout=subprocess.PIPE,
            stderr=terminal,
            timeout=120,
        )
        os.close(terminal)
        drawn = b""
        while chunk := _read(controller):
            drawn += chunk
    finally:
        os.close(controller)

    assert completed.returncode == 0
    assert b"] 100%" in drawn and b"\r[" in drawn
    assert json.loads(completed.stdout)["rungs"][0]["name"] == "240p"


def _read(fd: int) -> bytes:
    try:
        return os.read(fd, 4096)
    except OSError:  # EIO once the terminal's other end is closed
        return b""


def test_transcode_of_refused_input_exits_2(text_named_mp4, tmp_path):
    completed = run_cli("transcode", text_named_mp4, tmp_path / "out")

    assert completed.returncode == 2
    assert completed.stderr == "error: This is not a video or audio file.\n"
    assert not (tmp_path / "out").exists()
