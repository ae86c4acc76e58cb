"""Resumable uploads through the real endpoint, on local storage and on S3 (moto).

The client is tuspy, which we did not write, talking to the app on a loopback port.
"""

import base64
import hashlib
import os
import socket
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
import requests
from sqlalchemy import select
from tusclient import client as tus
from tusclient.exceptions import TusCommunicationError

from lms.extensions import db
from lms.media import uploads
from lms.media.jobs import run_transcode_job
from lms.media.models import Upload, VideoAsset
from lms.media.storage import get_storage
from lms.timeutil import utcnow

MiB = 2**20
TUS = {"Tus-Resumable": "1.0.0"}


@pytest.fixture
def app(storage_app):
    return storage_app


@pytest.fixture
def random_file(tmp_path):
    def make(size, name="lesson.mp4"):
        path = tmp_path / name
        path.write_bytes(os.urandom(size))
        return path

    return make


def uploader_for(live_server, headers, path, **options):
    client = tus.TusClient(f"{live_server}/api/v1/uploads", headers=headers)
    options.setdefault("metadata", {"filename": path.name, "purpose": "test:ok"})
    options.setdefault("chunk_size", 8 * MiB)
    return client.uploader(str(path), **options)


def upload_row(app, url):
    public_id = urlsplit(url).path.rsplit("/", 1)[1]
    with app.app_context():
        upload = db.session.scalar(select(Upload).where(Upload.public_id == public_id))
        db.session.expunge(upload)
        return upload


def stored_digest(app, key):
    with app.app_context():
        return hashlib.sha256(get_storage().get_bytes(key)).hexdigest()


def create(live_server, headers, length, purpose="test:ok", filename="lesson.mp4"):
    metadata = ",".join(
        f"{k} {base64.b64encode(v.encode()).decode()}"
        for k, v in (("filename", filename), ("purpose", purpose))
    )
    return requests.post(
        f"{live_server}/api/v1/uploads",
        headers={**TUS, **headers, "Upload-Length": str(length), "Upload-Metadata": metadata},
    )


def patch(url, headers, offset, body):
    return requests.patch(
        url,
        data=body,
        headers={
            **TUS,
            **headers,
            "Upload-Offset": str(offset),
            "Content-Type": "application/offset+octet-stream",
        },
    )


def head_offset(url, headers):
    return int(requests.head(url, headers={**TUS, **headers}).headers["Upload-Offset"])


def bytes_kept(app, upload):
    """What storage holds of an unfinished upload: the partial file, or S3's parts."""
    with app.app_context():
        if upload.backend == "local":
            path = uploads.partial_path(upload)
            return path.stat().st_size if path.exists() else None
        parts = get_storage().list_parts(upload.storage_key, upload.multipart_upload_id)
        return sum(part.size for part in parts)


def test_a_file_sent_in_chunks_arrives_whole(
    app, live_server, teacher_headers, random_file, finished
):
    source = random_file(17 * MiB)
    uploader = uploader_for(live_server, teacher_headers(), source)
    uploader.upload()
    assert uploader.url.startswith(live_server)  # Location is an absolute URL
    upload = upload_row(app, uploader.url)
    assert (upload.status, upload.committed_offset) == ("complete", 17 * MiB)
    with app.app_context():
        asset = db.session.get(VideoAsset, upload.asset_id)
        assert asset.source_key == upload.storage_key
        assert asset.source_key.startswith(f"{asset.source_prefix}/")
        assert [job.status for job in asset.jobs] == ["queued"]
        if upload.backend == "local":
            assert not uploads.partial_path(upload).exists()
        else:
            assert [p["number"] for p in upload.parts] == [1, 2, 3]
        assert finished == [(upload.public_id, asset.public_id)]
    assert stored_digest(app, upload.storage_key) == hashlib.sha256(source.read_bytes()).hexdigest()


