from pathlib import Path

from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.migration import MigrationContext

from lms.extensions import db


def test_the_migrated_schema_equals_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []


def test_new_migrations_get_dated_file_names():
    ini = Path(__file__).resolve().parent.parent / "migrations" / "alembic.ini"
    template = Config(str(ini)).get_main_option("file_template")
    tokens = {"year": 2026, "month": 3, "day": 7, "hour": 9, "minute": 5, "second": 0}
    name = template % {**tokens, "rev": "1a2b3c4d5e6f", "slug": "add_exams", "epoch": 0}
    assert name == "2026_03_07_0905-1a2b3c4d5e6f_add_exams"
