"""Labels the community pages show for stored codes."""

from flask_babel import lazy_gettext as _l

KIND_LABELS = {
    "agency": _l("Government agency"),
    "enterprise": _l("Enterprise"),
    "community": _l("Community"),
    "family": _l("Family"),
    "association": _l("Association"),
}
ORGANISATION_STATE_LABELS = {
    "applied": _l("Waiting for approval"),
    "active": _l("Active"),
    "rejected": _l("Rejected"),
}
ROLE_LABELS = {"member": _l("Member"), "manager": _l("Manager")}
NAME_CHOICE_LABELS = {
    "full": _l("My full name"),
    "surname": _l("Only my surname (e.g. 张**)"),
    "hidden": _l("No name (“a learner of my town”)"),
}
NOMINATION_STATE_LABELS = {"nominated": _l("Nominated"), "selected": _l("Star of the year")}
TRAINING_STATUS_LABELS = {
    "completed": _l("Completed"),
    "completed_late": _l("Completed late"),
    "overdue": _l("Overdue"),
    "in_progress": _l("In progress"),
    "not_started": _l("Not started"),
}


def label(mapping: dict, code: str) -> str:
    return str(mapping.get(code, code))


def community_label(group: str, code: str) -> str:
    """The label of ``code`` among a group of labels, for templates."""
    groups = {
        "kind": KIND_LABELS,
        "state": ORGANISATION_STATE_LABELS,
        "role": ROLE_LABELS,
        "name_choice": NAME_CHOICE_LABELS,
        "nomination": NOMINATION_STATE_LABELS,
        "training": TRAINING_STATUS_LABELS,
    }
    return label(groups[group], code)
