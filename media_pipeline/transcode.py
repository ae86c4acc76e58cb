"""transcode(): every rung of a Plan from ONE ffmpeg process, written as HLS VOD.

The source is decoded once; ``split`` feeds one ``scale`` per rung and the poster.
Segments are fMP4 in a single file per rung addressed by byte ranges, so a rung is
two objects (playlist + media) and presigning a playlist on S3 stays cheap.
ffmpeg-python builds the graph and the argument list; runner.run_ffmpeg runs it.
"""

from __future__ import annotations

import os
import shutil
import time
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

import ffmpeg as ffmpeg_lib

from media_pipeline.errors import TranscodeError
from media_pipeline.hls import measure_bandwidth, render_master, settle_target_duration
from media_pipeline.ladder import Plan
from media_pipeline.probe import (
    ACCEPTED_CONTAINERS,
    FORMAT_WHITELIST,
    PROTOCOL_WHITELIST,
    MediaInfo,
)
from media_pipeline.runner import ProgressCallback, RunLimits, run_ffmpeg

MASTER_PLAYLIST = "master.m3u8"
RUNG_PLAYLIST = "index.m3u8"
RUNG_MEDIA = "stream.mp4"
POSTER = "poster.jpg"
AUDIO_CODECS = "mp4a.40.2"  # AAC-LC, what ffmpeg's aac encoder makes

_GLOBAL_ARGS = ["-hide_banner", "-nostdin", "-nostats", "-loglevel", "error", "-progress", "pipe:1"]
# On a machine of one or two CPUs, the threads ffmpeg starts by default (x264: 1.5 per CPU
# for each encoded rung; swscale: one per CPU for each scale) outnumber the CPUs several
# times over, and passing frames between them costs more than they win. On 2 CPUs, one
# x264 thread per CPU and every filter on ffmpeg's own thread took the fast path's wall
# time down 7-12% (the same pixels scaled) and the full ladder's 0-3%.
FEW_CPUS = 2
_TONEMAP = [
    ("zscale", {"t": "linear", "npl": 100}),
    ("format", {"pix_fmts": "gbrpf32le"}),
    ("zscale", {"p": "bt709"}),
    ("tonemap", {"tonemap": "hable", "desat": 0}),
    ("zscale", {"t": "bt709", "m": "bt709", "r": "tv"}),
]


@dataclass(frozen=True)
class RungOutput:
    name: str
    kind: str  # "video" or "audio"
    width: int | None
    height: int | None
    playlist: str  # relative to the output folder
    media: str
    codecs: str
    bandwidth: int  # peak bits/s, audio included for video rungs
    average_bandwidth: int
    duration: float
    bytes: int
    segments: int


@dataclass(frozen=True)
class TranscodeResult:
    out_dir: Path
    master: str
    poster: str | None
    rungs: list[RungOutput]
    files: list[str]  # every file written, relative to out_dir
    duration: float
    bytes: int
    seconds: float

    def to_dict(self) -> dict[str, Any]:
        data = asdict(self)
        data["out_dir"] = str(self.out_dir)
        return data


def transcode(
    src: str | Path,
    out_dir: str | Path,
    plan: Plan,
    info: MediaInfo,
    on_progress: ProgressCallback | None = None,
    *,
    preset: str = "veryfast",
    timeout: float | None = None,
    nice: int = 10,
    timeout_factor: float = 5.0,
    min_timeout: float = 120.0,
    stall_timeout: float | None = 180.0,
    ffmpeg: str = "ffmpeg",
) -> TranscodeResult:
    """Write the HLS ladder of ``src`` into the empty (or new) folder ``out_dir``.

    ``timeout`` defaults to ``max(min_timeout, timeout_factor × duration)``. On any
    failure the folder is left as it was found and TranscodeError is raised.
    """
    out_dir = Path(out_dir).absolute()
    if "%" in str(out_dir):
        raise ValueError("the output folder's path must not contain '%' (an ffmpeg pattern)")
    if info.container not in ACCEPTED_CONTAINERS:
        raise TranscodeError("unsupported_format", container=info.container)
    created = _prepare_output(out_dir)
    started = time.monotonic()
    if timeout is None:
        timeout = max(min_timeout, timeout_factor * info.duration)
    limits = RunLimits(timeout=timeout, stall_timeout=stall_timeout, nice=nice)
    try:
        args = build_command(src, out_dir, plan, info, preset=preset, ffmpeg=ffmpeg)
        run_ffmpeg(args, duration=info.duration, limits=limits, on_progress=on_progress)
        return _finish(out_dir, plan, info, time.monotonic() - started)
    except BaseException:
        _discard_output(out_dir, created)
        raise


