"""Media routes for the browser's JavaScript: tus uploads and signed playback links.

Uploads speak tus 1.0.0 (core, creation, termination). OPTIONS says what the server
speaks, the largest file and the chunk size; POST creates an upload from Upload-Length
and Upload-Metadata (base64 pairs: filename, purpose such as lesson:12); HEAD answers
the committed offset, PATCH appends bytes at Upload-Offset, DELETE terminates; GET
answers the upload as JSON (offset, length, status, asset id when done).

Uploads need a log-in (else 401 JSON), and POST, PATCH and DELETE the ``X-CSRFToken``
header (else 400): CSRFProtect checks it before the view runs, except for PATCH, whose
token is checked first thing in its view, from the header alone, as a heartbeat's
(lms/web/header_csrf.py). Someone else's upload is 404. Refusals answer
``{"error": slug, "message": text}``. On S3, each PATCH must carry whole chunks of
``Lms-Chunk-Size`` bytes (the last may be shorter): configure tus-js-client's
``chunkSize`` from ``upload_client_config()``.

PATCH, HEAD and GET of an upload are lean endpoints (``lms/accounts/identity.py``): the
one statement that reads the upload also checks the session's user (id, session token,
not disabled, the privacy notice accepted), so a chunk loads neither the user nor their
roles; only when it finds nothing do the slow checks say why (401, 403 or 404).
"""

import base64
import binascii
import json
from functools import cache, wraps

from flask import Response, abort, request, send_file
from flask_babel import gettext as _
from flask_login import current_user
from flask_wtf.csrf import generate_csrf
from sqlalchemy import bindparam, select
from werkzeug.exceptions import ClientDisconnected

from lms.accounts.identity import (
    bound_user_conditions,
    caller_identity,
    found_caller,
    user_parameters,
    why_refused,
)
from lms.accounts.models import User
from lms.extensions import db
from lms.media import playback, uploads
from lms.media.models import Upload
from lms.media.request_socket import SocketBody, socket_body
from lms.media.storage import get_storage
from lms.web.api import json_error
from lms.web.urls import external_url, is_number
from media_pipeline import LocalStorage, StorageError
from media_pipeline.storage import content_type_for

# The endpoints that check their caller in the upload's statement (see above).
LEAN_ENDPOINTS = ("media.append_to_upload", "media.upload_resource")
TUS_VERSION = "1.0.0"
TUS_EXTENSIONS = "creation,termination"
OFFSET_CONTENT_TYPE = "application/offset+octet-stream"


def upload_client_config() -> dict:
    """What the upload page gives tus-js-client (a Jinja global)."""
    return {
        "endpoint": external_url("media.create_upload"),
        "chunkSize": uploads.chunk_size(),
        "maxSize": uploads.max_upload_bytes(),
        "headers": {"X-CSRFToken": generate_csrf()},
    }


