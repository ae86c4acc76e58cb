"""Recognition (学分认定): requests with evidence, the reviewers' queue, decisions."""

from pathlib import PurePosixPath

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from lms.accounts.permissions import role_required
from lms.credits import recognition as recognitions
from lms.credits.forms import DecisionForm, RecognitionForm
from lms.credits.models import Recognition
from lms.credits.permissions import can_review, can_see_recognition
from lms.credits.services import CreditError
from lms.extensions import db
from lms.media.storage import get_storage
from lms.web.downloads import download
from lms.web.errors import act_then_redirect, flash_refusal


def get_visible_recognition(recognition_id: int) -> Recognition:
    recognition = db.session.get(Recognition, recognition_id)
    if recognition is None or not can_see_recognition(current_user, recognition):
        abort(404)
    return recognition


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
            flash_refusal(error)
        else:
            flash(_("Submitted. Your community school will review it."), "ok")
            return redirect(url_for("credits.my_recognitions"))
    return render_template("credits/recognition_new.html", form=form)


@role_required("staff", "admin")
def review_recognitions():
    page = recognitions.review_queue(current_user, page=request.args.get("page", 1, type=int))
    return render_template("credits/recognition_review.html", page=page)


@login_required
def recognition(recognition_id: int):
    item = get_visible_recognition(recognition_id)
    return render_template(
        "credits/recognition.html",
        item=item,
        form=DecisionForm(formdata=None),
        can_review=can_review(current_user, item),
    )


@login_required
def evidence(recognition_id: int):
    item = get_visible_recognition(recognition_id)
    # The learner's name for the file, with the extension of what the bytes are.
    extension = item.evidence_key.rsplit(".", 1)[-1]
    filename = f"{PurePosixPath(item.evidence_name).stem or 'evidence'}.{extension}"
    # Photos show in the page; anything else (a PDF) is downloaded, never rendered here.
    return download(
        get_storage().get_bytes(item.evidence_key),
        filename,
        item.evidence_type,
        inline=item.evidence_type.startswith("image/"),
        # The log names the file by the request: the learner's name for it is their words.
        personal={
            "target_type": "recognition",
            "target_id": item.id,
            "filename": f"evidence.{extension}",
        },
    )


def _decide(recognition_id: int, decide):
    item = get_visible_recognition(recognition_id)
    if not can_review(current_user, item):
        abort(403)
    form = DecisionForm()
    to = url_for("credits.recognition", recognition_id=item.id)
    if not form.validate_on_submit():
        return redirect(to)
    return act_then_redirect(lambda: decide(item, form), done=_("Decision saved."), to=to)


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


@role_required("staff", "admin")
def reject_recognition(recognition_id: int):
    return _decide(
        recognition_id,
        lambda item, form: recognitions.reject(item, form.reason.data or "", actor=current_user),
    )
