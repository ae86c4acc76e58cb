"""Recognition (学分认定) on the credits blueprint.

/recognitions/                       my requests and their state
/recognitions/new                    submit outside learning with evidence
/recognitions/review                 staff (their 镇街) and the admin: waiting requests
/recognitions/<id>                   one request (its learner or a reviewer)
/recognitions/<id>/evidence          the evidence file
/recognitions/<id>/approve, /reject  decisions (POST)
"""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts.permissions import role_required
from lms.credits import recognition as recognitions
from lms.credits.forms import DecisionForm, RecognitionForm
from lms.credits.models import Recognition
from lms.credits.services import CreditError
from lms.credits.views import bp
from lms.extensions import db
from lms.media.storage import get_storage


def get_visible_recognition(recognition_id: int) -> Recognition:
    recognition = db.session.get(Recognition, recognition_id)
    if recognition is None or not (
        recognition.learner_id == current_user.id
        or recognitions.can_review(current_user, recognition)
    ):
        abort(404)
    return recognition


@bp.get("/recognitions/")
@login_required
def my_recognitions():
    page = db.paginate(
        select(Recognition)
        .where(Recognition.learner_id == current_user.id)
        .order_by(Recognition.submitted_at.desc()),
        page=request.args.get("page", 1, type=int),
        per_page=20,
        error_out=False,
    )
    return render_template("credits/recognitions.html", page=page)


@bp.route("/recognitions/new", methods=["GET", "POST"])
@login_required
def new_recognition():
    form = RecognitionForm()
    if form.validate_on_submit():
        upload = form.evidence.data
        try:
            recognitions.submit(
                recognitions.RecognitionRequest(
                    form.title.data,
                    form.issuer.data,
                    form.learned_on.data,
                    float(form.hours.data),
                    upload.read(recognitions.MAX_EVIDENCE_BYTES + 1),
                    upload.filename or "evidence",
                ),
                learner=current_user,
            )
        except CreditError as error:
            flash(str(error), "error")
        else:
            flash(_("Submitted. Your community school will review it."), "ok")
            return redirect(url_for("credits.my_recognitions"))
    return render_template("credits/recognition_new.html", form=form)


@bp.get("/recognitions/review")
@role_required("staff", "admin")
def review_recognitions():
    page = recognitions.review_queue(current_user, page=request.args.get("page", 1, type=int))
    return render_template("credits/recognition_review.html", page=page)


@bp.get("/recognitions/<int:recognition_id>")
@login_required
def recognition(recognition_id: int):
    item = get_visible_recognition(recognition_id)
    return render_template(
        "credits/recognition.html",
        item=item,
        form=DecisionForm(formdata=None),
        can_review=recognitions.can_review(current_user, item),
    )


@bp.get("/recognitions/<int:recognition_id>/evidence")
@login_required
def evidence(recognition_id: int):
    item = get_visible_recognition(recognition_id)
    response = Response(get_storage().get_bytes(item.evidence_key), mimetype=item.evidence_type)
    # Photos show in the page; anything else (a PDF) is downloaded, never rendered here.
    is_image = item.evidence_type.startswith("image/")
    response.headers["Content-Disposition"] = "inline" if is_image else "attachment"
    response.headers["X-Content-Type-Options"] = "nosniff"
    return response


def _decide(recognition_id: int, decide):
    item = get_visible_recognition(recognition_id)
    if not recognitions.can_review(current_user, item):
        abort(403)
    form = DecisionForm()
    if form.validate_on_submit():
        try:
            decide(item, form)
        except CreditError as error:
            flash(str(error), "error")
        else:
            flash(_("Decision saved."), "ok")
    return redirect(url_for("credits.recognition", recognition_id=item.id))


@bp.post("/recognitions/<int:recognition_id>/approve")
@role_required("staff", "admin")
def approve_recognition(recognition_id: int):
    return _decide(
        recognition_id,
        lambda item, form: recognitions.approve(
            item,
            float(form.credits.data if form.credits.data is not None else item.hours),
            actor=current_user,
        ),
    )


@bp.post("/recognitions/<int:recognition_id>/reject")
@role_required("staff", "admin")
def reject_recognition(recognition_id: int):
    return _decide(
        recognition_id,
        lambda item, form: recognitions.reject(item, form.reason.data or "", actor=current_user),
    )