def test_an_interrupted_upload_resumes_from_the_servers_offset(
    app, live_server, teacher_headers, random_file, finished
):
    source = random_file(17 * MiB)
    headers = teacher_headers()
    first = uploader_for(live_server, headers, source)
    first.upload(stop_at=8 * MiB)  # one chunk, then the laptop lid closes
    assert head_offset(first.url, headers) == 8 * MiB

    # The next request dies halfway through its second part: 8 MiB + 3 MiB of 16 MiB.
    host, port = urlsplit(live_server).netloc.split(":")
    request_head = (
        f"PATCH {urlsplit(first.url).path} HTTP/1.1\r\nHost: {host}:{port}\r\n"
        f"Tus-Resumable: 1.0.0\r\nUpload-Offset: {8 * MiB}\r\n"
        f"Content-Type: application/offset+octet-stream\r\nContent-Length: {9 * MiB}\r\n"
        f"Cookie: {headers['Cookie']}\r\nX-CSRFToken: {headers['X-CSRFToken']}\r\n\r\n"
    ).encode()
    data = source.read_bytes()
    with socket.create_connection((host, int(port))) as connection:
        connection.sendall(request_head + data[8 * MiB : 8 * MiB + 3 * MiB])
        connection.shutdown(socket.SHUT_WR)  # the network drops; the server sees the end
        reply = connection.makefile("rb").read()
    assert reply.startswith(b"HTTP/1.1 204")
    upload = upload_row(app, first.url)
    if upload.backend == "local":  # a dropped request keeps what arrived
        assert head_offset(first.url, headers) == 11 * MiB == bytes_kept(app, upload)
    else:  # S3 keeps whole parts only: the client resends at most one part
        assert head_offset(first.url, headers) == 8 * MiB == bytes_kept(app, upload)

    resumed = uploader_for(live_server, headers, source, url=first.url)  # HEAD for offset
    assert resumed.offset == head_offset(first.url, headers)
    resumed.upload()
    upload = upload_row(app, first.url)
    assert upload.status == "complete" and len(finished) == 1
    assert stored_digest(app, upload.storage_key) == hashlib.sha256(data).hexdigest()


def test_a_wrong_offset_is_a_conflict_and_stores_nothing(
    app, live_server, teacher_headers, finished
):
    headers = teacher_headers()
    url = create(live_server, headers, 17 * MiB).headers["Location"]
    response = patch(url, headers, 4096, b"x" * 8 * MiB)
    assert response.status_code == 409
    assert response.headers["Tus-Resumable"] == "1.0.0"
    assert head_offset(url, headers) == 0 == bytes_kept(app, upload_row(app, url))


def test_local_chunks_count_before_the_database_row_catches_up(
    app, live_server, teacher_headers, finished
):
    """A commit per 8 MiB chunk cost as much as writing it: on local storage the row
    moves at most about once a second, and the partial file's length is the offset."""
    if app.config["LMS_STORAGE"] != "local":
        pytest.skip("local storage only")
    headers = teacher_headers()
    data = os.urandom(3 * MiB)
    url = create(live_server, headers, len(data)).headers["Location"]
    for number in range(2):
        response = patch(url, headers, number * MiB, data[number * MiB : (number + 1) * MiB])
        assert response.status_code == 204
        assert int(response.headers["Upload-Offset"]) == (number + 1) * MiB
    assert head_offset(url, headers) == 2 * MiB
    assert upload_row(app, url).committed_offset <= 2 * MiB  # at most a second behind
    assert patch(url, headers, MiB, data[MiB : 2 * MiB]).status_code == 409
    assert patch(url, headers, 2 * MiB, data[2 * MiB :]).status_code == 204
    upload = upload_row(app, url)
    assert (upload.status, upload.committed_offset) == ("complete", 3 * MiB)
    assert stored_digest(app, upload.storage_key) == hashlib.sha256(data).hexdigest()


