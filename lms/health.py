"""Liveness and readiness probes for load balancers and orchestrators.

/healthz answers while the process is up. /readyz asks what a request needs: the
database, the storage (the bucket or the media folder) and the broker when one is set;
503 with the name of the first failing check otherwise. Whoever can reach the probe
learns only that name: the detail (hosts, ports, database and bucket names) goes to the
log, and to an administrator who is logged in.
"""

from flask import Blueprint, current_app, jsonify
from flask_login import current_user

from lms.extensions import limiter
from lms.ops.checks import broker_problem, database_problem, storage_problem


@limiter.exempt
def healthz():
    return jsonify(status="ok")


def _caller_is_admin() -> bool:
    try:
        return current_user.is_authenticated and current_user.has_role("admin")
    except Exception:  # the session's user cannot be loaded: the database is what failed
        return False


@limiter.exempt
def readyz():
    checks = (
        ("database", database_problem),
        ("storage", storage_problem),
        ("broker", lambda: broker_problem(current_app.config["LMS_BROKER_URL"])),
    )
    for name, problem_of in checks:
        problem = problem_of()
        if problem:
            current_app.logger.warning("not ready: %s: %s", name, problem)
            reason = f"{name}: {problem}" if _caller_is_admin() else name
            return jsonify(status="unavailable", reason=reason), 503
    return jsonify(status="ok")


bp = Blueprint("health", __name__)
bp.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
bp.add_url_rule("/readyz", "readyz", readyz, methods=["GET"])
