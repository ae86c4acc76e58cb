"""Liveness and readiness probes for load balancers and orchestrators.

/healthz answers while the process is up. /readyz asks what a request needs: the
database, the storage (the bucket or the media folder) and the broker when one is set;
503 with the first failing dependency's reason otherwise.
"""

from flask import Blueprint, current_app, jsonify

from lms.extensions import limiter
from lms.ops.checks import broker_problem, database_problem, storage_problem


@limiter.exempt
def healthz():
    return jsonify(status="ok")


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
            return jsonify(status="unavailable", reason=f"{name}: {problem}"), 503
    return jsonify(status="ok")


bp = Blueprint("health", __name__)
bp.add_url_rule("/healthz", "healthz", healthz, methods=["GET"])
bp.add_url_rule("/readyz", "readyz", readyz, methods=["GET"])
