"""plan_ladder(): rungs from real probed clips, and the rules on made-up sources."""

from fractions import Fraction

import pytest
from hypothesis import given
from hypothesis import strategies as st

from media_pipeline import AudioStream, LadderPolicy, MediaInfo, VideoStream, plan_ladder, probe


def source(width, height, *, rotation=0, frame_rate=30.0, bit_rate=None, audio=True, codec="h264"):
    return MediaInfo(
        container="mov,mp4,m4a,3gp,3g2,mj2",
        duration=60.0,
        size=1_000_000,
        video=VideoStream(
            index=0,
            codec=codec,
            width=width,
            height=height,
            rotation=rotation,
            frame_rate=frame_rate,
            bit_rate=bit_rate,
        ),
        audio=AudioStream(index=1, codec="aac", channels=2, sample_rate=48000) if audio else None,
    )


def sizes(plan):
    return [(rung.name, rung.width, rung.height) for rung in plan.video]


def test_landscape_1080p_gets_four_rungs_and_audio(landscape_1080p):
    plan = plan_ladder(probe(landscape_1080p))

    assert sizes(plan) == [
        ("240p", 426, 240),
        ("360p", 640, 360),
        ("720p", 1280, 720),
        ("1080p", 1920, 1080),
    ]
    assert plan.audio.codec == "aac" and plan.audio.channels == 2
    assert plan.rung_names == ["240p", "360p", "720p", "1080p", "audio"]


def test_360p_source_is_never_upscaled(clip_360p):
    assert sizes(plan_ladder(probe(clip_360p))) == [("240p", 426, 240), ("360p", 640, 360)]


def test_portrait_source_keeps_portrait_rungs(portrait):
    assert sizes(plan_ladder(probe(portrait))) == [("240p", 240, 426), ("360p", 360, 640)]


def test_rotated_phone_video_is_planned_in_display_orientation(rotated):
    assert sizes(plan_ladder(probe(rotated))) == [("240p", 240, 426), ("360p", 360, 640)]


def test_odd_source_gets_even_sizes(odd_surround):
    plan = plan_ladder(probe(odd_surround))

    assert sizes(plan) == [("180p", 320, 180)]
    assert plan.audio.channels == 2


def test_source_smaller_than_240p_is_kept_at_its_own_size():
    assert sizes(plan_ladder(source(160, 120))) == [("120p", 160, 120)]


def test_ultrawide_source_is_limited_by_its_long_side():
    plan = plan_ladder(source(1920, 800))

    assert sizes(plan)[-1] == ("1080p", 1920, 800)
    assert sizes(plan)[0] == ("240p", 426, 178)


def test_video_without_audio_gets_no_audio_rung(no_audio):
    plan = plan_ladder(probe(no_audio))

    assert plan.audio is None
    assert plan.rung_names == ["240p"]


def test_audio_only_upload_gets_only_the_audio_rung(audio_m4a):
    plan = plan_ladder(probe(audio_m4a))

    assert plan.video == ()
    assert plan.rung_names == ["audio"]
    assert (plan.frame_rate, plan.keyframe_interval, plan.poster_frame) == (None, None, None)


def test_hdr_source_is_tone_mapped(hdr_hlg):
    assert plan_ladder(probe(hdr_hlg)).tonemap


@pytest.mark.parametrize(
    ("source_rate", "output_rate", "keyframe_interval"),
    [
        (60.0, Fraction(30), 60),
        (59.94005994, Fraction(30000, 1001), 60),
        (50.0, Fraction(25), 50),
        (30.0, Fraction(30), 60),
        (24.0, Fraction(24), 48),
        (15.0, Fraction(15), 30),
        (None, Fraction(30), 60),
        (120.0, Fraction(30), 60),
        (1000.0, Fraction(30), 60),
        (29.87, Fraction(30000, 1001), 60),
        (25.1, Fraction(25), 50),
    ],
)
def test_frame_rate_is_capped_at_30_and_keyframes_come_every_two_seconds(
    source_rate, output_rate, keyframe_interval
):
    plan = plan_ladder(source(1280, 720, frame_rate=source_rate))

    assert plan.frame_rate == output_rate
    assert plan.keyframe_interval == keyframe_interval


def test_rungs_have_max_rate_and_buffer_above_their_target():
    for rung in plan_ladder(source(1920, 1080)).video:
        assert rung.maxrate > rung.video_bitrate
        assert rung.bufsize >= rung.maxrate


def test_low_bitrate_source_does_not_get_inflated_rungs():
    screen_recording = plan_ladder(source(1920, 1080, bit_rate=1_000_000))
    camera = plan_ladder(source(1920, 1080, bit_rate=20_000_000))

    assert screen_recording.video[-1].video_bitrate == 1_200_000
    assert camera.video[-1].video_bitrate == 4_500_000


def test_plan_round_trips_through_a_dict(rotated):
    plan = plan_ladder(probe(rotated))

    assert type(plan).from_dict(plan.to_dict()) == plan


def test_policy_chooses_the_audio_bit_rate():
    assert plan_ladder(source(640, 360), LadderPolicy(audio_bitrate=96_000)).audio.bitrate == 96_000


@given(
    width=st.integers(16, 4096),
    height=st.integers(16, 4096),
    rotation=st.sampled_from([0, 90, 180, 270]),
)
def test_every_plan_keeps_the_rules(width, height, rotation):
    video = source(width, height, rotation=rotation).video
    plan = plan_ladder(source(width, height, rotation=rotation))
    display_width, display_height = video.display_width, video.display_height

    assert plan.video, "the lowest rung always exists"
    for rung in plan.video:
        assert rung.width % 2 == 0 and rung.height % 2 == 0
        assert rung.width <= max(2, display_width) and rung.height <= max(2, display_height)
        if display_width > display_height * 1.1:
            assert rung.width >= rung.height
        if display_height > display_width * 1.1:
            assert rung.height >= rung.width
    areas = [rung.width * rung.height for rung in plan.video]
    assert areas == sorted(set(areas))