def tus_endpoint(view):
    """Log-in, protocol version and refusals for every tus request but OPTIONS."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if caller_identity() is None:
            response = json_error(401, "unauthenticated", _("Please log in."))
        elif request.method != "GET" and request.headers.get("Tus-Resumable") != TUS_VERSION:
            response = json_error(
                412, "unsupported_tus_version", _("This server speaks tus %(v)s.", v=TUS_VERSION)
            )
            response.headers["Tus-Version"] = TUS_VERSION
        else:
            try:
                response = view(*args, **kwargs)
            except uploads.UploadRefused as refused:
                response = json_error(refused.status, refused.code, refused.message)
            except StorageError:
                response = json_error(
                    503,
                    "storage_unavailable",
                    _("The file store is unavailable; try again soon."),
                )
        response.headers["Tus-Resumable"] = TUS_VERSION
        return response

    return wrapped


@cache
def _owned_upload_query():
    """Built once (rebuilding it cost a tenth of a chunk's Python): the upload of an id
    joined with its owner's checks, as bound parameters."""
    return (
        select(Upload)
        .join(User, User.id == Upload.owner_id)
        .where(Upload.public_id == bindparam("upload_public_id"), *bound_user_conditions())
    )


def _owned_upload(public_id: str) -> Upload:
    """The caller's upload of that id, read with its owner's checks in one statement."""
    parameters = {"upload_public_id": public_id, **user_parameters(caller_identity())}
    upload = db.session.scalar(_owned_upload_query(), parameters)
    if upload is None or upload.status == "aborted":
        if (refusal := why_refused()) is not None:
            status, code, message = refusal
            raise uploads.UploadRefused(status, message, code=code)
        raise uploads.UploadRefused(404, _("This upload no longer exists."))
    found_caller(upload.owner_id)
    return upload


def _offset_headers(upload: Upload, status: int = 204) -> Response:
    response = Response(status=status)
    response.headers["Upload-Offset"] = str(uploads.stored_offset(upload))
    response.headers["Upload-Length"] = str(upload.length)
    response.headers["Cache-Control"] = "no-store"
    if upload.asset is not None:
        response.headers["Lms-Asset-Id"] = upload.asset.public_id
    return response


def _header_int(name: str) -> int:
    value = request.headers.get(name, "")
    if not is_number(value):
        raise uploads.UploadRefused(400, _("The %(header)s header is missing.", header=name))
    return int(value)


def parse_metadata(header: str) -> dict[str, str]:
    """Upload-Metadata: comma-separated "key base64value" pairs."""
    metadata = {}
    for pair in filter(None, (item.strip() for item in header.split(","))):
        key, _space, value = pair.partition(" ")
        try:
            metadata[key] = base64.b64decode(value.strip(), validate=True).decode("utf-8")
        except (binascii.Error, UnicodeDecodeError):
            raise uploads.UploadRefused(
                400, _("The Upload-Metadata header is malformed.")
            ) from None
    return metadata


def upload_options(public_id: str | None = None):
    response = Response(status=204)
    response.headers["Tus-Resumable"] = TUS_VERSION
    response.headers["Tus-Version"] = TUS_VERSION
    response.headers["Tus-Extension"] = TUS_EXTENSIONS
    response.headers["Tus-Max-Size"] = str(uploads.max_upload_bytes())
    response.headers["Lms-Chunk-Size"] = str(uploads.chunk_size())
    return response


@tus_endpoint
def create_upload():
    if "Upload-Defer-Length" in request.headers:
        raise uploads.UploadRefused(400, _("The file's length must be given."))
    metadata = parse_metadata(request.headers.get("Upload-Metadata", ""))
    upload = uploads.create_upload(
        current_user,
        metadata.get("purpose", ""),
        metadata.get("filename", ""),
        _header_int("Upload-Length"),
    )
    response = Response(status=201)
    response.headers["Location"] = external_url("media.upload_resource", public_id=upload.public_id)
    response.headers["Lms-Chunk-Size"] = str(uploads.chunk_size())
    return response


@tus_endpoint
def upload_resource(public_id: str):
    """HEAD: the tus offset headers. GET: the same, and the upload as JSON."""
    upload = _owned_upload(public_id)
    response = _offset_headers(upload, status=200)
    if request.method == "GET":
        response.mimetype = "application/json"
        response.set_data(
            json.dumps(
                {
                    "id": upload.public_id,
                    "offset": uploads.stored_offset(upload),
                    "length": upload.length,
                    "status": upload.status,
                    "asset_id": upload.asset.public_id if upload.asset else None,
                }
            )
        )
    return response


class _RequestBody:
    """The PATCH body; reads answer nothing once the client has gone away."""

    def __init__(self, stream, environ: dict | None = None):
        self.stream, self.environ = stream, environ

    def socket_body(self, length: int) -> SocketBody | None:
        return socket_body(self.environ, self.stream, length) if self.environ else None

    def readinto(self, buffer: memoryview) -> int:
        try:
            if hasattr(self.stream, "readinto"):  # werkzeug's LimitedStream has it
                return self.stream.readinto(buffer) or 0
            block = self.stream.read(len(buffer))
        except (ClientDisconnected, OSError):
            return 0
        buffer[: len(block)] = block
        return len(block)

    def read(self, size: int = -1) -> bytes:
        try:
            return self.stream.read(size)
        except (ClientDisconnected, OSError):
            return b""


@tus_endpoint
def append_to_upload(public_id: str):
    upload = _owned_upload(public_id)  # who asks first, as for the views that load the user
    if request.mimetype != OFFSET_CONTENT_TYPE:
        raise uploads.UploadRefused(415, _("Send the bytes as %(t)s.", t=OFFSET_CONTENT_TYPE))
    offset = _header_int("Upload-Offset")
    if request.content_length is None:
        raise uploads.UploadRefused(
            411, _("The Content-Length header is missing."), code="length_required"
        )
    body = _RequestBody(request.stream, request.environ)
    uploads.append_chunk(upload, offset, body, request.content_length)
    return _offset_headers(upload)


@tus_endpoint
def terminate_upload(public_id: str):
    upload = _owned_upload(public_id)
    if upload.is_complete:
        raise uploads.UploadRefused(409, _("This upload is complete; delete the video instead."))
    uploads.abort_upload(upload)
    return Response(status=204)


# Playback links.


def hls_playlist(key: str):
    expires = request.args.get("expires")
    if not key.endswith(".m3u8") or not playback.verify(
        playback.PLAYLIST_LINK, key, expires, request.args.get("signature")
    ):
        abort(403)
    try:
        text = playback.variant_playlist(key, int(expires))
    except playback.PlaylistUnavailable:
        abort(404)
    response = Response(text, mimetype=playback.PLAYLIST_MIMETYPE)
    response.headers["Cache-Control"] = "private, no-store"
    return response


def signed_file(key: str):
    if not playback.verify(
        playback.FILE_LINK, key, request.args.get("expires"), request.args.get("signature")
    ):
        abort(403)
    storage = get_storage()
    if not isinstance(storage, LocalStorage):
        abort(404)
    try:
        path = storage.path_for(key)
    except StorageError:
        abort(404)
    if not path.is_file():
        abort(404)
    response = send_file(path, mimetype=content_type_for(key), conditional=True)
    response.cache_control.private = True
    return response
