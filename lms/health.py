"""Liveness and readiness probes for load balancers and orchestrators."""

from flask import Blueprint, jsonify
from sqlalchemy import text

from lms.extensions import db, limiter

bp = Blueprint("health", __name__)


@bp.get("/healthz")
@limiter.exempt
def healthz():
    return jsonify(status="ok")


@bp.get("/readyz")
@limiter.exempt
def readyz():
    try:
        db.session.execute(text("SELECT 1"))
    except Exception as error:  # any failure means "not ready"; say which
        db.session.rollback()
        return jsonify(status="unavailable", reason=f"database: {error.__class__.__name__}"), 503
    return jsonify(status="ok")
