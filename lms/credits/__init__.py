"""The credit bank: rules, the ledger, completion, recognition, certificates, transfer."""

from flask import Flask


def register(app: Flask) -> None:
    from lms.credits import models, recognition_views  # noqa: F401  (add rules to bp)
    from lms.credits import certificate_views  # noqa: F401  (certificates, exports, VC)
    from lms.credits.receivers import connect
    from lms.credits.views import bp

    app.register_blueprint(bp)
    connect()
