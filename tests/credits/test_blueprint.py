"""The credits blueprint keeps every URL rule: a lost or renamed route fails here."""

EXPECTED_RULES = {
    ("/admin/certificates", "credits.admin_certificates", ("GET",)),
    ("/recognitions/<int:recognition_id>/approve", "credits.approve_recognition", ("POST",)),
    ("/certificates/<int:certificate_id>.pdf", "credits.certificate_pdf", ("GET",)),
    (
        "/certificates/<int:certificate_id>/credential.json",
        "credits.certificate_credential",
        ("GET",),
    ),
    ("/credentials/status/<int:list_id>", "credits.status_list", ("GET",)),
    ("/certificates/<int:certificate_id>/badge.json", "credits.certificate_badge", ("GET",)),
    (
        "/certificates/<int:certificate_id>/badge.png",
        "credits.certificate_badge_png",
        ("GET",),
    ),
    ("/record/<int:learner_id>/clr.json", "credits.record_clr", ("GET",)),
    ("/record/<int:learner_id>/clr.png", "credits.record_clr_png", ("GET",)),
    ("/verify/credential", "credits.verify_credential_file", ("GET", "POST")),
    ("/record/courses/<int:course_id>", "credits.course_record", ("GET",)),
    ("/recognitions/<int:recognition_id>/evidence", "credits.evidence", ("GET",)),
    ("/.well-known/jwks.json", "credits.jwks", ("GET",)),
    ("/ledger/<int:learner_id>", "credits.ledger", ("GET", "POST")),
    ("/certificates/", "credits.my_certificates", ("GET",)),
    ("/recognitions/", "credits.my_recognitions", ("GET",)),
    ("/recognitions/new", "credits.new_recognition", ("GET", "POST")),
    ("/recognitions/<int:recognition_id>", "credits.recognition", ("GET",)),
    ("/record/", "credits.record", ("GET",)),
    ("/record/<int:learner_id>/credential.json", "credits.record_credential", ("GET",)),
    ("/record/<int:learner_id>/record.xlsx", "credits.record_xlsx", ("GET",)),
    ("/recognitions/<int:recognition_id>/reject", "credits.reject_recognition", ("POST",)),
    ("/ledger/<int:learner_id>/entries/<int:entry_id>/reverse", "credits.reverse_entry", ("POST",)),
    ("/recognitions/review", "credits.review_recognitions", ("GET",)),
    ("/certificates/<int:certificate_id>/revoke", "credits.revoke_certificate", ("POST",)),
    ("/credit-rules/", "credits.rules", ("GET", "POST")),
    ("/record/<int:learner_id>/transcript.pdf", "credits.transcript_pdf", ("GET",)),
    ("/verify/<code>", "credits.verify", ("GET",)),
    ("/verify/", "credits.verify_form", ("GET",)),
}


def test_every_credits_rule_is_registered(app):
    rules = {
        (rule.rule, rule.endpoint, tuple(sorted(rule.methods - {"HEAD", "OPTIONS"})))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("credits.")
    }
    assert rules == EXPECTED_RULES
