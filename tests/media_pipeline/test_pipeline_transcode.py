"""transcode(): the HLS output really plays (playlists, segments, aligned keyframes,
durations, poster), every kind of source goes through, and faults fail cleanly."""

import json
import os
import subprocess
import time
from pathlib import Path

import pytest

from media_pipeline import TranscodeError, build_command, plan_ladder, probe, transcode
from media_pipeline.hls import read_master_playlist, read_media_playlist

pytestmark = pytest.mark.slow  # real transcodes

PRESET = "ultrafast"  # the tests check structure, not picture quality


def ffprobe_json(path: Path, *args: str) -> dict:
    completed = subprocess.run(
        ["ffprobe", "-v", "error", *args, "-of", "json", str(path)],
        capture_output=True,
        check=True,
        timeout=60,
    )
    return json.loads(completed.stdout)


def keyframe_times(media: Path) -> list[float]:
    packets = ffprobe_json(
        media, "-select_streams", "v:0", "-show_entries", "packet=pts_time,flags"
    )["packets"]
    return sorted(round(float(p["pts_time"]), 3) for p in packets if "K" in p["flags"])


@pytest.fixture(scope="session")
def transcoded(tmp_path_factory, request):
    """Transcode a clip fixture once per session: (info, plan, result, progress calls)."""
    done = {}

    def run(clip_fixture: str):
        if clip_fixture not in done:
            source = request.getfixturevalue(clip_fixture)
            info = probe(source)
            plan = plan_ladder(info)
            progress: list[float] = []
            out_dir = tmp_path_factory.mktemp(clip_fixture) / "hls"
            result = transcode(source, out_dir, plan, info, progress.append, preset=PRESET)
            done[clip_fixture] = (info, plan, result, progress)
        return done[clip_fixture]

    return run


@pytest.fixture(scope="session")
def ladder_360p(transcoded):
    return transcoded("clip_360p")


def test_master_playlist_lists_every_rung(ladder_360p):
    _, _, result, _ = ladder_360p
    variants, renditions = read_master_playlist(result.out_dir / "master.m3u8")

    assert [v.uri for v in variants] == ["240p/index.m3u8", "360p/index.m3u8", "audio/index.m3u8"]
    resolutions = [v.attributes.get("RESOLUTION") for v in variants]
    assert resolutions == ["426x240", "640x360", None]
    for variant in variants:
        assert int(variant.attributes["BANDWIDTH"]) >= int(variant.attributes["AVERAGE-BANDWIDTH"])
    assert variants[0].attributes["CODECS"].startswith("avc1.")
    assert variants[0].attributes["CODECS"].endswith(",mp4a.40.2")
    assert variants[0].attributes["AUDIO"] == "audio"
    assert variants[2].attributes["CODECS"] == "mp4a.40.2"
    assert renditions == [
        {
            "TYPE": "AUDIO",
            "GROUP-ID": "audio",
            "NAME": "audio",
            "LANGUAGE": "und",
            "DEFAULT": "YES",
            "AUTOSELECT": "YES",
            "CHANNELS": "2",
            "URI": "audio/index.m3u8",
        }
    ]


def test_media_playlists_are_vod_with_four_to_six_second_segments(ladder_360p):
    info, plan, result, _ = ladder_360p
    for name in plan.rung_names:
        playlist = read_media_playlist(result.out_dir / name / "index.m3u8")

        assert playlist.playlist_type == "VOD" and playlist.ended
        assert playlist.map_uri == "stream.mp4"
        assert [s.uri for s in playlist.segments] == ["stream.mp4"] * len(playlist.segments)
        assert all(3.9 <= s.duration <= 6.1 for s in playlist.segments[:-1])
        assert playlist.target_duration <= 6
        assert abs(playlist.duration - info.duration) <= 0.5


def top_level_boxes(data: bytes) -> dict[int, bytes]:
    boxes, offset = {}, 0
    while offset < len(data):
        boxes[offset] = data[offset + 4 : offset + 8]
        offset += int.from_bytes(data[offset : offset + 4], "big")
    assert offset == len(data)
    return boxes


