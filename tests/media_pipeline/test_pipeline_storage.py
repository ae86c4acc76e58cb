"""Storage on a local folder and on a real S3 protocol server (moto on loopback)."""

import http.client
import os
import socket
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from botocore.exceptions import EndpointConnectionError

from media_pipeline import LocalStorage, StorageError
from media_pipeline.storage import content_type_for

PREFIX = "assets/7"


def write_output(folder: Path, version: str, *, with_poster: bool = True) -> Path:
    """A folder shaped like a transcode result; ``version`` marks its contents."""
    (folder / "240p").mkdir(parents=True)
    (folder / "master.m3u8").write_text(f"#EXTM3U\n# {version}\n240p/index.m3u8\n")
    (folder / "240p" / "index.m3u8").write_text(f"#EXTM3U\n# {version}\n")
    (folder / "240p" / "stream.mp4").write_bytes(version.encode() + os.urandom(200_000))
    if with_poster:
        (folder / "poster.jpg").write_bytes(b"\xff\xd8\xff" + version.encode())
    return folder


EXPECTED_KEYS = [
    f"{PREFIX}/240p/index.m3u8",
    f"{PREFIX}/240p/stream.mp4",
    f"{PREFIX}/master.m3u8",
    f"{PREFIX}/poster.jpg",
]


def test_published_folder_lands_under_the_prefix(storage, tmp_path):
    output = write_output(tmp_path / "out", "v1")

    published = storage.put_directory(output, PREFIX)

    assert sorted(published) == EXPECTED_KEYS == storage.list(PREFIX)
    media = storage.get_bytes(f"{PREFIX}/240p/stream.mp4")
    assert media == (output / "240p" / "stream.mp4").read_bytes()
    assert storage.exists(f"{PREFIX}/master.m3u8")
    with storage.open(f"{PREFIX}/poster.jpg") as poster:
        assert poster.read(3) == b"\xff\xd8\xff"


def test_republishing_overwrites_the_same_keys(storage, tmp_path):
    storage.put_directory(write_output(tmp_path / "first", "v1"), PREFIX)
    storage.put_directory(write_output(tmp_path / "second", "v2"), PREFIX)

    assert storage.list(PREFIX) == EXPECTED_KEYS
    assert storage.get_bytes(f"{PREFIX}/master.m3u8").startswith(b"#EXTM3U\n# v2")
    assert storage.get_bytes(f"{PREFIX}/240p/stream.mp4").startswith(b"v2")


def test_republishing_removes_what_the_new_output_lacks(storage, tmp_path):
    storage.put_directory(write_output(tmp_path / "first", "v1"), PREFIX)
    storage.put_directory(write_output(tmp_path / "second", "v2", with_poster=False), PREFIX)

    assert storage.list(PREFIX) == [k for k in EXPECTED_KEYS if not k.endswith("poster.jpg")]


def test_delete_prefix_removes_one_asset_and_not_its_neighbour(storage, tmp_path):
    output = write_output(tmp_path / "out", "v1")
    storage.put_directory(output, "assets/1")
    storage.put_directory(output, "assets/10")

    assert storage.delete_prefix("assets/1") == 4

    assert storage.list("assets/1") == []
    assert len(storage.list("assets/10")) == 4
    assert storage.delete_prefix("assets/1") == 0


@pytest.mark.parametrize("key", ["", "/etc/passwd", "a/../../b", "a//b", "a/./b", ".hidden/x"])
def test_unsafe_keys_are_refused(storage, tmp_path, key):
    source = tmp_path / "file.txt"
    source.write_text("x")

    with pytest.raises(StorageError) as refused:
        storage.put_file(source, key)

    assert refused.value.code == "invalid_key"


def test_missing_object_is_reported_as_not_found(storage):
    assert not storage.exists("assets/404/master.m3u8")
    with pytest.raises(StorageError) as missing:
        storage.get_bytes("assets/404/master.m3u8")
    assert missing.value.code == "not_found"


def test_content_types_suit_hls():
    assert content_type_for("a/master.m3u8") == "application/vnd.apple.mpegurl"
    assert content_type_for("a/240p/stream.mp4") == "video/mp4"
    assert content_type_for("a/poster.jpg") == "image/jpeg"


# Local folder -----------------------------------------------------------------------


def test_local_copy_failing_midway_leaves_the_published_version(tmp_path):
    storage = LocalStorage(tmp_path / "media")
    storage.put_directory(write_output(tmp_path / "first", "v1"), PREFIX)
    second = write_output(tmp_path / "second", "v2")
    # A file that vanished while being published: the copy fails after the others.
    (second / "240p" / "vanished.mp4").symlink_to(tmp_path / "nowhere")

    with pytest.raises(OSError):
        storage.put_directory(second, PREFIX)

    assert storage.list(PREFIX) == EXPECTED_KEYS
    assert storage.get_bytes(f"{PREFIX}/master.m3u8").startswith(b"#EXTM3U\n# v1")
    assert list((storage.root / ".staging").iterdir()) == [], "no staged copy left behind"


