"""probe(): what each kind of upload is found to be, and every refusal with its code."""

import pytest

from media_pipeline import ProbeError, ProbeLimits, probe


def test_landscape_1080p_is_described_fully(landscape_1080p):
    info = probe(landscape_1080p)

    assert info.container == "mov,mp4,m4a,3gp,3g2,mj2"
    assert info.demuxer == "mov"
    assert info.duration == pytest.approx(2.0, abs=0.1)
    assert info.size == landscape_1080p.stat().st_size
    video = info.video
    assert (video.codec, video.width, video.height, video.rotation) == ("h264", 1920, 1080, 0)
    assert (video.frame_rate, video.pix_fmt, video.bit_depth) == (30.0, "yuv420p", 8)
    assert video.bit_rate > 0
    audio = info.audio
    assert (audio.codec, audio.channels, audio.sample_rate) == ("aac", 1, 44100)
    assert audio.channel_layout == "mono"


def test_hevc_10bit_reports_its_bit_depth(hevc_10bit):
    video = probe(hevc_10bit).video

    assert (video.codec, video.pix_fmt, video.bit_depth) == ("hevc", "yuv420p10le", 10)


def test_hlg_source_is_recognised_as_hdr(hdr_hlg):
    assert probe(hdr_hlg).video.is_hdr


def test_rotated_phone_video_reports_display_size(rotated):
    video = probe(rotated).video

    assert (video.width, video.height) == (640, 360)
    assert video.rotation in (90, 270)
    assert (video.display_width, video.display_height) == (360, 640)


def test_vp9_webm_is_accepted(vp9_webm):
    info = probe(vp9_webm)

    assert (info.container, info.demuxer) == ("matroska,webm", "matroska")
    assert (info.video.codec, info.audio.codec) == ("vp9", "opus")


def test_webm_without_duration_in_header_is_measured_from_packets(webm_without_duration):
    assert probe(webm_without_duration).duration == pytest.approx(3.0, abs=0.15)


def test_video_without_audio_has_no_audio_stream(no_audio):
    info = probe(no_audio)

    assert info.video is not None and info.audio is None


def test_m4a_is_audio_only(audio_m4a):
    info = probe(audio_m4a)

    assert info.video is None
    assert info.audio.codec == "aac"
    assert info.duration == pytest.approx(5.0, abs=0.1)


def test_mp3_cover_art_is_not_a_video(audio_mp3_with_cover):
    info = probe(audio_mp3_with_cover)

    assert info.container == "mp3"
    assert info.video is None and info.audio.codec == "mp3"


def test_single_picture_over_sound_is_an_audio_lesson(one_frame_with_sound):
    info = probe(one_frame_with_sound)

    assert info.video is None
    assert info.audio.codec == "aac"
    assert info.duration == pytest.approx(3.0, abs=0.1)


def test_wav_is_audio_only(audio_wav):
    info = probe(audio_wav)

    assert (info.container, info.video, info.audio.codec) == ("wav", None, "pcm_s16le")


def test_odd_dimensions_and_surround_sound(odd_surround):
    info = probe(odd_surround)

    assert (info.video.width, info.video.height) == (321, 181)
    assert (info.audio.channels, info.audio.channel_layout) == (6, "5.1")


def test_media_info_round_trips_through_a_dict(rotated):
    info = probe(rotated)

    assert type(info).from_dict(info.to_dict()) == info


def test_bad_upload_is_refused_with_its_code(bad_upload):
    path, code = bad_upload

    with pytest.raises(ProbeError) as refused:
        probe(path)

    assert refused.value.code == code
    assert refused.value.message and "\n" not in refused.value.message


def test_file_over_the_size_limit_is_refused_before_ffprobe_runs(clip_360p):
    size = clip_360p.stat().st_size

    with pytest.raises(ProbeError) as refused:
        probe(clip_360p, ProbeLimits(max_size=size - 1), ffprobe="/nonexistent/ffprobe")

    assert refused.value.code == "too_large"
    assert refused.value.params == {"size": size, "max_size": size - 1}


def test_media_over_the_duration_limit_is_refused(clip_360p):
    with pytest.raises(ProbeError) as refused:
        probe(clip_360p, ProbeLimits(max_duration=5))

    assert refused.value.code == "too_long"
    assert refused.value.params["max_duration"] == 5
    assert refused.value.params["duration"] == pytest.approx(10, abs=0.1)


def test_huge_declared_resolution_is_refused(landscape_1080p):
    with pytest.raises(ProbeError) as refused:
        probe(landscape_1080p, ProbeLimits(max_width=1280, max_height=720))

    assert refused.value.code == "resolution_too_large"
    assert refused.value.params == {
        "width": 1920,
        "height": 1080,
        "max_width": 1280,
        "max_height": 720,
    }


def test_portrait_video_gets_the_same_resolution_allowance(portrait):
    # 360×640 fits a 640×360 limit once the long and short sides are compared.
    assert probe(portrait, ProbeLimits(max_width=640, max_height=360)).video.height == 640


def test_too_many_streams_are_refused(clip_360p):
    with pytest.raises(ProbeError) as refused:
        probe(clip_360p, ProbeLimits(max_streams=1))

    assert refused.value.code == "too_many_streams"
    assert refused.value.params == {"streams": 2, "max_streams": 1}


def test_hung_ffprobe_is_stopped_by_the_timeout(clip_360p, fake_binary):
    hung = fake_binary("exec sleep 30", name="fake-ffprobe")

    with pytest.raises(ProbeError) as refused:
        probe(clip_360p, ProbeLimits(timeout=0.5), ffprobe=hung)

    assert refused.value.code == "timeout"
    assert refused.value.params == {"seconds": 0.5}