def build_command(
    src: str | Path,
    out_dir: Path,
    plan: Plan,
    info: MediaInfo,
    *,
    preset: str = "veryfast",
    ffmpeg: str = "ffmpeg",
    cpus: int | None = None,
) -> list[str]:
    """The complete ffmpeg argument list for ``plan`` (also what the benchmark runs bare),
    for ``cpus`` CPUs (by default those this process may run on)."""
    if cpus is None:
        cpus = len(os.sched_getaffinity(0))
    few_cpus = cpus <= FEW_CPUS
    source = ffmpeg_lib.input(
        f"file:{Path(src).absolute()}",
        f=info.demuxer,
        format_whitelist=FORMAT_WHITELIST,
        protocol_whitelist=PROTOCOL_WHITELIST,
    )
    streams = []
    options: dict[str, Any] = {}
    stream_map = []
    poster = None
    audio_group = ",agroup:audio" if plan.video and plan.audio else ""
    if plan.video and info.video:
        video = source[str(info.video.index)]
        if plan.tonemap:
            for name, arguments in _TONEMAP:
                video = video.filter(name, **arguments)
        video = video.filter("fps", fps=str(plan.frame_rate))
        wants_poster = plan.poster_frame is not None
        encoded = [rung for rung in plan.video if not rung.copy]
        branches = video.filter_multi_output("split", len(encoded) + int(wants_poster))
        for number, rung in enumerate(plan.video):
            stream_map.append(f"v:{number}{audio_group},name:{rung.name}")
            if rung.copy:
                # The source's own packets: no filter may touch them.
                streams.append(source[str(info.video.index)])
                continue
            scaled = branches[encoded.index(rung)].filter("scale", rung.width, rung.height)
            streams.append(scaled.filter("setsar", 1).filter("format", "yuv420p"))
            # Per stream: the copied stream's codec context cannot parse "high".
            options[f"profile:v:{number}"] = "high"
            options[f"b:v:{number}"] = rung.video_bitrate
            options[f"maxrate:v:{number}"] = rung.maxrate
            options[f"bufsize:v:{number}"] = rung.bufsize
        options |= _video_options(plan, preset, x264_threads=cpus if few_cpus else None)
        if wants_poster:
            top = plan.video[-1]
            picked = branches[len(encoded)].filter("select", f"eq(n,{plan.poster_frame})")
            poster = picked.filter("scale", top.width, top.height).filter("setsar", 1)
    if plan.audio and info.audio:
        streams.append(source[str(info.audio.index)])
        if plan.audio.copy:
            options["c:a"] = "copy"
        else:
            options |= {
                "c:a": plan.audio.codec,
                "b:a": plan.audio.bitrate,
                # -ac 2 downmixes 5.1 (and guesses unknown layouts) once for every rung.
                "ac": plan.audio.channels,
                "ar": plan.audio.sample_rate,
            }
        stream_map.append(f"a:0{audio_group},name:{plan.audio.name}")

    outputs = [
        ffmpeg_lib.output(
            *streams,
            str(out_dir / "%v" / RUNG_PLAYLIST),
            format="hls",
            hls_time=plan.segment_seconds,
            hls_playlist_type="vod",
            hls_segment_type="fmp4",
            hls_flags="single_file+independent_segments",
            hls_segment_filename=str(out_dir / "%v" / RUNG_MEDIA),
            var_stream_map=" ".join(stream_map),
            map_metadata=-1,  # phones record the place a video was made
            map_chapters=-1,
            **options,
        )
    ]
    if poster is not None:
        outputs.append(
            ffmpeg_lib.output(poster, str(out_dir / POSTER), **{"frames:v": 1, "q:v": 3})
        )
    args = ffmpeg_lib.merge_outputs(*outputs).compile(cmd=ffmpeg)
    filter_threads = ["-filter_complex_threads", "1"] if few_cpus else []
    return [args[0], *_GLOBAL_ARGS, *filter_threads, *args[1:]]


def _video_options(plan: Plan, preset: str, x264_threads: int | None) -> dict[str, Any]:
    options = {
        "c:v": "libx264",
        "preset": preset,
        "pix_fmt": "yuv420p",
        # The same fixed GOP in every rung, closed, with no scene-cut keyframes, so
        # every rung switches on the same frames.
        "g": plan.keyframe_interval,
        "keyint_min": plan.keyframe_interval,
        "sc_threshold": 0,
        "flags": "+cgop",
    }
    if x264_threads is not None:
        options["threads:v"] = x264_threads
    if plan.copied_rung is not None:
        # Beside a copied rung, keyframes fall where the source has them (its segments
        # can end nowhere else); the GOP length above is then only a ceiling. The copied
        # stream's own "-c:v:N copy" comes after "-c:v" (ffmpeg-python sorts the
        # options) and the last match wins, so no encoder option reaches it.
        options["force_key_frames"] = "source"
        options[f"c:v:{plan.video.index(plan.copied_rung)}"] = "copy"
    return options


