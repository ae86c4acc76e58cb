"""Media blueprint.

GET  /media/jobs                      admin: failed and stuck transcode jobs
POST /media/jobs/<id>/retry           admin: queue the asset's transcode again
GET  /api/v1/media/assets/<public_id> owner or admin: status and percent (JSON)
"""

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    jsonify,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user
from sqlalchemy import select

from lms.accounts.permissions import role_required
from lms.extensions import db
from lms.media import services
from lms.media.models import TranscodeJob, VideoAsset
from lms.media.permissions import can_view_asset

bp = Blueprint("media", __name__)


@bp.get("/media/jobs")
@role_required("admin")
def jobs():
    page = services.problem_jobs(
        page=request.args.get("page", 1, type=int), per_page=current_app.config["JOBS_PER_PAGE"]
    )
    return render_template("media/jobs.html", page=page)


@bp.post("/media/jobs/<int:job_id>/retry")
@role_required("admin")
def retry_job(job_id: int):
    job = db.get_or_404(TranscodeJob, job_id)
    services.retry_job(job, actor=current_user)
    flash(_("The video is queued for processing again."), "ok")
    return redirect(url_for("media.jobs"))


@bp.get("/api/v1/media/assets/<public_id>")
def asset_status(public_id: str):
    if not current_user.is_authenticated:
        return jsonify(error="unauthenticated", message=_("Please log in.")), 401
    asset = db.session.scalar(select(VideoAsset).where(VideoAsset.public_id == public_id))
    if asset is None or not can_view_asset(current_user, asset):
        abort(404)
    return jsonify(services.asset_status(asset))
