"""Video assets, resumable uploads, the transcode job, storage, signed playback."""

from flask import Flask


def register(app: Flask) -> None:
    from lms.accounts.identity import register_lean_endpoint
    from lms.cli import register_commands
    from lms.media import api, cli, jobs, retirement  # noqa: F401  (periodic task)
    from lms.media.blueprint import bp
    from lms.media.messages import failure_message
    from lms.media.storage import init_storage
    from lms.tasks.jobs import register_job_kind
    from lms.web.header_csrf import csrf_checked_in_view
    from lms.web.rate_limits import limited_in_view

    init_storage(app)
    register_job_kind(jobs.TRANSCODE)
    app.register_blueprint(bp)
    for endpoint in api.LEAN_ENDPOINTS:  # they check their caller in the upload's read
        register_lean_endpoint(endpoint)
    csrf_checked_in_view(app, "media.append_to_upload")  # every chunk: from the header
    limited_in_view(app, "media.append_to_upload")  # a chunk has no limit to look for
    app.jinja_env.globals["failure_message"] = failure_message
    app.jinja_env.globals["upload_client_config"] = api.upload_client_config
    register_commands(cli.import_video, cli.transcode_asset, cli.worker)
