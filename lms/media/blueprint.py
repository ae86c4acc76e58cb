"""The media blueprint: every URL rule of the domain."""

from flask import Blueprint

from lms.media import api, views

bp = Blueprint("media", __name__)

# The admin's transcode jobs.
bp.add_url_rule("/media/jobs", "jobs", views.jobs, methods=["GET"])
bp.add_url_rule("/media/jobs/<int:job_id>/retry", "retry_job", views.retry_job, methods=["POST"])

# An asset's processing state, for its uploader's page (JSON).
bp.add_url_rule(
    "/api/v1/media/assets/<public_id>", "asset_status", views.asset_status, methods=["GET"]
)

# Resumable uploads (tus 1.0.0): OPTIONS answers the protocol; the others answer only
# their own method (no automatic OPTIONS), and HEAD comes with GET.
bp.add_url_rule("/api/v1/uploads", "upload_options", api.upload_options, methods=["OPTIONS"])
bp.add_url_rule(
    "/api/v1/uploads/<public_id>", "upload_options", api.upload_options, methods=["OPTIONS"]
)
bp.add_url_rule(
    "/api/v1/uploads",
    "create_upload",
    api.create_upload,
    methods=["POST"],
    provide_automatic_options=False,
)
bp.add_url_rule(
    "/api/v1/uploads/<public_id>",
    "upload_resource",
    api.upload_resource,
    methods=["GET"],
    provide_automatic_options=False,
)
bp.add_url_rule(
    "/api/v1/uploads/<public_id>",
    "append_to_upload",
    api.append_to_upload,
    methods=["PATCH"],
    provide_automatic_options=False,
)
bp.add_url_rule(
    "/api/v1/uploads/<public_id>",
    "terminate_upload",
    api.terminate_upload,
    methods=["DELETE"],
    provide_automatic_options=False,
)

# Signed playback links.
bp.add_url_rule("/media/hls/<path:key>", "hls_playlist", api.hls_playlist, methods=["GET"])
bp.add_url_rule("/media/files/<path:key>", "signed_file", api.signed_file, methods=["GET"])
