"""Backups: `flask lms backup DEST` and `flask lms restore SRC`.

A backup is a folder: the database (SQLite through its online backup API, so the site
may keep running; PostgreSQL through ``pg_dump`` in custom format), the local media
folder when storage is local, and ``manifest.json`` with the schema revision, the row
count of every table and a SHA-256 of every file. On PostgreSQL the counts and the dump
come from one exported snapshot, so they agree even while the site writes.

A restore checks every checksum first, refuses a target that holds data unless told
``--force``, replaces the database in one go (SQLite: a file swapped in; PostgreSQL:
drop and reload in a single psql transaction), copies the media back and compares the
row counts with the manifest. Stop the web nodes and workers while restoring.

Media on S3 are not copied: the bucket keeps them (versioning, `mc mirror`; see
docs/operations.md, "Running on several machines").
"""

import glob
import hashlib
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tempfile
from datetime import UTC, datetime
from pathlib import Path

from flask import current_app
from sqlalchemy import inspect, text

from lms.extensions import db

MANIFEST = "manifest.json"
SQLITE_FILE = "database.sqlite"
POSTGRES_FILE = "database.pgdump"
MEDIA_DIR = "media"
FORMAT = 1
CHUNK = 4 * 2**20


class BackupError(Exception):
    """A backup or restore cannot go on; the message says why, in one line."""


# Files ------------------------------------------------------------------------------------


def sha256_of(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        while chunk := handle.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def _copy_hashing(source: Path, target: Path) -> dict:
    digest, size = hashlib.sha256(), 0
    target.parent.mkdir(parents=True, exist_ok=True)
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(CHUNK):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
    return {"size": size, "sha256": digest.hexdigest()}


def media_files(root: Path) -> list[Path]:
    """Stored objects under the media folder; work files (hidden names) are skipped."""
    if not root.is_dir():
        return []
    return sorted(
        path
        for path in root.rglob("*")
        if path.is_file() and not any(part.startswith(".") for part in path.relative_to(root).parts)
    )


# PostgreSQL tools -------------------------------------------------------------------------


def find_pg_tool(name: str) -> str:
    """The newest installed ``name`` (pg_dump, pg_restore, psql): Debian keeps each major
    version under /usr/lib/postgresql/N/bin; a newer tool reads older servers."""

    def major(path: str) -> int:
        found = re.search(r"/postgresql/(\d+)/", path)
        return int(found.group(1)) if found else 0

    candidates = sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"), key=major, reverse=True)
    candidates.append(shutil.which(name) or "")
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return candidate
    raise BackupError(f"{name} is not installed (Debian: apt-get install postgresql-client)")


def _libpq(url) -> tuple[str, dict]:
    """A libpq connection URI without the password, and the environment carrying it."""
    environ = dict(os.environ)
    if url.password:
        environ["PGPASSWORD"] = str(url.password)
    uri = url.set(drivername="postgresql", password=None).render_as_string(hide_password=False)
    return uri, environ


def _run(args: list[str], environ: dict, what: str, **options) -> None:
    completed = subprocess.run(args, env=environ, capture_output=True, text=True, **options)
    if completed.returncode != 0:
        lines = [line for line in completed.stderr.splitlines() if line.strip()]
        raise BackupError(f"{what} failed: {lines[-1] if lines else completed.returncode}")


# Counting ---------------------------------------------------------------------------------


def _quoted(name: str) -> str:
    return '"' + name.replace('"', '""') + '"'


def _count_rows(connection, tables: list[str]) -> dict[str, int]:
    return {
        table: connection.execute(text(f"SELECT count(*) FROM {_quoted(table)}")).scalar()
        for table in sorted(tables)
    }


def _revision(connection, tables) -> str | None:
    if "alembic_version" not in tables:
        return None
    return connection.execute(text("SELECT version_num FROM alembic_version")).scalar()


def table_counts() -> dict[str, int]:
    """Rows per table of the app's database, as it is now."""
    with db.engine.connect() as connection:
        return _count_rows(connection, inspect(connection).get_table_names())


# Backup -----------------------------------------------------------------------------------


def backup(dest: Path) -> dict:
    """Write a backup of this deployment into the new (or empty) folder ``dest``."""
    dest = Path(dest)
    if dest.exists() and (not dest.is_dir() or any(dest.iterdir())):
        raise BackupError(f"{dest} exists and is not an empty folder")
    dest.mkdir(parents=True, exist_ok=True)
    engine = db.engine
    if engine.dialect.name == "sqlite":
        database = _backup_sqlite(Path(engine.url.database), dest / SQLITE_FILE)
    elif engine.dialect.name == "postgresql":
        database = _backup_postgres(engine, dest / POSTGRES_FILE)
    else:
        raise BackupError(f"cannot back up a {engine.dialect.name} database")
    files = {database["file"]: _file_entry(dest / database["file"])}
    config = current_app.config
    storage = {"kind": config["LMS_STORAGE"]}
    if config["LMS_STORAGE"] == "local":
        root = Path(config["LMS_MEDIA_PATH"])
        for path in media_files(root):
            relative = f"{MEDIA_DIR}/{path.relative_to(root).as_posix()}"
            files[relative] = _copy_hashing(path, dest / relative)
    else:
        storage["bucket"] = config["LMS_S3_BUCKET"]
        storage["endpoint"] = config["LMS_S3_ENDPOINT_URL"]
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "database": database,
        "storage": storage,
        "files": files,
    }
    partial = dest / f".{MANIFEST}.partial"
    partial.write_text(json.dumps(manifest, indent=2, ensure_ascii=False) + "\n")
    os.replace(partial, dest / MANIFEST)  # a backup without its manifest is unfinished
    return manifest


