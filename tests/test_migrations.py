from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from lms.extensions import db


def test_the_migrated_schema_equals_the_models(app):
    with app.app_context(), db.engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, db.metadata)
    assert differences == []