def test_local_path_for_serves_files_inside_the_root(tmp_path):
    storage = LocalStorage(tmp_path / "media")
    storage.put_directory(write_output(tmp_path / "out", "v1"), PREFIX)

    assert storage.path_for(f"{PREFIX}/poster.jpg").read_bytes().startswith(b"\xff\xd8\xff")
    with pytest.raises(StorageError):
        storage.path_for("../outside")


# S3 -----------------------------------------------------------------------------------


def test_s3_objects_carry_their_content_type(s3_storage, tmp_path):
    s3_storage.put_directory(write_output(tmp_path / "out", "v1"), PREFIX)

    head = s3_storage.client.head_object(Bucket=s3_storage.bucket, Key=f"{PREFIX}/master.m3u8")
    assert head["ContentType"] == "application/vnd.apple.mpegurl"


def test_s3_upload_failing_midway_publishes_nothing(s3_storage, tmp_path, monkeypatch):
    # The one mocked part: moto cannot be made to drop a connection on the third upload,
    # so the boto3 client's upload call is wrapped to fail there. Everything else,
    # including the clean-up, talks to the real S3 protocol server.
    real_upload = s3_storage.client.upload_file
    uploaded = []

    def upload_then_fail(filename, bucket, key, **kwargs):
        if len(uploaded) == 2:
            raise EndpointConnectionError(endpoint_url="http://s3.example")
        uploaded.append(key)
        return real_upload(filename, bucket, key, **kwargs)

    monkeypatch.setattr(s3_storage.client, "upload_file", upload_then_fail)

    with pytest.raises(StorageError) as failed:
        s3_storage.put_directory(write_output(tmp_path / "out", "v1"), PREFIX)

    assert failed.value.code == "unavailable"
    assert len(uploaded) == 2
    assert s3_storage.list(PREFIX) == []


def test_s3_uploads_media_before_playlists_and_the_master_last(s3_storage, tmp_path, monkeypatch):
    real_upload = s3_storage.client.upload_file
    order = []

    def recording_upload(filename, bucket, key, **kwargs):
        order.append(key.removeprefix(f"{PREFIX}/"))
        return real_upload(filename, bucket, key, **kwargs)

    monkeypatch.setattr(s3_storage.client, "upload_file", recording_upload)
    s3_storage.put_directory(write_output(tmp_path / "out", "v1"), PREFIX)

    assert order == ["240p/stream.mp4", "poster.jpg", "240p/index.m3u8", "master.m3u8"]


def closed_port() -> int:
    with socket.socket() as probe_socket:
        probe_socket.bind(("127.0.0.1", 0))
        return probe_socket.getsockname()[1]


def test_s3_unreachable_raises_and_publishes_nothing(tmp_path, make_s3):
    unreachable = make_s3(f"http://127.0.0.1:{closed_port()}", max_attempts=2, connect_timeout=1)

    with pytest.raises(StorageError) as failed:
        unreachable.put_directory(write_output(tmp_path / "out", "v1"), PREFIX)

    assert failed.value.code == "unavailable"


def test_presigned_get_honours_range_requests(s3_storage, tmp_path):
    output = write_output(tmp_path / "out", "v1")
    s3_storage.put_directory(output, PREFIX)
    url = s3_storage.presign_get(f"{PREFIX}/240p/stream.mp4", expires=600)

    request = urllib.request.Request(url, headers={"Range": "bytes=100-199"})
    with urllib.request.urlopen(request, timeout=10) as response:
        assert response.status == 206
        assert response.read() == (output / "240p/stream.mp4").read_bytes()[100:200]


def test_presigned_get_uses_the_public_endpoint(s3_endpoint, s3_storage, tmp_path, make_s3):
    public = s3_endpoint.replace("127.0.0.1", "localhost")
    browser_facing = make_s3(s3_endpoint, s3_storage.bucket, public_endpoint_url=public)
    s3_storage.put_directory(write_output(tmp_path / "out", "v1"), PREFIX)

    url = browser_facing.presign_get(f"{PREFIX}/poster.jpg", expires=600)

    assert url.startswith(f"{public}/{s3_storage.bucket}/{PREFIX}/poster.jpg?")
    with urllib.request.urlopen(url.replace("localhost", "127.0.0.1"), timeout=10) as response:
        assert response.read().startswith(b"\xff\xd8\xff")


def test_large_file_goes_up_in_parts(s3_endpoint, tmp_path, make_s3):
    storage = make_s3(s3_endpoint, multipart_threshold=5 * 2**20, multipart_chunksize=5 * 2**20)
    storage.ensure_bucket()
    big = tmp_path / "big.mp4"
    big.write_bytes(os.urandom(11 * 2**20))

    storage.put_file(big, "assets/big/stream.mp4")

    head = storage.client.head_object(Bucket=storage.bucket, Key="assets/big/stream.mp4")
    assert head["ETag"].strip('"').endswith("-3")
    assert storage.get_bytes("assets/big/stream.mp4") == big.read_bytes()


