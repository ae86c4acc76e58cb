"""What a video stream's packets say without decoding them: where its keyframes are and
how many bits it really spends (ffprobe ``-show_entries packet=pts_time,duration_time,
size,flags -of csv=p=0``). The fast path needs both to decide whether a source's video
can be copied as a rung (see media_pipeline.fastpath)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from media_pipeline.errors import ProbeError

# Only streams the fast path could copy are scanned.
PACKET_SCAN_CODECS = frozenset({"h264"})


@dataclass(frozen=True)
class PacketFigures:
    max_keyframe_gap: float  # seconds between keyframes, the stream's end counted too
    bit_rate: int  # bits/s from the packets' sizes over the stream's span
    keyframes: int


def read_packet_figures(
    run_ffprobe: Callable[[list[str], float], bytes], stream_index: int, timeout: float
) -> PacketFigures | None:
    """The figures of one stream, read by ``run_ffprobe(options, timeout)`` (probe's
    guarded ffprobe). A scan that fails or takes too long leaves them unknown, which
    only means the source is not copied."""
    options = [
        "-select_streams", str(stream_index),
        "-show_entries", "packet=pts_time,duration_time,size,flags",
        "-of", "csv=p=0",
    ]  # fmt: skip
    try:
        output = run_ffprobe(options, timeout)
    except ProbeError:
        return None
    return packet_figures(output.decode("ascii", "replace"))


def packet_figures(csv_text: str) -> PacketFigures | None:
    """Figures from ffprobe's CSV lines ``pts_time,duration_time,size,flags``; None when
    the stream has no timed packets or no keyframe."""
    keyframes: list[float] = []
    start = end = None
    total_bytes = 0
    for line in csv_text.splitlines():
        fields = line.strip().split(",")
        if len(fields) < 4:
            continue
        pts, duration, size, flags = fields[:4]
        if not _is_number(pts):
            continue
        time = float(pts)
        total_bytes += int(size) if size.isdigit() else 0
        start = time if start is None else min(start, time)
        end = max(end or time, time + (float(duration) if _is_number(duration) else 0.0))
        if "K" in flags:
            keyframes.append(time)
    if not keyframes or start is None or end is None or end <= start:
        return None
    keyframes.sort()
    marks = [start, *keyframes, end] if keyframes[0] > start else [*keyframes, end]
    gap = max(later - earlier for earlier, later in zip(marks, marks[1:], strict=False))
    return PacketFigures(
        max_keyframe_gap=round(gap, 3),
        bit_rate=round(total_bytes * 8 / (end - start)),
        keyframes=len(keyframes),
    )


def _is_number(value: str) -> bool:
    try:
        float(value)
    except ValueError:
        return False
    return True