def test_byte_ranges_cover_the_single_file_fragment_by_fragment(ladder_360p):
    _, plan, result, _ = ladder_360p
    for name in plan.rung_names:
        playlist = read_media_playlist(result.out_dir / name / "index.m3u8")
        data = (result.out_dir / name / "stream.mp4").read_bytes()
        boxes = top_level_boxes(data)
        (first, _), (second, _), (after_moov, _) = list(boxes.items())[:3]

        assert [boxes[first], boxes[second]] == [b"ftyp", b"moov"]
        assert playlist.map_range == (after_moov, 0), "the init section is ftyp + moov"
        assert playlist.segments[0].offset == after_moov
        for segment, following in zip(playlist.segments, playlist.segments[1:], strict=False):
            assert segment.offset + segment.length == following.offset
        assert playlist.segments[-1].offset + playlist.segments[-1].length == len(data)
        for segment in playlist.segments:
            assert boxes[segment.offset] in (b"sidx", b"styp", b"moof")


def test_keyframes_are_aligned_across_rungs_and_start_every_segment(ladder_360p):
    _, plan, result, _ = ladder_360p
    keyframes = {
        rung.name: keyframe_times(result.out_dir / rung.name / "stream.mp4") for rung in plan.video
    }

    assert len(set(map(tuple, keyframes.values()))) == 1, keyframes
    times = keyframes[plan.video[0].name]
    gaps = {round(b - a, 3) for a, b in zip(times, times[1:], strict=False)}
    assert gaps == {2.0}
    playlist = read_media_playlist(result.out_dir / plan.video[0].name / "index.m3u8")
    start = times[0]
    for segment in playlist.segments:
        assert round(start, 3) in times
        start += segment.duration


def test_poster_is_a_jpeg_at_the_top_rung_size(ladder_360p):
    _, _, result, _ = ladder_360p
    poster = result.out_dir / result.poster

    assert poster.read_bytes()[:3] == b"\xff\xd8\xff"
    stream = ffprobe_json(poster, "-show_entries", "stream=codec_name,width,height")["streams"][0]
    assert stream == {"codec_name": "mjpeg", "width": 640, "height": 360}


def test_progress_rises_to_one(ladder_360p):
    _, _, _, progress = ladder_360p

    assert len(progress) >= 2
    assert progress == sorted(progress)
    assert progress[0] > 0 and progress[-1] == 1.0


def test_result_lists_what_was_written(ladder_360p):
    _, _, result, _ = ladder_360p
    on_disk = sorted(
        str(p.relative_to(result.out_dir)) for p in result.out_dir.rglob("*") if p.is_file()
    )

    assert result.files == on_disk
    assert set(on_disk) >= {"master.m3u8", "poster.jpg", "240p/stream.mp4", "audio/index.m3u8"}
    assert result.bytes == sum((result.out_dir / f).stat().st_size for f in on_disk)
    assert result.seconds > 0
    assert [r.name for r in result.rungs] == ["240p", "360p", "audio"]


def test_location_and_other_metadata_are_stripped(ladder_360p, clip_360p):
    _, _, result, _ = ladder_360p
    assert "location" in ffprobe_json(clip_360p, "-show_format")["format"]["tags"]

    output = ffprobe_json(result.out_dir / "360p" / "stream.mp4", "-show_format")["format"]
    assert "location" not in output.get("tags", {})


@pytest.mark.parametrize(
    "clip",
    [
        "hevc_10bit",
        "hdr_hlg",
        "portrait",
        "rotated",
        "vp9_webm",
        "webm_without_duration",
        "no_audio",
        "audio_m4a",
        "audio_mp3_with_cover",
        "one_frame_with_sound",
        "odd_surround",
    ],
)
def test_every_kind_of_source_becomes_a_complete_ladder(transcoded, clip):
    info, plan, result, _ = transcoded(clip)
    variants, _ = read_master_playlist(result.out_dir / "master.m3u8")

    assert [v.uri for v in variants] == [f"{name}/index.m3u8" for name in plan.rung_names]
    for name in plan.rung_names:
        playlist = read_media_playlist(result.out_dir / name / "index.m3u8")
        assert abs(playlist.duration - info.duration) <= 0.5
    assert (result.poster is not None) == bool(plan.video)


