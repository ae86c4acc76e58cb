"""The storage interface: keys are "/"-separated relative paths under one root or bucket.

Publishing a transcoded folder is all-or-nothing: files go up media first and master
playlist last; if any upload fails, everything under the prefix is deleted and the error
re-raised, so a player never finds a playlist that points at missing media.
"""

from __future__ import annotations

import contextlib
import mimetypes
from abc import ABC, abstractmethod
from pathlib import Path
from typing import BinaryIO

from media_pipeline.errors import StorageError

CONTENT_TYPES = {
    ".m3u8": "application/vnd.apple.mpegurl",
    ".mp4": "video/mp4",
    ".m4s": "video/iso.segment",
    ".ts": "video/mp2t",
    ".jpg": "image/jpeg",
    ".json": "application/json",
}


def content_type_for(key: str) -> str:
    suffix = Path(key).suffix.lower()
    return CONTENT_TYPES.get(suffix) or mimetypes.guess_type(key)[0] or "application/octet-stream"


def check_key(key: str) -> str:
    """A key is a relative path of plain names: no "..", no hidden names, no backslashes."""
    parts = key.split("/")
    if not key or "\\" in key or "\x00" in key or any(p in ("", ".", "..") for p in parts):
        raise StorageError("invalid_key", key=key)
    if any(p.startswith(".") for p in parts):
        raise StorageError("invalid_key", key=key)
    return key


def check_prefix(prefix: str) -> str:
    """The prefix without its trailing slash; the empty prefix (everything) is refused."""
    return check_key(prefix.rstrip("/"))


def publish_order(local_dir: Path) -> list[tuple[Path, str]]:
    """(file, relative key) pairs: media and images first, then playlists, master last."""
    files = [path for path in local_dir.rglob("*") if path.is_file()]

    def rank(path: Path) -> tuple[int, str]:
        relative = path.relative_to(local_dir).as_posix()
        if path.suffix != ".m3u8":
            return 0, relative
        return (2 if "/" not in relative else 1), relative

    return [(path, path.relative_to(local_dir).as_posix()) for path in sorted(files, key=rank)]


class Storage(ABC):
    @abstractmethod
    def put_file(self, local_path: str | Path, key: str, content_type: str | None = None) -> None:
        """Store a local file under ``key``, replacing any object there."""

    @abstractmethod
    def open(self, key: str) -> BinaryIO:
        """A binary file object reading the object; StorageError("not_found") if absent."""

    @abstractmethod
    def exists(self, key: str) -> bool: ...

    @abstractmethod
    def list(self, prefix: str) -> list[str]:
        """Every key under ``prefix/``, sorted."""

    @abstractmethod
    def delete(self, key: str) -> None:
        """Delete one object; deleting an absent key is not an error."""

    def purge(self, key: str) -> None:
        """Delete one object so that no copy stays in the store (personal data on
        erasure): on storage that keeps earlier versions, those go too."""
        self.delete(key)

    @abstractmethod
    def delete_prefix(self, prefix: str) -> int:
        """Delete every object under ``prefix/``; returns how many were deleted."""

    def get_bytes(self, key: str) -> bytes:
        with self.open(key) as file:
            return file.read()

    def size(self, key: str) -> int:
        """The object's length in bytes; StorageError("not_found") if absent."""
        return len(self.get_bytes(key))

    def move_in(self, local_path: str | Path, key: str) -> None:
        """Store a local file under ``key`` and remove the local file (it is consumed)."""
        self.put_file(local_path, key)
        Path(local_path).unlink()

    def put_directory(self, local_dir: str | Path, prefix: str) -> list[str]:
        """Publish the files of ``local_dir`` under ``prefix/``, replacing what was there.

        Objects under the prefix that the folder does not have are removed afterwards,
        so a re-run leaves exactly the new output. Returns the published keys.
        """
        prefix = check_prefix(prefix)
        published: list[str] = []
        try:
            for path, relative in publish_order(Path(local_dir)):
                key = f"{prefix}/{relative}"
                self.put_file(path, key)
                published.append(key)
        except BaseException:
            self._discard(prefix)
            raise
        stale = set(self.list(prefix)) - set(published)
        for key in sorted(stale):
            self.delete(key)
        return published

    def _discard(self, prefix: str) -> None:
        # If the store is unreachable, the original error is the one to report.
        with contextlib.suppress(StorageError):
            self.delete_prefix(prefix)
