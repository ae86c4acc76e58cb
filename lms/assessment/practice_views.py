"""Daily practice (每日一练) for a learner: the page (one question at a time, drawn by
the server, shown by practice.js) and its answer API, shaped like the exam API
(anonymous → 401, not one of today's questions → 404, bad shape → 400, answered
before → 409 ``answered``)."""

from flask import jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.accounts.permissions import role_required
from lms.assessment.api import exam_limit
from lms.assessment.grading import AnswerShapeError
from lms.assessment.permissions import can_practise
from lms.assessment.practice import (
    PracticeAnswered,
    answer_practice,
    answers_of,
    current_version,
    progress_of,
    record_of,
    still_given,
    todays_practice,
)
from lms.assessment.presenting import question_payload, reveal_payload
from lms.assessment.questions import AssessmentError
from lms.extensions import db
from lms.timeutil import local_date, utcnow
from lms.web.api import api_login_required, json_error
from lms.web.scripts import url_template


def _questions(practice) -> list[dict]:
    """Today's questions as the page gets them; answered ones with their feedback."""
    answers = answers_of(practice)
    shown = []
    for question_id in still_given(practice):
        version = current_version(question_id)
        if version is None:
            continue
        item = {"question": question_payload(version)}
        if question_id in answers:
            item["feedback"] = reveal_payload(version, answers[question_id].score)
        shown.append(item)
    return shown


@role_required("learner")
def practice_page():
    now = utcnow()
    practice = todays_practice(current_user.id, now)
    db.session.commit()
    record = record_of(current_user.id, local_date(now))
    config = None
    if practice is not None:
        config = {
            "questions": _questions(practice),
            "answer": url_template("assessment.api_answer_practice", question_id="id"),
            "messages": {
                "msgSubmit": _("Submit answer"),
                "msgTrue": _("True"),
                "msgFalse": _("False"),
                "msgBlank": _("Blank"),
                "msgRight": _("Right!"),
                "msgWrong": _("Not quite."),
                "msgAnswer": _("The answer:"),
                "msgExplanation": _("Explanation:"),
                "msgNext": _("Next question"),
                "msgDone": _("Today's practice is done. Come back tomorrow!"),
                "msgProgress": _("Question {n} of {total}"),
                "msgIncomplete": _("Please give a complete answer."),
                "msgNetwork": _("The network is unsteady. Please try again in a moment."),
                "msgLoggedOut": _("You were logged out. Log in again to answer."),
            },
        }
    return render_template(
        "assessment/practice.html",
        practice=practice,
        record=record,
        config=config,
        progress=progress_of(practice) if practice else None,
    )


@exam_limit
@api_login_required
def answer(question_id: int):
    if not can_practise(current_user):
        return json_error(404, "not_found", _("No such question in today's practice."))
    now = utcnow()
    practice = todays_practice(current_user.id, now)
    if practice is None:
        return json_error(404, "not_found", _("No such question in today's practice."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "answer" not in body:
        return json_error(400, "malformed", _('Send {"answer": ...}.'))
    try:
        feedback = answer_practice(practice, question_id, body["answer"], now)
    except LookupError:
        return json_error(404, "not_found", _("No such question in today's practice."))
    except AnswerShapeError as wrong:
        return json_error(400, "malformed", str(wrong))
    except PracticeAnswered as again:
        return json_error(409, "answered", str(again))
    except AssessmentError as refused:
        return json_error(400, "malformed", str(refused))
    db.session.commit()
    return jsonify(feedback), 201
