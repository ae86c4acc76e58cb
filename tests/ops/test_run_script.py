"""`make run` (scripts/run.sh) on a database someone has started using: it serves what is
there and leaves the demo out. (On an empty database it seeds the demo: the seed-demo
tests in tests/test_seed_demo.py.)"""

import os
import signal
import subprocess
import sys
import urllib.request
from pathlib import Path

import pytest

from lms.accounts.services import NewUser, authenticate, create_user, upsert_town
from lms.extensions import db
from tests.apps import build_app, migrate
from tests.ops.helpers import free_port, wait_for_port

ROOT = Path(__file__).resolve().parents[2]
ADMIN_PASSWORD = "chosen-by-the-admin"


def site_in_use(instance: Path):
    """A database at head with one admin who chose her password: no demo data."""
    url = f"sqlite:///{instance / 'lms.sqlite'}"
    migrate(url, instance)
    app = build_app(url, instance)
    with app.app_context():
        upsert_town("330603001", "柯桥街道", 180000)
        admin = NewUser("admin", "区管理员", ADMIN_PASSWORD, "330603001", roles=("admin",))
        create_user(admin, actor=None)
        db.session.commit()
        db.engine.dispose()
    return app


@pytest.mark.slow  # a real server process
def test_a_second_start_serves_the_database_as_it_is(tmp_path):
    instance = tmp_path / "instance"
    app = site_in_use(instance)
    port = free_port()
    environ = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("LMS_", "FLASK_"))},
        "LMS_INSTANCE_PATH": str(instance),
        "PORT": str(port),
        "VENV": str(Path(sys.executable).parent.parent),
    }
    server = subprocess.Popen(
        [str(ROOT / "scripts" / "run.sh")],
        env=environ,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        served = True
        try:
            wait_for_port(port, timeout=90)
            with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=10) as answer:
                assert answer.status == 200
        except AssertionError:
            served = False
    finally:
        os.killpg(server.pid, signal.SIGTERM)
        output, _ = server.communicate(timeout=30)
    with app.app_context():
        admin = authenticate("admin", ADMIN_PASSWORD)
        assert admin is not None and admin.roles == {"admin"}, output
        assert authenticate("admin", "demo12345") is None
        db.engine.dispose()
    assert served, output
    assert "already holds data (1 account): no demo data added" in output
    assert "Demo log-ins" not in output