def test_hevc_10bit_becomes_8bit_h264(transcoded):
    _, _, result, _ = transcoded("hevc_10bit")
    stream = ffprobe_json(
        result.out_dir / "240p" / "stream.mp4", "-show_entries", "stream=codec_name,pix_fmt"
    )["streams"][0]

    assert stream == {"codec_name": "h264", "pix_fmt": "yuv420p"}


def test_rotated_video_is_written_upright(transcoded):
    _, _, result, _ = transcoded("rotated")
    stream = ffprobe_json(result.out_dir / "360p" / "stream.mp4", "-show_streams")["streams"][0]

    assert (stream["width"], stream["height"]) == (360, 640)
    assert not any("rotation" in side for side in stream.get("side_data_list", []))


def test_surround_sound_is_downmixed_to_stereo(transcoded):
    _, _, result, _ = transcoded("odd_surround")
    stream = ffprobe_json(result.out_dir / "audio" / "stream.mp4", "-show_streams")["streams"][0]

    assert (stream["codec_name"], stream["channels"]) == ("aac", 2)


def test_video_without_audio_has_no_audio_anywhere(transcoded):
    _, _, result, _ = transcoded("no_audio")
    master = (result.out_dir / "master.m3u8").read_text()

    assert "mp4a" not in master and "EXT-X-MEDIA" not in master
    assert not (result.out_dir / "audio").exists()


def test_audio_only_upload_is_audio_only_hls(transcoded):
    _, _, result, _ = transcoded("audio_m4a")
    variants, renditions = read_master_playlist(result.out_dir / "master.m3u8")

    assert [(v.uri, v.attributes["CODECS"]) for v in variants] == [
        ("audio/index.m3u8", "mp4a.40.2")
    ]
    assert renditions == []
    assert result.poster is None


def test_command_is_one_guarded_ffmpeg_process(clip_360p, tmp_path):
    info = probe(clip_360p)
    plan = plan_ladder(info)
    args = build_command(clip_360p, tmp_path, plan, info, ffmpeg="/opt/ffmpeg")
    before_input = args[: args.index("-i")]
    graph = args[args.index("-filter_complex") + 1]

    assert args[0] == "/opt/ffmpeg" and "-nostdin" in before_input
    assert before_input[before_input.index("-f") + 1] == "mov"
    assert before_input[before_input.index("-protocol_whitelist") + 1] == "file"
    assert "-format_whitelist" in before_input
    assert args[args.index("-i") + 1] == f"file:{clip_360p}"
    assert graph.count("split=3") == 1 and graph.count("scale=") == 3
    assert args.count("-i") == 1 and args.count("libx264") == 1 and args.count("aac") == 1
    assert args[args.index("-sc_threshold") + 1] == "0"
    assert args[args.index("-g") + 1] == args[args.index("-keyint_min") + 1] == "30"


def test_few_cpus_get_one_encoder_thread_each_and_filters_on_ffmpeg_s_own(clip_360p, tmp_path):
    info = probe(clip_360p)
    plan = plan_ladder(info)
    on_two = build_command(clip_360p, tmp_path, plan, info, cpus=2)
    on_eight = build_command(clip_360p, tmp_path, plan, info, cpus=8)

    assert on_two[on_two.index("-filter_complex_threads") + 1] == "1"
    assert on_two[on_two.index("-threads:v") + 1] == "2"
    assert on_two.index("-filter_complex_threads") < on_two.index("-i")
    # Above two CPUs, ffmpeg and x264 choose for themselves.
    assert "-filter_complex_threads" not in on_eight and "-threads:v" not in on_eight


# Faults ---------------------------------------------------------------------------


def process_alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except FileNotFoundError:
        return False
    return state != "Z"


def wait_until(condition, timeout: float = 10.0) -> bool:
    deadline = time.monotonic() + timeout
    while not condition():
        if time.monotonic() > deadline:
            return False
        os.sched_yield()
    return True


