"""A question's optional image: probed with Pillow under the covers' rules (size, pixels,
a readable JPEG/PNG/WebP), re-encoded as a JPEG at most 1280 px wide, kept in storage."""

import io
import secrets
import tempfile

from flask_babel import gettext as _

from lms.assessment.questions import AssessmentError
from lms.courses.files import MAX_COVER_BYTES, MAX_COVER_PIXELS
from lms.media.storage import get_storage

MAX_WIDTH = 1280


def make_question_image(data: bytes) -> bytes:
    from PIL import Image, ImageOps, UnidentifiedImageError  # Pillow (~4 MiB) is imported on use

    if len(data) > MAX_COVER_BYTES:
        raise AssessmentError(_("The image is larger than 10 MB."))
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_COVER_PIXELS:
                raise AssessmentError(_("The image has too many pixels."))
            probe.verify()
        with Image.open(io.BytesIO(data)) as image:
            image = ImageOps.exif_transpose(image).convert("RGB")
            if image.width > MAX_WIDTH:
                height = round(image.height * MAX_WIDTH / image.width)
                image = image.resize((MAX_WIDTH, height), Image.Resampling.LANCZOS)
    except (UnidentifiedImageError, OSError, SyntaxError, Image.DecompressionBombError) as error:
        raise AssessmentError(_("This is not an image we can read (JPEG or PNG).")) from error
    output = io.BytesIO()
    image.save(output, "JPEG", quality=85, optimize=True)
    return output.getvalue()


def store_question_image(course_id: int, data: bytes) -> str:
    """Probe, re-encode and store an uploaded image; its storage key."""
    jpeg = make_question_image(data)
    key = f"courses/{course_id}/questions/{secrets.token_hex(8)}.jpg"
    with tempfile.NamedTemporaryFile() as handle:
        handle.write(jpeg)
        handle.flush()
        get_storage().put_file(handle.name, key, content_type="image/jpeg")
    return key


def image_bytes(key: str) -> bytes:
    return get_storage().get_bytes(key)
