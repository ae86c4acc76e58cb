"""Teachers' authoring: their courses, a course's settings and lessons, videos and
captions (the admin may edit any course)."""

from flask import current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user
from wtforms import SelectChoice

from lms.accounts.permissions import role_required
from lms.courses import files, queries, services
from lms.courses.forms import CaptionsForm, CourseForm, LessonForm
from lms.courses.hooks import course_links, course_summaries
from lms.courses.permissions import can_edit_every_course, get_course_or_404, get_lesson_or_404
from lms.media import uploads
from lms.web.errors import act_then_redirect, flash_refusal


def _settings_from(form: CourseForm) -> services.CourseSettings:
    return services.CourseSettings(
        title=form.title.data or "",
        description=form.description.data or "",
        category_id=form.category_id.data or None,
        completion_threshold=(form.completion_percent.data or 90) / 100,
        forbid_skip=form.forbid_skip.data,
        is_blended=form.is_blended.data,
        required_sessions=form.required_sessions.data or 0,
    )


def _course_form(course=None) -> CourseForm:
    form = CourseForm(obj=course)
    if course is not None and request.method == "GET":
        form.completion_percent.data = round(course.completion_threshold * 100)
    form.category_id.choices = [SelectChoice(0, _("No category"))] + [
        SelectChoice(category.id, category.name) for category in services.list_categories()
    ]
    return form


def _save_cover(form: CourseForm, course) -> None:
    """The uploaded cover, or the generated one while the teacher has uploaded none."""
    if form.cover.data:
        files.set_cover(course, form.cover.data.read())
    else:
        files.ensure_cover(course)


@role_required("teacher", "admin")
def teaching():
    teacher_id = None if can_edit_every_course(current_user) else current_user.id
    page = queries.teaching_courses(teacher_id, page=request.args.get("page", 1, type=int))
    return render_template(
        "courses/teach/list.html", page=page, links=course_links("teach_list", current_user)
    )


@role_required("teacher", "admin")
def new_course():
    form = _course_form()
    if form.validate_on_submit():
        try:
            course = services.create_course(_settings_from(form), actor=current_user)
            _save_cover(form, course)
        except services.CourseError as error:
            flash_refusal(error)
        else:
            flash(_("Course created. Now add its lessons."), "ok")
            return redirect(url_for("courses.edit_course", course_id=course.id))
    return render_template("courses/teach/new.html", form=form)


@role_required("teacher", "admin")
def edit_course(course_id: int):
    course = get_course_or_404(course_id, for_edit=True)
    form = _course_form(course)
    if form.validate_on_submit():
        try:
            services.update_course(course, _settings_from(form), actor=current_user)
            _save_cover(form, course)
        except services.CourseError as error:
            flash_refusal(error)
        else:
            flash(_("Saved."), "ok")
            return redirect(url_for("courses.edit_course", course_id=course.id))
    return render_template(
        "courses/teach/course.html",
        course=course,
        form=form,
        lesson_form=LessonForm(formdata=None),
        summaries=course_summaries(course, current_user),
    )


@role_required("teacher", "admin")
def submit_course(course_id: int):
    course = get_course_or_404(course_id, for_edit=True)
    return act_then_redirect(
        lambda: services.submit_course(course, actor=current_user),
        done=_("Submitted for review."),
        to=url_for("courses.edit_course", course_id=course.id),
    )


@role_required("teacher", "admin")
def add_lesson(course_id: int):
    course = get_course_or_404(course_id, for_edit=True)
    form = LessonForm()
    if not form.validate_on_submit():
        flash(_("Please give the lesson a title."), "error")
        return redirect(url_for("courses.edit_course", course_id=course.id))
    lesson = services.add_lesson(
        course,
        form.title.data,
        form.description.data or "",
        form.is_preview.data,
        actor=current_user,
    )
    return redirect(url_for("courses.edit_lesson", course_id=course.id, lesson_id=lesson.id))


@role_required("teacher", "admin")
def edit_lesson(course_id: int, lesson_id: int):
    course = get_course_or_404(course_id, for_edit=True)
    lesson = get_lesson_or_404(course, lesson_id)
    form = LessonForm(obj=lesson)
    if form.validate_on_submit():
        services.update_lesson(
            lesson,
            form.title.data,
            form.description.data or "",
            form.is_preview.data,
            actor=current_user,
        )
        flash(_("Saved."), "ok")
        return redirect(url_for("courses.edit_lesson", course_id=course.id, lesson_id=lesson.id))
    return render_template(
        "courses/teach/lesson.html",
        course=course,
        lesson=lesson,
        form=form,
        captions_form=CaptionsForm(formdata=None),
        max_upload_mb=current_app.config["LMS_MAX_UPLOAD_MB"],
        upload_chunk_size=uploads.chunk_size(),
        links=course_links("teach_lesson", current_user, lesson=lesson),
    )


@role_required("teacher", "admin")
def move_lesson(course_id: int, lesson_id: int):
    course = get_course_or_404(course_id, for_edit=True)
    lesson = get_lesson_or_404(course, lesson_id)
    services.move_lesson(lesson, request.form.get("direction", "down"), actor=current_user)
    return redirect(url_for("courses.edit_course", course_id=course.id) + "#lessons")


@role_required("teacher", "admin")
def delete_lesson(course_id: int, lesson_id: int):
    course = get_course_or_404(course_id, for_edit=True)
    lesson = get_lesson_or_404(course, lesson_id)
    return act_then_redirect(
        lambda: services.delete_lesson(lesson, actor=current_user),
        done=_("Lesson deleted."),
        to=url_for("courses.edit_course", course_id=course.id) + "#lessons",
    )


@role_required("teacher", "admin")
def reencode_lesson(course_id: int, lesson_id: int):
    course = get_course_or_404(course_id, for_edit=True)
    lesson = get_lesson_or_404(course, lesson_id)
    return act_then_redirect(
        lambda: services.force_lesson_reencode(lesson, actor=current_user),
        done=_("The video is being encoded again; the current one plays until it is done."),
        to=url_for("courses.edit_lesson", course_id=course.id, lesson_id=lesson.id),
    )


@role_required("teacher", "admin")
def upload_captions(course_id: int, lesson_id: int):
    course = get_course_or_404(course_id, for_edit=True)
    lesson = get_lesson_or_404(course, lesson_id)
    if request.form.get("remove"):
        files.remove_captions(lesson)
        flash(_("Captions removed."), "ok")
    else:
        form = CaptionsForm()
        if not form.validate_on_submit():
            for error in form.captions.errors:
                flash(str(error), "error")
        else:
            try:
                files.set_captions(lesson, form.captions.data.read())
            except services.CourseError as error:
                flash_refusal(error)
            else:
                flash(_("Captions saved."), "ok")
    return redirect(url_for("courses.edit_lesson", course_id=course.id, lesson_id=lesson.id))
