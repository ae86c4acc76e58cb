"""Every URL rule of media, so a rule lost in the route map fails here. The tus rules
answer only their own method (no automatic OPTIONS): the OPTIONS rule answers for them."""

EXPECTED = {
    ("/media/jobs", "media.jobs", "GET HEAD OPTIONS"),
    ("/media/jobs/<int:job_id>/retry", "media.retry_job", "OPTIONS POST"),
    ("/api/v1/media/assets/<public_id>", "media.asset_status", "GET HEAD OPTIONS"),
    ("/api/v1/uploads", "media.upload_options", "OPTIONS"),
    ("/api/v1/uploads/<public_id>", "media.upload_options", "OPTIONS"),
    ("/api/v1/uploads", "media.create_upload", "POST"),
    ("/api/v1/uploads/<public_id>", "media.upload_resource", "GET HEAD"),
    ("/api/v1/uploads/<public_id>", "media.append_to_upload", "PATCH"),
    ("/api/v1/uploads/<public_id>", "media.terminate_upload", "DELETE"),
    ("/media/hls/<path:key>", "media.hls_playlist", "GET HEAD OPTIONS"),
    ("/media/files/<path:key>", "media.signed_file", "GET HEAD OPTIONS"),
}


def test_the_route_map_holds_every_rule_of_media(app):
    rules = {
        (rule.rule, rule.endpoint, " ".join(sorted(rule.methods)))
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("media.")
    }
    assert rules == EXPECTED


def test_asset_status_asks_a_visitor_to_log_in_in_json(client):
    response = client.get("/api/v1/media/assets/nothing-here")
    assert response.status_code == 401 and response.json["error"] == "unauthenticated"