def _finish(out_dir: Path, plan: Plan, info: MediaInfo, seconds: float) -> TranscodeResult:
    audio = _rung_output(out_dir, plan.audio.name, None, AUDIO_CODECS) if plan.audio else None
    video = [
        _rung_output(out_dir, rung.name, (rung.width, rung.height), None, audio)
        for rung in plan.video
    ]
    rungs = video + ([audio] if audio else [])
    duration = max(rung.duration for rung in rungs)
    tolerance = max(2.0, 0.05 * info.duration)
    if duration < info.duration - tolerance:
        raise TranscodeError("incomplete", expected=info.duration, actual=duration)

    frame_rate = f"{float(plan.frame_rate):.3f}" if plan.frame_rate else None
    master = render_master(
        [(rung.playlist, _variant_attributes(rung, frame_rate, audio)) for rung in video],
        (audio.playlist, _variant_attributes(audio, None, None)) if audio else None,
    )
    (out_dir / MASTER_PLAYLIST).write_text(master)
    files = sorted(str(p.relative_to(out_dir)) for p in out_dir.rglob("*") if p.is_file())
    return TranscodeResult(
        out_dir=out_dir,
        master=MASTER_PLAYLIST,
        poster=POSTER if (out_dir / POSTER).is_file() else None,
        rungs=rungs,
        files=files,
        duration=duration,
        bytes=sum((out_dir / name).stat().st_size for name in files),
        seconds=seconds,
    )


def _rung_output(
    out_dir: Path,
    name: str,
    size: tuple[int, int] | None,
    codecs: str | None,
    audio: RungOutput | None = None,
) -> RungOutput:
    folder = out_dir / name
    playlist = settle_target_duration(folder / RUNG_PLAYLIST)
    bandwidth = measure_bandwidth(playlist, folder)
    media = folder / RUNG_MEDIA
    if codecs is None:
        codecs = _avc_codecs(media) + (f",{AUDIO_CODECS}" if audio else "")
    return RungOutput(
        name=name,
        kind="video" if size else "audio",
        width=size[0] if size else None,
        height=size[1] if size else None,
        playlist=f"{name}/{RUNG_PLAYLIST}",
        media=f"{name}/{RUNG_MEDIA}",
        codecs=codecs,
        bandwidth=bandwidth.peak + (audio.bandwidth if audio else 0),
        average_bandwidth=bandwidth.average + (audio.average_bandwidth if audio else 0),
        duration=playlist.duration,
        bytes=media.stat().st_size,
        segments=len(playlist.segments),
    )


def _variant_attributes(
    rung: RungOutput, frame_rate: str | None, audio: RungOutput | None
) -> dict[str, str]:
    attributes = {
        "BANDWIDTH": str(rung.bandwidth),
        "AVERAGE-BANDWIDTH": str(rung.average_bandwidth),
        "CODECS": rung.codecs,
    }
    if rung.kind == "video":
        attributes["RESOLUTION"] = f"{rung.width}x{rung.height}"
        if frame_rate:
            attributes["FRAME-RATE"] = frame_rate
        if audio:
            attributes["AUDIO"] = "audio"
    return attributes


def _avc_codecs(media: Path) -> str:
    """RFC 6381 name ("avc1.64001f") from the avcC box in the rung's init section."""
    with media.open("rb") as file:
        head = file.read(64 * 1024)
    at = head.find(b"avcC")
    if at < 0:
        raise TranscodeError("failed", returncode=0, stderr_tail=f"no avcC box in {media.name}")
    profile, compatibility, level = head[at + 5 : at + 8]
    return f"avc1.{profile:02x}{compatibility:02x}{level:02x}"


def _prepare_output(out_dir: Path) -> bool:
    """Create ``out_dir`` if needed; True when this call created it."""
    if out_dir.exists():
        if any(out_dir.iterdir()):
            raise TranscodeError("output_not_empty", path=str(out_dir))
        return False
    out_dir.mkdir(parents=True)
    return True


def _discard_output(out_dir: Path, created: bool) -> None:
    if created:
        shutil.rmtree(out_dir, ignore_errors=True)
        return
    for child in out_dir.iterdir():
        if child.is_dir():
            shutil.rmtree(child, ignore_errors=True)
        else:
            child.unlink(missing_ok=True)
