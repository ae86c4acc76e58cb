"""The credits blueprint and every URL rule of the domain."""

from flask import Blueprint

from lms.credits import badge_views, certificate_views, recognition_views, views

bp = Blueprint("credits", __name__)

GET, POST = ["GET"], ["POST"]
FORM = ["GET", "POST"]

# The learner's learning record (学习档案) and a course's online and offline parts
bp.add_url_rule("/record/", "record", views.record, methods=GET)
bp.add_url_rule(
    "/record/courses/<int:course_id>", "course_record", views.course_record, methods=GET
)

# The admin: credit rules (versioned), a learner's ledger, adjustments and reversals
bp.add_url_rule("/credit-rules/", "rules", views.rules, methods=FORM)
bp.add_url_rule("/ledger/<int:learner_id>", "ledger", views.ledger, methods=FORM)
bp.add_url_rule(
    "/ledger/<int:learner_id>/entries/<int:entry_id>/reverse",
    "reverse_entry",
    views.reverse_entry,
    methods=POST,
)

# Recognition (学分认定): requests with evidence, the review queue, decisions
bp.add_url_rule("/recognitions/", "my_recognitions", recognition_views.my_recognitions, methods=GET)
bp.add_url_rule(
    "/recognitions/new", "new_recognition", recognition_views.new_recognition, methods=FORM
)
bp.add_url_rule(
    "/recognitions/review",
    "review_recognitions",
    recognition_views.review_recognitions,
    methods=GET,
)
bp.add_url_rule(
    "/recognitions/<int:recognition_id>", "recognition", recognition_views.recognition, methods=GET
)
bp.add_url_rule(
    "/recognitions/<int:recognition_id>/evidence",
    "evidence",
    recognition_views.evidence,
    methods=GET,
)
bp.add_url_rule(
    "/recognitions/<int:recognition_id>/approve",
    "approve_recognition",
    recognition_views.approve_recognition,
    methods=POST,
)
bp.add_url_rule(
    "/recognitions/<int:recognition_id>/reject",
    "reject_recognition",
    recognition_views.reject_recognition,
    methods=POST,
)

# Certificates: the learner's, as PDF, the admin's list and revocation
bp.add_url_rule("/certificates/", "my_certificates", certificate_views.my_certificates, methods=GET)
bp.add_url_rule(
    "/certificates/<int:certificate_id>.pdf",
    "certificate_pdf",
    certificate_views.certificate_pdf,
    methods=GET,
)
bp.add_url_rule(
    "/certificates/<int:certificate_id>/credential.json",
    "certificate_credential",
    certificate_views.certificate_credential,
    methods=GET,
)
# Open Badges 3.0 (the certificate) and CLR 2.0 (the record): JSON and baked PNG
bp.add_url_rule(
    "/certificates/<int:certificate_id>/badge.json",
    "certificate_badge",
    badge_views.certificate_badge,
    methods=GET,
)
bp.add_url_rule(
    "/certificates/<int:certificate_id>/badge.png",
    "certificate_badge_png",
    badge_views.certificate_badge_png,
    methods=GET,
)
bp.add_url_rule(
    "/record/<int:learner_id>/clr.json", "record_clr", badge_views.record_clr, methods=GET
)
bp.add_url_rule(
    "/record/<int:learner_id>/clr.png", "record_clr_png", badge_views.record_clr_png, methods=GET
)
bp.add_url_rule(
    "/admin/certificates", "admin_certificates", certificate_views.admin_certificates, methods=GET
)
bp.add_url_rule(
    "/certificates/<int:certificate_id>/revoke",
    "revoke_certificate",
    certificate_views.revoke_certificate,
    methods=POST,
)

# The public check of a certificate (no log-in, rate-limited)
bp.add_url_rule("/verify/", "verify_form", certificate_views.verify_form, methods=GET)
bp.add_url_rule("/verify/<code>", "verify", certificate_views.verify, methods=GET)
bp.add_url_rule(
    "/verify/credential",
    "verify_credential_file",
    badge_views.verify_credential_file,
    methods=FORM,
)

# The learner's own record exported: XLSX, PDF transcript (成绩单), signed credential
bp.add_url_rule(
    "/record/<int:learner_id>/record.xlsx",
    "record_xlsx",
    certificate_views.record_xlsx,
    methods=GET,
)
bp.add_url_rule(
    "/record/<int:learner_id>/transcript.pdf",
    "transcript_pdf",
    certificate_views.transcript_pdf,
    methods=GET,
)
bp.add_url_rule(
    "/record/<int:learner_id>/credential.json",
    "record_credential",
    certificate_views.record_credential,
    methods=GET,
)
bp.add_url_rule("/.well-known/jwks.json", "jwks", certificate_views.jwks, methods=GET)
# Revocation of signed credentials, for verifiers (W3C Bitstring Status List; public)
bp.add_url_rule(
    "/credentials/status/<int:list_id>",
    "status_list",
    certificate_views.status_list_credential,
    methods=GET,
)
