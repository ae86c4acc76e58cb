"""Accounts' periodic tasks."""

from flask import current_app

from lms.accounts.audit import forget_client_addresses
from lms.tasks.periodic import periodic_task


@periodic_task("accounts.forget_audit_addresses", every=86400)
def forget_audit_addresses_task() -> int:
    """Drop client addresses from audit rows older than LMS_AUDIT_IP_RETENTION_DAYS."""
    days = current_app.config["LMS_AUDIT_IP_RETENTION_DAYS"]
    return forget_client_addresses(older_than_days=days)
