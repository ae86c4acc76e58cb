"""Questions as the learner's browser gets them: without any sign of the answer key
until a review policy (or a checkpoint's or practice's feedback) reveals it.

``question_payload`` is the only shape a question leaves the server in before that:
id, type, stem, points, options (id and text only, in the order shown), the number of
blanks and the image's URL. ``reveal_payload`` adds the key, after the answer.
"""

from flask import url_for

from lms.assessment.models import QuestionVersion


def question_payload(version: QuestionVersion, option_order: list[int] | None = None) -> dict:
    options = {option.id: option for option in version.options}
    order = [i for i in (option_order or []) if i in options] or list(options)
    return {
        "id": version.question_id,
        "type": version.type,
        "stem": version.stem,
        "points": version.points,
        "options": [{"id": i, "text": options[i].text} for i in order],
        "blanks": version.blank_count,
        "image_url": url_for("assessment.question_image", version_id=version.id)
        if version.image_key
        else None,
    }


def right_answer(version: QuestionVersion):
    """The key in the answer's own shape (option ids, a bool, texts per blank, a text)."""
    if version.type in ("single", "multiple"):
        return [option.id for option in version.options if option.is_correct]
    if version.type == "fill_blank":
        return [list(blank) for blank in version.answer_key or []]
    return version.answer_key


def reveal_payload(
    version: QuestionVersion,
    score: float | None,
    *,
    answers: bool = True,
    explanations: bool = True,
) -> dict:
    """What the learner may see after answering: the score, whether it was right, and —
    as the policy allows — the right answer and the explanation."""
    payload = {
        "score": score,
        "correct": None if score is None else score >= version.points,
    }
    if answers:
        payload["right_answer"] = right_answer(version)
    if explanations:
        payload["explanation"] = version.explanation
    return payload
