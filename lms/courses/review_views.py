"""The admin's review (审核) of submitted courses, and the course categories."""

from flask import flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import role_required
from lms.courses import queries, services
from lms.courses.forms import CategoryForm, ReasonForm
from lms.courses.models import Category
from lms.courses.permissions import get_course_or_404
from lms.extensions import db
from lms.web.errors import act_then_redirect, flash_refusal


@role_required("admin")
def review():
    page_number = request.args.get("page", 1, type=int)
    return render_template(
        "courses/review.html",
        submitted=queries.courses_in_status("submitted", page=page_number),
        published=queries.courses_in_status("published", page=1, per_page=50),
        reason_form=ReasonForm(formdata=None),
    )


def _review_action(course_id: int, action, done_message: str, needs_reason: bool):
    course = get_course_or_404(course_id)
    reason = []
    if needs_reason:
        form = ReasonForm()
        reason = [form.reason.data if form.validate_on_submit() else ""]
    return act_then_redirect(
        lambda: action(course, *reason, actor=current_user),
        done=done_message,
        to=url_for("courses.review"),
    )


@role_required("admin")
def publish(course_id: int):
    return _review_action(course_id, services.publish_course, _("Published."), False)


@role_required("admin")
def return_course(course_id: int):
    return _review_action(course_id, services.return_course, _("Returned to its teachers."), True)


@role_required("admin")
def take_down(course_id: int):
    return _review_action(course_id, services.take_down_course, _("Taken down."), True)


@role_required("admin")
def categories():
    form = CategoryForm()
    if form.validate_on_submit():
        category = None
        if request.form.get("category_id"):
            category = db.get_or_404(Category, request.form.get("category_id", type=int))
        try:
            services.save_category(form.name.data, category=category)
        except services.CourseError as error:
            flash_refusal(error)
        else:
            flash(_("Saved."), "ok")
            return redirect(url_for("courses.categories"))
    return render_template(
        "courses/categories.html", form=form, categories=services.list_categories()
    )
