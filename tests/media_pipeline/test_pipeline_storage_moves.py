"""Storage additions for resumable uploads: moving a finished file in, streamed parts."""

import io
import os

import pytest

from media_pipeline import StorageError


def test_move_in_consumes_the_local_file(storage, tmp_path):
    partial = tmp_path / "upload.part"
    partial.write_bytes(b"lesson bytes")
    storage.move_in(partial, "sources/abc/source.mp4")
    assert not partial.exists()
    assert storage.get_bytes("sources/abc/source.mp4") == b"lesson bytes"


def test_local_move_in_is_a_rename_not_a_copy(tmp_path):
    from media_pipeline import LocalStorage

    storage = LocalStorage(tmp_path / "media")
    partial = tmp_path / "upload.part"
    partial.write_bytes(b"x" * 1000)
    inode = partial.stat().st_ino
    storage.move_in(partial, "sources/abc/source.mp4")
    assert storage.path_for("sources/abc/source.mp4").stat().st_ino == inode


class OneWayStream:
    """A request body: read() only, no seek, no len."""

    def __init__(self, data: bytes, fail_after: int | None = None):
        self.source = io.BytesIO(data)
        self.fail_after = fail_after

    def read(self, size=-1):
        if self.fail_after is not None and self.source.tell() >= self.fail_after:
            raise ConnectionResetError("client went away")
        return self.source.read(size)


def test_parts_stream_from_a_body_that_cannot_seek(s3_storage):
    key = "sources/streamed/source.mp4"
    upload_id = s3_storage.create_multipart_upload(key)
    first, second = os.urandom(5 * 2**20), os.urandom(1000)
    etags = [
        s3_storage.upload_part_stream(key, upload_id, 1, OneWayStream(first), len(first)),
        s3_storage.upload_part_stream(key, upload_id, 2, OneWayStream(second), len(second)),
    ]
    s3_storage.complete_multipart_upload(key, upload_id, list(enumerate(etags, start=1)))
    assert s3_storage.get_bytes(key) == first + second


def test_a_part_cut_short_is_not_kept(s3_storage):
    key = "sources/cut/source.mp4"
    upload_id = s3_storage.create_multipart_upload(key)
    data = os.urandom(2 * 2**20)
    with pytest.raises(StorageError):
        s3_storage.upload_part_stream(
            key, upload_id, 1, OneWayStream(data, fail_after=2**20), len(data)
        )
    assert s3_storage.list_parts(key, upload_id) == []
    s3_storage.abort_multipart_upload(key, upload_id)
