"""LocalStorage: objects are files under a root folder (the default, one machine)."""

from __future__ import annotations

import errno
import os
import shutil
import tempfile
import uuid
from pathlib import Path
from typing import BinaryIO

from media_pipeline.errors import StorageError
from media_pipeline.storage.base import Storage, check_key, check_prefix

# Work folders live in the root (same file system, so os.replace is atomic) under names
# that no key can have: keys never contain a part starting with ".".
_STAGING = ".staging"


class LocalStorage(Storage):
    def __init__(self, root: str | Path) -> None:
        self.root = Path(root).absolute()
        self.root.mkdir(parents=True, exist_ok=True)

    def path_for(self, key: str) -> Path:
        """The file holding ``key`` (for serving it with Range support)."""
        return self.root / check_key(key)

    def put_file(self, local_path: str | Path, key: str, content_type: str | None = None) -> None:
        target = self.path_for(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        handle, temporary = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
        os.close(handle)
        try:
            shutil.copyfile(local_path, temporary)
            os.replace(temporary, target)
        except BaseException:
            Path(temporary).unlink(missing_ok=True)
            raise

    def move_in(self, local_path: str | Path, key: str) -> None:
        """Rename the file into place (no copy); across file systems, copy then rename."""
        target = self.path_for(key)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.replace(local_path, target)
        except OSError as error:
            if error.errno != errno.EXDEV:
                raise
            self.put_file(local_path, key)
            Path(local_path).unlink()

    def put_directory(self, local_dir: str | Path, prefix: str) -> list[str]:
        """Copy the folder aside, then swap it in with two renames: a reader sees the old
        version, for an instant nothing, or the new one, never a mixture; a failed copy
        leaves the prefix as it was."""
        prefix = check_prefix(prefix)
        target = self.root / prefix
        staging_root = self.root / _STAGING
        staging_root.mkdir(exist_ok=True)
        staged = staging_root / uuid.uuid4().hex
        try:
            shutil.copytree(local_dir, staged)
        except BaseException:
            shutil.rmtree(staged, ignore_errors=True)
            raise
        target.parent.mkdir(parents=True, exist_ok=True)
        retired = staging_root / f"{uuid.uuid4().hex}.old"
        if target.exists():
            os.replace(target, retired)
        os.replace(staged, target)
        shutil.rmtree(retired, ignore_errors=True)
        return self.list(prefix)

    def open(self, key: str) -> BinaryIO:
        try:
            return self.path_for(key).open("rb")
        except (FileNotFoundError, IsADirectoryError):
            raise StorageError("not_found", key=key) from None

    def exists(self, key: str) -> bool:
        return self.path_for(key).is_file()

    def size(self, key: str) -> int:
        try:
            return self.path_for(key).stat().st_size
        except FileNotFoundError:
            raise StorageError("not_found", key=key) from None

    def list(self, prefix: str) -> list[str]:
        folder = self.root / check_prefix(prefix)
        if not folder.is_dir():
            return []
        return sorted(
            path.relative_to(self.root).as_posix()
            for path in folder.rglob("*")
            if path.is_file() and not path.name.startswith(".")
        )

    def delete(self, key: str) -> None:
        self.path_for(key).unlink(missing_ok=True)

    def delete_prefix(self, prefix: str) -> int:
        folder = self.root / check_prefix(prefix)
        count = len(self.list(prefix))
        if folder.is_dir():
            # Rename first so a concurrent reader sees the whole prefix vanish at once.
            doomed = self.root / _STAGING / f"{uuid.uuid4().hex}.deleted"
            doomed.parent.mkdir(exist_ok=True)
            os.replace(folder, doomed)
            shutil.rmtree(doomed, ignore_errors=True)
        return count
