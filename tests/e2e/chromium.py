"""Debian's Chromium as the browser tests and scripts/screenshots.py start it."""

import subprocess
from pathlib import Path

import segno

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-quic",
    "--autoplay-policy=no-user-gesture-required",
]


def card_clip(directory: Path, payloads) -> str:
    """A Y4M clip for Chromium's fake camera: each card's QR (segno, as the app's card
    page draws it) for one second, on a white 640×480 picture."""
    directory.mkdir(parents=True, exist_ok=True)
    inputs, filters = [], []
    for index, payload in enumerate(payloads):
        image = directory / f"card{index}.png"
        segno.make(payload, error="m").save(str(image), scale=8, border=4)
        inputs += ["-loop", "1", "-t", "1", "-i", str(image)]
        filters.append(
            f"[{index}]scale=640:480:force_original_aspect_ratio=decrease,"
            f"pad=640:480:(ow-iw)/2:(oh-ih)/2:white,setsar=1,fps=5,format=yuv420p[v{index}]"
        )
    joined = "".join(f"[v{index}]" for index in range(len(payloads)))
    graph = ";".join(filters) + f";{joined}concat=n={len(payloads)}:v=1[out]"
    clip = directory / "cards.y4m"
    subprocess.run(
        ["ffmpeg", "-v", "error", "-y", *inputs, "-filter_complex", graph, "-map", "[out]"]
        + [str(clip)],
        check=True,
        timeout=120,
    )
    return str(clip)
