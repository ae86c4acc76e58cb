"""The fast path: a compliant H.264 source's video is copied as its rung (packet for
packet) and its AAC-LC audio as the audio rung; anything the rules refuse is encoded."""

import dataclasses
import json
import math
import subprocess
from pathlib import Path

import pytest

from media_pipeline import LadderPolicy, build_command, plan_ladder, probe, transcode
from media_pipeline.hls import read_master_playlist, read_media_playlist
from media_pipeline.packets import packet_figures

pytestmark = pytest.mark.slow  # real ffmpeg

QUIET = ["ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y"]


def make_media(path: Path, *args: str) -> Path:
    subprocess.run([*QUIET, *args, str(path)], check=True, timeout=120)
    return path


def pattern(size: str, seconds: float, rate: int = 30) -> list[str]:
    return ["-f", "lavfi", "-i", f"testsrc2=size={size}:rate={rate}:duration={seconds}"]


def sine(seconds: float) -> list[str]:
    return ["-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}"]


PHONE_X264 = ["-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high", "-pix_fmt", "yuv420p"]
PHONE_AAC = ["-c:a", "aac", "-b:a", "96k", "-ac", "2", "-ar", "48000", "-shortest"]


def phone_clip(path: Path, size: str, seconds: float, *, rate=30, gop=2.0, extra=()) -> Path:
    """What a phone records: H.264 High, a keyframe every ``gop`` seconds, AAC-LC stereo."""
    keyint = str(round(rate * gop))
    return make_media(
        path,
        *pattern(size, seconds, rate=rate), *sine(seconds), *PHONE_X264,
        "-b:v", "1200k", "-maxrate", "1500k", "-bufsize", "3M",
        "-g", keyint, "-keyint_min", keyint, "-sc_threshold", "0", *extra, *PHONE_AAC,
    )  # fmt: skip


@pytest.fixture(scope="session")
def compliant_720p(clips):
    return phone_clip(clips / "phone_720p.mp4", "1280x720", 7, gop=1.5)


def video_packets(media: Path) -> list[tuple[str, str, str]]:
    """(size, flags, MD5 of the data) of every video packet, demuxed only."""
    completed = subprocess.run(
        ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_data_hash", "MD5",
         "-show_entries", "packet=size,flags,data_hash", "-of", "json", str(media)],
        capture_output=True, check=True, timeout=60,
    )  # fmt: skip
    packets = json.loads(completed.stdout)["packets"]
    return [(p["size"], p["flags"], p["data_hash"]) for p in packets]


@pytest.fixture(scope="session")
def fast_ladder(compliant_720p, tmp_path_factory):
    info = probe(compliant_720p)
    plan = plan_ladder(info)
    result = transcode(
        compliant_720p, tmp_path_factory.mktemp("fast") / "hls", plan, info, preset="ultrafast"
    )
    return info, plan, result


def test_probe_reads_keyframe_gap_and_bit_rate_from_packets(compliant_720p):
    video = probe(compliant_720p).video

    assert video.profile == "High" and video.pix_fmt == "yuv420p"
    assert video.max_keyframe_gap == pytest.approx(1.5, abs=0.05)
    assert 500_000 < video.packet_bit_rate < 2_500_000


def test_compliant_720p_plan_copies_the_top_rung_and_the_audio(compliant_720p):
    plan = plan_ladder(probe(compliant_720p))

    assert plan.copied_rung.name == "720p" and plan.copy_refusal is None
    assert [rung.copy for rung in plan.video] == [False, False, True]
    assert plan.audio.copy
    assert plan.to_dict()["copied_rung"] == "720p"


def test_copied_rung_has_exactly_the_source_video_packets(fast_ladder, compliant_720p):
    _, _, result = fast_ladder
    copied = video_packets(result.out_dir / "720p" / "stream.mp4")

    assert copied == video_packets(compliant_720p)
    assert len(copied) == 7 * 30


def test_encoded_rungs_take_keyframes_where_the_source_has_them(fast_ladder):
    _, plan, result = fast_ladder

    def keyframes(name):
        packets = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "v:0", "-show_entries",
             "packet=pts_time,flags", "-of", "csv=p=0", str(result.out_dir / name / "stream.mp4")],
            capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
        return [line.split(",")[0] for line in packets.splitlines() if "K" in line]

    times = {rung.name: keyframes(rung.name) for rung in plan.video}
    assert times["240p"] == times["360p"] == times["720p"]
    assert len(times["720p"]) == 5  # every 1.5 s over 7 s


def test_copied_rung_playlist_has_a_right_target_duration(fast_ladder):
    _, plan, result = fast_ladder
    for name in plan.rung_names:
        playlist = read_media_playlist(result.out_dir / name / "index.m3u8")
        longest = max(segment.duration for segment in playlist.segments)

        assert playlist.target_duration >= math.ceil(round(longest, 3)), name
        assert all(s.duration <= 2 * playlist.target_duration for s in playlist.segments)
    copied = read_media_playlist(result.out_dir / "720p" / "index.m3u8")
    assert [round(s.duration, 2) for s in copied.segments] == [4.5, 2.5]
    assert copied.target_duration == 5  # ffmpeg 5.1 itself writes 4 here


def test_master_describes_the_copied_stream_as_measured(fast_ladder, compliant_720p):
    info, _, result = fast_ladder
    variants, _ = read_master_playlist(result.out_dir / "master.m3u8")
    top = next(v for v in variants if v.uri == "720p/index.m3u8")

    assert top.attributes["RESOLUTION"] == "1280x720"
    assert top.attributes["CODECS"].startswith("avc1.64")  # High profile, the source's
    peak, average = int(top.attributes["BANDWIDTH"]), int(top.attributes["AVERAGE-BANDWIDTH"])
    assert peak >= average
    assert average == pytest.approx(info.video.packet_bit_rate + 96_000, rel=0.2)


