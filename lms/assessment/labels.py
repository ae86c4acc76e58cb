"""Translated names of question types, difficulties and review policies, for templates."""

from lms.assessment.forms import DIFFICULTY_CHOICES, TYPE_CHOICES


def template_labels() -> dict:
    return {
        "question_types": TYPE_CHOICES,
        "difficulties": DIFFICULTY_CHOICES,
        "type_labels": dict(TYPE_CHOICES),
        "difficulty_labels": dict(DIFFICULTY_CHOICES),
    }