@pytest.fixture(scope="session")
def small_job(clip_360p):
    info = probe(clip_360p)
    return clip_360p, info, plan_ladder(info)


def test_hung_ffmpeg_and_its_children_are_killed_at_the_timeout(small_job, tmp_path, fake_binary):
    source, info, plan = small_job
    pid_file = tmp_path / "child.pid"
    hung = fake_binary(f"sleep 60 & echo $! > {pid_file}\nwait")
    started = time.monotonic()

    with pytest.raises(TranscodeError) as failed:
        transcode(source, tmp_path / "out", plan, info, timeout=0.5, ffmpeg=hung)

    assert failed.value.code == "timeout" and failed.value.params == {"seconds": 0.5}
    assert time.monotonic() - started < 5
    assert wait_until(lambda: not process_alive(int(pid_file.read_text())))
    assert not (tmp_path / "out").exists()


def test_real_ffmpeg_over_its_time_budget_is_stopped(small_job, tmp_path):
    source, info, plan = small_job
    out_dir = tmp_path / "out"
    out_dir.mkdir()

    with pytest.raises(TranscodeError) as failed:
        transcode(source, out_dir, plan, info, timeout=0.2, preset=PRESET)

    assert failed.value.code == "timeout"
    assert list(out_dir.iterdir()) == []


def test_ffmpeg_that_stops_making_progress_is_killed(small_job, tmp_path, fake_binary):
    source, info, plan = small_job
    stuck = fake_binary("echo out_time_us=1000000\necho progress=continue\nexec sleep 60")

    with pytest.raises(TranscodeError) as failed:
        transcode(source, tmp_path / "out", plan, info, stall_timeout=0.5, ffmpeg=stuck)

    assert failed.value.code == "stalled"


def test_ffmpeg_failure_carries_the_end_of_its_stderr(small_job, tmp_path, fake_binary):
    source, info, plan = small_job
    broken = fake_binary("echo 'first line' >&2\necho 'Conversion failed: no space' >&2\nexit 3")

    with pytest.raises(TranscodeError) as failed:
        transcode(source, tmp_path / "out", plan, info, ffmpeg=broken)

    assert failed.value.code == "failed"
    assert failed.value.params["returncode"] == 3
    assert failed.value.params["stderr_tail"].endswith("Conversion failed: no space")


def test_ffmpeg_runs_at_lower_priority(small_job, tmp_path, fake_binary):
    source, info, plan = small_job
    niceness_file = tmp_path / "niceness"
    base = os.getpriority(os.PRIO_PROCESS, 0)
    # The priority is lowered right after the start: wait for it, then report it.
    reporter = fake_binary(
        f'while [ "$(cut -d" " -f19 /proc/$$/stat)" = "{base}" ]; do :; done\n'
        f'cut -d" " -f19 /proc/$$/stat > {niceness_file}\nexit 1'
    )

    with pytest.raises(TranscodeError):
        transcode(source, tmp_path / "out", plan, info, nice=5, timeout=10, ffmpeg=reporter)

    assert int(niceness_file.read_text()) == min(19, base + 5)


def test_exception_from_progress_callback_stops_the_transcode(small_job, tmp_path):
    source, info, plan = small_job

    def cancel(fraction):
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        transcode(source, tmp_path / "out", plan, info, cancel, preset=PRESET)

    assert not (tmp_path / "out").exists()


def test_output_folder_must_be_empty(small_job, tmp_path):
    source, info, plan = small_job
    (tmp_path / "keep.txt").write_text("mine")

    with pytest.raises(TranscodeError) as failed:
        transcode(source, tmp_path, plan, info)

    assert failed.value.code == "output_not_empty"
    assert (tmp_path / "keep.txt").read_text() == "mine"


def test_source_cut_short_after_its_index_is_not_published(truncated_after_moov, tmp_path):
    info = probe(truncated_after_moov)

    with pytest.raises(TranscodeError) as failed:
        transcode(truncated_after_moov, tmp_path / "out", plan_ladder(info), info, preset=PRESET)

    assert failed.value.code == "incomplete"
    assert not (tmp_path / "out").exists()
