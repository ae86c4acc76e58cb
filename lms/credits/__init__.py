"""The credit bank: rules, the ledger, completion, recognition, certificates, transfer."""

from flask import Flask


def register(app: Flask) -> None:
    from lms.cli import register_commands, register_demo_seeder
    from lms.credits import (  # noqa: F401  (models: the tables)
        cli,
        models,
        privacy,
    )
    from lms.credits.blueprint import bp
    from lms.credits.receivers import connect

    app.register_blueprint(bp)
    connect()
    privacy.connect()
    register_commands(cli.verify_ledger, cli.verify_credential)
    register_demo_seeder(40, "credits", cli.seed_credits)
