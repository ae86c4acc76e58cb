"""The learner's side of courses: catalogue, course page, enrolment, player, my courses."""

from flask import Response, abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from wtforms import SelectChoice

from lms.courses import files, queries, services
from lms.courses.forms import CatalogueForm
from lms.courses.hooks import catalogue_orders, course_links, lesson_sections, player_extensions
from lms.courses.permissions import (
    can_edit_course,
    can_watch_lesson,
    get_course_or_404,
    get_lesson_or_404,
)
from lms.media.storage import get_storage
from lms.web.errors import act_then_redirect


def catalogue():
    form = CatalogueForm(request.args)
    categories = services.list_categories()
    form.category.choices = [SelectChoice(0, _("All categories"))] + [
        SelectChoice(c.id, c.name) for c in categories
    ]
    form.order.choices += [
        SelectChoice(order.name, order.label()) for order in catalogue_orders().values()
    ]
    page = queries.catalogue(
        text=form.q.data or "",
        category_id=form.category.data or None,
        order=form.order.data or "newest",
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["COURSES_PER_PAGE"],
    )
    return render_template(
        "courses/catalogue.html",
        form=form,
        page=page,
        categories=categories,
        facts=queries.card_facts(page.items),
    )


def course(course_id: int):
    course = get_course_or_404(course_id)
    enrolled = current_user.is_authenticated and services.is_enrolled(course, current_user)
    return render_template(
        "courses/course.html",
        course=course,
        enrolled=enrolled,
        can_edit=can_edit_course(current_user, course),
        learners=queries.learner_count(course),
        links=course_links("course_page", current_user, course=course),
    )


@login_required
def enrol(course_id: int):
    course = get_course_or_404(course_id)
    return act_then_redirect(
        lambda: services.enrol(course, current_user),
        done=_("You are enrolled. Enjoy the course!"),
        to=url_for("courses.course", course_id=course.id),
    )


@login_required
def leave(course_id: int):
    course = get_course_or_404(course_id)
    return act_then_redirect(
        lambda: services.leave(course, current_user),
        done=_("You have left the course."),
        to=url_for("courses.course", course_id=course.id),
    )


def cover(course_id: int):
    course = get_course_or_404(course_id)
    data = files.cover_for_view(course, request.args.get("w", type=int))
    response = Response(data, mimetype="image/jpeg")
    response.cache_control.max_age = 3600
    return response


def lesson(course_id: int, lesson_id: int):
    course = get_course_or_404(course_id)
    lesson = get_lesson_or_404(course, lesson_id)
    if not can_watch_lesson(current_user, lesson):
        if not current_user.is_authenticated:
            return current_app.login_manager.unauthorized()
        flash(_("Enrol in the course to watch its lessons."), "error")
        return redirect(url_for("courses.course", course_id=course.id))
    return render_template(
        "courses/lesson.html",
        course=course,
        lesson=lesson,
        extensions=player_extensions(lesson, current_user),
        sections=lesson_sections(lesson, current_user),
    )


def captions(course_id: int, lesson_id: int):
    course = get_course_or_404(course_id)
    lesson = get_lesson_or_404(course, lesson_id)
    if not lesson.captions_key or not can_watch_lesson(current_user, lesson):
        abort(404)
    return Response(get_storage().get_bytes(lesson.captions_key), mimetype="text/vtt")


@login_required
def my_courses():
    page = queries.my_courses(
        current_user.id,
        page=request.args.get("page", 1, type=int),
        per_page=current_app.config["COURSES_PER_PAGE"],
    )
    return render_template(
        "courses/my_courses.html", page=page, facts=queries.card_facts(page.items)
    )
