"""Download responses: a safe file name in every browser, and an audit record when the
file holds personal data (PIPL)."""

import re
import unicodedata
from collections.abc import Callable
from urllib.parse import quote

from flask import Response

# Filled by accounts (which owns the audit log): called with ``target_type``, optional
# ``target_id`` and details, in the request that builds a personal download.
_personal_export_recorders: list[Callable[..., None]] = []

_UNSAFE_NAME_CHARACTERS = re.compile(r'[\x00-\x1f\x7f"\\/:*?<>|;]+')


def register_personal_export_recorder(recorder: Callable[..., None]) -> None:
    if recorder not in _personal_export_recorders:
        _personal_export_recorders.append(recorder)


def safe_filename(name: str, fallback: str = "download") -> str:
    """``name`` without path separators, quotes or control characters (Chinese stays)."""
    cleaned = _UNSAFE_NAME_CHARACTERS.sub("-", unicodedata.normalize("NFC", name)).strip(" .-")
    return cleaned[:150] or fallback


def _ascii(text: str) -> str:
    return unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode("ascii")


def content_disposition(filename: str, *, inline: bool = False) -> str:
    """The header value, with an ASCII ``filename`` and, for other names, ``filename*``."""
    kind = "inline" if inline else "attachment"
    name = safe_filename(filename)
    stem, dot, suffix = name.rpartition(".") if "." in name else (name, "", "")
    ascii_stem = _ascii(stem).strip(" .-") or "download"
    ascii_name = ascii_stem + dot + _ascii(suffix)
    if ascii_name == name:
        return f'{kind}; filename="{name}"'
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"


def download(
    data: bytes,
    filename: str,
    mimetype: str,
    *,
    inline: bool = False,
    personal: dict | None = None,
) -> Response:
    """A file for the browser to save (or show, ``inline``). ``personal`` is the audit
    record's ``target_type``, ``target_id`` and details when the file is about people
    (a ``filename`` there is recorded instead of the file's own, when that is someone's
    words the log must not keep)."""
    response = Response(data, mimetype=mimetype)
    response.headers["Content-Disposition"] = content_disposition(filename, inline=inline)
    response.headers["Cache-Control"] = "private, no-store"
    response.headers["X-Content-Type-Options"] = "nosniff"
    if personal is not None:
        for recorder in _personal_export_recorders:
            recorder(**{"filename": safe_filename(filename), **personal})
    return response
