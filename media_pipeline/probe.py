"""probe(): what an uploaded file really is, read by ffprobe under an allow-list of demuxers.

The file name proves nothing: a text HLS playlist named ``.mp4`` probes as ``hls`` and
could make ffmpeg read local files or reach the network. ffprobe therefore runs with
``-format_whitelist`` (only the containers below) and ``-protocol_whitelist file``.
"""

from __future__ import annotations

import json
import re
import subprocess
from dataclasses import asdict, dataclass, field, replace
from fractions import Fraction
from pathlib import Path
from typing import Any

from media_pipeline.errors import ProbeError
from media_pipeline.packets import PACKET_SCAN_CODECS, read_packet_figures
from media_pipeline.signatures import looks_like_container, sniff_image

# ffprobe's format_name for each accepted container family; the first name is the demuxer.
ACCEPTED_CONTAINERS = ("mov,mp4,m4a,3gp,3g2,mj2", "matroska,webm", "mp3", "wav")
FORMAT_WHITELIST = ",".join(ACCEPTED_CONTAINERS)
PROTOCOL_WHITELIST = "file"

_IMAGE_CODECS = {"png", "mjpeg", "gif", "bmp", "webp", "tiff", "jpeg2000"}


@dataclass(frozen=True)
class ProbeLimits:
    max_size: int = 10 * 2**30
    min_duration: float = 1.0
    max_duration: float = 4 * 3600.0
    # Limits on the long and the short side, so portrait sources get the same allowance.
    max_width: int = 4096
    max_height: int = 2304
    max_streams: int = 16
    timeout: float = 30.0
    # Reading every packet's flags of a long recording takes a while (no decoding).
    packet_scan_timeout: float = 300.0


@dataclass(frozen=True)
class VideoStream:
    index: int
    codec: str
    width: int
    height: int
    rotation: int = 0  # display rotation in degrees, 0/90/180/270
    frame_rate: float | None = None
    bit_rate: int | None = None
    pix_fmt: str | None = None
    bit_depth: int = 8
    frame_count: int | None = None
    sample_aspect_ratio: float = 1.0
    color_transfer: str | None = None
    profile: str | None = None  # ffprobe's name: "Main", "High", "High 10", ...
    # Read from packet flags and sizes (H.264 only, no decoding); None when not measured.
    max_keyframe_gap: float | None = None  # seconds
    packet_bit_rate: int | None = None  # bits/s over the whole stream

    @property
    def display_width(self) -> int:
        return self._display_size()[0]

    @property
    def display_height(self) -> int:
        return self._display_size()[1]

    @property
    def is_hdr(self) -> bool:
        return self.color_transfer in ("arib-std-b67", "smpte2084")

    def _display_size(self) -> tuple[int, int]:
        width = round(self.width * self.sample_aspect_ratio)
        if self.rotation in (90, 270):
            return self.height, width
        return width, self.height


@dataclass(frozen=True)
class AudioStream:
    index: int
    codec: str
    channels: int
    channel_layout: str | None = None
    sample_rate: int | None = None
    bit_rate: int | None = None
    profile: str | None = None  # "LC" for AAC-LC


@dataclass(frozen=True)
class MediaInfo:
    container: str  # ffprobe's format_name, e.g. "mov,mp4,m4a,3gp,3g2,mj2"
    duration: float
    size: int
    bit_rate: int | None = None
    video: VideoStream | None = None
    audio: AudioStream | None = None
    stream_count: int = field(default=0)

    @property
    def demuxer(self) -> str:
        """The demuxer name to force on ffmpeg's input (``-f``)."""
        return demuxer_for(self.container)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> MediaInfo:
        values = dict(data)
        if values.get("video"):
            values["video"] = VideoStream(**values["video"])
        if values.get("audio"):
            values["audio"] = AudioStream(**values["audio"])
        return cls(**values)


def demuxer_for(container: str) -> str:
    if container not in ACCEPTED_CONTAINERS:
        raise ValueError(f"container {container!r} is not accepted")
    return container.split(",")[0]


