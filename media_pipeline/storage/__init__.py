"""Storage backends for published media: a local folder or an S3-compatible bucket."""

from media_pipeline.storage.base import Storage, content_type_for
from media_pipeline.storage.local import LocalStorage
from media_pipeline.storage.s3 import S3Storage, UploadedPart

__all__ = ["LocalStorage", "S3Storage", "Storage", "UploadedPart", "content_type_for"]
