"""Demo media made on this machine, nothing downloaded: lesson clips, covers, captions.

A lesson clip is one ffmpeg command: a coloured field with the course's name, the
lesson's Chinese title, the point being made (one after another, in equal parts of the
clip), a running clock and a progress bar, over a soft tick each second (the lower half
is left to the captions); 640×360 x264
ultrafast, so the transcode ladder stays light. Text is drawn with Noto Sans CJK SC
(fonts-noto-cjk) through fontconfig. Clips are kept in a cache folder and made again
only when what they show changes.

Captions (WebVTT) say the same points at the same times as the picture shows them.
Covers are drawn with Pillow; the caller hands them to the course cover service.
"""

import hashlib
import io
import json
import shutil
import subprocess
import tempfile
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

CJK_FAMILY = "Noto Sans CJK SC"
BRAND = "柯桥终身学习在线"
WIDTH, HEIGHT, FPS = 640, 360, 25
CLIP_VERSION = 4  # bump when the picture changes: cached clips are made again
FFMPEG_TIMEOUT = 600
FIRST_AID_RED = (214, 40, 40)


@dataclass(frozen=True)
class ClipSpec:
    course: str  # the course's short name, shown at the top
    title: str  # the lesson's title, in the middle
    points: tuple[str, ...]  # shown one after another, and said by the captions
    seconds: float
    colour: str  # background, "#rrggbb"
    accent: str  # the point's colour and the progress bar's

    def cache_name(self) -> str:
        fields = json.dumps([CLIP_VERSION, *self.__dict__.values()], ensure_ascii=False)
        return f"lesson-{hashlib.sha256(fields.encode()).hexdigest()[:16]}.mp4"


