"""Grading as pure functions: no app, no database.

A question's key (``Key``) and an answer as the learner gave it go in; a score comes
out, never below 0 nor above the question's points (None when a teacher must grade).
An attempt's score is the sum of its questions' scores.

Answers as the API takes them (``check_answer`` refuses any other shape):
  single        [option_id]            (exactly one id of the question's options)
  multiple      [option_id, ...]       (distinct ids of the question's options; may be empty)
  true_false    true | false
  fill_blank    ["text", ...]          (one text per blank)
  short_answer  "text"

Rules:
  single, true_false  all the points or 0.
  multiple            all-or-nothing: exactly the correct set earns the points. With
                      partial credit: any wrong option chosen scores 0; otherwise each
                      correct option chosen earns points / number of correct options.
  fill_blank          each blank earns points / number of blanks when its text matches
                      one of the blank's accepted texts; matching ignores case,
                      surrounding spaces and full-width vs half-width characters (NFKC).
  short_answer        None until a teacher gives a score, which is clamped to [0, points].
"""

import unicodedata
from dataclasses import dataclass, field

# Longest text kept for one blank or one short answer.
MAX_BLANK_CHARS = 200
MAX_SHORT_ANSWER_CHARS = 5000


class AnswerShapeError(ValueError):
    """The answer does not fit the question (wrong shape, unknown option id)."""


@dataclass(frozen=True)
class Key:
    """What grading needs of one question version."""

    type: str
    points: float
    option_ids: tuple[int, ...] = ()
    correct_option_ids: frozenset[int] = field(default_factory=frozenset)
    partial_credit: bool = False
    true_false: bool | None = None
    blanks: tuple[tuple[str, ...], ...] = ()


def key_of(version) -> Key:
    """The ``Key`` of a ``QuestionVersion`` (or anything with the same attributes)."""
    options = list(version.options)
    answer_key = version.answer_key
    return Key(
        type=version.type,
        points=float(version.points),
        option_ids=tuple(option.id for option in options),
        correct_option_ids=frozenset(option.id for option in options if option.is_correct),
        partial_credit=bool(version.partial_credit),
        true_false=bool(answer_key) if version.type == "true_false" else None,
        blanks=tuple(tuple(accepted) for accepted in answer_key)
        if version.type == "fill_blank" and answer_key
        else (),
    )


def normalise_text(text: str) -> str:
    """Full-width → half-width (NFKC), case folded, surrounding spaces dropped."""
    return unicodedata.normalize("NFKC", text).strip().casefold()


def check_answer(key: Key, answer):
    """The answer in its stored form, or ``AnswerShapeError``. None clears an answer."""
    if answer is None:
        return None
    if key.type in ("single", "multiple"):
        if not isinstance(answer, list) or not all(
            isinstance(item, int) and not isinstance(item, bool) for item in answer
        ):
            raise AnswerShapeError("expected a list of option ids")
        if len(set(answer)) != len(answer):
            raise AnswerShapeError("an option is named twice")
        if not set(answer) <= set(key.option_ids):
            raise AnswerShapeError("an option id is not one of this question's")
        if key.type == "single" and len(answer) != 1:
            raise AnswerShapeError("choose exactly one option")
        return list(answer)
    if key.type == "true_false":
        if not isinstance(answer, bool):
            raise AnswerShapeError("expected true or false")
        return answer
    if key.type == "fill_blank":
        if not isinstance(answer, list) or len(answer) != len(key.blanks):
            raise AnswerShapeError(f"expected a list of {len(key.blanks)} texts")
        if not all(isinstance(text, str) and len(text) <= MAX_BLANK_CHARS for text in answer):
            raise AnswerShapeError("each blank is a text of at most 200 characters")
        return list(answer)
    if key.type == "short_answer":
        if not isinstance(answer, str) or len(answer) > MAX_SHORT_ANSWER_CHARS:
            raise AnswerShapeError("expected a text of at most 5000 characters")
        return answer
    raise AnswerShapeError("unknown question type")


def _clamp(score: float, points: float) -> float:
    return max(0.0, min(float(points), round(score, 2)))


def grade_single(chosen: list[int], correct: frozenset[int], points: float) -> float:
    return _clamp(points, points) if set(chosen) == set(correct) and chosen else 0.0


def grade_multiple(
    chosen: list[int], correct: frozenset[int], points: float, *, partial: bool
) -> float:
    chosen_set = set(chosen)
    if not correct or chosen_set - correct:
        return 0.0
    if chosen_set == correct:
        return _clamp(points, points)
    if not partial:
        return 0.0
    return _clamp(points * len(chosen_set) / len(correct), points)


def grade_true_false(answer: bool, correct: bool, points: float) -> float:
    return _clamp(points, points) if answer is correct else 0.0


def blank_matches(text: str, accepted: tuple[str, ...]) -> bool:
    given = normalise_text(text)
    return any(given == normalise_text(option) for option in accepted)


def grade_fill_blank(texts: list[str], blanks: tuple[tuple[str, ...], ...], points: float) -> float:
    if not blanks:
        return 0.0
    right = sum(
        1 for text, accepted in zip(texts, blanks, strict=False) if blank_matches(text, accepted)
    )
    return _clamp(points * right / len(blanks), points)


def grade_short_answer(teacher_score: float | None, points: float) -> float | None:
    """A short answer's score: what the teacher gave, clamped; None until then."""
    if teacher_score is None:
        return None
    return _clamp(float(teacher_score), points)


def grade(key: Key, answer) -> float | None:
    """The score of ``answer`` (already checked, or None for no answer) on ``key``.

    None only for a short answer, which a teacher grades (an empty one scores 0)."""
    if key.type == "short_answer":
        return 0.0 if answer is None or not str(answer).strip() else None
    if answer is None:
        return 0.0
    if key.type == "single":
        return grade_single(answer, key.correct_option_ids, key.points)
    if key.type == "multiple":
        return grade_multiple(
            answer, key.correct_option_ids, key.points, partial=key.partial_credit
        )
    if key.type == "true_false":
        return grade_true_false(answer, bool(key.true_false), key.points)
    if key.type == "fill_blank":
        return grade_fill_blank(answer, key.blanks, key.points)
    raise ValueError(f"unknown question type {key.type!r}")


def is_correct(key: Key, score: float | None) -> bool | None:
    """Full marks (None while a teacher has not graded)."""
    return None if score is None else score >= key.points


def attempt_score(scores: list[float | None]) -> float:
    """The attempt's score: the sum of its questions' (ungraded ones count 0 for now)."""
    return round(sum(score or 0.0 for score in scores), 2)


def percent_of(score: float, max_score: float) -> float:
    return round(100.0 * score / max_score, 2) if max_score > 0 else 0.0
