"""S3Storage: any S3-compatible store through boto3 (MinIO, Ceph RGW, AWS, Aliyun OSS).

Path-style addressing (``http://host/bucket/key``) works with MinIO and needs no
wildcard DNS. Presigned URLs are signed for the public endpoint, the host browsers use,
which may differ from the endpoint the servers reach.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, BinaryIO

from media_pipeline.errors import StorageError
from media_pipeline.storage.base import Storage, check_key, check_prefix, content_type_for

if TYPE_CHECKING:
    from botocore.exceptions import ClientError

_MISSING = {"404", "NoSuchKey", "NotFound"}


@dataclass(frozen=True)
class UploadedPart:
    part_number: int
    etag: str
    size: int | None = None


class S3Storage(Storage):
    def __init__(
        self,
        bucket: str,
        endpoint_url: str | None = None,
        region: str | None = None,
        access_key_id: str | None = None,
        secret_access_key: str | None = None,
        public_endpoint_url: str | None = None,
        *,
        multipart_threshold: int = 64 * 2**20,
        multipart_chunksize: int = 16 * 2**20,
        max_attempts: int = 5,
        connect_timeout: float = 5.0,
        read_timeout: float = 60.0,
    ) -> None:
        # boto3 is imported here, not at the top: a process on local storage never needs
        # it (~8 MiB). The clients are made on first use (``_clients``).
        import boto3
        from boto3.s3.transfer import TransferConfig
        from botocore.config import Config

        self.bucket = bucket
        self._session = boto3.session.Session(
            aws_access_key_id=access_key_id,
            aws_secret_access_key=secret_access_key,
            region_name=region or "us-east-1",
        )
        self._config = Config(
            s3={"addressing_style": "path"},
            signature_version="s3v4",
            retries={"max_attempts": max_attempts, "mode": "standard"},
            connect_timeout=connect_timeout,
            read_timeout=read_timeout,
        )
        self._endpoint_url, self._public_endpoint_url = endpoint_url, public_endpoint_url
        self._clients_made: tuple[Any, Any] | None = None
        self._streaming_client: Any = None
        self._connecting = threading.Lock()  # a boto3 session is not thread-safe
        self.transfer_config = TransferConfig(
            multipart_threshold=multipart_threshold,
            multipart_chunksize=multipart_chunksize,
            max_concurrency=4,
        )

    @property
    def client(self) -> Any:
        return self._clients()[0]

    @property
    def _presigner(self) -> Any:
        return self._clients()[1]

    def _clients(self) -> tuple[Any, Any]:
        """The client and the presigner, made on first use: botocore loads its endpoint
        table and the S3 model for them (~15 MiB), which a process that never reaches
        the bucket (a command, a web worker before its first media request) does without."""
        if self._clients_made is None:
            with self._connecting:
                if self._clients_made is None:
                    client = self._session.client(
                        "s3", endpoint_url=self._endpoint_url, config=self._config
                    )
                    public = self._public_endpoint_url
                    presigner = (
                        self._session.client("s3", endpoint_url=public, config=self._config)
                        if public and public != self._endpoint_url
                        else client
                    )
                    self._clients_made = (client, presigner)
        return self._clients_made

    def ensure_bucket(self) -> None:
        """Create the bucket if it does not exist (for first runs and tests)."""
        from botocore.exceptions import ClientError

        with _translated(self.bucket):
            try:
                self.client.head_bucket(Bucket=self.bucket)
            except ClientError as error:
                if _error_code(error) not in _MISSING:
                    raise
                self.client.create_bucket(Bucket=self.bucket)

    def put_file(self, local_path: str | Path, key: str, content_type: str | None = None) -> None:
        check_key(key)
        extra = {"ContentType": content_type or content_type_for(key)}
        with _translated(key):
            self.client.upload_file(
                str(local_path), self.bucket, key, ExtraArgs=extra, Config=self.transfer_config
            )

    def open(self, key: str) -> BinaryIO:
        with _translated(check_key(key)):
            return self.client.get_object(Bucket=self.bucket, Key=key)["Body"]

    def get_bytes(self, key: str) -> bytes:
        with _translated(key), self.open(key) as body:
            return body.read()

    def exists(self, key: str) -> bool:
        try:
            with _translated(check_key(key)):
                self.client.head_object(Bucket=self.bucket, Key=key)
        except StorageError as error:
            if error.code == "not_found":
                return False
            raise
        return True

    def size(self, key: str) -> int:
        with _translated(check_key(key)):
            return self.client.head_object(Bucket=self.bucket, Key=key)["ContentLength"]

    def list(self, prefix: str) -> list[str]:
        return sorted(self._keys(check_prefix(prefix) + "/"))

    def delete(self, key: str) -> None:
        with _translated(check_key(key)):
            self.client.delete_object(Bucket=self.bucket, Key=key)

    def purge(self, key: str) -> None:
        """Delete every version and delete marker of ``key`` (a versioned bucket keeps
        what a plain delete removes); the bucket needs s3:DeleteObjectVersion for it."""
        with _translated(check_key(key)):
            paginator = self.client.get_paginator("list_object_versions")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=key):
                for version in page.get("Versions", []) + page.get("DeleteMarkers", []):
                    if version["Key"] == key:  # the prefix also matches longer keys
                        self.client.delete_object(
                            Bucket=self.bucket, Key=key, VersionId=version["VersionId"]
                        )

    def delete_prefix(self, prefix: str) -> int:
        keys = list(self._keys(check_prefix(prefix) + "/"))
        for start in range(0, len(keys), 1000):
            batch = keys[start : start + 1000]
            with _translated(prefix):
                response = self.client.delete_objects(
                    Bucket=self.bucket,
                    Delete={"Objects": [{"Key": key} for key in batch], "Quiet": True},
                )
            if response.get("Errors"):
                first = response["Errors"][0]
                raise StorageError("failed", key=first.get("Key"), detail=first.get("Message"))
        return len(keys)

    def presign_get(self, key: str, expires: int = 3600) -> str:
        """A GET URL on the public endpoint, valid for ``expires`` seconds (Range works)."""
        return self._presigner.generate_presigned_url(
            "get_object", Params={"Bucket": self.bucket, "Key": check_key(key)}, ExpiresIn=expires
        )

    # Low-level multipart uploads, for resumable uploads straight from a browser.

    def create_multipart_upload(self, key: str, content_type: str | None = None) -> str:
        with _translated(check_key(key)):
            response = self.client.create_multipart_upload(
                Bucket=self.bucket, Key=key, ContentType=content_type or content_type_for(key)
            )
        return response["UploadId"]

    def upload_part(
        self, key: str, upload_id: str, part_number: int, body: bytes | BinaryIO
    ) -> str:
        with _translated(key):
            response = self.client.upload_part(
                Bucket=self.bucket, Key=key, UploadId=upload_id, PartNumber=part_number, Body=body
            )
        return response["ETag"]

    def upload_part_stream(
        self, key: str, upload_id: str, part_number: int, stream: BinaryIO, length: int
    ) -> str:
        """Upload one part read from a stream that cannot seek, without holding it.

        The body goes out as it is read: the payload is unsigned (S3 allows that; over
        TLS the connection protects it) and no checksum is computed first, since either
        would need the whole part in hand. A stream cannot be replayed, so there is no
        retry: when this fails, the caller sends the part again.
        """
        with _translated(check_key(key)):
            response = self._streaming().upload_part(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                PartNumber=part_number,
                Body=stream,
                ContentLength=length,
            )
        return response["ETag"]

    def _streaming(self) -> Any:
        if self._streaming_client is None:
            from botocore.config import Config

            config = self._config.merge(
                Config(
                    s3={"addressing_style": "path", "payload_signing_enabled": False},
                    request_checksum_calculation="when_required",
                    retries={"max_attempts": 1, "mode": "standard"},
                )
            )
            with self._connecting:
                if self._streaming_client is None:
                    self._streaming_client = self._session.client(
                        "s3", endpoint_url=self._endpoint_url, config=config
                    )
        return self._streaming_client

    def presign_upload_part(
        self, key: str, upload_id: str, part_number: int, expires: int = 3600
    ) -> str:
        return self._presigner.generate_presigned_url(
            "upload_part",
            Params={
                "Bucket": self.bucket,
                "Key": check_key(key),
                "UploadId": upload_id,
                "PartNumber": part_number,
            },
            ExpiresIn=expires,
        )

    def list_parts(self, key: str, upload_id: str) -> list[UploadedPart]:
        parts: list[UploadedPart] = []
        with _translated(key):
            paginator = self.client.get_paginator("list_parts")
            for page in paginator.paginate(Bucket=self.bucket, Key=key, UploadId=upload_id):
                parts += [
                    UploadedPart(part["PartNumber"], part["ETag"], part.get("Size"))
                    for part in page.get("Parts", [])
                ]
        return parts

    def complete_multipart_upload(
        self, key: str, upload_id: str, parts: list[UploadedPart] | list[tuple[int, str]]
    ) -> None:
        numbered = sorted(
            (p.part_number, p.etag) if isinstance(p, UploadedPart) else tuple(p) for p in parts
        )
        with _translated(key):
            self.client.complete_multipart_upload(
                Bucket=self.bucket,
                Key=key,
                UploadId=upload_id,
                MultipartUpload={
                    "Parts": [{"PartNumber": number, "ETag": etag} for number, etag in numbered]
                },
            )

    def abort_multipart_upload(self, key: str, upload_id: str) -> None:
        with _translated(key):
            self.client.abort_multipart_upload(Bucket=self.bucket, Key=key, UploadId=upload_id)

    def _keys(self, prefix: str) -> Iterator[str]:
        with _translated(prefix):
            paginator = self.client.get_paginator("list_objects_v2")
            for page in paginator.paginate(Bucket=self.bucket, Prefix=prefix):
                for item in page.get("Contents", []):
                    yield item["Key"]


@contextmanager
def _translated(key: str) -> Iterator[None]:
    """botocore's and boto3's exceptions as StorageError with a stable code."""
    from boto3.exceptions import Boto3Error  # loaded by then: an S3Storage exists
    from botocore.exceptions import BotoCoreError, ClientError, ConnectionError

    try:
        yield
    except ClientError as error:
        code = "not_found" if _error_code(error) in _MISSING else "failed"
        raise StorageError(code, key=key, detail=str(error)) from error
    except ConnectionError as error:
        raise StorageError("unavailable", detail=str(error)) from error
    except (BotoCoreError, Boto3Error) as error:
        cause = error.__cause__ or error.__context__
        if isinstance(cause, ConnectionError) or "Could not connect" in str(error):
            raise StorageError("unavailable", detail=str(error)) from error
        raise StorageError("failed", key=key, detail=str(error)) from error


def _error_code(error: ClientError) -> str:
    response: dict[str, Any] = error.response
    return str(response.get("Error", {}).get("Code", ""))
