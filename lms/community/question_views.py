"""Questions on lessons: the section below the lesson player, a question's page,
teachers' answers and queues, moderation and the blocked words. The URL rules are in
``blueprint.py``; the rules in ``questions.py``."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from markupsafe import Markup

from lms.accounts.permissions import role_required
from lms.community import moderation, question_queries, questions
from lms.community.forms import AnswerForm, BlockedWordsForm, QuestionForm, ReportForm
from lms.community.permissions import (
    can_edit_blocked_words,
    can_moderate_questions,
    can_see_question_queues,
    can_take_part,
    get_answer_or_404,
    get_question_or_404,
)
from lms.community.services import CommunityError
from lms.community.views import page_number
from lms.courses.permissions import can_edit_every_course, get_course_or_404, get_lesson_or_404
from lms.extensions import limiter
from lms.web.errors import act_then_redirect, flash_refusal

QUESTIONS_PER_PAGE = 10


def _poster_key() -> str:
    return (
        f"user:{current_user.id}" if current_user.is_authenticated else f"ip:{request.remote_addr}"
    )


# One budget per learner for questions and reports, on any device or address.
posting_limit = limiter.shared_limit(
    lambda: current_app.config["LMS_QUESTION_LIMIT"],
    scope="lesson-questions",
    key_func=_poster_key,
)


def _lesson_url(question) -> str:
    return (
        url_for("courses.lesson", course_id=question.course_id, lesson_id=question.lesson_id)
        + f"#question-{question.id}"
    )


def _back(question) -> str:
    """Where a form on the lesson page or on the question's page returns to."""
    if request.form.get("back") == "question":
        return url_for("community.question", question_id=question.id)
    return _lesson_url(question)


def _listing(items, *, moderator: bool) -> dict:
    ids = [question.id for question in items]
    viewer = current_user.id if current_user.is_authenticated else None
    return {
        "names": question_queries.author_names(q.learner_id for q in items),
        "voted": question_queries.my_votes(ids, viewer),
        "reported": question_queries.my_reports(ids, viewer),
        "answers": {q.id: question_queries.visible_answers(q, moderator=moderator) for q in items},
        "render_post": moderation.render_post,
    }


def lesson_section(lesson, user):
    """The questions below the lesson player (a lesson section registered with courses)."""
    course = lesson.course
    moderator = can_moderate_questions(user, course)
    page = question_queries.lesson_questions_page(
        lesson,
        user.id if user.is_authenticated else None,
        moderator=moderator,
        page=page_number(),
        per_page=QUESTIONS_PER_PAGE,
    )
    return Markup(  # a rendered template: already escaped
        render_template(
            "community/_lesson_questions.html",
            course=course,
            lesson=lesson,
            page=page,
            form=QuestionForm(formdata=None) if can_take_part(user, course) else None,
            can_take_part=can_take_part(user, course),
            moderator=moderator,
            **_listing(page.items, moderator=moderator),
        )
    )


@login_required
@posting_limit
def ask(course_id: int, lesson_id: int):
    course = get_course_or_404(course_id)
    lesson = get_lesson_or_404(course, lesson_id)
    if not can_take_part(current_user, course):
        abort(403)
    form = QuestionForm()
    to = url_for("courses.lesson", course_id=course.id, lesson_id=lesson.id) + "#questions"
    if not form.validate_on_submit():
        flash(_("Please write your question (up to 500 characters)."), "error")
        return redirect(to)
    position = form.position.data if form.pin_time.data else None
    try:
        question = questions.ask_question(lesson, form.body.data, position, learner=current_user)
    except CommunityError as error:
        flash_refusal(error)
        return redirect(to)
    if question.state == "held":
        flash(_("Thank you. Your question will appear after a review."), "ok")
    else:
        flash(_("Your question is posted. The teacher will answer it here."), "ok")
    return redirect(_lesson_url(question))


def question(question_id: int):
    question = get_question_or_404(question_id)
    moderator = can_moderate_questions(current_user, question.course)
    return render_template(
        "community/question.html",
        question=question,
        lesson=question.lesson,
        course=question.course,
        moderator=moderator,
        can_take_part=can_take_part(current_user, question.course),
        answer_form=AnswerForm(formdata=None) if moderator else None,
        reports=question_queries.open_reports(question.id) if moderator else [],
        **_listing([question], moderator=moderator),
    )


