"""Audit rows keep the action, but the client address goes after
LMS_AUDIT_IP_RETENTION_DAYS (a periodic task, the one sanctioned change to the log)."""

from datetime import timedelta

import pytest
from sqlalchemy import select

from lms.accounts.audit import AuditEvent, record_event
from lms.config import ConfigurationError, load_config
from lms.extensions import db
from lms.tasks.periodic import registered_tasks, run_periodic_task
from lms.timeutil import utcnow


def _event(app, days_ago: int) -> int:
    with app.test_request_context(environ_base={"REMOTE_ADDR": "10.1.2.3"}):
        event = record_event("account.disabled", target_type="user", target_id=1)
        event.at = utcnow() - timedelta(days=days_ago)
        db.session.commit()
        return event.id


def test_addresses_older_than_the_retention_go_and_the_rows_stay(app):
    assert app.config["LMS_AUDIT_IP_RETENTION_DAYS"] == 180
    old, recent = _event(app, 181), _event(app, 179)
    assert "accounts.forget_audit_addresses" in {task.name for task in registered_tasks()}
    with app.app_context():
        assert run_periodic_task("accounts.forget_audit_addresses") == 1
        rows = {e.id: e for e in db.session.scalars(select(AuditEvent))}
        assert rows[old].ip is None and rows[old].action == "account.disabled"
        assert rows[recent].ip == "10.1.2.3"
        assert run_periodic_task("accounts.forget_audit_addresses") == 0


def test_other_changes_to_audit_rows_are_still_refused(app):
    event_id = _event(app, 1)
    with app.app_context():
        db.session.get(AuditEvent, event_id).action = "account.enabled"
        with pytest.raises(ValueError, match="append-only"):
            db.session.flush()
        db.session.rollback()


def test_the_retention_is_a_positive_number_of_days(tmp_path):
    environ = {"LMS_INSTANCE_PATH": str(tmp_path), "LMS_AUDIT_IP_RETENTION_DAYS": "30"}
    assert load_config(environ)["LMS_AUDIT_IP_RETENTION_DAYS"] == 30
    with pytest.raises(ConfigurationError, match="LMS_AUDIT_IP_RETENTION_DAYS"):
        load_config({**environ, "LMS_AUDIT_IP_RETENTION_DAYS": "0"})
