"""Course files kept in media storage: cover images and WebVTT captions."""

import io
import re
import secrets
import tempfile

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError

from lms.courses.models import Course, Lesson
from lms.courses.services import CourseError
from lms.media.storage import get_storage

COVER_SIZE = (640, 360)
MAX_COVER_BYTES = 10 * 2**20
MAX_COVER_PIXELS = 40_000_000  # refuse decompression bombs before decoding
MAX_CAPTION_BYTES = 512 * 1024
_CUE_TIMING = re.compile(
    r"^(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})\s+-->\s+(?:(\d{2,}):)?([0-5]\d):([0-5]\d)\.(\d{3})"
)


def _store_bytes(data: bytes, key: str, content_type: str) -> None:
    with tempfile.NamedTemporaryFile() as handle:
        handle.write(data)
        handle.flush()
        get_storage().put_file(handle.name, key, content_type=content_type)


def make_cover(data: bytes) -> bytes:
    """Validate an uploaded image and turn it into a 640×360 JPEG."""
    if len(data) > MAX_COVER_BYTES:
        raise CourseError(_("The image is larger than 10 MB."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_COVER_PIXELS:
                raise CourseError(_("The image has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            cover = ImageOps.fit(image, COVER_SIZE, Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise CourseError(_("This is not an image we can read (JPEG or PNG).")) from error
    output = io.BytesIO()
    cover.save(output, "JPEG", quality=85, optimize=True)
    return output.getvalue()


def set_cover(course: Course, data: bytes) -> None:
    jpeg = make_cover(data)
    old_key = course.cover_key
    course.cover_key = f"courses/{course.id}/cover-{secrets.token_hex(6)}.jpg"
    _store_bytes(jpeg, course.cover_key, "image/jpeg")
    if old_key:
        get_storage().delete(old_key)


def _seconds(hours, minutes, seconds, millis) -> float:
    return int(hours or 0) * 3600 + int(minutes) * 60 + int(seconds) + int(millis) / 1000


def validate_webvtt(data: bytes) -> str:
    """Return the captions as text if they are WebVTT with at least one valid cue."""
    if len(data) > MAX_CAPTION_BYTES:
        raise CourseError(_("The captions file is larger than 512 KB."))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as error:
        raise CourseError(_("Captions must be saved as UTF-8 text.")) from error
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if not lines or not re.match(r"^WEBVTT([ \t].*)?$", lines[0]):
        raise CourseError(_("This is not a WebVTT file: the first line must be WEBVTT."))
    cues = 0
    for number, line in enumerate(lines, start=1):
        if "-->" not in line:
            continue
        match = _CUE_TIMING.match(line.strip())
        if not match:
            raise CourseError(_("Line %(line)d has a malformed cue timing.", line=number))
        start, end = _seconds(*match.groups()[:4]), _seconds(*match.groups()[4:])
        if end < start:
            raise CourseError(_("Line %(line)d ends before it starts.", line=number))
        cues += 1
    if cues == 0:
        raise CourseError(_("The captions file has no cues."))
    return text


def set_captions(lesson: Lesson, data: bytes) -> None:
    text = validate_webvtt(data)
    old_key = lesson.captions_key
    lesson.captions_key = (
        f"courses/{lesson.course_id}/lessons/{lesson.id}/captions-{secrets.token_hex(6)}.vtt"
    )
    _store_bytes(text.encode("utf-8"), lesson.captions_key, "text/vtt")
    if old_key:
        get_storage().delete(old_key)


def remove_captions(lesson: Lesson) -> None:
    if lesson.captions_key:
        get_storage().delete(lesson.captions_key)
        lesson.captions_key = None