def test_copied_audio_keeps_its_packets(fast_ladder, compliant_720p):
    _, _, result = fast_ladder

    def audio_hashes(media):
        completed = subprocess.run(
            ["ffprobe", "-v", "error", "-select_streams", "a:0", "-show_data_hash", "MD5",
             "-show_entries", "packet=data_hash", "-of", "csv=p=0", str(media)],
            capture_output=True, text=True, check=True,
        )  # fmt: skip
        return [line.split("MD5:")[-1] for line in completed.stdout.split()]

    assert audio_hashes(result.out_dir / "audio" / "stream.mp4") == audio_hashes(compliant_720p)


def test_forced_full_reencode_copies_nothing(compliant_720p, tmp_path):
    info = probe(compliant_720p)
    plan = plan_ladder(info, LadderPolicy().full_reencode())

    assert plan.copied_rung is None and not plan.audio.copy
    assert plan.copy_refusal.startswith("forced")
    args = build_command(compliant_720p, tmp_path, plan, info)
    assert "copy" not in args and "source" not in args


REFUSED = {
    # fixture name: (ffmpeg arguments after the test sources, refusal's rule)
    "hevc": (["-c:v", "libx265", "-x265-params", "log-level=none", "-tag:v", "hvc1"], "codec"),
    "ten_bit": (
        ["-c:v", "libx264", "-preset", "ultrafast", "-pix_fmt", "yuv420p10le"],
        ("profile", "pixel format"),
    ),
}


@pytest.fixture(scope="session")
def refused_sources(clips):
    made = {}
    for name, (arguments, _) in REFUSED.items():
        made[name] = make_media(
            clips / f"refused_{name}.mp4", *pattern("640x360", 2), *sine(2), *arguments, *PHONE_AAC
        )
    upright = phone_clip(clips / "upright.mp4", "640x360", 2)
    # A phone held upright; ffmpeg 5.1 sets the rotation only on a stream copy.
    made["rotated"] = make_media(
        clips / "rotated_phone.mp4", "-i", str(upright), "-c", "copy", "-metadata:s:v", "rotate=90"
    )
    made["sixty_fps"] = phone_clip(clips / "sixty.mp4", "640x360", 2, rate=60)
    made["huge_bit_rate"] = phone_clip(
        clips / "huge.mp4",
        "640x360",
        2,
        extra=["-vf", "noise=alls=60:allf=t+u", "-b:v", "6M", "-maxrate", "6M", "-bufsize", "6M"],
    )
    made["ten_second_gop"] = phone_clip(clips / "gop10.mp4", "426x240", 12, rate=10, gop=10)
    made["odd_size"] = phone_clip(clips / "odd.mp4", "642x362", 2)
    return made


@pytest.mark.parametrize(
    ("name", "rule"),
    [
        ("hevc", ("codec",)),
        ("ten_bit", ("profile", "pixel format")),
        ("rotated", ("rotation",)),
        ("sixty_fps", ("frame rate",)),
        ("huge_bit_rate", ("bit rate",)),
        ("ten_second_gop", ("keyframe interval",)),
        ("odd_size", ("size",)),
    ],
)
def test_non_compliant_source_is_fully_encoded(refused_sources, name, rule, tmp_path):
    info = probe(refused_sources[name])
    plan = plan_ladder(info)

    assert plan.copied_rung is None
    assert plan.copy_refusal.split(":")[0] in rule, plan.copy_refusal
    args = build_command(refused_sources[name], tmp_path, plan, info)
    assert not any(arg.startswith("-c:v:") for arg in args)


def test_a_non_compliant_source_really_encodes_every_rung(refused_sources, tmp_path):
    source = refused_sources["sixty_fps"]
    info = probe(source)
    plan = plan_ladder(info)
    result = transcode(source, tmp_path / "hls", plan, info, preset="ultrafast")

    top = result.out_dir / plan.video[-1].name / "stream.mp4"
    assert video_packets(top) != video_packets(source)
    assert len(video_packets(top)) == 2 * 30  # 60 fps halved to 30


def test_audio_that_is_not_aac_lc_stereo_is_encoded(compliant_720p, clips):
    mono = make_media(
        clips / "mono_720p.mp4",
        "-i",
        str(compliant_720p),
        "-c:v",
        "copy",
        "-c:a",
        "aac",
        "-ac",
        "1",
    )
    plan = plan_ladder(probe(mono))

    assert plan.copied_rung is not None and not plan.audio.copy


def test_packet_figures_count_the_tail_after_the_last_keyframe():
    lines = "\n".join(
        f"{n / 10:.6f},0.100000,1000,{'K_' if n in (0, 20, 40) else '__'}" for n in range(70)
    )
    figures = packet_figures(lines)

    assert figures.max_keyframe_gap == pytest.approx(3.0)  # 4.0 .. 7.0
    assert figures.keyframes == 3 and figures.bit_rate == 80_000


def test_plan_keeps_the_copy_through_a_dict(compliant_720p):
    from media_pipeline import Plan

    plan = plan_ladder(probe(compliant_720p))
    again = Plan.from_dict(json.loads(json.dumps(plan.to_dict())))

    assert again == plan
    assert dataclasses.replace(again, copy_refusal="x") != plan