def test_multipart_helpers_assemble_an_object(s3_storage):
    key = "uploads/abc/source.mp4"
    first, second = os.urandom(5 * 2**20), os.urandom(1000)

    upload_id = s3_storage.create_multipart_upload(key)
    etags = [
        s3_storage.upload_part(key, upload_id, 1, first),
        s3_storage.upload_part(key, upload_id, 2, second),
    ]
    parts = s3_storage.list_parts(key, upload_id)
    s3_storage.complete_multipart_upload(key, upload_id, parts)

    assert [(p.part_number, p.etag) for p in parts] == [(1, etags[0]), (2, etags[1])]
    assert s3_storage.get_bytes(key) == first + second


def test_aborted_multipart_upload_leaves_no_object(s3_storage):
    key = "uploads/abandoned/source.mp4"
    upload_id = s3_storage.create_multipart_upload(key)
    s3_storage.upload_part(key, upload_id, 1, b"partial")

    s3_storage.abort_multipart_upload(key, upload_id)

    assert not s3_storage.exists(key)
    with pytest.raises(StorageError):
        s3_storage.list_parts(key, upload_id)


class FlakyProxy(ThreadingHTTPServer):
    """Forwards to the S3 server, but answers the first ``failures`` PUTs with 503."""

    def __init__(self, upstream: str, failures: int) -> None:
        self.upstream = upstream.removeprefix("http://")
        self.failures_left = failures
        self.requests: list[tuple[str, int]] = []
        super().__init__(("127.0.0.1", 0), _ProxyHandler)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.server_address[1]}"


class _ProxyHandler(BaseHTTPRequestHandler):
    server: FlakyProxy
    protocol_version = "HTTP/1.1"  # answers botocore's "Expect: 100-continue" at once

    def log_message(self, *args):
        pass

    def _forward(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", 0)))
        if self.command == "PUT" and self.server.failures_left > 0:
            self.server.failures_left -= 1
            self.server.requests.append((self.command, 503))
            error = b"<Error><Code>SlowDown</Code><Message>Slow down</Message></Error>"
            self.send_response(503)
            self.send_header("Content-Length", str(len(error)))
            self.end_headers()
            self.wfile.write(error)
            return
        upstream = http.client.HTTPConnection(self.server.upstream, timeout=30)
        headers = {k: v for k, v in self.headers.items() if k.lower() != "expect"}
        upstream.request(self.command, self.path, body=body, headers=headers)
        response = upstream.getresponse()
        payload = response.read()
        self.server.requests.append((self.command, response.status))
        self.send_response(response.status)
        for name, value in response.getheaders():
            if name.lower() not in ("transfer-encoding", "connection", "content-length"):
                self.send_header(name, value)
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = _forward


def test_s3_transient_errors_are_retried(s3_endpoint, s3_storage, tmp_path, make_s3):
    proxy = FlakyProxy(s3_endpoint, failures=1)
    thread = threading.Thread(target=proxy.serve_forever, daemon=True)
    thread.start()
    try:
        through_proxy = make_s3(proxy.url, s3_storage.bucket, max_attempts=3)
        through_proxy.put_directory(write_output(tmp_path / "out", "v1"), PREFIX)
    finally:
        proxy.shutdown()
        thread.join()

    assert ("PUT", 503) in proxy.requests
    assert s3_storage.list(PREFIX) == EXPECTED_KEYS


def test_purge_deletes_the_object_and_leaves_its_neighbours(storage, tmp_path):
    source = tmp_path / "evidence.pdf"
    source.write_bytes(b"%PDF- personal")
    for key in ("recognitions/1/a.pdf", "recognitions/1/a.pdf.old"):
        storage.put_file(source, key)
    storage.purge("recognitions/1/a.pdf")
    storage.purge("recognitions/1/never-stored.pdf")  # absent: not an error
    assert storage.list("recognitions/1") == ["recognitions/1/a.pdf.old"]


def test_purge_on_a_versioned_bucket_deletes_every_version(s3_storage, tmp_path):
    client, bucket = s3_storage.client, s3_storage.bucket
    client.put_bucket_versioning(Bucket=bucket, VersioningConfiguration={"Status": "Enabled"})
    source = tmp_path / "evidence.pdf"
    for content in (b"%PDF- first", b"%PDF- second"):
        source.write_bytes(content)
        s3_storage.put_file(source, "recognitions/1/a.pdf")
    s3_storage.delete("recognitions/1/a.pdf")  # a plain delete only adds a marker
    s3_storage.put_file(source, "recognitions/1/a.pdf.old")
    s3_storage.put_file(source, "recognitions/1/a.pdf")
    s3_storage.purge("recognitions/1/a.pdf")
    listing = client.list_object_versions(Bucket=bucket, Prefix="recognitions/1/")
    left = [v["Key"] for v in listing.get("Versions", []) + listing.get("DeleteMarkers", [])]
    assert left == ["recognitions/1/a.pdf.old"]