def test_an_upload_over_the_size_limit_is_refused_at_creation(
    app, live_server, teacher_headers, finished
):
    app.config["LMS_MAX_UPLOAD_MB"] = 16
    headers = teacher_headers()
    options = requests.options(f"{live_server}/api/v1/uploads")
    assert options.headers["Tus-Max-Size"] == str(16 * MiB)
    response = create(live_server, headers, 16 * MiB + 1)
    assert response.status_code == 413 and "Location" not in response.headers
    with app.app_context():
        assert db.session.scalar(select(Upload)) is None
    assert create(live_server, headers, 16 * MiB).status_code == 201


def test_bytes_beyond_the_declared_length_are_refused_before_they_are_stored(
    app, live_server, teacher_headers, finished
):
    headers = teacher_headers()
    url = create(live_server, headers, 1000).headers["Location"]
    response = patch(url, headers, 0, b"x" * 2000)
    assert response.status_code == 413
    assert head_offset(url, headers) == 0 == bytes_kept(app, upload_row(app, url))
    assert patch(url, headers, 0, b"y" * 1000).status_code == 204
    assert upload_row(app, url).status == "complete"


def test_anonymous_callers_get_401(app, client, csrf_token, live_server, teacher_headers, finished):
    owner_headers = teacher_headers()
    url = create(live_server, owner_headers, 1000).headers["Location"]
    client.delete_cookie("session")
    token = csrf_token()  # an anonymous session with a valid CSRF token
    anonymous = {"Cookie": f"session={client.get_cookie('session').value}", "X-CSRFToken": token}
    response = create(live_server, anonymous, 1000)
    assert response.status_code == 401 and response.json()["error"] == "unauthenticated"
    assert requests.head(url, headers=TUS).status_code == 401
    assert patch(url, anonymous, 0, b"x" * 1000).status_code == 401
    assert head_offset(url, owner_headers) == 0


def test_a_teacher_who_loses_the_right_midway_cannot_finish(
    app, live_server, teacher_headers, finished
):
    headers = teacher_headers()
    url = create(live_server, headers, 1000).headers["Location"]
    uploads.register_upload_purpose("test", lambda user, ident: False, lambda *_: None)
    assert patch(url, headers, 0, b"x" * 1000).status_code == 403
    upload = upload_row(app, url)
    assert (upload.status, upload.committed_offset, upload.asset_id) == ("active", 0, None)


def test_another_users_upload_is_not_found(app, live_server, teacher_headers, finished):
    owner = teacher_headers()
    url = create(live_server, owner, 1000).headers["Location"]
    other = teacher_headers()
    assert requests.head(url, headers={**TUS, **other}).status_code == 404
    refused = patch(url, other, 0, b"x" * 1000)
    assert refused.status_code == 404 and refused.json()["error"] == "not_found"
    assert refused.headers["Tus-Resumable"] == "1.0.0"
    assert requests.delete(url, headers={**TUS, **other}).status_code == 404
    assert head_offset(url, owner) == 0


def test_state_changing_requests_need_the_csrf_header(app, live_server, teacher_headers, finished):
    headers = teacher_headers()
    url = create(live_server, headers, 1000).headers["Location"]
    cookie_only = {"Cookie": headers["Cookie"]}
    assert create(live_server, cookie_only, 1000).status_code == 400
    assert patch(url, cookie_only, 0, b"x" * 1000).status_code == 400
    assert requests.delete(url, headers={**TUS, **cookie_only}).status_code == 400
    assert head_offset(url, headers) == 0


def test_purposes_nobody_registered_or_that_refuse_are_forbidden(
    app, live_server, teacher_headers, finished
):
    headers = teacher_headers()
    assert create(live_server, headers, 1000, purpose="test:not-yours").status_code == 403
    assert create(live_server, headers, 1000, purpose="nobody:1").status_code == 403
    assert create(live_server, headers, 1000, purpose="").status_code == 403


