"""The community blueprint: every URL rule of the domain, in one list."""

from flask import Blueprint

from lms.community import org_views, question_views, rating_views, training_views, views

bp = Blueprint("community", __name__)


# The hub and my notifications
bp.add_url_rule("/community/", "hub", views.hub, methods=["GET"])
bp.add_url_rule("/notifications/", "notification_list", views.notification_list, methods=["GET"])
bp.add_url_rule(
    "/notifications/read", "read_all_notifications", views.read_all_notifications, methods=["POST"]
)
bp.add_url_rule(
    "/notifications/<int:notification_id>",
    "open_notification",
    views.open_notification,
    methods=["GET"],
)

# The public honour roll, and how my name shows on it
bp.add_url_rule("/honour-roll/", "honour_roll", views.honour_roll, methods=["GET"])
bp.add_url_rule("/honour-roll/my-name", "honour_name", views.honour_name, methods=["GET", "POST"])

# Learning stars: staff rank and nominate in their 镇街, the admin selects
bp.add_url_rule("/stars/rankings", "rankings", views.rankings, methods=["GET"])
bp.add_url_rule(
    "/stars/nominate/<int:learner_id>", "nominate", views.nominate, methods=["GET", "POST"]
)
bp.add_url_rule("/stars/nominations", "nominations", views.nominations, methods=["GET"])
bp.add_url_rule(
    "/stars/nominations/<int:nomination_id>/select",
    "select_star",
    views.select_star,
    methods=["POST"],
)
bp.add_url_rule(
    "/stars/nominations/<int:nomination_id>/unselect",
    "unselect_star",
    views.unselect_star,
    methods=["POST"],
)
bp.add_url_rule(
    "/stars/nominations/<int:nomination_id>/withdraw",
    "withdraw_nomination",
    views.withdraw_nomination,
    methods=["POST"],
)

# Learning organisations: applications, joining, leaving
bp.add_url_rule("/organisations/", "organisations", org_views.organisations, methods=["GET"])
bp.add_url_rule(
    "/organisations/new", "new_organisation", org_views.new_organisation, methods=["GET", "POST"]
)
bp.add_url_rule("/organisations/join", "join", org_views.join, methods=["GET", "POST"])
bp.add_url_rule(
    "/organisations/<int:organisation_id>", "organisation", org_views.organisation, methods=["GET"]
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/decide",
    "decide_organisation",
    org_views.decide_organisation,
    methods=["POST"],
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/leave",
    "leave_organisation",
    org_views.leave_organisation,
    methods=["POST"],
)

# An organisation's managers: invite codes and members
bp.add_url_rule(
    "/organisations/<int:organisation_id>/invites",
    "invites",
    org_views.invites,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/invites/<int:invite_id>/revoke",
    "revoke_invite",
    org_views.revoke_invite,
    methods=["POST"],
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/members", "members", org_views.members, methods=["GET"]
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/members/<int:member_id>/role",
    "member_role",
    org_views.member_role,
    methods=["POST"],
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/members/<int:member_id>/remove",
    "remove_member",
    org_views.remove_member,
    methods=["POST"],
)

# The admin evaluates organisations against a checklist and awards the title
bp.add_url_rule("/evaluation-criteria/", "criteria", org_views.criteria, methods=["GET", "POST"])
bp.add_url_rule(
    "/evaluation-criteria/<int:criterion_id>/retire",
    "retire_criterion",
    org_views.retire_criterion,
    methods=["POST"],
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/evaluations/<int:year>",
    "evaluate",
    org_views.evaluate,
    methods=["GET", "POST"],
)
bp.add_url_rule("/evaluations/", "evaluations_list", org_views.evaluations_list, methods=["GET"])
bp.add_url_rule(
    "/evaluations/<int:evaluation_id>/award", "award", org_views.award, methods=["POST"]
)
bp.add_url_rule(
    "/evaluations/<int:evaluation_id>/withdraw-award",
    "withdraw_award",
    org_views.withdraw_award,
    methods=["POST"],
)

# Workplace training: my assignments; managers assign courses and keep the ledger
bp.add_url_rule("/training/", "my_training", training_views.my_training, methods=["GET"])
bp.add_url_rule(
    "/organisations/<int:organisation_id>/training/",
    "training_list",
    training_views.training_list,
    methods=["GET"],
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/training/new",
    "new_training",
    training_views.new_training,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/training/ledger",
    "training_ledger",
    training_views.training_ledger,
    methods=["GET"],
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/training/ledger.xlsx",
    "training_ledger_xlsx",
    training_views.training_ledger_xlsx,
    methods=["GET"],
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/training/<int:assignment_id>",
    "assignment",
    training_views.assignment,
    methods=["GET"],
)
bp.add_url_rule(
    "/organisations/<int:organisation_id>/training/<int:assignment_id>/assign-new",
    "assign_new_members",
    training_views.assign_new_members,
    methods=["POST"],
)

# Course ratings and quality
bp.add_url_rule(
    "/courses/<int:course_id>/ratings",
    "course_ratings",
    rating_views.course_ratings,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/ratings/<int:rating_id>/hide",
    "hide_rating_comment",
    rating_views.hide_rating_comment,
    methods=["POST"],
)
bp.add_url_rule(
    "/ratings/<int:rating_id>/show",
    "show_rating_comment",
    rating_views.show_rating_comment,
    methods=["POST"],
)
bp.add_url_rule(
    "/teaching/quality", "teaching_quality", rating_views.teaching_quality, methods=["GET"]
)
bp.add_url_rule("/quality/", "quality", rating_views.quality, methods=["GET"])

# Questions on lessons: learners ask, "我也想知道" and report; teachers answer and moderate
bp.add_url_rule(
    "/courses/<int:course_id>/lessons/<int:lesson_id>/questions",
    "ask_question",
    question_views.ask,
    methods=["POST"],
)
bp.add_url_rule(
    "/questions/<int:question_id>", "question", question_views.question, methods=["GET"]
)
bp.add_url_rule(
    "/questions/<int:question_id>/me-too", "me_too", question_views.me_too, methods=["POST"]
)
bp.add_url_rule(
    "/questions/<int:question_id>/report",
    "report_question",
    question_views.report,
    methods=["POST"],
)
bp.add_url_rule(
    "/questions/<int:question_id>/answers",
    "answer_question",
    question_views.answer,
    methods=["POST"],
)
bp.add_url_rule(
    "/answers/<int:answer_id>/edit",
    "edit_answer",
    question_views.edit_answer,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/questions/<int:question_id>/hide",
    "hide_question",
    question_views.hide_question,
    methods=["POST"],
)
bp.add_url_rule(
    "/questions/<int:question_id>/restore",
    "restore_question",
    question_views.restore_question,
    methods=["POST"],
)
bp.add_url_rule(
    "/answers/<int:answer_id>/hide", "hide_answer", question_views.hide_answer, methods=["POST"]
)
bp.add_url_rule(
    "/answers/<int:answer_id>/restore",
    "restore_answer",
    question_views.restore_answer,
    methods=["POST"],
)
bp.add_url_rule(
    "/teaching/questions", "question_queue", question_views.question_queue, methods=["GET"]
)
bp.add_url_rule(
    "/teaching/questions/moderation",
    "question_moderation",
    question_views.question_moderation,
    methods=["GET"],
)
bp.add_url_rule(
    "/questions/blocked-words",
    "blocked_words",
    question_views.blocked_words,
    methods=["GET", "POST"],
)
