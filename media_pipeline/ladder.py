"""plan_ladder(): which renditions to make from a probed source, and at what bit rates.

Each rung has a box, long side × short side (1080p is 1920×1080): the source picture,
in its display orientation, is fitted inside the box and never enlarged. For 16:9 and
narrower sources this is the usual "by the short side" rule, portrait included; an
ultrawide source is limited by its long side instead, so 1920×800 still gets a 1080p rung.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace
from fractions import Fraction
from typing import Any

from media_pipeline.fastpath import audio_copyable, video_copy_refusal
from media_pipeline.probe import MediaInfo, VideoStream


@dataclass(frozen=True)
class RungSpec:
    name: str
    long_side: int
    short_side: int
    video_bitrate: int  # bits/s for a full box at up to 30 frames/s


DEFAULT_RUNGS = (
    RungSpec("240p", 426, 240, 400_000),
    RungSpec("360p", 640, 360, 800_000),
    RungSpec("720p", 1280, 720, 2_500_000),
    RungSpec("1080p", 1920, 1080, 4_500_000),
)

_STANDARD_RATES = (
    Fraction(24000, 1001),
    Fraction(24),
    Fraction(25),
    Fraction(30000, 1001),
    Fraction(30),
)

# Codecs that need roughly half the bits of H.264 for the same picture.
_EFFICIENT_CODECS = {"hevc", "vp9", "av1"}


@dataclass(frozen=True)
class LadderPolicy:
    rungs: tuple[RungSpec, ...] = DEFAULT_RUNGS
    max_frame_rate: int = 30
    keyframe_seconds: float = 2.0
    # hls_time; segments end on the next keyframe, so with 2 s GOPs they last 4 s.
    segment_seconds: float = 4.0
    maxrate_factor: float = 1.25
    bufsize_factor: float = 2.0
    min_video_bitrate: int = 100_000
    audio_bitrate: int = 64_000
    poster_seconds: float = 10.0  # the poster is taken at 10% of the video, at most this far
    # The fast path (media_pipeline.fastpath): copy a compliant source's video as its
    # rung and compliant audio as the audio rung. False for both forces a full re-encode.
    copy_video: bool = True
    copy_audio: bool = True
    copy_bitrate_factor: float = 1.5  # × the copied rung's nominal maxrate
    copy_max_keyframe_seconds: float = 5.0
    audio_copy_max_bitrate: int = 128_000

    def full_reencode(self) -> LadderPolicy:
        """This policy with the fast path switched off."""
        return replace(self, copy_video=False, copy_audio=False)


@dataclass(frozen=True)
class VideoRung:
    name: str
    width: int
    height: int
    video_bitrate: int
    maxrate: int
    bufsize: int
    copy: bool = False  # the source's video stream itself, not encoded


@dataclass(frozen=True)
class AudioRung:
    name: str = "audio"
    codec: str = "aac"
    bitrate: int = 64_000
    channels: int = 2
    sample_rate: int = 48_000
    copy: bool = False  # the source's AAC-LC stream itself, not encoded


@dataclass(frozen=True)
class Plan:
    video: tuple[VideoRung, ...]
    audio: AudioRung | None
    frame_rate: Fraction | None  # output frame rate; None for audio-only
    keyframe_interval: int | None  # frames between keyframes, the same in every rung
    segment_seconds: float
    poster_frame: int | None  # index of the output frame used for the poster
    tonemap: bool = False  # HDR source: map to SDR BT.709 before scaling
    # Why the source's video is not copied as a rung (None when one is, or audio-only).
    copy_refusal: str | None = None

    @property
    def copied_rung(self) -> VideoRung | None:
        return next((rung for rung in self.video if rung.copy), None)

    @property
    def rung_names(self) -> list[str]:
        return [rung.name for rung in self.video] + ([self.audio.name] if self.audio else [])

    def to_dict(self) -> dict[str, Any]:
        return {
            "video": [vars(rung) for rung in self.video],
            "audio": vars(self.audio) if self.audio else None,
            "frame_rate": str(self.frame_rate) if self.frame_rate else None,
            "keyframe_interval": self.keyframe_interval,
            "segment_seconds": self.segment_seconds,
            "poster_frame": self.poster_frame,
            "tonemap": self.tonemap,
            "copied_rung": self.copied_rung.name if self.copied_rung else None,
            "copy_refusal": self.copy_refusal,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Plan:
        return cls(
            video=tuple(VideoRung(**rung) for rung in data["video"]),
            audio=AudioRung(**data["audio"]) if data.get("audio") else None,
            frame_rate=Fraction(data["frame_rate"]) if data.get("frame_rate") else None,
            keyframe_interval=data.get("keyframe_interval"),
            segment_seconds=data["segment_seconds"],
            poster_frame=data.get("poster_frame"),
            tonemap=data.get("tonemap", False),
            copy_refusal=data.get("copy_refusal"),
        )


def plan_ladder(info: MediaInfo, policy: LadderPolicy = LadderPolicy()) -> Plan:
    audio = _audio_rung(info, policy) if info.audio else None
    if info.video is None:
        return Plan((), audio, None, None, policy.segment_seconds, None)

    frame_rate = output_frame_rate(info.video.frame_rate, policy.max_frame_rate)
    keyframe_interval = max(1, round(policy.keyframe_seconds * frame_rate))
    poster_seconds = min(info.duration * 0.1, policy.poster_seconds)
    fitted = _video_rungs(info.video, policy)
    top = fitted[-1]
    refusal = video_copy_refusal(
        info.container, info.video, top.rung, top.box, top.nominal_maxrate, policy
    )
    rungs = [item.rung for item in fitted]
    if refusal is None:
        # The copied rung keeps the source's keyframes; the encoded rungs are given
        # keyframes on the same frames (build_command), so this is only their ceiling.
        keyframe_interval = math.ceil((policy.copy_max_keyframe_seconds + 1) * frame_rate)
        bit_rate = info.video.packet_bit_rate or info.video.bit_rate or top.rung.video_bitrate
        rungs[-1] = replace(
            top.rung, video_bitrate=bit_rate, maxrate=bit_rate, bufsize=2 * bit_rate, copy=True
        )
    return Plan(
        video=tuple(rungs),
        audio=audio,
        frame_rate=frame_rate,
        keyframe_interval=keyframe_interval,
        segment_seconds=policy.segment_seconds,
        poster_frame=int(poster_seconds * frame_rate),
        tonemap=info.video.is_hdr,
        copy_refusal=refusal,
    )


def output_frame_rate(source: float | None, cap: int) -> Fraction:
    """The output rate: the source's, halved when up to twice the cap (60 → 30, 50 → 25,
    59.94 → 29.97), the cap above that (120 fps slow motion, or the 1000 fps that some
    browser recordings declare); a variable rate near a standard one snaps to it."""
    if not source or source <= 0 or source > 2 * cap:
        return Fraction(cap)
    rate = Fraction(source).limit_denominator(1001)
    if rate > cap:
        rate /= 2
    nearest = min(_STANDARD_RATES, key=lambda standard: abs(standard - rate))
    return nearest if abs(nearest - rate) <= nearest * Fraction(1, 100) else rate


@dataclass(frozen=True)
class _Fitted:
    rung: VideoRung
    box: tuple[int, int] | None  # (width, height) in the source's orientation
    nominal_maxrate: int  # before the source's own bit rate lowers it


def _video_rungs(video: VideoStream, policy: LadderPolicy) -> list[_Fitted]:
    width, height = video.display_width, video.display_height
    portrait = height > width
    rungs = []
    for spec in sorted(policy.rungs, key=lambda s: s.short_side):
        box_width, box_height = (
            (spec.short_side, spec.long_side) if portrait else (spec.long_side, spec.short_side)
        )
        scale = min(box_width / width, box_height / height)
        if scale > 1:
            continue
        size = (_even(width * scale, width), _even(height * scale, height))
        area = box_width * box_height
        rungs.append(
            _Fitted(
                _rung(spec, size, area, video, policy),
                (box_width, box_height),
                int(_nominal_bitrate(spec, size, area) * policy.maxrate_factor),
            )
        )
    if not rungs:
        # Smaller than the lowest box: one rung at the source's own size.
        lowest = min(policy.rungs, key=lambda s: s.short_side)
        size = (_even(width, width), _even(height, height))
        name = f"{min(size)}p"
        spec = RungSpec(name, lowest.long_side, lowest.short_side, lowest.video_bitrate)
        area = lowest.long_side * lowest.short_side
        rungs.append(_Fitted(_rung(spec, size, area, video, policy), None, 0))
    return rungs


def _nominal_bitrate(spec: RungSpec, size: tuple[int, int], box_area: int) -> float:
    return spec.video_bitrate * min(1.0, max(0.25, size[0] * size[1] / box_area))


def _rung(
    spec: RungSpec,
    size: tuple[int, int],
    box_area: int,
    video: VideoStream,
    policy: LadderPolicy,
) -> VideoRung:
    width, height = size
    bitrate = _nominal_bitrate(spec, size, box_area)
    if video.bit_rate:
        # Bits the source never had cannot be restored: a static screen recording at
        # 1 Mbit/s does not need 4.5 Mbit/s in its top rung.
        efficiency = 2.0 if video.codec in _EFFICIENT_CODECS else 1.2
        bitrate = min(bitrate, video.bit_rate * efficiency)
    bitrate = int(max(bitrate, policy.min_video_bitrate))
    return VideoRung(
        name=spec.name,
        width=width,
        height=height,
        video_bitrate=bitrate,
        maxrate=int(bitrate * policy.maxrate_factor),
        bufsize=int(bitrate * policy.bufsize_factor),
    )


def _audio_rung(info: MediaInfo, policy: LadderPolicy) -> AudioRung:
    source_rate = info.audio.sample_rate if info.audio else None
    sample_rate = source_rate if source_rate in (44_100, 48_000) else 48_000
    if info.audio and audio_copyable(info.audio, policy):
        return AudioRung(bitrate=info.audio.bit_rate, sample_rate=sample_rate, copy=True)
    return AudioRung(bitrate=policy.audio_bitrate, sample_rate=sample_rate)


def _even(value: float, limit: int) -> int:
    """Nearest even number, at least 2 and never above the source's own (even) size."""
    return max(2, min(2 * round(value / 2), limit - limit % 2))
