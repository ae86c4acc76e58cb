"""Course files kept in media storage: cover images and WebVTT captions."""

import hashlib
import io
import re
import secrets
import tempfile

from flask_babel import gettext as _

from lms.courses.covers import generated_cover
from lms.courses.models import Category, Course, Lesson
from lms.courses.services import CourseError
from lms.extensions import db
from lms.media.storage import get_storage

COVER_SIZE = (640, 360)
# Every stored cover also has a copy this wide (the catalogue's srcset).
SMALL_COVER_WIDTH = 320
GENERATED_COVER_VERSION = 1  # bump when generated covers change: saving makes them again
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
    from PIL import Image, ImageOps, UnidentifiedImageError  # Pillow (~4 MiB) is imported on use

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


def small_cover_key(key: str) -> str:
    return key.removesuffix(".jpg") + f"-{SMALL_COVER_WIDTH}.jpg"


def _small_copy(jpeg: bytes) -> bytes:
    from PIL import Image  # Pillow (~4 MiB) is imported on use

    with Image.open(io.BytesIO(jpeg)) as image:
        height = round(image.height * SMALL_COVER_WIDTH / image.width)
        small = image.resize((SMALL_COVER_WIDTH, height), Image.Resampling.LANCZOS)
    output = io.BytesIO()
    small.save(output, "JPEG", quality=85, optimize=True)
    return output.getvalue()


def _store_cover(course: Course, jpeg: bytes, key: str) -> None:
    """Store the cover and its small copy under ``key``; the old ones are deleted."""
    old_key = course.cover_key
    course.cover_key = key
    _store_bytes(jpeg, key, "image/jpeg")
    _store_bytes(_small_copy(jpeg), small_cover_key(key), "image/jpeg")
    if old_key and old_key != key:
        get_storage().delete(old_key)
        get_storage().delete(small_cover_key(old_key))


def set_cover(course: Course, data: bytes) -> None:
    jpeg = make_cover(data)
    _store_cover(course, jpeg, f"courses/{course.id}/cover-{secrets.token_hex(6)}.jpg")


def _cover_of(course: Course) -> bytes:
    category = db.session.get(Category, course.category_id) if course.category_id else None
    return generated_cover(course.title, course.category_id, category.name if category else None)


def _generated_key(course: Course) -> str:
    category = db.session.get(Category, course.category_id) if course.category_id else None
    name = category.name if category else ""
    facts = f"{GENERATED_COVER_VERSION}\n{course.title}\n{course.category_id}\n{name}"
    digest = hashlib.sha256(facts.encode()).hexdigest()[:12]
    return f"courses/{course.id}/cover-gen-{digest}.jpg"


def is_generated(key: str | None) -> bool:
    return bool(key) and "/cover-gen-" in key


def ensure_cover(course: Course) -> bool:
    """Give a course without an uploaded cover its generated one, made again only when
    its title or category changed; whether a cover was made."""
    if course.cover_key and not is_generated(course.cover_key):
        return False
    db.session.flush()  # a new course's id
    key = _generated_key(course)
    if course.cover_key == key:
        return False
    _store_cover(course, _cover_of(course), key)
    return True


def cover_for_view(course: Course, width: int | None) -> bytes:
    """The stored cover (its small copy when asked for and there); a course saved before
    covers were generated gets its generated picture, drawn now and not stored (GET
    writes nothing; ``flask lms generate-covers`` stores them)."""
    if not course.cover_key:
        jpeg = _cover_of(course)
        return _small_copy(jpeg) if width == SMALL_COVER_WIDTH else jpeg
    storage = get_storage()
    if width == SMALL_COVER_WIDTH and storage.exists(small_cover_key(course.cover_key)):
        return storage.get_bytes(small_cover_key(course.cover_key))
    return storage.get_bytes(course.cover_key)


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
