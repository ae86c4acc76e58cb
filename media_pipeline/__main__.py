"""Command line: ``python -m media_pipeline probe FILE`` and ``... transcode FILE OUTDIR``.

Refused inputs and failures print ``error: <message>`` on one line to stderr and exit 2.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Callable, Sequence
from typing import TextIO

from media_pipeline.errors import MediaPipelineError
from media_pipeline.ladder import plan_ladder
from media_pipeline.probe import probe
from media_pipeline.transcode import transcode

EXIT_REFUSED = 2


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m media_pipeline", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    probe_command = commands.add_parser("probe", help="print what a media file contains as JSON")
    probe_command.add_argument("file")
    transcode_command = commands.add_parser("transcode", help="make the HLS ladder of a file")
    transcode_command.add_argument("file")
    transcode_command.add_argument("outdir", help="a new or empty folder")
    transcode_command.add_argument("--preset", default="veryfast", help="libx264 preset")
    args = parser.parse_args(argv)

    try:
        if args.command == "probe":
            print(json.dumps(probe(args.file).to_dict(), indent=2))
        else:
            print(json.dumps(_transcode(args.file, args.outdir, args.preset), indent=2))
    except MediaPipelineError as error:
        return _fail(error.message)
    except OSError as error:
        return _fail(f"{error.strerror or error}: {error.filename or args.file}")
    except KeyboardInterrupt:
        return _fail("interrupted")
    return 0


def _transcode(file: str, outdir: str, preset: str) -> dict[str, object]:
    info = probe(file)
    plan = plan_ladder(info)
    progress = _progress_bar(sys.stderr) if sys.stderr.isatty() else None
    try:
        result = transcode(file, outdir, plan, info, progress, preset=preset)
    finally:
        if progress is not None:
            sys.stderr.write("\n")
    return {
        "out_dir": str(result.out_dir),
        "master": result.master,
        "poster": result.poster,
        "rungs": [
            {
                "name": rung.name,
                "width": rung.width,
                "height": rung.height,
                "bandwidth": rung.bandwidth,
                "bytes": rung.bytes,
            }
            for rung in result.rungs
        ],
        "duration": round(result.duration, 3),
        "bytes": result.bytes,
        "seconds": round(result.seconds, 2),
    }


def _progress_bar(stream: TextIO, width: int = 40) -> Callable[[float], None]:
    def show(fraction: float) -> None:
        filled = round(fraction * width)
        stream.write(f"\r[{'#' * filled}{'.' * (width - filled)}] {fraction:4.0%}")
        stream.flush()

    return show


def _fail(message: str) -> int:
    print(f"error: {' '.join(message.split())}", file=sys.stderr)
    return EXIT_REFUSED


if __name__ == "__main__":
    sys.exit(main())
