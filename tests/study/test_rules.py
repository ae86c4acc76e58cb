"""The study-time rules, tested as pure functions without an app."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lms.study.services import (
    CAP_FACTOR,
    MAX_COVERED_STRETCHES,
    MAX_SEGMENTS,
    Beat,
    MalformedBeat,
    add_coverage,
    apply_beat,
    credit_for_beat,
    merge_segments,
    parse_beat,
)

INTERVAL = 10.0


def beat(seq=1, position=10.0, segments=((0.0, 10.0),), rate=1.0, visible=True):
    return Beat(seq, position, tuple(segments), rate, visible)


def apply(b, *, wall=10.0, last_seq=0, covered=(), duration=600.0, forbid_skip=False):
    return apply_beat(
        b,
        last_seq=last_seq,
        wall_seconds=wall,
        covered=list(covered),
        duration=duration,
        interval=INTERVAL,
        forbid_skip=forbid_skip,
    )


def test_a_normal_beat_credits_what_was_played():
    outcome = apply(beat())
    assert outcome.credited_seconds == pytest.approx(10.0)
    assert outcome.covered == [(0.0, 10.0)] and outcome.progress == pytest.approx(10 / 600)


def test_one_beat_claiming_an_hour_credits_at_most_the_cap_and_covers_little():
    outcome = apply(beat(segments=[(0.0, 3600.0)]), wall=10.0, duration=3600.0)
    assert outcome.credited_seconds == pytest.approx(10.0)
    assert sum(end - start for start, end in outcome.covered) <= 10.0 * 2.0
    long_wait = apply(beat(segments=[(0.0, 3600.0)]), wall=3600.0, duration=3600.0)
    assert long_wait.credited_seconds == pytest.approx(1.5 * INTERVAL)


@pytest.mark.parametrize("rate", [2.5, 16.0])
def test_beats_above_the_allowed_rate_credit_nothing(rate):
    outcome = apply(beat(segments=[(0.0, 160.0)], rate=rate))
    assert outcome.credited_seconds == 0 and outcome.covered == []


def test_double_speed_credits_wall_time_not_media_time():
    assert apply(beat(segments=[(0.0, 20.0)], rate=2.0)).credited_seconds == pytest.approx(10.0)


def test_a_hidden_page_credits_nothing():
    assert apply(beat(visible=False)).credited_seconds == 0


def test_a_replayed_or_older_seq_credits_nothing():
    assert not apply(beat(seq=3), last_seq=3).accepted
    assert apply(beat(seq=2), last_seq=3).credited_seconds == 0


def test_beats_faster_than_the_interval_credit_only_the_time_that_passed():
    assert apply(beat(segments=[(0.0, 10.0)]), wall=6.0).credited_seconds == pytest.approx(6.0)


def test_a_beat_sooner_than_half_the_interval_is_refused_and_changes_nothing():
    covered = [(0.0, 10.0)]
    early = apply(beat(seq=2, segments=[(10.0, 14.0)]), wall=4.9, last_seq=1, covered=covered)
    assert early.too_soon and not early.accepted
    assert early.credited_seconds == 0 and early.covered == covered
    on_time = apply(beat(seq=2, segments=[(10.0, 15.0)]), wall=5.0, last_seq=1, covered=covered)
    assert on_time.accepted and on_time.covered == [(0.0, 15.0)]
    replay = apply(beat(seq=1), wall=1.0, last_seq=1, covered=covered)
    assert not replay.accepted and not replay.too_soon  # a resend is answered as before


def test_coverage_is_quantised_to_half_seconds_and_tiny_segments_are_dropped():
    tiny = [(100 + n * 1e-6, 100 + n * 1e-6 + 1e-7) for n in range(MAX_SEGMENTS)]
    assert apply(beat(segments=tiny)).covered == []
    assert apply(beat(segments=[(0.26, 10.24)])).covered == [(0.5, 10.0)]
    # Beats that follow each other stay one stretch: a boundary rounds the same way twice.
    first = apply(beat(seq=1, segments=[(0.0, 10.2)]))
    second = apply(beat(seq=2, segments=[(10.2, 20.3)]), last_seq=1, covered=first.covered)
    assert second.covered == [(0.0, 20.5)]


def test_the_end_of_the_video_is_covered_whatever_its_length():
    outcome = apply(beat(segments=[(0.0, 9.8)]), duration=9.8)
    assert outcome.covered == [(0.0, 9.8)] and outcome.progress == 1.0


def test_stored_stretches_are_capped_by_merging_the_smallest_gaps_without_counting_them():
    covered = [(n * 10.0, n * 10.0 + 1.0) for n in range(MAX_COVERED_STRETCHES)]
    covered[7] = (70.0, 79.5)  # the smallest gap: 79.5 to 80
    outcome = apply(beat(segments=[(3000.0, 3001.0)]), covered=covered, duration=3600.0)
    assert len(outcome.covered) == MAX_COVERED_STRETCHES
    assert (70.0, 81.0) in outcome.covered and (3000.0, 3001.0) in outcome.covered
    # The merged gap was not watched, so it does not count.
    played = sum(end - start for start, end in covered) + 1.0
    assert outcome.covered_seconds == pytest.approx(played)
    assert outcome.progress == pytest.approx(played / 3600.0)


def adversarial_beat(seq: int) -> Beat:
    """Fifty half-second segments, each somewhere no beat has played yet (odd beats), or
    fifty segments a microsecond long (even beats), as a flooding script sends them."""
    if seq % 2:
        starts = [((seq * MAX_SEGMENTS + n) * 37.3) % 3590.0 for n in range(MAX_SEGMENTS)]
        return Beat(seq, 0.0, tuple((start, start + 0.5) for start in starts), 1.0, True)
    tiny = tuple((1000.0 + n * 1e-6, 1000.0 + n * 1e-6 + 1e-7) for n in range(MAX_SEGMENTS))
    return Beat(seq, 0.0, tiny, 1.0, True)


def test_a_thousand_adversarial_beats_keep_the_coverage_and_the_work_per_beat_bounded():
    covered, covered_seconds, work = [], 0.0, []
    for seq in range(1, 1001):
        flood = adversarial_beat(seq)
        # The work of a beat: the stretches it merges, stored ones and sent ones together.
        work.append(len(covered) + len(flood.segments))
        outcome = apply_beat(
            flood,
            last_seq=seq - 1,
            wall_seconds=INTERVAL / 2,
            covered=covered,
            covered_seconds=covered_seconds,
            duration=3600.0,
            interval=INTERVAL,
            forbid_skip=False,
        )
        assert outcome.accepted
        covered, covered_seconds = outcome.covered, outcome.covered_seconds
        assert len(covered) <= MAX_COVERED_STRETCHES, f"beat {seq}: {len(covered)} stretches"
        # Never more than a player at twice the speed could have played in that time.
        assert covered_seconds <= seq * INTERVAL + 1e-6
    assert work[-1] <= 2 * work[0]


def test_segments_beyond_the_duration_are_clipped():
    outcome = apply(beat(segments=[(595.0, 700.0)]), duration=600.0)
    assert outcome.covered == [(595.0, 600.0)]
    assert outcome.credited_seconds == pytest.approx(5.0)


def test_overlapping_segments_in_one_beat_count_once():
    outcome = apply(beat(segments=[(0.0, 10.0), (0.0, 10.0), (5.0, 10.0)]), wall=30.0)
    assert outcome.credited_seconds == pytest.approx(10.0)


def test_forbid_skip_does_not_cover_what_lies_beyond_the_furthest_point():
    covered = add_coverage(
        [(0.0, 30.0)], [(100.0, 110.0), (31.0, 40.0)], duration=600.0, forbid_skip=True
    )
    assert covered == [(0.0, 30.0), (31.0, 40.0)]
    allowed = add_coverage([(0.0, 30.0)], [(100.0, 110.0)], duration=600.0, forbid_skip=False)
    assert allowed == [(0.0, 30.0), (100.0, 110.0)]


def test_merge_segments_makes_a_sorted_disjoint_union():
    assert merge_segments([(5, 8), (0, 3), (2, 6), (10, 10)]) == [(0, 8)]


@pytest.mark.parametrize(
    "payload",
    [
        {},
        {"seq": 1, "position": 1, "segments": [], "rate": 1},  # visible missing
        {"seq": "1", "position": 1, "segments": [], "rate": 1, "visible": True},
        {"seq": True, "position": 1, "segments": [], "rate": 1, "visible": True},
        {"seq": 1, "position": math.nan, "segments": [], "rate": 1, "visible": True},
        {"seq": 1, "position": -1, "segments": [], "rate": 1, "visible": True},
        {"seq": 1, "position": 1e18, "segments": [], "rate": 1, "visible": True},
        {"seq": 1, "position": 1, "segments": [[5, 2]], "rate": 1, "visible": True},
        {"seq": 1, "position": 1, "segments": [[0, 1]] * 51, "rate": 1, "visible": True},
        {"seq": 1, "position": 1, "segments": [[0]], "rate": 1, "visible": True},
        {"seq": 1, "position": 1, "segments": [], "rate": 0, "visible": True},
        {"seq": 1, "position": 1, "segments": [], "rate": 1, "visible": "yes"},
    ],
)
def test_malformed_beats_are_refused(payload):
    with pytest.raises(MalformedBeat):
        parse_beat(payload)


def test_a_well_formed_beat_parses():
    parsed = parse_beat(
        {"seq": 4, "position": 12.5, "segments": [[0, 12.5]], "rate": 1.25, "visible": True}
    )
    assert parsed == Beat(4, 12.5, ((0.0, 12.5),), 1.25, True)


number = st.floats(min_value=0, max_value=1e4, allow_nan=False)
segments = st.lists(st.tuples(number, number).map(lambda p: (min(p), max(p))), max_size=50)
beats = st.lists(
    st.tuples(
        st.floats(min_value=0, max_value=120, allow_nan=False),  # server seconds since previous
        st.integers(min_value=0, max_value=30),  # seq
        segments,
        st.floats(min_value=0.01, max_value=16, allow_nan=False),  # rate
        st.booleans(),
    ),
    max_size=40,
)


@settings(max_examples=300, deadline=None)
@given(beats)
def test_no_sequence_of_beats_credits_more_than_the_wall_time_spanned(sequence):
    clock = last_accepted_at = 0.0
    last_seq, covered, total = -1, [], 0.0
    for gap, seq, played, rate, visible in sequence:
        clock += gap
        wall = clock - last_accepted_at
        outcome = apply_beat(
            Beat(seq, 0.0, tuple(played), rate, visible),
            last_seq=last_seq,
            wall_seconds=wall,
            covered=covered,
            duration=3600.0,
            interval=INTERVAL,
            forbid_skip=False,
        )
        # A beat earns at most the server time since the last accepted one, and at most the
        # cap; a repeated or stale beat (its seq not above the last) earns nothing.
        assert outcome.credited_seconds <= min(wall, CAP_FACTOR * INTERVAL) + 1e-9
        if seq <= last_seq:
            assert not outcome.accepted and outcome.credited_seconds == 0
        if outcome.accepted:
            last_seq, last_accepted_at, covered = seq, clock, outcome.covered
        total += outcome.credited_seconds
    assert total <= clock + 1e-6
    assert (
        credit_for_beat(wall_seconds=5, media_seconds=5, rate=1, visible=True, interval=INTERVAL)
        == 5
    )
