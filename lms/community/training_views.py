"""Workplace training: members' assignments, managers' assignments and the training
ledger (培训台账) with its XLSX export."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select
from wtforms import SelectChoice

from lms.community import training
from lms.community.forms import TrainingForm
from lms.community.permissions import get_assignment_or_404, get_organisation_or_404
from lms.community.services import CommunityError
from lms.community.views import page_number
from lms.courses.models import Course
from lms.extensions import db
from lms.web.downloads import download
from lms.web.errors import flash_refusal
from lms.web.exports import XLSX_MIMETYPE


@login_required
def my_training():
    page, lines = training.my_assignments(current_user.id, page=page_number())
    return render_template("community/my_training.html", page=page, lines=lines)


@login_required
def training_list(organisation_id: int):
    item = get_organisation_or_404(organisation_id, manage=True)
    page = training.assignments_page(item, page=page_number())
    return render_template(
        "community/training_list.html",
        item=item,
        page=page,
        counts=training.assigned_counts([row.id for row in page.items]),
    )


@login_required
def new_training(organisation_id: int):
    item = get_organisation_or_404(organisation_id, manage=True)
    form = TrainingForm()
    form.course_id.choices = [
        SelectChoice(course.id, course.title)
        for course in db.session.scalars(
            select(Course).where(Course.status == "published").order_by(Course.title)
        )
    ]
    if form.validate_on_submit():
        course = db.session.get(Course, form.course_id.data)
        try:
            assignment = training.assign_training(
                item, course, form.title.data, form.deadline.data, actor=current_user
            )
        except CommunityError as error:
            flash_refusal(error)
        else:
            flash(_("Assigned to the members; they were notified."), "ok")
            return redirect(
                url_for(
                    "community.assignment",
                    organisation_id=item.id,
                    assignment_id=assignment.id,
                )
            )
    return render_template("community/training_form.html", item=item, form=form)


@login_required
def training_ledger(organisation_id: int):
    item = get_organisation_or_404(organisation_id, manage=True)
    page, lines = training.ledger_page(item, page=page_number())
    return render_template(
        "community/training_ledger.html", item=item, page=page, lines=lines, assignment=None
    )


@login_required
def training_ledger_xlsx(organisation_id: int):
    item = get_organisation_or_404(organisation_id, manage=True)
    assignment_id = request.args.get("assignment", type=int)
    if assignment_id is not None:
        get_assignment_or_404(item, assignment_id)
    assignees = db.session.scalars(training.ledger_query(item, assignment_id=assignment_id))
    data = training.ledger_xlsx(item, training.ledger_lines(assignees))
    return download(
        data,
        f"training-ledger-{item.id}.xlsx",
        XLSX_MIMETYPE,
        personal={
            "target_type": "training_ledger",
            "target_id": item.id,
            "assignment_id": assignment_id,
        },
    )


@login_required
def assignment(organisation_id: int, assignment_id: int):
    item = get_organisation_or_404(organisation_id, manage=True)
    row = get_assignment_or_404(item, assignment_id)
    page, lines = training.ledger_page(item, assignment_id=row.id, page=page_number())
    return render_template(
        "community/training_ledger.html", item=item, page=page, lines=lines, assignment=row
    )


@login_required
def assign_new_members(organisation_id: int, assignment_id: int):
    item = get_organisation_or_404(organisation_id, manage=True)
    row = get_assignment_or_404(item, assignment_id)
    try:
        added = training.assign_new_members(row, actor=current_user)
    except CommunityError as error:
        flash_refusal(error)
    else:
        flash(_("%(n)d new members assigned.", n=added), "ok")
    return redirect(url_for("community.assignment", organisation_id=item.id, assignment_id=row.id))