def probe(
    path: str | Path, limits: ProbeLimits = ProbeLimits(), *, ffprobe: str = "ffprobe"
) -> MediaInfo:
    """Describe a media file or raise ProbeError with a stable code."""
    path = Path(path).absolute()
    size = path.stat().st_size
    if size == 0:
        raise ProbeError("empty_file")
    if size > limits.max_size:
        raise ProbeError("too_large", size=size, max_size=limits.max_size)
    with path.open("rb") as file:
        header = file.read(64)
    image_format = sniff_image(header)
    if image_format:
        raise ProbeError("still_image", format=image_format)

    report = _ffprobe_json(ffprobe, ["-show_format", "-show_streams"], path, header, limits.timeout)
    container = report.get("format", {}).get("format_name", "")
    if container not in ACCEPTED_CONTAINERS:
        raise ProbeError("not_media", format=container)
    streams = report.get("streams", [])
    if len(streams) > limits.max_streams:
        raise ProbeError("too_many_streams", streams=len(streams), max_streams=limits.max_streams)

    video = _pick_video(streams)
    audio = _pick_audio(streams)
    if video is None and audio is None:
        raise ProbeError("no_stream")
    if video is not None and video.frame_count == 1:
        if audio is None:
            raise ProbeError("still_image", format=video.codec)
        video = None  # one picture over a sound track: an audio lesson with a cover

    duration = _duration(report) or _duration_from_packets(
        ffprobe, path, header, (video or audio).index, limits.timeout
    )
    if duration < limits.min_duration:
        raise ProbeError("too_short", duration=duration, min_duration=limits.min_duration)
    if duration > limits.max_duration:
        raise ProbeError("too_long", duration=duration, max_duration=limits.max_duration)
    if video is not None:
        _check_resolution(video, limits)
        if video.codec in PACKET_SCAN_CODECS:
            video = _with_packet_figures(ffprobe, path, header, video, limits)

    return MediaInfo(
        container=container,
        duration=duration,
        size=size,
        bit_rate=_int(report["format"].get("bit_rate")),
        video=video,
        audio=audio,
        stream_count=len(streams),
    )


def _ffprobe_json(
    ffprobe: str, show: list[str], path: Path, header: bytes, timeout: float
) -> dict[str, Any]:
    return json.loads(_ffprobe(ffprobe, [*show, "-of", "json"], path, header, timeout) or b"{}")


def _ffprobe(ffprobe: str, options: list[str], path: Path, header: bytes, timeout: float) -> bytes:
    args = [
        ffprobe,
        "-v", "error",
        "-hide_banner",
        "-format_whitelist", FORMAT_WHITELIST,
        "-protocol_whitelist", PROTOCOL_WHITELIST,
        *options,
        f"file:{path}",
    ]  # fmt: skip
    try:
        completed = subprocess.run(
            args, stdin=subprocess.DEVNULL, capture_output=True, timeout=timeout, check=False
        )
    except subprocess.TimeoutExpired:
        raise ProbeError("timeout", seconds=timeout) from None
    stderr = completed.stderr.decode("utf-8", "replace")
    if completed.returncode != 0:
        raise _classify_failure(stderr, header)
    return completed.stdout


def _classify_failure(stderr: str, header: bytes) -> ProbeError:
    refused = re.search(r"\[(\w+) @ [^]]*\] Format not on whitelist", stderr)
    if refused:
        return ProbeError("not_media", format=refused.group(1))
    # A file that starts like one of our containers but cannot be opened is damaged
    # (typically an MP4 cut off before its moov atom); anything else is not media at all.
    if looks_like_container(header):
        return ProbeError("corrupt")
    return ProbeError("not_media", format=None)


def _pick_video(streams: list[dict[str, Any]]) -> VideoStream | None:
    candidates = [
        s
        for s in streams
        if s.get("codec_type") == "video"
        and s.get("codec_name")
        # Cover art in an m4a or mp3 is a picture, not a video track.
        and not s.get("disposition", {}).get("attached_pic")
        and s.get("width")
        and s.get("height")
    ]
    if not candidates:
        return None
    stream = _default_first(candidates)
    frame_rate = _rate(stream.get("avg_frame_rate")) or _rate(stream.get("r_frame_rate"))
    frame_count = _int(stream.get("nb_frames"))
    if frame_count is None and stream.get("codec_name") in _IMAGE_CODECS and not frame_rate:
        frame_count = 1
    return VideoStream(
        index=int(stream["index"]),
        codec=stream["codec_name"],
        width=int(stream["width"]),
        height=int(stream["height"]),
        rotation=_rotation(stream),
        frame_rate=float(frame_rate) if frame_rate else None,
        bit_rate=_int(stream.get("bit_rate")),
        pix_fmt=stream.get("pix_fmt"),
        bit_depth=_bit_depth(stream),
        frame_count=frame_count,
        sample_aspect_ratio=float(_rate(stream.get("sample_aspect_ratio"), ":") or 1),
        color_transfer=stream.get("color_transfer"),
        profile=stream.get("profile"),
    )