def _file_entry(path: Path) -> dict:
    return {"size": path.stat().st_size, "sha256": sha256_of(path)}


def _backup_sqlite(source: Path, target: Path) -> dict:
    if not source.is_file():
        raise BackupError(f"the SQLite database {source} does not exist")
    reader = sqlite3.connect(f"file:{source}?mode=ro", uri=True)
    writer = sqlite3.connect(target)
    try:
        reader.backup(writer)  # page by page, consistent, while others keep writing
        tables = [
            row[0]
            for row in writer.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
            )
        ]
        counts = {
            t: writer.execute(f"SELECT count(*) FROM {_quoted(t)}").fetchone()[0] for t in tables
        }
        revision = None
        if "alembic_version" in tables:
            revision = writer.execute("SELECT version_num FROM alembic_version").fetchone()
            revision = revision[0] if revision else None
    finally:
        writer.close()
        reader.close()
    return {
        "kind": "sqlite",
        "file": SQLITE_FILE,
        "revision": revision,
        "tables": dict(sorted(counts.items())),
    }


def _backup_postgres(engine, target: Path) -> dict:
    pg_dump = find_pg_tool("pg_dump")
    uri, environ = _libpq(engine.url)
    connection = engine.connect().execution_options(isolation_level="REPEATABLE READ")
    with connection, connection.begin():
        snapshot = connection.execute(text("SELECT pg_export_snapshot()")).scalar()
        tables = inspect(connection).get_table_names()
        counts = _count_rows(connection, tables)
        revision = _revision(connection, tables)
        # pg_dump reads the very snapshot counted above while this transaction lives.
        _run(
            [pg_dump, "--format=custom", "--no-owner", "--no-privileges",
             f"--snapshot={snapshot}", f"--file={target}", f"--dbname={uri}"],
            environ, "pg_dump",
        )  # fmt: skip
    return {"kind": "postgresql", "file": POSTGRES_FILE, "revision": revision, "tables": counts}


# Restore ----------------------------------------------------------------------------------


def read_manifest(src: Path) -> dict:
    path = Path(src) / MANIFEST
    if not path.is_file():
        raise BackupError(f"{src} holds no {MANIFEST}: not a backup, or an unfinished one")
    manifest = json.loads(path.read_text())
    if manifest.get("format") != FORMAT:
        raise BackupError(f"{path}: unknown backup format {manifest.get('format')!r}")
    return manifest


def verify_files(src: Path, manifest: dict) -> None:
    """Every file the manifest lists is there with its size and checksum."""
    for relative, expected in manifest["files"].items():
        path = Path(src) / relative
        if not path.is_file():
            raise BackupError(f"the backup is missing {relative}")
        if path.stat().st_size != expected["size"] or sha256_of(path) != expected["sha256"]:
            raise BackupError(f"the backup's {relative} does not match its checksum")