@login_required
def answer(question_id: int):
    question = get_question_or_404(question_id, moderate=True)
    form = AnswerForm()
    if not form.validate_on_submit():
        flash(_("Please write the answer (up to 2000 characters)."), "error")
    else:
        try:
            questions.answer_question(question, form.body.data, actor=current_user)
        except CommunityError as error:
            flash_refusal(error)
        else:
            flash(_("Your answer is posted; the learner is notified."), "ok")
    return redirect(url_for("community.question", question_id=question.id))


@login_required
def edit_answer(answer_id: int):
    answer = get_answer_or_404(answer_id)
    form = AnswerForm(obj=answer)
    if form.validate_on_submit():
        try:
            questions.edit_answer(answer, form.body.data, actor=current_user)
        except CommunityError as error:
            flash_refusal(error)
        else:
            flash(_("Saved."), "ok")
            return redirect(url_for("community.question", question_id=answer.question_id))
    return render_template("community/edit_answer.html", answer=answer, form=form)


@login_required
def me_too(question_id: int):
    question = get_question_or_404(question_id)
    if not can_take_part(current_user, question.course):
        abort(403)
    return act_then_redirect(
        lambda: questions.toggle_me_too(question, learner=current_user),
        done=_("Saved."),
        to=_back(question),
    )


@login_required
@posting_limit
def report(question_id: int):
    question = get_question_or_404(question_id)
    if not can_take_part(current_user, question.course):
        abort(403)
    form = ReportForm()
    if not form.validate_on_submit():
        abort(400)
    return act_then_redirect(
        lambda: questions.report_question(question, form.reason.data, reporter=current_user),
        done=_("Thank you. The teachers will look at it."),
        to=_back(question),
    )


def _moderate(question_id: int, action, done: str):
    question = get_question_or_404(question_id, moderate=True)
    return act_then_redirect(
        lambda: action(question, actor=current_user),
        done=done,
        to=url_for("community.question", question_id=question.id),
    )


@login_required
def hide_question(question_id: int):
    return _moderate(question_id, questions.hide_question, _("The question is hidden."))


@login_required
def restore_question(question_id: int):
    return _moderate(question_id, questions.restore_question, _("The question is published."))


def _moderate_answer(answer_id: int, action, done: str):
    answer = get_answer_or_404(answer_id)
    return act_then_redirect(
        lambda: action(answer, actor=current_user),
        done=done,
        to=url_for("community.question", question_id=answer.question_id),
    )


@login_required
def hide_answer(answer_id: int):
    return _moderate_answer(answer_id, questions.hide_answer, _("The answer is hidden."))


@login_required
def restore_answer(answer_id: int):
    return _moderate_answer(answer_id, questions.restore_answer, _("The answer is shown again."))


def _teacher_scope() -> int | None:
    return None if can_edit_every_course(current_user) else current_user.id


@role_required("teacher", "admin")
def question_queue():
    if not can_see_question_queues(current_user):
        abort(403)
    page = question_queries.unanswered_page(_teacher_scope(), page=page_number())
    return render_template(
        "community/question_queue.html",
        page=page,
        names=question_queries.author_names(q.learner_id for q in page.items),
        render_post=moderation.render_post,
    )


@role_required("teacher", "admin")
def question_moderation():
    if not can_see_question_queues(current_user):
        abort(403)
    page = question_queries.moderation_page(_teacher_scope(), page=page_number())
    return render_template(
        "community/question_moderation.html",
        page=page,
        names=question_queries.author_names(q.learner_id for q, _n in page.items),
        render_post=moderation.render_post,
        can_edit_words=can_edit_blocked_words(current_user),
    )


@role_required("admin")
def blocked_words():
    form = BlockedWordsForm()
    if form.validate_on_submit():
        words = moderation.save_list(form.words.data or "")
        flash(_("Saved: %(count)d blocked words.", count=len(words)), "ok")
        return redirect(url_for("community.blocked_words"))
    if request.method == "GET":
        form.words.data = moderation.list_text()
    return render_template(
        "community/blocked_words.html",
        form=form,
        count=len(moderation.blocked_words()),
        path=str(moderation.words_file()),
    )
