"""The checkpoint API the player uses: answer a checkpoint once, get the feedback.

Shaped like the exam API: anonymous → 401; a checkpoint of a lesson the person may not
watch, or none → 404; an answer of the wrong shape or naming another question's option
→ 400; answered before → 409 ``answered`` (the first answer stands).
"""

from flask import jsonify, request
from flask_babel import gettext as _
from flask_login import current_user

from lms.assessment.api import exam_limit
from lms.assessment.checkpoints import AlreadyAnswered, answer_checkpoint
from lms.assessment.grading import AnswerShapeError
from lms.assessment.models import Checkpoint
from lms.assessment.permissions import can_answer_checkpoint
from lms.assessment.questions import AssessmentError
from lms.extensions import db
from lms.timeutil import utcnow
from lms.web.api import api_login_required, json_error


@exam_limit
@api_login_required
def answer(checkpoint_id: int):
    checkpoint = db.session.get(Checkpoint, checkpoint_id)
    if (
        checkpoint is None
        or checkpoint.question.deleted_at is not None
        or not can_answer_checkpoint(current_user, checkpoint)
    ):
        return json_error(404, "not_found", _("No such checkpoint."))
    body = request.get_json(silent=True)
    if not isinstance(body, dict) or "answer" not in body:
        return json_error(400, "malformed", _('Send {"answer": ...}.'))
    try:
        feedback = answer_checkpoint(checkpoint, current_user.id, body["answer"], utcnow())
    except AnswerShapeError as wrong:
        return json_error(400, "malformed", str(wrong))
    except AlreadyAnswered as again:
        return json_error(409, "answered", str(again))
    except AssessmentError as refused:
        return json_error(400, "malformed", str(refused))
    db.session.commit()
    return jsonify(feedback), 201
