"""Generated course covers: the course title on a colour picked from its category.

A course whose teacher uploaded no cover gets one drawn with Pillow when the course is
saved (or by ``flask lms generate-covers`` for older courses); it is stored like an
uploaded cover. The same title and category always give the same picture. Text is
drawn with Noto Sans CJK (fonts-noto-cjk); without it a Chinese title is left off the
picture (the card shows the title below it anyway).
"""

import io
import re

from lms.courses.demo_media import cjk_font_file

WIDTH, HEIGHT = 640, 360
MARGIN = 40
# Dark enough for white text (contrast >= 4.5:1); categories take them in turn by id, so
# the first eight categories all differ.
PALETTE = (
    "#1d4e89",  # blue
    "#8a2a3b",  # wine
    "#2f5d3a",  # green
    "#5b3f8c",  # violet
    "#7a4a12",  # brown
    "#0f5c63",  # teal
    "#6b3c5a",  # plum
    "#3d4a5c",  # slate
)
NO_CATEGORY_COLOUR = "#3d4a5c"
_BREAKABLE = re.compile(r"[A-Za-z0-9'’.\-]+\s*|\s+|.")
_NO_LINE_START = set("，。、：；！？）》」』”’,.;:!?)")
_NO_LINE_END = set("（《「『“‘(")


def category_colour(category_id: int | None) -> str:
    """The cover colour of a category: always the same one for the same category."""
    if not category_id:
        return NO_CATEGORY_COLOUR
    return PALETTE[(category_id - 1) % len(PALETTE)]


def _rgb(colour: str) -> tuple[int, int, int]:
    value = colour.lstrip("#")
    return int(value[0:2], 16), int(value[2:4], 16), int(value[4:6], 16)


def _font(size: int, style: str = ""):
    from PIL import ImageFont  # Pillow (~4 MiB) is imported on use

    found = cjk_font_file(style) or cjk_font_file()
    return ImageFont.truetype(found[0], size, index=found[1]) if found else None


def has_cjk_font() -> bool:
    return cjk_font_file() is not None


def wrap(text: str, font, width: int) -> list[str]:
    """Lines no wider than ``width``: Chinese breaks between any two characters, Latin
    words stay whole, closing punctuation never starts a line nor opening ends one."""
    lines: list[str] = []
    line = ""
    for token in _BREAKABLE.findall(text.strip()):
        if font.getlength((line + token).rstrip()) <= width or not line.strip():
            line += token
        elif token in _NO_LINE_START:
            line += token  # a little wider rather than a comma at the start of a line
        else:
            carried = ""
            while line and line[-1] in _NO_LINE_END:
                line, carried = line[:-1], line[-1] + carried
            lines.append(line.rstrip())
            line = carried + token.lstrip()
    if line.strip():
        lines.append(line.rstrip())
    return lines


def _fit_title(title: str, width: int) -> tuple[object, list[str]]:
    """The largest font (48 to 30 px) that fits the title in three lines, else three
    lines at 30 px, the last one ending in an ellipsis."""
    for size in (48, 42, 36, 30):
        font = _font(size, "bold")
        lines = wrap(title, font, width)
        if len(lines) <= 3:
            return font, lines
    lines = lines[:3]
    while lines[2] and font.getlength(lines[2] + "…") > width:
        lines[2] = lines[2][:-1]
    lines[2] += "…"
    return font, lines


def generated_cover(title: str, category_id: int | None, category_name: str | None) -> bytes:
    """A 640×360 JPEG: the category's colour, two lighter circles, its name, the title."""
    from PIL import Image, ImageDraw  # Pillow (~4 MiB) is imported on use

    base = _rgb(category_colour(category_id))
    image = Image.new("RGB", (WIDTH, HEIGHT), base)
    overlay = Image.new("RGBA", (WIDTH, HEIGHT), (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    draw.ellipse((WIDTH - 220, HEIGHT - 200, WIDTH + 120, HEIGHT + 140), fill=(255, 255, 255, 36))
    draw.ellipse((WIDTH - 120, -90, WIDTH + 60, 90), fill=(255, 255, 255, 24))
    image.paste(overlay, (0, 0), overlay)
    if has_cjk_font():
        draw = ImageDraw.Draw(image)
        if category_name:
            draw.text((MARGIN, 28), category_name, font=_font(24), fill=(255, 255, 255))
        font, lines = _fit_title(title, WIDTH - 2 * MARGIN)
        line_height = int(font.size * 1.3)
        top = (HEIGHT - line_height * len(lines)) // 2 + 10
        for number, line in enumerate(lines):
            draw.text((MARGIN, top + number * line_height), line, font=font, fill="white")
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85, optimize=True)
    return output.getvalue()
