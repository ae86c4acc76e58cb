"""Course ratings, hiding abusive comments, and course quality for teachers and the
admin."""

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import role_required
from lms.community import ratings
from lms.community.forms import RatingForm
from lms.community.models import CourseRating
from lms.community.permissions import can_hide_comments, can_see_course_quality
from lms.community.queries import studied_share
from lms.community.services import CommunityError
from lms.community.views import page_number
from lms.courses.permissions import get_course_or_404
from lms.extensions import db
from lms.web.errors import flash_refusal


def course_ratings(course_id: int):
    course = get_course_or_404(course_id)
    mine = share = None
    form = None
    teaches = current_user.is_authenticated and ratings.teaches(course, current_user.id)
    if current_user.is_authenticated:
        mine = ratings.own_rating(course, current_user.id)
        share = studied_share(course, current_user.id)
        form = RatingForm(obj=mine)
        if form.validate_on_submit():
            try:
                ratings.rate_course(
                    course, form.stars.data, form.comment.data or "", learner=current_user
                )
            except CommunityError as error:
                flash_refusal(error)
            else:
                flash(_("Thank you for your rating."), "ok")
                return redirect(url_for("community.course_ratings", course_id=course.id))
    elif request.method == "POST":
        abort(401)
    quality = can_see_course_quality(current_user, course)
    return render_template(
        "community/course_ratings.html",
        course=course,
        form=None if teaches else form,
        mine=mine,
        share=share,
        min_share=ratings.MIN_STUDIED_SHARE,
        summary=ratings.rating_summary(course),
        page=ratings.ratings_page(course, page=page_number()),
        show_hidden=quality,
        can_hide=can_hide_comments(current_user),
        reach=ratings.lesson_reach(course) if quality else None,
    )


def _set_hidden(rating_id: int, hidden: bool):
    if not can_hide_comments(current_user):
        abort(403)
    rating = db.get_or_404(CourseRating, rating_id)
    if hidden:
        ratings.hide_comment(rating, actor=current_user)
        flash(_("The comment is hidden."), "ok")
    else:
        ratings.show_comment(rating, actor=current_user)
        flash(_("The comment is shown again."), "ok")
    return redirect(url_for("community.course_ratings", course_id=rating.course_id))


@role_required("admin")
def hide_rating_comment(rating_id: int):
    return _set_hidden(rating_id, True)


@role_required("admin")
def show_rating_comment(rating_id: int):
    return _set_hidden(rating_id, False)


def _quality_args():
    order = request.args.get("order", "weak")
    return {
        "order": order if order in ratings.QUALITY_ORDERS else "weak",
        "weak_only": request.args.get("weak") == "1",
        "page": page_number(),
    }


def _rules():
    return {
        "min_started": ratings.WEAK_MIN_STARTED,
        "completion_below": ratings.WEAK_COMPLETION_BELOW,
        "drop_off_above": ratings.WEAK_DROP_OFF_ABOVE,
        "rating_below": ratings.WEAK_RATING_BELOW,
        "min_ratings": ratings.WEAK_MIN_RATINGS,
    }


@role_required("admin")
def quality():
    args = _quality_args()
    return render_template(
        "community/quality.html",
        page=ratings.quality_page(**args),
        rules=_rules(),
        endpoint="community.quality",
        order=args["order"],
        weak_only=args["weak_only"],
    )


@role_required("teacher", "admin")
def teaching_quality():
    args = _quality_args()
    return render_template(
        "community/quality.html",
        page=ratings.quality_page(teacher_id=current_user.id, **args),
        rules=_rules(),
        endpoint="community.teaching_quality",
        order=args["order"],
        weak_only=args["weak_only"],
    )