@lru_cache(maxsize=4)
def cjk_font_file(style: str = "") -> tuple[str, int] | None:
    """(file, face index) of Noto Sans CJK SC, or None when fontconfig has no CJK font."""
    pattern = f"{CJK_FAMILY}:{style}" if style else CJK_FAMILY
    try:
        found = subprocess.run(
            ["fc-match", "-f", "%{family}\t%{file}\t%{index}", pattern],
            capture_output=True,
            text=True,
            check=True,
            timeout=30,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return None
    family, _, rest = found.partition("\t")
    file, _, index = rest.partition("\t")
    if "CJK" not in family or not Path(file).is_file():
        return None
    return file, int(index or 0)


def point_windows(points, seconds: float) -> list[tuple[float, float, str]]:
    """(start, end, text): the points in equal, consecutive parts of the clip."""
    part = seconds / len(points)
    return [(round(i * part, 3), round((i + 1) * part, 3), text) for i, text in enumerate(points)]


def _clock(seconds: float) -> str:
    whole = int(round(seconds))
    return f"{whole // 60:02d}:{whole % 60:02d}"


def _font_size(text: str, largest: int, width: int = WIDTH - 40) -> int:
    """Large, but narrow enough for one line (CJK characters are about 1 em wide)."""
    return max(14, min(largest, int(width / max(len(text), 1))))


def _drawtext(textfile: Path, size: int, colour: str, x: str, y: str, extra: str = "") -> str:
    return (
        f"drawtext=font='{CJK_FAMILY}':textfile='{textfile}':fontsize={size}"
        f":fontcolor={colour}:x='{x}':y='{y}'{extra}"
    )


def _filter_graph(spec: ClipSpec, work: Path) -> str:
    def text_file(name: str, text: str) -> Path:
        path = work / f"{name}.txt"
        path.write_text(text, encoding="utf-8")
        return path

    accent = spec.accent.replace("#", "0x")
    # The running clock, top right (the lower half is the captions'): drawtext expands
    # %{pts:...} on every frame; x is fixed so the digits do not wobble.
    clock = text_file("clock", f"%{{pts:gmtime:0:%M\\:%S}} / {_clock(spec.seconds)}")
    steps = [
        "drawbox=x=0:y=0:w=iw:h=46:color=black@0.25:t=fill",
        _drawtext(text_file("course", spec.course), 22, "white", "20", "11"),
        _drawtext(clock, 22, "white", "w-170", "11"),
        _drawtext(text_file("brand", BRAND), 18, "white@0.7", "(w-tw)/2", "14"),
        _drawtext(
            text_file("title", spec.title),
            _font_size(spec.title, 38),
            "white",
            "(w-tw)/2",
            "100",
            ":borderw=2:bordercolor=black@0.3",
        ),
    ]
    for index, (start, end, text) in enumerate(point_windows(spec.points, spec.seconds)):
        steps.append(
            _drawtext(
                text_file(f"point{index}", text),
                _font_size(text, 28),
                accent,
                "(w-tw)/2",
                "172",
                f":enable='between(t,{start},{end})'",
            )
        )
    seconds = f"{spec.seconds:.3f}"
    return (
        f"[0:v]{','.join(steps)}[text];"
        f"[text][1:v]overlay=x='-w+w*t/{seconds}':y=H-6:eval=frame,format=yuv420p[v]"
    )


def make_clip(spec: ClipSpec, output: Path) -> Path:
    """Write the clip of ``spec`` to ``output`` (made under a temporary name first)."""
    output.parent.mkdir(parents=True, exist_ok=True)
    colour, accent = spec.colour.replace("#", "0x"), spec.accent.replace("#", "0x")
    seconds = f"{spec.seconds:.3f}"
    with tempfile.TemporaryDirectory(prefix="lms-demo-") as work:
        if "'" in work:
            raise ValueError(f"unusable temporary folder {work!r}")
        partial = Path(work) / "clip.mp4"
        # One second with a 40 ms tick at its start, looped (cheaper than evaluating the
        # expression for every sample of the clip).
        tick = (
            "aevalsrc=exprs='0.12*sin(2*PI*880*t)*lt(t,0.04)':s=48000:d=1,"
            f"aloop=loop=-1:size=48000,atrim=duration={seconds}"
        )
        command = [
            "ffmpeg", "-v", "error", "-nostdin", "-y",
            "-f", "lavfi", "-i", f"color=c={colour}:s={WIDTH}x{HEIGHT}:r={FPS}:d={seconds}",
            "-f", "lavfi", "-i", f"color=c={accent}:s={WIDTH}x6:r={FPS}:d={seconds}",
            "-f", "lavfi", "-i", tick,
            "-filter_complex", _filter_graph(spec, Path(work)),
            "-map", "[v]", "-map", "2:a", "-t", seconds,
            "-c:v", "libx264", "-preset", "ultrafast", "-g", str(2 * FPS),
            "-c:a", "aac", "-b:a", "64k", "-ac", "2",
            "-movflags", "+faststart",
            str(partial),
        ]  # fmt: skip
        subprocess.run(command, check=True, timeout=FFMPEG_TIMEOUT, capture_output=True)
        shutil.move(partial, output)
    return output


def cached_clip(spec: ClipSpec, cache_dir: Path) -> Path:
    """The clip of ``spec`` from the cache folder, made first if it is not there."""
    path = Path(cache_dir) / spec.cache_name()
    return path if path.is_file() and path.stat().st_size > 0 else make_clip(spec, path)


def _timestamp(seconds: float) -> str:
    millis = int(round(seconds * 1000))
    hours, minutes, whole = millis // 3_600_000, millis // 60_000 % 60, millis // 1000 % 60
    return f"{hours:02d}:{minutes:02d}:{whole:02d}.{millis % 1000:03d}"


def captions(points, seconds: float) -> bytes:
    """WebVTT saying each point while the picture shows it."""
    cues = [
        f"{number}\n{_timestamp(start)} --> {_timestamp(end)}\n{text}\n"
        for number, (start, end, text) in enumerate(point_windows(points, seconds), start=1)
    ]
    return ("WEBVTT\n\n" + "\n".join(cues)).encode("utf-8")


# Covers ------------------------------------------------------------------------------------


def _font(size: int, style: str = ""):
    from PIL import ImageFont  # Pillow (~4 MiB) is imported on use

    found = cjk_font_file(style) or cjk_font_file()
    if found is None:
        return ImageFont.load_default(size=size)
    return ImageFont.truetype(found[0], size, index=found[1])


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _shade(rgb, factor: float) -> tuple[int, int, int]:
    return tuple(max(0, min(255, int(channel * factor))) for channel in rgb)


def _motif(draw, motif: str, accent, box) -> None:
    """A simple picture on the right of the cover: a phone, a first-aid cross, a fan."""
    left, top, right, bottom = box
    cx, cy = (left + right) // 2, (top + bottom) // 2
    if motif == "phone":
        draw.rounded_rectangle((cx - 95, cy - 170, cx + 95, cy + 170), 28, outline=accent, width=12)
        draw.rounded_rectangle((cx - 70, cy - 130, cx + 70, cy + 115), 8, fill=(255, 255, 255, 70))
        draw.ellipse((cx - 14, cy + 128, cx + 14, cy + 156), outline=accent, width=6)
    elif motif == "cross":
        draw.ellipse((cx - 170, cy - 170, cx + 170, cy + 170), fill=(255, 255, 255, 235))
        draw.rectangle((cx - 45, cy - 125, cx + 45, cy + 125), fill=FIRST_AID_RED)
        draw.rectangle((cx - 125, cy - 45, cx + 125, cy + 45), fill=FIRST_AID_RED)
    else:  # a folding fan, as in 越剧
        draw.pieslice((cx - 190, cy - 150, cx + 190, cy + 230), 200, 340, fill=(*accent, 220))
        for angle in range(200, 341, 20):
            draw.pieslice((cx - 190, cy - 150, cx + 190, cy + 230), angle, angle + 1, fill=accent)
        draw.ellipse((cx - 14, cy + 26, cx + 14, cy + 54), fill=accent)


def cover_image(title: str, subtitle: str, colour: str, accent: str, motif: str) -> bytes:
    """A 1280×720 PNG: a colour field, the course title, a subtitle and a motif."""
    from PIL import Image, ImageDraw  # Pillow (~4 MiB) is imported on use

    width, height = 1280, 720
    base = _rgb(colour)
    image = Image.new("RGB", (width, height), base)
    draw = ImageDraw.Draw(image)
    for y in range(height):  # a gentle vertical gradient
        draw.line([(0, y), (width, y)], fill=_shade(base, 1.15 - 0.35 * y / height))
    overlay = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    _motif(ImageDraw.Draw(overlay), motif, _rgb(accent), (820, 80, 1220, 640))
    image.paste(overlay, (0, 0), overlay)
    draw = ImageDraw.Draw(image)
    size = min(120, int(700 / max(len(title), 1)))
    draw.text((80, 200), title, font=_font(size, "bold"), fill="white")
    draw.text((84, 240 + size + 30), subtitle, font=_font(56), fill=_rgb(accent))
    draw.text((84, 590), BRAND, font=_font(44), fill=(255, 255, 255))
    output = io.BytesIO()
    image.save(output, "PNG", optimize=True)
    return output.getvalue()
