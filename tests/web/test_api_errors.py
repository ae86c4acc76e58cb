from flask import Flask
from flask_babel import Babel
from flask_login import LoginManager

from lms.web.api import api_login_required, json_error


def test_json_error_has_one_shape_and_is_never_cached():
    with Flask(__name__).test_request_context():
        response = json_error(409, "seat_taken", "没有空位了", seats=0)
        default = json_error(404)
    assert response.status_code == 409
    assert response.get_json() == {"error": "seat_taken", "message": "没有空位了", "seats": 0}
    assert response.headers["Cache-Control"] == "no-store"
    assert default.get_json() == {"error": "not_found", "message": ""}


def test_api_login_required_answers_401_in_json():
    app = Flask(__name__)
    app.secret_key = "test"
    LoginManager(app).user_loader(lambda user_id: None)
    Babel(app)

    @app.get("/api/thing")
    @api_login_required
    def thing():
        return {"ok": True}

    response = app.test_client().get("/api/thing")
    assert response.status_code == 401 and response.json["error"] == "unauthenticated"


def test_the_app_answers_api_errors_with_slugs(app, client):
    missing = client.get("/api/v1/no-such-thing")
    assert missing.status_code == 404 and missing.json["error"] == "not_found"
    refused = client.post("/api/v1/lessons/1/play-sessions", json={})
    assert refused.status_code == 400 and refused.json["error"] == "csrf_failed"
