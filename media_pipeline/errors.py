"""Errors that carry a stable code and its values; lms turns them into translated messages.

Each error also has an English ``message`` for logs and the command line.
"""

from collections.abc import Callable
from typing import Any, ClassVar

Formatter = Callable[[dict[str, Any]], str]


def _mib(size: int) -> str:
    return f"{size / 2**20:,.0f} MiB"


def _clock(seconds: float) -> str:
    whole = round(seconds)
    return f"{whole // 3600}:{whole // 60 % 60:02d}:{whole % 60:02d}"


class MediaPipelineError(Exception):
    """Base class: ``code`` names the reason, ``params`` hold the values that explain it."""

    messages: ClassVar[dict[str, Formatter]] = {}

    def __init__(self, code: str, **params: Any) -> None:
        self.code = code
        self.params = params
        super().__init__(self.message)

    @property
    def message(self) -> str:
        formatter = self.messages.get(self.code)
        if formatter is None:
            return self.code.replace("_", " ")
        try:
            return formatter(self.params)
        except (KeyError, TypeError, ValueError):
            return self.code.replace("_", " ")

    def to_dict(self) -> dict[str, Any]:
        return {"code": self.code, "params": self.params, "message": self.message}


class ProbeError(MediaPipelineError):
    """The upload was refused by probe()."""

    messages: ClassVar[dict[str, Formatter]] = {
        "empty_file": lambda p: "The file is empty.",
        "not_media": lambda p: "This is not a video or audio file.",
        "corrupt": lambda p: "The file is damaged or incomplete (an upload that stopped early?).",
        "no_stream": lambda p: "The file has no video or audio that can be played.",
        "still_image": lambda p: "This is a still image or an animation, not a video.",
        "too_short": lambda p: (
            f"The media lasts {p['duration']:.2f} s; it must last at least {p['min_duration']:g} s."
        ),
        "too_large": lambda p: (
            f"The file is {_mib(p['size'])}; the limit is {_mib(p['max_size'])}."
        ),
        "too_long": lambda p: (
            f"The media lasts {_clock(p['duration'])}; the limit is {_clock(p['max_duration'])}."
        ),
        "resolution_too_large": lambda p: (
            f"The picture is {p['width']}×{p['height']}; the largest allowed is "
            f"{p['max_width']}×{p['max_height']}."
        ),
        "too_many_streams": lambda p: (
            f"The file has {p['streams']} streams; the limit is {p['max_streams']}."
        ),
        "timeout": lambda p: f"Reading the file took longer than {p['seconds']:g} s.",
    }


class TranscodeError(MediaPipelineError):
    """transcode() failed; nothing it wrote is left in the output folder."""

    messages: ClassVar[dict[str, Formatter]] = {
        "timeout": lambda p: f"Transcoding took longer than {p['seconds']:.0f} s and was stopped.",
        "stalled": lambda p: f"Transcoding made no progress for {p['seconds']:.0f} s.",
        "failed": lambda p: f"ffmpeg failed (exit status {p['returncode']}): {p['stderr_tail']}",
        "incomplete": lambda p: (
            f"The output lasts {p['actual']:.1f} s but the source {p['expected']:.1f} s; "
            "the source is probably truncated."
        ),
        "unsupported_format": lambda p: f"The container {p['container']!r} is not accepted.",
        "output_not_empty": lambda p: f"The output folder {p['path']} is not empty.",
    }


class StorageError(MediaPipelineError):
    """A storage backend could not complete an operation."""

    messages: ClassVar[dict[str, Formatter]] = {
        "unavailable": lambda p: f"The storage service cannot be reached: {p['detail']}",
        "failed": lambda p: f"Storage operation on {p['key']!r} failed: {p['detail']}",
        "not_found": lambda p: f"No object {p['key']!r} in storage.",
        "invalid_key": lambda p: f"{p['key']!r} is not a valid storage key.",
    }
