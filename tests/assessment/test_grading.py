"""Grading as pure functions, every type, with Hypothesis: a score is never below 0 nor
above the question's points, and an attempt's score is the sum of its questions'."""

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lms.assessment import grading
from lms.assessment.grading import AnswerShapeError, Key

points = st.sampled_from([0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 100.0])
option_sets = st.lists(st.integers(1, 10_000), min_size=2, max_size=6, unique=True)
texts = st.text(max_size=20)
# A busy machine must not fail a test on time: no deadline, no too-slow health check.
relaxed = settings(deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def keys_and_answers(draw):
    kind = draw(st.sampled_from(("single", "multiple", "true_false", "fill_blank")))
    value = draw(points)
    if kind in ("single", "multiple"):
        options = draw(option_sets)
        if kind == "single":
            correct = frozenset([draw(st.sampled_from(options))])
            answer = [draw(st.sampled_from(options))]
        else:
            correct = frozenset(draw(st.lists(st.sampled_from(options), min_size=1, unique=True)))
            answer = draw(st.lists(st.sampled_from(options), unique=True))
        key = Key(kind, value, tuple(options), correct, partial_credit=draw(st.booleans()))
    elif kind == "true_false":
        key = Key(kind, value, true_false=draw(st.booleans()))
        answer = draw(st.booleans())
    else:
        blanks = tuple(
            tuple(draw(st.lists(texts, min_size=1, max_size=3)))
            for _ in range(draw(st.integers(1, 4)))
        )
        key = Key(kind, value, blanks=blanks)
        answer = [draw(st.one_of(texts, st.sampled_from(accepted))) for accepted in blanks]
    return key, answer


@relaxed
@given(keys_and_answers())
def test_a_score_is_between_0_and_the_points(pair):
    key, answer = pair
    checked = grading.check_answer(key, answer)
    score = grading.grade(key, checked)
    assert 0.0 <= score <= key.points


@relaxed
@given(st.lists(keys_and_answers(), min_size=1, max_size=12))
def test_an_attempt_scores_the_sum_of_its_questions(pairs):
    scores = [grading.grade(key, answer) for key, answer in pairs]
    total = grading.attempt_score(scores)
    assert total == pytest.approx(sum(scores))
    assert 0.0 <= total <= sum(key.points for key, _ in pairs) + 1e-9
    assert 0.0 <= grading.percent_of(total, sum(key.points for key, _ in pairs)) <= 100.0


@relaxed
@given(points, st.one_of(st.none(), st.floats(-1e6, 1e6, allow_nan=False)))
def test_a_teachers_short_answer_score_is_clamped(value, given_score):
    score = grading.grade_short_answer(given_score, value)
    assert score is None if given_score is None else 0.0 <= score <= value


def test_single_choice_is_all_or_nothing():
    key = Key("single", 2.0, (11, 12, 13), frozenset([12]))
    assert grading.grade(key, [12]) == 2.0
    assert grading.grade(key, [11]) == 0.0
    assert grading.grade(key, None) == 0.0


def test_multiple_choice_all_or_nothing_and_partial_credit():
    strict = Key("multiple", 4.0, (1, 2, 3, 4), frozenset([1, 3]))
    partial = Key("multiple", 4.0, (1, 2, 3, 4), frozenset([1, 3]), partial_credit=True)
    assert grading.grade(strict, [3, 1]) == grading.grade(partial, [1, 3]) == 4.0
    assert grading.grade(strict, [1]) == 0.0
    assert grading.grade(partial, [1]) == 2.0  # each correct option earns its share
    assert grading.grade(partial, [1, 2]) == 0.0  # any wrong option: 0 for the question
    assert grading.grade(partial, []) == 0.0
    thirds = Key("multiple", 1.0, (1, 2, 3), frozenset([1, 2, 3]), partial_credit=True)
    assert grading.grade(thirds, [1]) == 0.33


def test_true_false():
    key = Key("true_false", 1.0, true_false=False)
    assert grading.grade(key, False) == 1.0 and grading.grade(key, True) == 0.0


@pytest.mark.parametrize(
    ("given_text", "right"),
    [
        ("北京", True),
        ("  北京 ", True),
        ("beijing", True),
        ("ＢＥＩＪＩＮＧ", True),  # full-width letters
        ("Ｂｅｉｊｉｎｇ　", True),  # and a full-width space
        ("南京", False),
        ("", False),
    ],
)
def test_fill_blank_matching_ignores_case_spaces_and_width(given_text, right):
    key = Key("fill_blank", 2.0, blanks=(("北京", "Beijing"), ("京",)))
    assert grading.grade(key, [given_text, "京"]) == (2.0 if right else 1.0)


def test_fill_blank_numbers_in_full_width_match():
    key = Key("fill_blank", 1.0, blanks=(("110",),))
    assert grading.grade(key, ["１１０"]) == 1.0


def test_short_answers_wait_for_a_teacher_unless_empty():
    key = Key("short_answer", 5.0)
    assert grading.grade(key, "我学到了不轻信陌生来电") is None
    assert grading.grade(key, "   ") == 0.0 and grading.grade(key, None) == 0.0


@pytest.mark.parametrize(
    ("key", "answer"),
    [
        (Key("single", 1.0, (1, 2), frozenset([1])), [1, 2]),
        (Key("single", 1.0, (1, 2), frozenset([1])), [3]),
        (Key("single", 1.0, (1, 2), frozenset([1])), 1),
        (Key("multiple", 1.0, (1, 2), frozenset([1])), [1, 1]),
        (Key("multiple", 1.0, (1, 2), frozenset([1])), [True]),
        (Key("multiple", 1.0, (1, 2), frozenset([1])), ["1"]),
        (Key("true_false", 1.0, true_false=True), 1),
        (Key("true_false", 1.0, true_false=True), "true"),
        (Key("fill_blank", 1.0, blanks=(("a",), ("b",))), ["a"]),
        (Key("fill_blank", 1.0, blanks=(("a",),)), [1]),
        (Key("fill_blank", 1.0, blanks=(("a",),)), ["x" * 201]),
        (Key("short_answer", 1.0), ["text"]),
        (Key("short_answer", 1.0), "x" * 5001),
    ],
)
def test_answers_of_the_wrong_shape_are_refused(key, answer):
    with pytest.raises(AnswerShapeError):
        grading.check_answer(key, answer)
