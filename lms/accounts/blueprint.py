"""The accounts blueprint: every URL rule of the domain, and its request hook."""

from flask import Blueprint

from lms.accounts import audit_views, people_views, privacy_views, views

bp = Blueprint("accounts", __name__)

# Before any page: a new privacy notice version is accepted first.
bp.before_app_request(privacy_views.ask_for_consent)

# Signing up, logging in and out, one's own password.
bp.add_url_rule("/register", "register", views.register, methods=["GET", "POST"])
bp.add_url_rule("/login", "login", views.login, methods=["GET", "POST"])
bp.add_url_rule("/logout", "logout", views.logout, methods=["POST"])
bp.add_url_rule(
    "/account/password", "change_password", views.change_password, methods=["GET", "POST"]
)

# Preferences (kept in a cookie when logged out).
bp.add_url_rule(
    "/preferences/elder-mode", "toggle_elder_mode", views.toggle_elder_mode, methods=["POST"]
)
bp.add_url_rule("/preferences/language", "choose_language", views.choose_language, methods=["POST"])

# Personal information (PIPL): the notice, consent, a copy of one's data, deletion.
bp.add_url_rule("/privacy", "privacy", views.privacy, methods=["GET"])
bp.add_url_rule("/privacy/consent", "consent", privacy_views.consent, methods=["GET", "POST"])
bp.add_url_rule("/account/my-data", "my_data", privacy_views.my_data, methods=["GET"])
bp.add_url_rule(
    "/account/delete", "request_deletion", privacy_views.request_deletion, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/people/deletions", "deletion_requests", privacy_views.deletion_requests, methods=["GET"]
)
bp.add_url_rule("/people/<int:user_id>/erase", "erase", privacy_views.erase, methods=["POST"])

# People management: admins everywhere, staff for the learners of their 镇街.
bp.add_url_rule("/people/", "people", people_views.people, methods=["GET"])
bp.add_url_rule("/people/new", "create_user", people_views.create_user, methods=["GET", "POST"])
bp.add_url_rule(
    "/people/new-learner",
    "register_learner",
    people_views.register_learner,
    methods=["GET", "POST"],
)
bp.add_url_rule(
    "/people/import", "import_people", people_views.import_people, methods=["GET", "POST"]
)
bp.add_url_rule("/people/<int:user_id>", "person", people_views.person, methods=["GET"])
bp.add_url_rule(
    "/people/<int:user_id>/edit", "edit_person", people_views.edit_person, methods=["GET", "POST"]
)
bp.add_url_rule(
    "/people/<int:user_id>/password",
    "reset_password",
    people_views.reset_password,
    methods=["POST"],
)
bp.add_url_rule(
    "/people/<int:user_id>/disable", "set_disabled", people_views.set_disabled, methods=["POST"]
)
bp.add_url_rule(
    "/people/<int:user_id>/roles", "change_roles", people_views.change_roles, methods=["POST"]
)

# The audit log (admin).
bp.add_url_rule("/audit/", "audit_log", audit_views.audit_log, methods=["GET"])
bp.add_url_rule(
    "/audit/export.xlsx", "export_audit_log", audit_views.export_audit_log, methods=["GET"]
)