def _pick_audio(streams: list[dict[str, Any]]) -> AudioStream | None:
    candidates = [
        s
        for s in streams
        if s.get("codec_type") == "audio" and s.get("codec_name") and _int(s.get("channels"))
    ]
    if not candidates:
        return None
    stream = _default_first(candidates)
    return AudioStream(
        index=int(stream["index"]),
        codec=stream["codec_name"],
        channels=int(stream["channels"]),
        channel_layout=stream.get("channel_layout"),
        sample_rate=_int(stream.get("sample_rate")),
        bit_rate=_int(stream.get("bit_rate")),
        profile=stream.get("profile"),
    )


def _with_packet_figures(
    ffprobe: str, path: Path, header: bytes, video: VideoStream, limits: ProbeLimits
) -> VideoStream:
    figures = read_packet_figures(
        lambda options, timeout: _ffprobe(ffprobe, options, path, header, timeout),
        video.index,
        limits.packet_scan_timeout,
    )
    if figures is None:
        return video
    return replace(
        video, max_keyframe_gap=figures.max_keyframe_gap, packet_bit_rate=figures.bit_rate
    )


def _default_first(streams: list[dict[str, Any]]) -> dict[str, Any]:
    defaults = [s for s in streams if s.get("disposition", {}).get("default")]
    return (defaults or streams)[0]


def _rotation(stream: dict[str, Any]) -> int:
    for side_data in stream.get("side_data_list", []):
        if "rotation" in side_data:
            return round(float(side_data["rotation"])) % 360
    tag = stream.get("tags", {}).get("rotate")
    return round(-float(tag)) % 360 if tag else 0


def _bit_depth(stream: dict[str, Any]) -> int:
    depth = re.search(r"p(\d+)(le|be)$", stream.get("pix_fmt") or "")
    if depth:
        return int(depth.group(1))
    return _int(stream.get("bits_per_raw_sample")) or 8


def _duration(report: dict[str, Any]) -> float | None:
    values = [report.get("format", {}).get("duration")]
    values += [s.get("duration") for s in report.get("streams", [])]
    durations = [float(v) for v in values if _is_number(v)]
    return max(durations) if durations else None


def _duration_from_packets(
    ffprobe: str, path: Path, header: bytes, stream_index: int, timeout: float
) -> float:
    # Recordings from a browser's MediaRecorder have no duration in their header: read
    # one stream's packet timestamps instead (demuxing only, no decoding; CSV keeps the
    # output of a long recording to a few bytes per packet).
    output = _ffprobe(
        ffprobe,
        [
            "-select_streams", str(stream_index),
            "-show_entries", "packet=pts_time,duration_time",
            "-of", "csv=p=0",
        ],
        path,
        header,
        timeout,
    )  # fmt: skip
    end = 0.0
    for line in output.decode("ascii", "replace").splitlines():
        pts, _, duration = line.partition(",")
        if _is_number(pts):
            end = max(end, float(pts) + (float(duration) if _is_number(duration) else 0.0))
    return end


def _check_resolution(video: VideoStream, limits: ProbeLimits) -> None:
    long_side = max(video.width, video.height)
    short_side = min(video.width, video.height)
    if long_side > limits.max_width or short_side > limits.max_height:
        raise ProbeError(
            "resolution_too_large",
            width=video.display_width,
            height=video.display_height,
            max_width=limits.max_width,
            max_height=limits.max_height,
        )


def _rate(value: str | None, separator: str = "/") -> Fraction | None:
    if not value or separator not in value:
        return None
    numerator, denominator = value.split(separator, 1)
    try:
        if int(denominator) == 0 or int(numerator) <= 0:
            return None
        return Fraction(int(numerator), int(denominator))
    except ValueError:
        return None


def _int(value: Any) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return None


def _is_number(value: Any) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return True
