"""The study-time rules, as pure functions (no app, no database).

The client is never trusted about time. Each beat is credited at most
  - the server's wall-clock time since the last accepted beat,
  - the new media time it reports (the union of its segments) divided by the rate,
  - a cap of 1.5 × the heartbeat interval,
and nothing while the page is hidden, paused or played faster than allowed. What a beat
adds to coverage is bounded the same way (wall time × the allowed rate), so a script
claiming an hour of segments in one beat covers no more than a real player could have.

A flood of beats costs little: a beat sooner than half the interval after the last
accepted one is refused before any work, coverage is kept on a half-second grid (shorter
pieces are dropped), merged once per beat and held to a fixed number of stretches.
"""

import math
from dataclasses import dataclass

MAX_RATE = 2.0
CAP_FACTOR = 1.5
MAX_VALUE = 1e7
MAX_SEGMENTS = 50
MIN_GAP_FACTOR = 0.5  # a beat sooner than this × the interval after the last one is refused
QUANTUM = 0.5  # seconds: coverage is stored on this grid
MAX_COVERED_STRETCHES = 50  # per learner and lesson; beyond it the smallest gaps are merged
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
    """Keep segments in order until ``budget`` seconds of media are used up; a cut falls
    on the grid."""
    kept = []
    for start, end in segments:
        if budget < QUANTUM:
            break
        end = min(end, start + math.floor(budget / QUANTUM) * QUANTUM)
        kept.append((start, end))
        budget -= end - start
    return kept


def _on_grid(value: float) -> float:
    return math.floor(value / QUANTUM + 0.5) * QUANTUM


def quantise(segments, duration: float | None = None) -> list[Segment]:
    """Segments rounded to the nearest half second (cut to the duration again), merged;
    a segment that rounds to nothing is dropped. Rounding both ends to the nearest point
    keeps the segments of consecutive beats touching."""
    rounded = []
    for start, end in segments:
        start, end = _on_grid(start), _on_grid(end)
        if duration is not None:
            start, end = min(start, duration), min(end, duration)
        if end > start:
            rounded.append((start, end))
    return merge_segments(rounded)


def cap_stretches(covered: list[Segment], limit: int = MAX_COVERED_STRETCHES) -> list[Segment]:
    """At most ``limit`` sorted, disjoint stretches: beyond it the smallest gaps are merged."""
    excess = len(covered) - limit
    if excess <= 0:
        return covered
    gaps = sorted(range(1, len(covered)), key=lambda i: covered[i][0] - covered[i - 1][1])
    closed = set(gaps[:excess])  # a stretch whose gap before it is closed joins the previous
    capped: list[Segment] = []
    for index, (start, end) in enumerate(covered):
        if index in closed:
            capped[-1] = (capped[-1][0], end)
        else:
            capped.append((start, end))
    return capped


def add_coverage(covered, new_segments, *, duration: float, forbid_skip: bool) -> list[Segment]:
    """Covered segments after a beat, merged once. With forbid_skip, a segment starting
    beyond the furthest point reached (+2 s) is not covered."""
    furthest = max((end for _, end in covered), default=0.0)
    accepted = []
    for start, end in sorted(new_segments):
        if forbid_skip and start > furthest + SKIP_TOLERANCE:
            continue
        accepted.append((start, end))
        furthest = max(furthest, end)
    return merge_segments([*covered, *accepted], duration)


def progress_of(covered_seconds: float, duration: float) -> float:
    if not duration or duration <= 0:
        return 0.0
    return min(1.0, covered_seconds / duration)


def too_soon(wall_seconds: float, interval: float) -> bool:
    """A beat sooner than half the interval after the last accepted one (or the opening)."""
    return wall_seconds < MIN_GAP_FACTOR * interval


@dataclass(frozen=True)
class BeatOutcome:
    accepted: bool  # False for a repeated or older seq, and for a beat too soon
    credited_seconds: float
    covered: list[Segment]
    covered_seconds: float  # what was really played of it (merged gaps do not count)
    progress: float
    position: float
    too_soon: bool = False  # refused: sent again with the next beat, it will count


def apply_beat(
    beat: Beat,
    *,
    last_seq: int,
    wall_seconds: float,
    covered,
    duration: float,
    interval: float,
    forbid_skip: bool,
    covered_seconds: float | None = None,
    max_rate: float = MAX_RATE,
) -> BeatOutcome:
    """Everything one beat changes, decided without touching storage. ``covered_seconds``
    is what the stored coverage counts (its length when not given)."""
    if covered_seconds is None:
        covered_seconds = total_length(covered)
    if beat.seq <= last_seq or too_soon(wall_seconds, interval):
        return BeatOutcome(
            accepted=False,
            credited_seconds=0.0,
            covered=list(covered),
            covered_seconds=covered_seconds,
            progress=progress_of(covered_seconds, duration),
            position=-1.0,
            too_soon=beat.seq > last_seq,
        )
    played = merge_segments(beat.segments, duration)
    credit = credit_for_beat(
        wall_seconds=wall_seconds,
        media_seconds=total_length(played),
        rate=beat.rate,
        visible=beat.visible,
        interval=interval,
        max_rate=max_rate,
    )
    covered = list(covered)
    if credit > 0:
        budget = min(wall_seconds, CAP_FACTOR * interval) * max_rate
        before = merge_segments(covered, duration)
        after = add_coverage(
            before,
            limit_segments(quantise(played, duration), budget),
            duration=duration,
            forbid_skip=forbid_skip,
        )
        # Only what this beat added counts, never a gap the cap closed earlier.
        added = total_length(after) - total_length(before)
        covered_seconds = min(covered_seconds + added, total_length(after))
        covered = cap_stretches(after)
    position = min(beat.position, duration) if duration else beat.position
    return BeatOutcome(
        accepted=True,
        credited_seconds=credit,
        covered=covered,
        covered_seconds=covered_seconds,
        progress=progress_of(covered_seconds, duration),
        position=position,
    )
