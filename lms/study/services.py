"""The study-time rules, as pure functions (no app, no database).

The client is never trusted about time. Each beat is credited at most
  - the server's wall-clock time since the last accepted beat,
  - the new media time it reports (the union of its segments) divided by the rate,
  - a cap of 1.5 × the heartbeat interval,
and nothing while the page is hidden, paused or played faster than allowed. What a beat
adds to coverage is bounded the same way (wall time × the allowed rate), so a script
claiming an hour of segments in one beat covers no more than a real player could have.
"""

import math
from dataclasses import dataclass

MAX_RATE = 2.0
CAP_FACTOR = 1.5
MAX_VALUE = 1e7
MAX_SEGMENTS = 50
SKIP_TOLERANCE = 2.0  # seconds beyond the furthest point still counted with forbid_skip

Segment = tuple[float, float]


class MalformedBeat(ValueError):
    """The beat cannot be read; ``field`` names what is wrong."""

    def __init__(self, field: str):
        super().__init__(field)
        self.field = field


@dataclass(frozen=True)
class Beat:
    seq: int
    position: float
    segments: tuple[Segment, ...]
    rate: float
    visible: bool


def _number(value, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise MalformedBeat(field)
    number = float(value)
    if not math.isfinite(number) or number < 0 or number > MAX_VALUE:
        raise MalformedBeat(field)
    return number


def parse_beat(payload) -> Beat:
    """Validate a heartbeat's JSON body; raises MalformedBeat naming the bad field."""
    if not isinstance(payload, dict):
        raise MalformedBeat("body")
    for field in ("seq", "position", "segments", "rate", "visible"):
        if field not in payload:
            raise MalformedBeat(field)
    seq = payload["seq"]
    if isinstance(seq, bool) or not isinstance(seq, int) or not 0 <= seq <= MAX_VALUE:
        raise MalformedBeat("seq")
    if not isinstance(payload["visible"], bool):
        raise MalformedBeat("visible")
    segments = payload["segments"]
    if not isinstance(segments, list) or len(segments) > MAX_SEGMENTS:
        raise MalformedBeat("segments")
    parsed = []
    for segment in segments:
        if not isinstance(segment, list | tuple) or len(segment) != 2:
            raise MalformedBeat("segments")
        start, end = _number(segment[0], "segments"), _number(segment[1], "segments")
        if start > end:
            raise MalformedBeat("segments")
        parsed.append((start, end))
    rate = _number(payload["rate"], "rate")
    if rate == 0:
        raise MalformedBeat("rate")
    return Beat(
        seq, _number(payload["position"], "position"), tuple(parsed), rate, payload["visible"]
    )


def merge_segments(segments, duration: float | None = None) -> list[Segment]:
    """The union of segments as sorted, disjoint [from, to] pairs, clipped to the duration."""
    clipped = []
    for start, end in segments:
        if duration is not None:
            start, end = min(start, duration), min(end, duration)
        if end > start:
            clipped.append((start, end))
    merged: list[Segment] = []
    for start, end in sorted(clipped):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], end))
        else:
            merged.append((start, end))
    return merged


def total_length(segments) -> float:
    return sum(end - start for start, end in segments)


def credit_for_beat(
    *,
    wall_seconds: float,
    media_seconds: float,
    rate: float,
    visible: bool,
    interval: float,
    max_rate: float = MAX_RATE,
) -> float:
    """Seconds of study one beat earns."""
    if not visible or rate <= 0 or rate > max_rate:
        return 0.0
    return max(0.0, min(wall_seconds, media_seconds / rate, CAP_FACTOR * interval))


def limit_segments(segments, budget: float) -> list[Segment]:
    """Keep segments in order until ``budget`` seconds of media are used up."""
    kept = []
    for start, end in segments:
        if budget <= 0:
            break
        end = min(end, start + budget)
        kept.append((start, end))
        budget -= end - start
    return kept


def add_coverage(covered, new_segments, *, duration: float, forbid_skip: bool) -> list[Segment]:
    """Covered segments after a beat. With forbid_skip, a segment starting beyond the
    furthest point reached (+2 s) is not covered."""
    covered = merge_segments(covered, duration)
    for start, end in sorted(new_segments):
        furthest = max((segment_end for _, segment_end in covered), default=0.0)
        if forbid_skip and start > furthest + SKIP_TOLERANCE:
            continue
        covered = merge_segments([*covered, (start, end)], duration)
    return covered


def progress_of(covered, duration: float) -> float:
    if not duration or duration <= 0:
        return 0.0
    return min(1.0, total_length(covered) / duration)


@dataclass(frozen=True)
class BeatOutcome:
    accepted: bool  # False for a repeated or older seq
    credited_seconds: float
    covered: list[Segment]
    progress: float
    position: float


def apply_beat(
    beat: Beat,
    *,
    last_seq: int,
    wall_seconds: float,
    covered,
    duration: float,
    interval: float,
    forbid_skip: bool,
    max_rate: float = MAX_RATE,
) -> BeatOutcome:
    """Everything one beat changes, decided without touching storage."""
    if beat.seq <= last_seq:
        return BeatOutcome(False, 0.0, list(covered), progress_of(covered, duration), -1.0)
    played = merge_segments(beat.segments, duration)
    credit = credit_for_beat(
        wall_seconds=wall_seconds,
        media_seconds=total_length(played),
        rate=beat.rate,
        visible=beat.visible,
        interval=interval,
        max_rate=max_rate,
    )
    if credit > 0:
        budget = min(wall_seconds, CAP_FACTOR * interval) * max_rate
        covered = add_coverage(
            covered, limit_segments(played, budget), duration=duration, forbid_skip=forbid_skip
        )
    position = min(beat.position, duration) if duration else beat.position
    return BeatOutcome(True, credit, list(covered), progress_of(covered, duration), position)
