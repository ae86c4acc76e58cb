"""Video assets, transcode jobs and their runners, periodic tasks, storage."""

from flask import Flask


def register(app: Flask) -> None:
    from lms.media import api, jobs  # noqa: F401  (api adds its routes to bp; jobs the sweeper)
    from lms.media.messages import failure_message
    from lms.media.runners import init_runner
    from lms.media.storage import init_storage
    from lms.media.views import bp

    init_storage(app)
    init_runner(app)
    app.register_blueprint(bp)
    app.jinja_env.globals["failure_message"] = failure_message
    app.jinja_env.globals["upload_client_config"] = api.upload_client_config
