"""Open Badges baking: a PNG badge image carrying its credential in an ``iTXt`` chunk
with the keyword ``openbadgecredential`` (Open Badges 3.0 §5.3.1)."""

from __future__ import annotations

import io
import json
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from PIL import Image

KEYWORD = "openbadgecredential"
SIZE = 400
MAX_TEXT = 1_000_000


def badge_image(colour: str = "#b4541a") -> Image.Image:
    """A plain round badge: a ring and a check mark (the text is in the credential)."""
    from PIL import Image, ImageDraw  # Pillow (~4 MiB) is imported on use

    image = Image.new("RGBA", (SIZE, SIZE), (0, 0, 0, 0))
    draw = ImageDraw.Draw(image)
    draw.ellipse((10, 10, SIZE - 10, SIZE - 10), fill=colour)
    draw.ellipse((40, 40, SIZE - 40, SIZE - 40), outline="white", width=10)
    draw.line([(120, 210), (180, 270), (290, 140)], fill="white", width=26, joint="curve")
    return image


def bake_png(credential: dict) -> bytes:
    from PIL import PngImagePlugin  # Pillow (~4 MiB) is imported on use

    info = PngImagePlugin.PngInfo()
    info.add_itxt(KEYWORD, json.dumps(credential, ensure_ascii=False), zip=False)
    out = io.BytesIO()
    badge_image().save(out, format="PNG", pnginfo=info)
    return out.getvalue()


def read_baked(data: bytes) -> dict | None:
    """The credential baked into a PNG; None when there is none (or it is not a PNG)."""
    from PIL import Image  # Pillow (~4 MiB) is imported on use

    try:
        with Image.open(io.BytesIO(data)) as image:
            if image.format != "PNG":
                return None
            text = image.text.get(KEYWORD) if hasattr(image, "text") else None
    except (OSError, ValueError, Image.DecompressionBombError):
        return None
    if not isinstance(text, str) or len(text) > MAX_TEXT:
        return None
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None
