"""Transcode benchmark: figures measured side by side in one run (not part of the tests).

On a 60 s 1280×720 30 fps testsrc2 clip with a sine tone, made in a temporary folder
like a phone makes it (H.264 High, a keyframe every 2 s, AAC-LC stereo 96 kb/s):

(f) the fast path (the 720p rung and the audio copied, the smaller rungs encoded) against
    today's full ladder (every rung encoded), both through transcode(), end to end;

(a) our pipeline (transcode()) against the very same ffmpeg command line run bare;
(b) the one-process ladder against one ffmpeg process per rung, one after the other
    (how PeerTube transcodes), both run bare;
(c) the realtime factor of the 720p → {720p, 360p, 240p, audio} ladder;
(d) the peak memory of this Python process (and of the largest ffmpeg child).

    .venv/bin/python benchmarks/transcode.py [--preset veryfast] [--seconds 60] [--repeat 3]
    .venv/bin/python benchmarks/transcode.py --smoke   # a 4 s clip, once: does it run?
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import resource
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable
from pathlib import Path

from media_pipeline import LadderPolicy, Plan, build_command, plan_ladder, probe, transcode


def make_source(folder: Path, seconds: int) -> Path:
    source = folder / "source.mp4"
    subprocess.run(
        [
            "ffmpeg", "-hide_banner", "-loglevel", "error", "-nostdin", "-y",
            "-f", "lavfi", "-i", f"testsrc2=size=1280x720:rate=30:duration={seconds}",
            "-f", "lavfi", "-i", f"sine=frequency=440:duration={seconds}",
            "-c:v", "libx264", "-preset", "veryfast", "-profile:v", "high",
            "-pix_fmt", "yuv420p", "-b:v", "2M", "-maxrate", "2500k", "-bufsize", "4M",
            "-g", "60", "-keyint_min", "60", "-sc_threshold", "0",
            "-c:a", "aac", "-b:a", "96k", "-ac", "2", "-ar", "48000", "-shortest", str(source),
        ],
        check=True,
    )  # fmt: skip
    return source


@dataclasses.dataclass
class Measure:
    """Wall-clock seconds, and CPU seconds of ffmpeg plus this Python process."""

    wall: float = 0.0
    cpu: float = 0.0


def measured(run: Callable[[], object]) -> Measure:
    before = _cpu_seconds()
    started = time.perf_counter()
    run()
    return Measure(time.perf_counter() - started, _cpu_seconds() - before)


def run_bare(args: list[str]) -> None:
    subprocess.run(args, stdout=subprocess.DEVNULL, check=True)


def fresh(folder: Path, name: str, create: bool = False) -> Path:
    path = folder / name
    shutil.rmtree(path, ignore_errors=True)
    if create:
        path.mkdir()
    return path


def per_rung_plans(plan: Plan) -> list[Plan]:
    """One plan per video rung (no audio, no poster) plus one for the audio rung."""
    plans = [
        dataclasses.replace(plan, video=(rung,), audio=None, poster_frame=None)
        for rung in plan.video
    ]
    if plan.audio:
        plans.append(dataclasses.replace(plan, video=(), frame_rate=None, poster_frame=None))
    return plans


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--preset", default="veryfast")
    parser.add_argument("--seconds", type=int, default=60)
    parser.add_argument("--repeat", type=int, default=3, help="runs of each, median reported")
    parser.add_argument("--json", action="store_true", help="print the figures as JSON")
    parser.add_argument("--smoke", action="store_true", help="a 4 s clip, each run once")
    options = parser.parse_args()
    if options.smoke:
        options.seconds, options.repeat = 4, 1
    preset = options.preset

    with tempfile.TemporaryDirectory(prefix="transcode-bench-") as temporary:
        folder = Path(temporary)
        source = make_source(folder, options.seconds)
        info = probe(source)
        fast_plan = plan_ladder(info)
        # Today's full ladder: the same rungs, every one encoded.
        plan = plan_ladder(info, LadderPolicy().full_reencode())
        work = {
            "bare": lambda: run_bare(
                build_command(source, fresh(folder, "bare", True), plan, info, preset=preset)
            ),
            # nice=0: the same priority as the bare runs, so (a) compares like for like.
            "pipeline": lambda: transcode(
                source, fresh(folder, "pipeline"), plan, info, preset=preset, nice=0
            ),
            "fast_path": lambda: transcode(
                source, fresh(folder, "fast"), fast_plan, info, preset=preset, nice=0
            ),
            "per_rung": lambda: [
                run_bare(
                    build_command(
                        source, fresh(folder, f"rung{number}", True), rung, info, preset=preset
                    )
                )
                for number, rung in enumerate(per_rung_plans(plan))
            ],
        }
        timings: dict[str, list[Measure]] = {name: [] for name in work}
        # Interleaved, in a rotating order, so a busy neighbour on the machine or the
        # position in the sequence weighs on all three alike.
        names = list(work)
        for repetition in range(options.repeat):
            shift = repetition % len(names)
            for name in names[shift:] + names[:shift]:
                timings[name].append(measured(work[name]))

    pipeline, bare, per_rung, fast = (
        Measure(
            statistics.median(m.wall for m in timings[name]),
            statistics.median(m.cpu for m in timings[name]),
        )
        for name in ("pipeline", "bare", "per_rung", "fast_path")
    )
    figures = {
        "ffmpeg": _ffmpeg_version(),
        "cpus": os.cpu_count(),
        "preset": preset,
        "load_average_1min_at_end": round(os.getloadavg()[0], 2),
        "runs_each": options.repeat,
        "source_seconds": round(info.duration, 2),
        "rungs": plan.rung_names,
        "fast_path_copied": [fast_plan.copied_rung and fast_plan.copied_rung.name]
        + (["audio"] if fast_plan.audio and fast_plan.audio.copy else []),
        "fast_path_refusal": fast_plan.copy_refusal,
        "f_fast_path_seconds": round(fast.wall, 2),
        "f_full_ladder_seconds": round(pipeline.wall, 2),
        "f_full_over_fast_ratio": round(pipeline.wall / fast.wall, 2),
        "f_fast_path_cpu_seconds": round(fast.cpu, 1),
        "f_full_ladder_cpu_seconds": round(pipeline.cpu, 1),
        "f_same_in_cpu_seconds": round(pipeline.cpu / fast.cpu, 2),
        "f_realtime_factor_fast_path": round(info.duration / fast.wall, 2),
        "pipeline_seconds": round(pipeline.wall, 2),
        "bare_seconds": round(bare.wall, 2),
        "per_rung_seconds": round(per_rung.wall, 2),
        "pipeline_cpu_seconds": round(pipeline.cpu, 1),
        "bare_cpu_seconds": round(bare.cpu, 1),
        "per_rung_cpu_seconds": round(per_rung.cpu, 1),
        "a_overhead_ratio": round(pipeline.wall / bare.wall, 3),
        "a_same_in_cpu_seconds": round(pipeline.cpu / bare.cpu, 3),
        "b_per_rung_over_one_process": round(per_rung.wall / bare.wall, 3),
        "b_same_in_cpu_seconds": round(per_rung.cpu / bare.cpu, 3),
        "c_realtime_factor": round(info.duration / pipeline.wall, 2),
        "c_realtime_factor_bare": round(info.duration / bare.wall, 2),
        "d_python_peak_rss_mib": round(_max_rss(resource.RUSAGE_SELF), 1),
        "largest_ffmpeg_peak_rss_mib": round(_max_rss(resource.RUSAGE_CHILDREN), 1),
    }
    if options.json:
        print(json.dumps(figures, indent=2))
    else:
        for name, value in figures.items():
            print(f"{name:32} {value}")
    return 0


def _cpu_seconds() -> float:
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    itself = resource.getrusage(resource.RUSAGE_SELF)
    return children.ru_utime + children.ru_stime + itself.ru_utime + itself.ru_stime


def _max_rss(who: int) -> float:
    return resource.getrusage(who).ru_maxrss / 1024  # KiB on Linux


def _ffmpeg_version() -> str:
    first_line = subprocess.run(
        ["ffmpeg", "-version"], capture_output=True, text=True, check=True
    ).stdout.splitlines()[0]
    return first_line.split(" Copyright")[0]


if __name__ == "__main__":
    sys.exit(main())
