"""Why an upload was refused or a transcode failed, in the viewer's language.

media_pipeline raises errors with a code and values; this turns them into sentences.
"""

from flask_babel import gettext as _


def _mib(size) -> str:
    return f"{(size or 0) / 2**20:,.0f} MB"


def _minutes(seconds) -> str:
    return f"{(seconds or 0) / 60:.0f}"


def failure_message(code: str | None, params: dict | None) -> str:
    params = params or {}
    messages = {
        "empty_file": lambda: _("The file is empty."),
        "not_media": lambda: _("This is not a video or audio file we can read."),
        "corrupt": lambda: _("The file is damaged or incomplete. Was the upload cut short?"),
        "no_stream": lambda: _("The file has no video or sound that can be played."),
        "still_image": lambda: _("This is a picture or an animation, not a video."),
        "too_short": lambda: _("The video is too short: it must last at least one second."),
        "too_large": lambda: _(
            "The file is %(size)s; the largest allowed is %(max)s.",
            size=_mib(params.get("size")),
            max=_mib(params.get("max_size")),
        ),
        "too_long": lambda: _(
            "The video lasts %(minutes)s minutes; the longest allowed is %(max)s minutes.",
            minutes=_minutes(params.get("duration")),
            max=_minutes(params.get("max_duration")),
        ),
        "resolution_too_large": lambda: _(
            "The picture is %(size)s; the largest allowed is %(max)s.",
            size=f"{params.get('width')}×{params.get('height')}",
            max=f"{params.get('max_width')}×{params.get('max_height')}",
        ),
        "too_many_streams": lambda: _("The file holds too many tracks."),
        "timeout": lambda: _("Processing took too long and was stopped."),
        "stalled": lambda: _("Processing stopped making progress."),
        "incomplete": lambda: _("The file ends early: it is probably incomplete."),
        "unsupported_format": lambda: _("This kind of file is not accepted."),
        "attempts_exhausted": lambda: _(
            "Processing failed several times. The last error was: %(error)s",
            error=params.get("error", ""),
        ),
    }
    make = messages.get(code or "")
    return make() if make else _("Processing failed. Please try again or upload another file.")
