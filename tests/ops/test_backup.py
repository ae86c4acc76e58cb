"""Back up, wipe, restore: every row and every media file comes back and the ledger
still verifies; on SQLite and on PostgreSQL (restored into a database of its own)."""

import json
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url

from lms.extensions import db
from lms.ops.backup import MANIFEST, media_files, sha256_of
from tests.apps import TEST_DATABASE_URL, build_app
from tests.ops.helpers import run_cli

pytestmark = pytest.mark.slow  # backups of a whole demo database


def seed_demo(app, monkeypatch) -> None:
    """The demo data of every domain, with the transcodes marked done instead of run."""
    import lms.courses.cli
    from lms.media import jobs

    def transcoded(job_id, worker_id):
        jobs.claim_job(job_id, worker_id)
        asset = db.session.get(jobs.TranscodeJob, job_id).asset
        asset.duration, asset.width, asset.height = 8.0, 640, 360
        jobs._finish(job_id, worker_id, "done")
        return "done"

    monkeypatch.setattr(lms.courses.cli, "run_transcode_job", transcoded)
    result = run_cli(app, "seed-demo", "--clip-seconds", "2")
    assert result.exit_code == 0, result.output


def rows_of(app) -> dict[str, list[tuple]]:
    with app.app_context(), db.engine.connect() as connection:
        rows = {
            table.name: [
                tuple(row)
                for row in connection.execute(
                    select(table).order_by(*(table.primary_key.columns or table.columns))
                )
            ]
            for table in db.metadata.sorted_tables
        }
        rows["alembic_version"] = [
            tuple(row) for row in connection.execute(text("SELECT * FROM alembic_version"))
        ]
    return rows


def files_of(app) -> dict[str, str]:
    root = Path(app.config["LMS_MEDIA_PATH"])
    return {path.relative_to(root).as_posix(): sha256_of(path) for path in media_files(root)}


@pytest.fixture
def empty_database(database_url, tmp_path):
    """A new, empty database on the same engine: a file, or `lms_restore_test_<random>`."""
    if database_url.startswith("sqlite"):
        yield f"sqlite:///{tmp_path / 'restored.sqlite'}"
        return
    name = f"lms_restore_test_{uuid.uuid4().hex[:12]}"
    server = make_url(TEST_DATABASE_URL).set(drivername="postgresql+psycopg")
    admin = create_engine(server, isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        connection.execute(text(f'CREATE DATABASE "{name}"'))
    try:
        yield server.set(database=name).render_as_string(hide_password=False)
    finally:
        with admin.connect() as connection:
            connection.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        admin.dispose()


def test_backup_wipe_restore_finds_every_row_and_file(app, empty_database, tmp_path, monkeypatch):
    seed_demo(app, monkeypatch)
    rows, files = rows_of(app), files_of(app)
    assert len(files) >= 2 and sum(map(len, rows.values())) > 50

    backup = tmp_path / "backup"
    made = run_cli(app, "backup", str(backup))
    assert made.exit_code == 0, made.output
    manifest = json.loads((backup / MANIFEST).read_text())
    assert manifest["database"]["tables"] == {table: len(rows[table]) for table in rows}
    assert {name.removeprefix("media/") for name in manifest["files"]} >= set(files)

    # Everything gone: a new node with an empty database and an empty media folder.
    node = build_app(empty_database, tmp_path / "new-node")
    try:
        restored = run_cli(node, "restore", str(backup))
        assert restored.exit_code == 0, restored.output
        assert rows_of(node) == rows
        assert files_of(node) == files
        ledger = run_cli(node, "verify-ledger")
        assert ledger.exit_code == 0 and ledger.output.rstrip().endswith("0 broken")
        assert not ledger.output.startswith("0 chains")

        # Over data that is there now, only with --force.
        refused = run_cli(node, "restore", str(backup))
        assert refused.exit_code == 1 and "not empty" in refused.output
        forced = run_cli(node, "restore", "--force", str(backup))
        assert forced.exit_code == 0, forced.output
        assert rows_of(node) == rows and files_of(node) == files

        # A damaged backup is refused before anything is touched.
        (backup / "media" / next(iter(files))).write_bytes(b"bit rot")
        damaged = run_cli(node, "restore", "--force", str(backup))
        assert damaged.exit_code == 1 and "does not match its checksum" in damaged.output
        assert rows_of(node) == rows
    finally:
        with node.app_context():
            db.session.remove()
            db.engine.dispose()


def test_backup_refuses_a_folder_that_holds_something(app, tmp_path):
    (tmp_path / "taken").mkdir()
    (tmp_path / "taken" / "note.txt").write_text("mine")
    result = run_cli(app, "backup", str(tmp_path / "taken"))
    assert result.exit_code == 1 and "is not an empty folder" in result.output
