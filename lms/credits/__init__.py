"""The credit bank: rules, the ledger, completion, recognition, certificates, transfer."""

from flask import Flask


def register(app: Flask) -> None:
    from flask import url_for
    from flask_babel import lazy_gettext as _l

    from lms.cli import register_commands, register_demo_seeder
    from lms.courses.hooks import register_course_link
    from lms.courses.services import is_enrolled
    from lms.credits import (  # noqa: F401  (models: the tables)
        cli,
        credential_models,
        models,
        privacy,
        rule_in_force,
    )
    from lms.credits.blueprint import bp
    from lms.credits.receivers import connect
    from lms.credits.xapi import statements
    from lms.xapi.sources import register_statement_source

    app.register_blueprint(bp)
    connect()
    privacy.connect()
    rule_in_force.connect()
    register_course_link(
        "course_page",
        "credits.course_record",
        _l("Course completion"),
        lambda course: url_for("credits.course_record", course_id=course.id),
        visible=lambda user, course: user.is_authenticated and is_enrolled(course, user),
        order=20,
    )
    register_commands(cli.verify_ledger, cli.verify_credential, cli.rotate_signing_key)
    register_demo_seeder(40, "credits", cli.seed_credits)
    register_statement_source("credits", statements)
