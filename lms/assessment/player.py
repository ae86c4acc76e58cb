"""Assessment's additions to course pages: the checkpoints on the lesson player (a
player extension, as study's heartbeats) and the teacher's link to a lesson's
checkpoints."""

from flask import url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l

from lms.assessment.checkpoints import player_checkpoints
from lms.assessment.permissions import can_manage_checkpoints
from lms.courses.hooks import PlayerExtension, register_course_link, register_player_extension
from lms.courses.permissions import can_watch_lesson
from lms.web.scripts import url_template


def checkpoint_config(lesson, user):
    """What checkpoints.js needs: the checkpoints this learner has not answered yet
    (none: the script stays out), questions without their keys."""
    if not user.is_authenticated or not can_watch_lesson(user, lesson):
        return None
    pending = player_checkpoints(lesson, user.id)
    if not pending:
        return None
    return {
        "checkpoints": pending,
        "answer": url_template("assessment.api_answer_checkpoint", checkpoint_id="id"),
        "messages": {
            "msgCheckpoint": _("A question for you"),
            "msgSubmit": _("Submit answer"),
            "msgTrue": _("True"),
            "msgFalse": _("False"),
            "msgBlank": _("Blank"),
            "msgRight": _("Right!"),
            "msgWrong": _("Not quite."),
            "msgAnswer": _("The answer:"),
            "msgExplanation": _("Explanation:"),
            "msgContinue": _("Continue watching"),
            "msgAnswered": _("You answered this question already."),
            "msgIncomplete": _("Please give a complete answer."),
            "msgNetwork": _("The network is unsteady. Please try again in a moment."),
            "msgLoggedOut": _("You were logged out. Log in again to answer."),
        },
    }


def connect() -> None:
    register_player_extension(
        PlayerExtension("checkpoints", "js/assessment/checkpoints.js", checkpoint_config)
    )
    register_course_link(
        "teach_lesson",
        "assessment.lesson_checkpoints",
        _l("Checkpoints"),
        lambda lesson: url_for("assessment.lesson_checkpoints", lesson_id=lesson.id),
        visible=can_manage_checkpoints,
        order=40,
    )
