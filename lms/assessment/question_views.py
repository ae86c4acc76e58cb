"""A course's question bank for its teachers and the admin: list, create, edit, delete,
import and export XLSX in the template, and the questions' images."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import role_required
from lms.assessment import importing
from lms.assessment.forms import LETTERS, ImportForm, QuestionForm
from lms.assessment.images import image_bytes, store_question_image
from lms.assessment.models import QuestionVersion
from lms.assessment.permissions import can_manage_bank, can_see_question_image
from lms.assessment.questions import (
    AssessmentError,
    QuestionData,
    bank_query,
    clean_tags,
    create_question,
    data_of,
    delete_question,
    edit_question,
    get_question_or_404,
    is_version_used,
)
from lms.courses.permissions import get_course_or_404
from lms.extensions import db
from lms.web.downloads import download
from lms.web.errors import act_then_redirect, flash_refusal
from lms.web.exports import XLSX_MIMETYPE

PER_PAGE = 20


def _bank_course(course_id: int):
    course = get_course_or_404(course_id)
    if not can_manage_bank(current_user, course):
        abort(403)
    return course


def _data_from(form: QuestionForm, image_key: str | None) -> QuestionData:
    letters = (form.correct.data or "").upper()
    options = [(field.data or "").strip() for field in form.option_fields()]
    while options and not options[-1]:
        options.pop()
    return QuestionData(
        type=form.type.data,
        stem=form.stem.data or "",
        points=float(form.points.data or 0),
        difficulty=form.difficulty.data,
        tags=clean_tags(form.tags.data or ""),
        explanation=form.explanation.data or "",
        options=options if form.type.data in ("single", "multiple") else [],
        correct=sorted({LETTERS.index(c) for c in letters if c in LETTERS}),
        partial_credit=form.partial_credit.data,
        true_false={"true": True, "false": False}.get(form.true_false.data),
        blanks=[line.split("|") for line in (form.blanks.data or "").splitlines() if line.strip()],
        reference_answer=form.reference_answer.data or "",
        image_key=None if form.remove_image.data else image_key,
    )


def _fill_form(form: QuestionForm, data: QuestionData) -> None:
    form.type.data = data.type
    form.stem.data = data.stem
    for field, text in zip(form.option_fields(), data.options, strict=False):
        field.data = text
    form.correct.data = "".join(LETTERS[index] for index in data.correct)
    form.partial_credit.data = data.partial_credit
    form.true_false.data = None if data.true_false is None else str(data.true_false).lower()
    form.blanks.data = "\n".join("|".join(blank) for blank in data.blanks)
    form.reference_answer.data = data.reference_answer
    form.points.data = data.points
    form.difficulty.data = data.difficulty
    form.tags.data = ", ".join(data.tags)
    form.explanation.data = data.explanation


@role_required("teacher", "admin")
def bank(course_id: int):
    course = _bank_course(course_id)
    query = bank_query(
        course, type=request.args.get("type"), difficulty=request.args.get("difficulty")
    )
    page = db.paginate(
        query, page=request.args.get("page", 1, type=int), per_page=PER_PAGE, error_out=False
    )
    return render_template("assessment/bank.html", course=course, page=page)


def _save(course, form: QuestionForm, question=None):
    image_key = question.current.image_key if question is not None else None
    if form.image.data:
        image_key = store_question_image(course.id, form.image.data.read())
    data = _data_from(form, image_key)
    if question is None:
        return create_question(course, data, actor=current_user)
    edit_question(question, data, actor=current_user)
    return question


@role_required("teacher", "admin")
def new_question(course_id: int):
    course = _bank_course(course_id)
    form = QuestionForm()
    if form.validate_on_submit():
        try:
            _save(course, form)
        except AssessmentError as error:
            flash_refusal(error)
        else:
            flash(_("The question was added."), "ok")
            return redirect(url_for("assessment.bank", course_id=course.id))
    return render_template("assessment/question_form.html", course=course, form=form)


@role_required("teacher", "admin")
def edit_question_view(course_id: int, question_id: int):
    course = _bank_course(course_id)
    question = get_question_or_404(course, question_id)
    form = QuestionForm()
    if request.method == "GET":
        _fill_form(form, data_of(question.current))
    if form.validate_on_submit():
        try:
            _save(course, form, question)
        except AssessmentError as error:
            flash_refusal(error)
        else:
            flash(_("The question was saved."), "ok")
            return redirect(url_for("assessment.bank", course_id=course.id))
    return render_template(
        "assessment/question_form.html",
        course=course,
        form=form,
        question=question,
        question_used=is_version_used(question.current),
    )


@role_required("teacher", "admin")
def delete_question_view(course_id: int, question_id: int):
    course = _bank_course(course_id)
    question = get_question_or_404(course, question_id)
    return act_then_redirect(
        lambda: delete_question(question, actor=current_user),
        done=_("The question was deleted."),
        to=url_for("assessment.bank", course_id=course.id),
    )


@role_required("teacher", "admin")
def import_questions(course_id: int):
    course = _bank_course(course_id)
    form = ImportForm()
    report = None
    if form.validate_on_submit():
        try:
            report = importing.import_questions(
                course,
                form.file.data.stream,
                actor=current_user,
                good_rows_only=form.good_rows_only.data,
            )
        except AssessmentError as error:
            flash_refusal(error)
        else:
            imported = sum(1 for row in report if row.imported)
            if imported == len(report):
                flash(_("%(n)d questions were imported.", n=imported), "ok")
            elif imported:
                flash(_("%(n)d questions were imported; see the rows refused.", n=imported), "ok")
            else:
                db.session.rollback()
                flash(_("Nothing was imported: some rows have errors."), "error")
    return render_template("assessment/import.html", course=course, form=form, report=report)


@role_required("teacher", "admin")
def export_questions(course_id: int):
    course = _bank_course(course_id)
    return download(importing.export_bytes(course), f"{course.title}-题库.xlsx", XLSX_MIMETYPE)


@role_required("teacher", "admin")
def question_template():
    return download(importing.template_bytes(), "题库导入模板.xlsx", XLSX_MIMETYPE)


def question_image(version_id: int):
    version = db.session.get(QuestionVersion, version_id)
    if version is None or not version.image_key:
        abort(404)
    if not can_see_question_image(current_user, version):
        abort(404)
    response = Response(image_bytes(version.image_key), mimetype="image/jpeg")
    response.cache_control.private = True
    response.cache_control.max_age = 3600
    return response
