"""Apps for tests: build one on a database, migrate a database, empty its tables.

The fixtures in tests/conftest.py use these; so do tests that build apps of their own
(several nodes, a live server, a fresh migration).
"""

import os
import uuid
from pathlib import Path

from flask_migrate import upgrade
from jinja2.bccache import Bucket, BytecodeCache
from sqlalchemy import text

from lms import create_app
from lms.config import scaled_by
from lms.credits.credentials import load_or_create_signing_key
from lms.extensions import db

TEST_DATABASE_URL = os.environ.get("LMS_TEST_DATABASE_URL")
TEST_REDIS_URL = os.environ.get("LMS_TEST_REDIS_URL")
TRANSLATIONS = Path(__file__).resolve().parent.parent / "lms" / "translations"


def shared_signing_key(instance_path) -> str:
    """Scaled mode wants the signing key every node shares, given explicitly."""
    key_file = Path(instance_path) / "shared" / "signing_key.pem"
    load_or_create_signing_key(key_file)
    return str(key_file)


class _TemplateCodeOfThisProcess(BytecodeCache):
    """Compiled templates kept in memory for every app of a test process.

    Each test builds a fresh app, whose Jinja environment would parse and compile every
    template it renders again. Jinja keys a bucket by the template's name and a checksum
    of its source, so an edited template is compiled anew.
    """

    def __init__(self):
        self.code: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        if bucket.key in self.code:
            bucket.bytecode_from_string(self.code[bucket.key])

    def dump_bytecode(self, bucket: Bucket) -> None:
        self.code[bucket.key] = bucket.bytecode_to_string()


_template_code = _TemplateCodeOfThisProcess()


def build_app(database_url: str, instance_path, environ: dict | None = None, **config):
    """An app on ``database_url`` with test defaults; LMS_* in ``environ`` override."""
    settings = {
        "LMS_INSTANCE_PATH": str(instance_path),
        "LMS_DATABASE_URL": database_url,
        "LMS_SECRET_KEY": "test-secret-key",
        "LMS_EMBEDDED_WORKER": "0",  # tests start job runners themselves
    }
    settings.update(environ or {})
    if scaled_by(settings) and not settings.get("LMS_SIGNING_KEY_FILE"):
        settings["LMS_SIGNING_KEY_FILE"] = shared_signing_key(instance_path)
    # A rate-limit namespace of this run's own in a shared Redis. Flask-Limiter keeps the
    # prefix of the first app it was bound to, so apps of one process share it: a test
    # that counts in Redis uses names no other test of the process uses.
    config.setdefault("RATELIMIT_KEY_PREFIX", f"test-{uuid.uuid4().hex[:12]}")
    config.setdefault("TESTING", True)
    app = create_app(config, environ=settings)
    app.jinja_env.bytecode_cache = _template_code
    return app


def migrate(url: str, instance_path) -> None:
    app = build_app(url, instance_path)
    with app.app_context():
        upgrade()
        db.engine.dispose()


def empty_all_tables() -> None:
    """Delete every row, children first, and start the ids at 1 again.

    DELETE, not TRUNCATE: on PostgreSQL a TRUNCATE of every table costs ~0.5 s (new files
    for each table), a DELETE of a test's few rows a few milliseconds.
    """
    with db.engine.begin() as connection:
        for table in reversed(db.metadata.sorted_tables):
            connection.execute(table.delete())
        if connection.dialect.name == "postgresql":
            connection.execute(
                text(
                    "SELECT setval(format('%I.%I', schemaname, sequencename)::regclass, 1, false)"
                    " FROM pg_sequences"
                    " WHERE schemaname = current_schema() AND last_value IS NOT NULL"
                )
            )
