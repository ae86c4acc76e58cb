"""Reading the HLS playlists ffmpeg wrote, and writing our own master playlist.

ffmpeg's master gives every variant the nominal bit rate it was asked for; ours carries
the measured peak and average (what players need to pick a rung), a FRAME-RATE, and an
audio-only variant that players on a very weak network may fall back to.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from pathlib import Path

_ATTRIBUTE = re.compile(r'([A-Z0-9-]+)=("[^"]*"|[^,]*)')


@dataclass(frozen=True)
class Segment:
    uri: str
    duration: float
    length: int | None = None  # EXT-X-BYTERANGE length, when segments share one file
    offset: int | None = None


@dataclass(frozen=True)
class MediaPlaylist:
    target_duration: int
    segments: list[Segment]
    map_uri: str | None = None
    map_range: tuple[int, int] | None = None  # (length, offset) of the init section
    ended: bool = False
    playlist_type: str | None = None

    @property
    def duration(self) -> float:
        return sum(segment.duration for segment in self.segments)


@dataclass(frozen=True)
class Variant:
    uri: str
    attributes: dict[str, str] = field(default_factory=dict)


@dataclass(frozen=True)
class Bandwidth:
    peak: int
    average: int


def parse_attributes(text: str) -> dict[str, str]:
    return {key: value.strip('"') for key, value in _ATTRIBUTE.findall(text)}


def read_media_playlist(path: Path) -> MediaPlaylist:
    target_duration = 0
    segments: list[Segment] = []
    map_uri = None
    map_range = None
    ended = False
    playlist_type = None
    duration: float | None = None
    byterange: tuple[int, int | None] | None = None
    next_offset = 0
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-TARGETDURATION:"):
            target_duration = int(line.split(":", 1)[1])
        elif line.startswith("#EXT-X-PLAYLIST-TYPE:"):
            playlist_type = line.split(":", 1)[1]
        elif line.startswith("#EXT-X-MAP:"):
            attributes = parse_attributes(line.split(":", 1)[1])
            map_uri = attributes["URI"]
            if "BYTERANGE" in attributes:
                length, _, offset = attributes["BYTERANGE"].partition("@")
                map_range = (int(length), int(offset or 0))
        elif line.startswith("#EXTINF:"):
            duration = float(line.split(":", 1)[1].split(",")[0])
        elif line.startswith("#EXT-X-BYTERANGE:"):
            length, _, offset = line.split(":", 1)[1].partition("@")
            byterange = (int(length), int(offset) if offset else None)
        elif line == "#EXT-X-ENDLIST":
            ended = True
        elif line and not line.startswith("#") and duration is not None:
            length = offset = None
            if byterange:
                length, offset = byterange[0], byterange[1]
                offset = next_offset if offset is None else offset
                next_offset = offset + length
            segments.append(Segment(line, duration, length, offset))
            duration, byterange = None, None
    return MediaPlaylist(target_duration, segments, map_uri, map_range, ended, playlist_type)


def settle_target_duration(path: Path) -> MediaPlaylist:
    """Make ``EXT-X-TARGETDURATION`` at least every segment's duration rounded up.

    ffmpeg 5.1 rounds the longest segment to the nearest second (4.5 s gives 4), which
    players that follow Apple's rules refuse; segments of a copied rung end on the
    source's keyframes, so they are often such fractions. Returns the playlist as kept.
    """
    playlist = read_media_playlist(path)
    longest = max((segment.duration for segment in playlist.segments), default=0.0)
    needed = math.ceil(round(longest, 3))
    if needed <= playlist.target_duration:
        return playlist
    text = re.sub(
        r"^#EXT-X-TARGETDURATION:\d+$",
        f"#EXT-X-TARGETDURATION:{needed}",
        path.read_text(),
        count=1,
        flags=re.MULTILINE,
    )
    path.write_text(text)
    return read_media_playlist(path)


def read_master_playlist(path: Path) -> tuple[list[Variant], list[dict[str, str]]]:
    """The variants (EXT-X-STREAM-INF + URI) and renditions (EXT-X-MEDIA) of a master."""
    variants: list[Variant] = []
    renditions: list[dict[str, str]] = []
    attributes: dict[str, str] | None = None
    for line in path.read_text().splitlines():
        line = line.strip()
        if line.startswith("#EXT-X-MEDIA:"):
            renditions.append(parse_attributes(line.split(":", 1)[1]))
        elif line.startswith("#EXT-X-STREAM-INF:"):
            attributes = parse_attributes(line.split(":", 1)[1])
        elif line and not line.startswith("#") and attributes is not None:
            variants.append(Variant(line, attributes))
            attributes = None
    return variants, renditions


def measure_bandwidth(playlist: MediaPlaylist, folder: Path) -> Bandwidth:
    """Peak and average bits per second over the segments (RFC 8216 BANDWIDTH semantics)."""
    sizes = [
        (segment.length if segment.length is not None else (folder / segment.uri).stat().st_size)
        for segment in playlist.segments
    ]
    rates = [
        size * 8 / segment.duration
        for size, segment in zip(sizes, playlist.segments, strict=True)
        if segment.duration > 0
    ]
    # A last segment of a fraction of a second is mostly one keyframe; its rate says
    # nothing about the stream, so only count it when there is nothing else.
    long_enough = [
        size * 8 / segment.duration
        for size, segment in zip(sizes, playlist.segments, strict=True)
        if segment.duration >= 1.0
    ]
    total = playlist.duration
    average = sum(sizes) * 8 / total if total > 0 else 0
    return Bandwidth(peak=round(max(long_enough or rates, default=0)), average=round(average))


def render_master(
    video_variants: list[tuple[str, dict[str, str]]],
    audio: tuple[str, dict[str, str]] | None,
) -> str:
    """A master playlist: video variants (lowest first), then the audio-only variant.

    ``video_variants`` and ``audio`` are (uri, EXT-X-STREAM-INF attributes) pairs; when
    there is audio it is also declared as the rendition group every video variant uses.
    """
    lines = ["#EXTM3U", "#EXT-X-VERSION:7", "#EXT-X-INDEPENDENT-SEGMENTS"]
    if audio and video_variants:
        audio_uri, _ = audio
        lines.append(
            '#EXT-X-MEDIA:TYPE=AUDIO,GROUP-ID="audio",NAME="audio",LANGUAGE="und",'
            f'DEFAULT=YES,AUTOSELECT=YES,CHANNELS="2",URI="{audio_uri}"'
        )
    for uri, attributes in video_variants:
        lines += [f"#EXT-X-STREAM-INF:{_render_attributes(attributes)}", uri]
    if audio:
        uri, attributes = audio
        lines += [f"#EXT-X-STREAM-INF:{_render_attributes(attributes)}", uri]
    return "\n".join(lines) + "\n"


def _render_attributes(attributes: dict[str, str]) -> str:
    quoted = {"CODECS", "AUDIO"}
    return ",".join(
        f'{key}="{value}"' if key in quoted else f"{key}={value}"
        for key, value in attributes.items()
    )