def what_the_target_holds() -> list[str]:
    """Why the target is not empty: tables with rows (the schema revision aside), media."""
    held = [
        f"{table}: {count} rows"
        for table, count in table_counts().items()
        if count and table != "alembic_version"
    ]
    config = current_app.config
    if config["LMS_STORAGE"] == "local" and media_files(Path(config["LMS_MEDIA_PATH"])):
        held.append(f"media files in {config['LMS_MEDIA_PATH']}")
    return held


def restore(src: Path, *, force: bool = False) -> dict:
    """Replace this deployment's database (and local media) with the backup in ``src``."""
    src = Path(src)
    manifest = read_manifest(src)
    verify_files(src, manifest)
    engine = db.engine
    kind = manifest["database"]["kind"]
    if kind != engine.dialect.name:
        raise BackupError(f"a {kind} backup cannot be restored into {engine.dialect.name}")
    if not force:
        held = what_the_target_holds()
        if held:
            raise BackupError(
                f"the target is not empty ({'; '.join(held[:5])}"
                f"{'; …' if len(held) > 5 else ''}): restore with --force to replace it"
            )
    db.session.remove()
    engine.dispose()
    if kind == "sqlite":
        _restore_sqlite(src / manifest["database"]["file"], Path(engine.url.database))
    else:
        _restore_postgres(src / manifest["database"]["file"], engine)
    engine.dispose()
    media = _restore_media(src, manifest)
    counts = table_counts()
    expected = manifest["database"]["tables"]
    differing = [t for t in expected if counts.get(t) != expected[t]]
    if differing:
        raise BackupError(f"restored row counts differ from the manifest in {', '.join(differing)}")
    return {"tables": len(counts), "rows": sum(counts.values()), "media_files": media}


def _restore_sqlite(backup_file: Path, target: Path) -> None:
    target.parent.mkdir(parents=True, exist_ok=True)
    handle, staged = tempfile.mkstemp(dir=target.parent, prefix=".restore-", suffix=".sqlite")
    os.close(handle)
    try:
        reader = sqlite3.connect(f"file:{backup_file}?mode=ro", uri=True)
        writer = sqlite3.connect(staged)
        try:
            reader.backup(writer)
        finally:
            writer.close()
            reader.close()
        for leftover in (Path(f"{target}-wal"), Path(f"{target}-shm")):
            leftover.unlink(missing_ok=True)
        os.replace(staged, target)
    finally:
        Path(staged).unlink(missing_ok=True)


# Drops every table of the connection's schema: the reload below recreates them.
_DROP_TABLES = """
DO $$
DECLARE name text;
BEGIN
  FOR name IN SELECT quote_ident(tablename) FROM pg_tables WHERE schemaname = current_schema()
  LOOP
    EXECUTE 'DROP TABLE IF EXISTS ' || name || ' CASCADE';
  END LOOP;
END $$;
"""


def _restore_postgres(dump: Path, engine) -> None:
    pg_restore, psql = find_pg_tool("pg_restore"), find_pg_tool("psql")
    uri, environ = _libpq(engine.url)
    with tempfile.TemporaryDirectory() as work:
        script = Path(work) / "restore.sql"
        _run([pg_restore, "--no-owner", "--no-privileges", f"--file={script}", str(dump)],
             environ, "pg_restore")  # fmt: skip
        drop = Path(work) / "drop.sql"
        drop.write_text(_DROP_TABLES)
        # One transaction: the old tables go and the backup's arrive together, or neither.
        _run([psql, "--no-psqlrc", "--quiet", "--single-transaction", "-v", "ON_ERROR_STOP=1",
              f"--file={drop}", f"--file={script}", f"--dbname={uri}"],
             environ, "psql")  # fmt: skip


def _restore_media(src: Path, manifest: dict) -> int:
    config = current_app.config
    prefix = f"{MEDIA_DIR}/"
    entries = {k[len(prefix) :]: v for k, v in manifest["files"].items() if k.startswith(prefix)}
    if config["LMS_STORAGE"] != "local":
        return 0
    root = Path(config["LMS_MEDIA_PATH"])
    for path in media_files(root):
        path.unlink()
    for relative in entries:
        _copy_hashing(src / MEDIA_DIR / relative, root / relative)
    return len(entries)