def test_malformed_requests_are_refused_before_anything_is_stored(
    app, live_server, teacher_headers, finished
):
    headers = {**TUS, **teacher_headers()}
    endpoint = f"{live_server}/api/v1/uploads"
    good_metadata = "purpose " + base64.b64encode(b"test:ok").decode()
    for bad in (
        {"Upload-Length": "1000", "Upload-Metadata": "purpose not*base64"},
        {"Upload-Length": "-5", "Upload-Metadata": good_metadata},
        {"Upload-Metadata": good_metadata},
        {"Upload-Length": "0", "Upload-Metadata": good_metadata},
        {"Upload-Defer-Length": "1", "Upload-Metadata": good_metadata},
    ):
        assert requests.post(endpoint, headers={**headers, **bad}).status_code == 400, bad
    url = create(live_server, headers, 1000).headers["Location"]
    as_form = {**headers, "Upload-Offset": "0", "Content-Type": "application/octet-stream"}
    assert requests.patch(url, data=b"x" * 10, headers=as_form).status_code == 415
    no_offset = {**headers, "Content-Type": "application/offset+octet-stream"}
    assert requests.patch(url, data=b"x" * 10, headers=no_offset).status_code == 400
    assert head_offset(url, headers) == 0 == bytes_kept(app, upload_row(app, url))


def test_numbers_in_other_scripts_are_refused_not_a_500(
    app, live_server, teacher_headers, finished
):
    """ "²".isdigit() is true and int("²") raises: headers and purposes take ASCII only."""
    headers = {**TUS, **teacher_headers()}
    endpoint = f"{live_server}/api/v1/uploads"
    good_metadata = "purpose " + base64.b64encode(b"test:ok").decode()
    superscript = "\N{SUPERSCRIPT TWO}"  # a header is Latin-1: "²" fits, "١٢" does not
    bad_length = {"Upload-Length": superscript, "Upload-Metadata": good_metadata}
    assert requests.post(endpoint, headers={**headers, **bad_length}).status_code == 400
    for ident in (superscript, "\u0661\u0662", "99999999999999999999999", ""):
        assert create(live_server, headers, 1000, purpose=f"lesson:{ident}").status_code == 403
    url = create(live_server, headers, 1000).headers["Location"]
    bad_offset = {
        **headers,
        "Upload-Offset": superscript,
        "Content-Type": "application/offset+octet-stream",
    }
    assert requests.patch(url, data=b"x" * 10, headers=bad_offset).status_code == 400
    assert head_offset(url, headers) == 0


def test_a_chunk_of_the_largest_size_passes_and_a_larger_body_is_a_413(
    app, client, login_as, csrf_token, make_user, finished
):
    login_as(make_user("teacher"))
    headers = {**TUS, "X-CSRFToken": csrf_token()}
    chunk = int(client.options("/api/v1/uploads").headers["Lms-Chunk-Size"])
    too_large = (app.config["MAX_CONTENT_LENGTH"] or 12 * MiB) + 1  # None: no limit
    metadata = "purpose " + base64.b64encode(b"test:ok").decode()
    created = client.post(
        "/api/v1/uploads",
        headers={**headers, "Upload-Length": str(chunk + too_large), "Upload-Metadata": metadata},
    )
    url = urlsplit(created.headers["Location"]).path
    as_bytes = {**headers, "Content-Type": "application/offset+octet-stream"}
    response = client.patch(url, data=b"x" * chunk, headers={**as_bytes, "Upload-Offset": "0"})
    assert response.status_code == 204 and response.headers["Upload-Offset"] == str(chunk)
    offset = {**as_bytes, "Upload-Offset": str(chunk)}
    response = client.patch(url, data=b"x" * too_large, headers=offset)
    assert response.status_code == 413 and response.json["error"]
    assert int(client.head(url, headers=headers).headers["Upload-Offset"]) == chunk
    assert bytes_kept(app, upload_row(app, url)) == chunk


