"""The admin's transcode jobs page, and an asset's processing state for its uploader."""

from flask import abort, current_app, flash, jsonify, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.permissions import role_required
from lms.extensions import db
from lms.media import services
from lms.media.models import TranscodeJob, VideoAsset
from lms.media.permissions import can_view_asset
from lms.web.api import api_login_required


@role_required("admin")
def jobs():
    page = services.problem_jobs(
        page=request.args.get("page", 1, type=int), per_page=current_app.config["JOBS_PER_PAGE"]
    )
    return render_template("media/jobs.html", page=page)


@role_required("admin")
def retry_job(job_id: int):
    job = db.get_or_404(TranscodeJob, job_id)
    services.retry_job(job, actor=current_user)
    flash(_("The video is queued for processing again."), "ok")
    return redirect(url_for("media.jobs"))


@api_login_required
def asset_status(public_id: str):
    asset = db.session.scalar(select(VideoAsset).where(VideoAsset.public_id == public_id))
    if asset is None or not can_view_asset(current_user, asset):
        abort(404)
    return jsonify(services.asset_status(asset))
