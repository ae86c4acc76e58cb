"""Keqiao Learning: create_app() wires configuration, extensions, blueprints and CLI."""

import os
from pathlib import Path

from flask import (
    Flask,
    has_request_context,
    render_template,
    request,
    send_from_directory,
)
from flask_babel import get_locale
from flask_wtf.csrf import CSRFError
from werkzeug.middleware.proxy_fix import ProxyFix

from lms import database
from lms.config import load_config, require_shared_settings
from lms.extensions import babel, csrf, db, limiter, login_manager, migrate
from lms.ops.logging import configure_logging
from lms.security import register_security_headers
from lms.tasks import init_tasks
from lms.web import scripts as web_scripts
from lms.web.api import json_error
from lms.web.light import page_locale
from lms.web.sessions import HttpsAwareSessionInterface
from lms.web.urls import BoundedRequest, IdConverter, external_url

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: dict | None = None, environ=None) -> Flask:
    """Build the application.

    ``environ`` replaces ``os.environ`` as the source of LMS_* settings; ``config``
    overrides individual Flask config keys afterwards (tests use both).
    """
    environ = os.environ if environ is None else environ
    require_shared_settings(environ)  # before anything is generated into instance/
    settings = load_config(environ)
    settings.update(config or {})
    app = Flask(
        __name__,
        instance_path=settings["INSTANCE_PATH"],
        template_folder=str(PROJECT_ROOT / "templates"),
    )
    app.config.update(settings)
    app.url_map.converters["int"] = IdConverter  # before any rule is added
    app.request_class = BoundedRequest
    configure_logging(app)
    app.session_interface = HttpsAwareSessionInterface()
    if app.config["LMS_PROXY_HOPS"]:
        hops = app.config["LMS_PROXY_HOPS"]
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops, x_host=hops, x_port=hops)

    _init_extensions(app)
    web_scripts.init_app(app)
    app.jinja_env.globals["external_url"] = external_url
    _register_domains(app)
    _limit_request_bodies(app)
    _register_error_handlers(app)
    _register_cli(app)
    database.register_request_transaction(app)
    register_security_headers(app)
    return app


def _select_locale():
    from flask_login import current_user

    if not has_request_context():  # CLI commands and jobs speak the default language
        return "zh_CN"
    authenticated = current_user and current_user.is_authenticated
    return page_locale(current_user.locale if authenticated else None)


def _init_extensions(app: Flask) -> None:
    db.init_app(app)
    database.init_database(app)
    init_tasks(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"))
    csrf.init_app(app)
    limiter.init_app(app)
    babel.init_app(
        app,
        locale_selector=_select_locale,
        timezone_selector=lambda: app.config["LMS_TIMEZONE"],
        default_translation_directories=str(Path(__file__).parent / "translations"),
    )
    login_manager.init_app(app)

    @app.context_processor
    def locale_context():
        return {"current_locale": str(get_locale())}


def _register_domains(app: Flask) -> None:
    """Each domain's register(app), lowest first: blueprints, signal receivers, the
    registries of lower domains, commands, periodic tasks."""
    from lms import (
        accounts,
        assessment,
        attendance,
        community,
        courses,
        credits,
        home,
        media,
        reports,
        study,
        xapi,
    )
    from lms.health import bp as health_bp

    app.register_blueprint(health_bp)
    app.add_url_rule("/favicon.ico", "favicon", _favicon)
    domains = (accounts, xapi, media, courses, study, assessment, attendance, credits, community)
    for domain in (*domains, reports, home):
        domain.register(app)


def _limit_request_bodies(app: Flask) -> None:
    """MAX_CONTENT_LENGTH: a larger body is a 413 before it is parsed or stored. Videos
    arrive through tus in chunks, so the largest body is one tus chunk or one form file
    (a course cover, recognition evidence), plus 1 MiB for a form's other fields."""
    from lms.courses.files import MAX_COVER_BYTES
    from lms.credits.recognition import MAX_EVIDENCE_BYTES
    from lms.media.uploads import chunk_size

    if app.config["MAX_CONTENT_LENGTH"] is None:
        with app.app_context():
            largest = max(chunk_size(), MAX_COVER_BYTES, MAX_EVIDENCE_BYTES)
        app.config["MAX_CONTENT_LENGTH"] = largest + 2**20


def _favicon():
    # Browsers ask for it beside every page; a 404 there costs a rendered error page.
    return send_from_directory(
        Path(__file__).parent / "static" / "img", "favicon.ico", max_age=7 * 24 * 3600
    )


def wants_json() -> bool:
    return request.path.startswith("/api/") or request.accept_mimetypes.best == "application/json"


def _register_error_handlers(app: Flask) -> None:
    def render_error(status: int, message: str | None = None, code: str | None = None):
        if wants_json():
            return json_error(status, code, message or "")
        return render_template("errors/error.html", status=status, message=message), status

    @app.errorhandler(CSRFError)
    def csrf_error(error):
        return render_error(400, error.description, code="csrf_failed")

    for status in (400, 403, 404, 405, 413, 429, 500):
        app.register_error_handler(status, lambda error, status=status: render_error(status))


def _register_cli(app: Flask) -> None:
    """The ``flask lms`` group: the domains added theirs in register(app); ops and the
    synthetic district, which are not domains, are added here."""
    from lms.cli import lms_cli, register_commands
    from lms.ops import cli as ops_cli
    from lms.startup_errors import check_database_before_commands
    from lms.synthetic import cli as synthetic_cli

    register_commands(ops_cli.doctor, ops_cli.backup, ops_cli.restore, synthetic_cli.seed_synthetic)
    check_database_before_commands(lms_cli)
    app.cli.add_command(lms_cli)
