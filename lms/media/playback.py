"""Protected HLS playback: playlists whose every link is signed and expires.

Courses decide who may watch (enrolment, preview lessons) and then ask media for the
playlist with ``master_playlist_for(asset)``; media knows assets, not learners.

- The master playlist names each variant (and the audio rendition) by a signed app URL
  (``media.hls_playlist``). The app serves those variant playlists itself, checking the
  signature, with the media links in them rewritten: on S3 to presigned GET URLs on the
  public endpoint, so video bytes never pass through Flask; on local storage to signed
  app URLs (``media.signed_file``) served with HTTP Range. The transcodes are
  single-file fMP4 with byte ranges, so a rung is one file, and ``EXT-X-MAP`` (the
  init section) is rewritten like the segments.
- A link lives the asset's duration plus two hours unless told otherwise, so a learner
  who pauses for lunch is not cut off; after that, and when anything in it is changed,
  it is refused with 403. A copied link stops working at its expiry.
- When a link has expired, the player (the courses page) fetches a fresh master
  playlist and continues at its position.
- Signatures are an HMAC-SHA256 of (kind, key, expiry) under a key derived from the
  app's SECRET_KEY: rotating the secret voids every link, which players recover from as
  above.
- On S3 the browser fetches media from the bucket itself, so the bucket needs a CORS
  rule for the site's origin: ``cors_rules(origin)``.
"""

import base64
import hashlib
import hmac
import math
import posixpath
import re
import time
from urllib.parse import urlsplit

from flask import current_app

from lms.media.models import VideoAsset
from lms.media.storage import get_storage
from lms.web.urls import external_url, is_number
from media_pipeline import LocalStorage, StorageError

TWO_HOURS = 2 * 3600
PLAYLIST_MIMETYPE = "application/vnd.apple.mpegurl"
PLAYLIST_LINK, FILE_LINK = "playlist", "file"
_URI_ATTRIBUTE = re.compile(r'URI="([^"]*)"')


class PlaylistUnavailable(Exception):
    """The asset has no published playlist (not ready, or its files are gone)."""


def link_lifetime(asset: VideoAsset) -> int:
    """Seconds a playback link lives: the asset's duration plus two hours."""
    return math.ceil(asset.duration or 0) + TWO_HOURS


def _expiry(asset: VideoAsset | None, expires_in_seconds: int | None) -> int:
    if expires_in_seconds is None:
        expires_in_seconds = link_lifetime(asset) if asset is not None else TWO_HOURS
    return int(time.time()) + int(expires_in_seconds)


# Signatures.


def _signing_key() -> bytes:
    secret = current_app.config["SECRET_KEY"]
    secret = secret.encode() if isinstance(secret, str) else secret
    return hmac.new(secret, b"lms.media.playback-links", hashlib.sha256).digest()


def sign(kind: str, key: str, expires: int) -> str:
    message = f"{kind}\n{expires}\n{key}".encode()
    digest = hmac.new(_signing_key(), message, hashlib.sha256).digest()[:18]
    return base64.urlsafe_b64encode(digest).decode()


def verify(kind: str, key: str, expires: str | None, signature: str | None) -> bool:
    """True when the signature is ours for this key and the expiry has not passed."""
    if not signature or not is_number(expires):
        return False
    if int(expires) < time.time():
        return False
    return hmac.compare_digest(sign(kind, key, int(expires)), signature)


# Links.


def _file_link(key: str, expires: int) -> str:
    """A URL for one stored object, valid until ``expires`` (a Unix time)."""
    storage = get_storage()
    if isinstance(storage, LocalStorage):
        return external_url(
            "media.signed_file", key=key, expires=expires, signature=sign(FILE_LINK, key, expires)
        )
    return storage.presign_get(key, expires=max(1, expires - int(time.time())))


def _playlist_link(key: str, expires: int) -> str:
    return external_url(
        "media.hls_playlist", key=key, expires=expires, signature=sign(PLAYLIST_LINK, key, expires)
    )


def signed_url_for_key(key: str, *, expires_in_seconds: int | None = None) -> str:
    """A signed URL for any stored object (two hours unless told otherwise)."""
    return _file_link(key, _expiry(None, expires_in_seconds))


def signed_url_for(
    asset: VideoAsset, relative_key: str, expires_in_seconds: int | None = None
) -> str:
    """A signed URL for an object under the asset's prefix (captions, for instance)."""
    key = f"{asset.storage_prefix}/{relative_key.lstrip('/')}"
    return _file_link(key, _expiry(asset, expires_in_seconds))


def poster_url_for(asset: VideoAsset, *, expires_in_seconds: int | None = None) -> str:
    return _file_link(f"{asset.hls_prefix}/poster.jpg", _expiry(asset, expires_in_seconds))


# Playlists.


def _resolve(playlist_key: str, uri: str) -> str:
    """The storage key a relative URI in a playlist names; it must stay beside or below
    the playlist (our transcodes never point elsewhere)."""
    folder = posixpath.dirname(playlist_key)
    if urlsplit(uri).scheme or uri.startswith("/"):
        raise PlaylistUnavailable(f"absolute URI in {playlist_key}")
    key = posixpath.normpath(posixpath.join(folder, uri))
    if not key.startswith(folder + "/"):
        raise PlaylistUnavailable(f"URI outside its folder in {playlist_key}")
    return key


def rewrite_playlist(text: str, playlist_key: str, link) -> str:
    """Replace every URI in an HLS playlist (URI lines and URI="..." attributes) by
    ``link(key)``, where key is the storage key it names."""
    links: dict[str, str] = {}  # one link per file: a single-file rung repeats its URI

    def linked(uri: str) -> str:
        key = _resolve(playlist_key, uri)
        if key not in links:
            links[key] = link(key)
        return links[key]

    lines = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("#"):
            line = _URI_ATTRIBUTE.sub(lambda match: f'URI="{linked(match.group(1))}"', line)
        elif stripped:
            line = linked(stripped)
        lines.append(line)
    return "\n".join(lines) + "\n"


def _read_playlist(key: str) -> str:
    try:
        return get_storage().get_bytes(key).decode("utf-8")
    except StorageError as error:
        raise PlaylistUnavailable(key) from error


def master_playlist_for(asset: VideoAsset, *, expires_in_seconds: int | None = None) -> str:
    """The asset's master playlist with each variant named by a signed app URL.

    Links live ``expires_in_seconds`` (default: the duration plus two hours).
    Raises PlaylistUnavailable when the asset is not ready.
    """
    if not asset.is_ready:
        raise PlaylistUnavailable(asset.public_id)
    expires = _expiry(asset, expires_in_seconds)
    key = f"{asset.hls_prefix}/master.m3u8"
    return rewrite_playlist(_read_playlist(key), key, lambda k: _playlist_link(k, expires))


def variant_playlist(key: str, expires: int) -> str:
    """A variant playlist (its signature already checked) with its media links signed
    until the same expiry."""
    return rewrite_playlist(_read_playlist(key), key, lambda k: _file_link(k, expires))


def cors_rules(origin: str) -> dict:
    """The bucket's CORS configuration (boto3 ``put_bucket_cors``) for the site's origin:
    the player fetches playlists' media, posters and captions from the bucket, with
    Range requests, and reads the length and range of what comes back."""
    return {
        "CORSRules": [
            {
                "AllowedOrigins": [origin.rstrip("/")],
                "AllowedMethods": ["GET", "HEAD"],
                "AllowedHeaders": ["Range"],
                "ExposeHeaders": ["Content-Length", "Content-Range", "Accept-Ranges", "ETag"],
                "MaxAgeSeconds": 3600,
            }
        ]
    }