def test_the_server_speaks_tus_1_0_0_only(app, live_server, teacher_headers, finished):
    options = requests.options(f"{live_server}/api/v1/uploads")
    assert options.status_code == 204
    assert options.headers["Tus-Version"] == "1.0.0"
    assert options.headers["Tus-Extension"] == "creation,termination"
    assert int(options.headers["Lms-Chunk-Size"]) >= 8 * MiB
    headers = teacher_headers()
    response = requests.post(
        f"{live_server}/api/v1/uploads",
        headers={**headers, "Tus-Resumable": "0.2.2", "Upload-Length": "10"},
    )
    assert response.status_code == 412 and response.headers["Tus-Version"] == "1.0.0"
    assert response.json()["error"] == "unsupported_tus_version"


def test_termination_deletes_what_was_sent(
    app, live_server, teacher_headers, random_file, finished
):
    headers = teacher_headers()
    uploader = uploader_for(live_server, headers, random_file(17 * MiB))
    uploader.upload(stop_at=8 * MiB)
    upload = upload_row(app, uploader.url)
    assert bytes_kept(app, upload) == 8 * MiB
    assert requests.delete(uploader.url, headers={**TUS, **headers}).status_code == 204
    assert requests.head(uploader.url, headers={**TUS, **headers}).status_code == 404
    assert_nothing_kept(app, upload)
    with pytest.raises(TusCommunicationError):
        uploader_for(live_server, headers, random_file(10, "other.mp4"), url=uploader.url)


def test_on_s3_each_chunk_must_be_whole_parts(app, live_server, teacher_headers, finished):
    headers = teacher_headers()
    url = create(live_server, headers, 17 * MiB).headers["Location"]
    if upload_row(app, url).backend == "local":
        assert patch(url, headers, 0, b"x" * MiB).status_code == 204  # any size will do
        return
    response = patch(url, headers, 0, b"x" * MiB)
    assert response.status_code == 400 and str(8 * MiB) in response.json()["message"]
    assert head_offset(url, headers) == 0


def assert_nothing_kept(app, upload):
    with app.app_context():
        if upload.backend == "local":
            assert not uploads.partial_path(upload).exists()
        else:
            storage = get_storage()
            listing = storage.client.list_multipart_uploads(Bucket=storage.bucket)
            assert listing.get("Uploads", []) == []


def test_an_abandoned_upload_is_cleaned_by_the_periodic_task(
    app, live_server, teacher_headers, random_file, finished
):
    headers = teacher_headers()
    uploader = uploader_for(live_server, headers, random_file(17 * MiB))
    uploader.upload(stop_at=8 * MiB)
    recent_url = create(live_server, headers, 1000).headers["Location"]
    abandoned = upload_row(app, uploader.url)
    with app.app_context():
        db.session.get(Upload, abandoned.id).updated_at = utcnow() - timedelta(hours=25)
        db.session.commit()
        assert uploads.clean_abandoned_uploads() == [abandoned.id]
        db.session.commit()
    assert upload_row(app, uploader.url).status == "aborted"
    assert upload_row(app, recent_url).status == "active"  # touched recently: kept
    assert requests.delete(recent_url, headers={**TUS, **headers}).status_code == 204
    assert_nothing_kept(app, abandoned)


def test_a_finished_upload_becomes_a_ready_asset(
    app, live_server, teacher_headers, short_clip, finished
):
    headers = teacher_headers()
    uploader = uploader_for(live_server, headers, short_clip)
    uploader.upload()
    state = requests.get(uploader.url, headers=headers).json()
    assert state["status"] == "complete" and state["offset"] == short_clip.stat().st_size
    head = requests.head(uploader.url, headers={**TUS, **headers})
    assert head.headers["Lms-Asset-Id"] == state["asset_id"]
    with app.app_context():
        asset = db.session.scalar(
            select(VideoAsset).where(VideoAsset.public_id == state["asset_id"])
        )
        assert run_transcode_job(asset.jobs[0].id, "worker-a") == "done"
        db.session.refresh(asset)
        assert asset.status == "ready" and asset.source_filename == short_clip.name
        assert f"{asset.hls_prefix}/master.m3u8" in get_storage().list(asset.hls_prefix)
