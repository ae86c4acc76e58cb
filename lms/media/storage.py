"""The storage backend chosen once from configuration (LMS_STORAGE)."""

import shutil
from contextlib import contextmanager
from pathlib import Path

from flask import Flask, current_app

from media_pipeline import LocalStorage, S3Storage, Storage


def build_storage(config) -> Storage:
    if config["LMS_STORAGE"] == "s3":
        return S3Storage(
            bucket=config["LMS_S3_BUCKET"],
            endpoint_url=config["LMS_S3_ENDPOINT_URL"],
            region=config["LMS_S3_REGION"],
            access_key_id=config["LMS_S3_ACCESS_KEY_ID"],
            secret_access_key=config["LMS_S3_SECRET_ACCESS_KEY"],
            public_endpoint_url=config["LMS_S3_PUBLIC_ENDPOINT_URL"],
        )
    if config["LMS_STORAGE"] != "local":
        raise ValueError(f"LMS_STORAGE must be 'local' or 's3', not {config['LMS_STORAGE']!r}")
    return LocalStorage(config["LMS_MEDIA_PATH"])


def init_storage(app: Flask) -> None:
    app.extensions["lms_storage"] = build_storage(app.config)


def get_storage() -> Storage:
    return current_app.extensions["lms_storage"]


@contextmanager
def local_copy(storage: Storage, key: str, work_dir: Path):
    """A local path holding the object's bytes: the file itself on local storage."""
    if isinstance(storage, LocalStorage):
        yield storage.path_for(key)
        return
    target = work_dir / "source"
    with storage.open(key) as remote, target.open("wb") as local:
        shutil.copyfileobj(remote, local, length=8 * 2**20)
    yield target
